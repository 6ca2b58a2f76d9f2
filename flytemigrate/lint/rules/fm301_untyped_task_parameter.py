"""FM301 untyped-task-parameter."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm3_common import TaskInterfaceRule, all_params


class UntypedTaskParameter(TaskInterfaceRule):
    """Flags task parameters without a type annotation.

    A task's inputs are part of its interface: Flyte derives how each input is serialised from
    its annotation. This rule checks functions decorated with a Flyte 2 `@env.task` (where `env`
    is a `flyte.TaskEnvironment`) and Flyte 1 `@task`/`@dynamic`/`@eager`/`@workflow`.

    Why it breaks in Flyte 2:
        Flyte 2 accepts the task but warns "parameter x without type annotation. Data will be
        pickled": the input travels as a PickleFile, which only works between identical Python
        versions, cannot be inspected in the UI, and is not type-checked when the task is
        launched. flytekit rejected such tasks outright, so this usually appears in new code.

    Example:
        @env.task
        def scale(frame, factor: float) -> float:
            ...

    Use instead:
        @env.task
        def scale(frame: pd.DataFrame, factor: float) -> float:
            ...
    """

    code: ClassVar[str] = "FM301"
    name: ClassVar[str] = "untyped-task-parameter"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int, y: str = 'a') -> int:\n    return x\n",
        # Not a task: plain helpers may be untyped.
        "import flyte\ndef helper(x):\n    return x\n",
        # A decorator of another library named `task` is not Flyte's.
        "import flyte\nfrom celery import task\n@task\ndef t(x):\n    return x\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x, y: int) -> int:\n    return y\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task(cache='auto')\nasync def t(*, x) -> None:\n    pass\n",
        "import flytekit as fl\n@fl.task(retries=2)\ndef t(x) -> int:\n    return 1\n",
        "from flytekit.core.task import task\n@task\ndef t(a: int, /, b) -> int:\n    return a\n",
    ]

    def check_task(self, node: cst.FunctionDef) -> None:
        for param in all_params(node.params):
            if param.annotation is None:
                self.report(
                    param,
                    f"task `{node.name.value}` parameter `{param.name.value}` has no type annotation; Flyte 2 pickles it",
                    help="annotate the parameter with a concrete type (e.g. `int`, `list[str]`, a dataclass)",
                )
