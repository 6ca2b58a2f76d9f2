"""FM302 missing-return-annotation."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm3_common import TaskInterfaceRule, first_value_return


class MissingReturnAnnotation(TaskInterfaceRule):
    """Flags tasks that return a value but declare no return annotation.

    The return annotation is the task's output interface. Without it Flyte registers a task
    with no outputs, whatever the body returns.

    Why it breaks in Flyte 2:
        Running the task fails with `RuntimeDataValidationError: ... Expected no outputs but got
        (value,), did you miss a return type annotation?`. The failure happens only when the task
        actually runs, so it is easy to miss until a pipeline reaches it.

    Example:
        @env.task
        def count(rows: list[str]):
            return len(rows)

    Use instead:
        @env.task
        def count(rows: list[str]) -> int:
            return len(rows)
    """

    code: ClassVar[str] = "FM302"
    name: ClassVar[str] = "missing-return-annotation"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int) -> int:\n    return x\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int):\n    print(x)\n    return\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int):\n    def inner():\n        return 1\n    inner()\n    return None\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int):\n    return x + 1\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\nbig = env.clone_with(name='big')\n@big.task\nasync def t(x: int):\n    if x:\n        return x\n",
        "from flytekit import task\n@task\ndef t(x: int):\n    return [x]\n",
    ]

    def check_task(self, node: cst.FunctionDef) -> None:
        if node.returns is not None:
            return
        returned = first_value_return(node)
        if returned is not None:
            self.report(
                node.name,
                f"task `{node.name.value}` returns a value but has no return annotation; Flyte 2 registers no outputs",
                help="add a return annotation (`-> int`, `-> tuple[int, str]`, a NamedTuple, ...)",
            )
