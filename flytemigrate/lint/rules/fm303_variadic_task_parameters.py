"""FM303 variadic-task-parameters."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm3_common import TaskInterfaceRule


class VariadicTaskParameters(TaskInterfaceRule):
    """Flags `*args` and `**kwargs` in task signatures.

    A task's interface is a fixed set of named, typed inputs; a variable number of arguments
    cannot be described by it.

    Why it breaks in Flyte 2:
        Decorating the function fails at import time with `ValueError: Function f cannot have
        variable positional or keyword arguments.`, so the whole module cannot be loaded.

    Example:
        @env.task
        def total(*values: int) -> int:
            return sum(values)

    Use instead:
        @env.task
        def total(values: list[int]) -> int:
            return sum(values)
    """

    code: ClassVar[str] = "FM303"
    name: ClassVar[str] = "variadic-task-parameters"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(values: list[int], *, scale: int = 1) -> int:\n    return 1\n",
        "import flyte\ndef helper(*args, **kwargs):\n    return args\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(*values: int) -> int:\n    return sum(values)\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int, **options: str) -> int:\n    return x\n",
        "import flytekit\n@flytekit.task\ndef t(*args, **kwargs) -> None:\n    pass\n",
    ]

    def check_task(self, node: cst.FunctionDef) -> None:
        params = node.params
        for param, kind in ((params.star_arg, "*"), (params.star_kwarg, "**")):
            if isinstance(param, cst.Param):
                self.report(
                    param,
                    f"task `{node.name.value}` takes `{kind}{param.name.value}`; Flyte 2 rejects variadic task parameters",
                    help="take a `list[...]` or `dict[str, ...]` parameter, or a dataclass, instead",
                )
