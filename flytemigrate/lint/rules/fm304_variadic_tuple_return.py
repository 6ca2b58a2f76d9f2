"""FM304 variadic-tuple-return."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm3_common import TaskInterfaceRule, variadic_tuple


class VariadicTupleReturn(TaskInterfaceRule):
    """Flags tasks annotated to return `Tuple[X, ...]` / `tuple[X, ...]`.

    A tuple return annotation declares one output per element, so its length must be fixed.

    Why it breaks in Flyte 2:
        Decorating the function fails at import time with `TypeError: Variable length tuples are
        not supported as return types.`.

    Example:
        @env.task
        def split(line: str) -> tuple[str, ...]:
            return tuple(line.split(","))

    Use instead:
        @env.task
        def split(line: str) -> list[str]:
            return line.split(",")
    """

    code: ClassVar[str] = "FM304"
    name: ClassVar[str] = "variadic-tuple-return"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t() -> tuple[int, str]:\n    return 1, 'a'\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t() -> list[int]:\n    return [1]\n",
        "import flyte\ndef helper() -> tuple[int, ...]:\n    return (1,)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t() -> tuple[int, ...]:\n    return (1,)\n",
        "import typing as ty\nimport flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t() -> ty.Tuple[str, ...]:\n    return ('a',)\n",
        "from typing import Tuple\nfrom flytekit import task\n@task\ndef t() -> Tuple[int, ...]:\n    return (1,)\n",
    ]

    def check_task(self, node: cst.FunctionDef) -> None:
        if node.returns is not None and variadic_tuple(self, node.returns.annotation):
            self.report(
                node.returns.annotation,
                f"task `{node.name.value}` returns a variable-length tuple; Flyte 2 rejects it",
                help="return a `list[X]`, or a fixed-length `tuple[X, Y]` / NamedTuple",
            )
