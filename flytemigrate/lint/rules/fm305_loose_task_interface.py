"""FM305 loose-task-interface."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm3_common import TaskInterfaceRule, interface_annotations, loose_types


class LooseTaskInterface(TaskInterfaceRule):
    """Flags `Any` and unparameterised containers (`list`, `dict`, `List`, ...) in task interfaces.

    Flyte picks a serialisation for each input and output from its type; `Any` and containers
    without element types give it nothing to go on. Nested occurrences (`list[Any]`,
    `dict[str, list]`) count too.

    Why it breaks in Flyte 2:
        `Any`, bare `list`, `set` and `tuple` fall back to PickleFile ("Unsupported Type ... Flyte
        will default to use PickleFile"), which only works between identical Python versions;
        bare `typing.List` fails at import time ("Only generic univariate typing.List[T] type is
        supported"); a bare `dict` output fails at run time as soon as it holds a non-string key
        or a non-JSON value ("Cannot convert ... to Flyte Literal"); a bare `tuple` return is
        taken as a single output and fails ("Received 2 outputs but return annotation has 1").

    Example:
        @env.task
        def summarise(rows: list, options: dict) -> Any:
            ...

    Use instead:
        @env.task
        def summarise(rows: list[str], options: dict[str, int]) -> Summary:
            ...
    """

    code: ClassVar[str] = "FM305"
    name: ClassVar[str] = "loose-task-interface"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: list[int], y: dict[str, float]) -> tuple[int, str]:\n    return 1, 'a'\n",
        "from typing import Annotated, Optional\nimport flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: Annotated[list[int], 'meta']) -> Optional[int]:\n    return None\n",
        "from typing import Any\nimport flyte\ndef helper(x: Any) -> list:\n    return [x]\n",
        # A user class that happens to be called Any is fine.
        "import flyte\nfrom mylib import Any\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: Any) -> int:\n    return 1\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from typing import Any\nimport flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: Any) -> int:\n    return 1\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int) -> list:\n    return [x]\n",
        "import typing\nimport flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: typing.Dict[str, typing.List]) -> int:\n    return 1\n",
        "from typing import Optional, Any\nfrom flytekit import task\n@task\ndef t(x: Optional[dict[str, Any]] = None) -> int:\n    return 1\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int | dict) -> int:\n    return 1\n",
    ]

    def check_task(self, node: cst.FunctionDef) -> None:
        for what, annotation in interface_annotations(node):
            for loose, description in loose_types(self, annotation):
                # A bare dict becomes untyped JSON; the other loose types are pickled.
                consequence = (
                    "Flyte 2 stores it as untyped JSON and fails on non-string keys or non-JSON values"
                    if description in ("bare `dict` without element types", "bare `Dict` without element types")
                    else "Flyte 2 pickles or rejects it"
                )
                self.report(
                    loose,
                    f"task `{node.name.value}` {what} uses {description}; {consequence}",
                    help="use a concrete type with element types (`list[str]`, `dict[str, int]`, a dataclass)",
                )
