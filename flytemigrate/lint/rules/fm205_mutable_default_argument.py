"""FM205 mutable-default-argument."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from libcst.metadata import PositionProvider

from flytemigrate.lint.analysis import is_mutable_literal
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm3_common import all_params

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class MutableDefaultArgument(Rule):
    """Flags task parameters whose default is a mutable object (`[]`, `{}`, `set()`, `dict()` ...)
    that the task changes in place (`xs.append(...)`, `xs[k] = v`, `xs += [...]`, `del xs[k]`).

    A mutable default that is only read is not flagged: workflow-style defaults such as
    `xs: list[int] = [1, 2, 3]` are common and harmless as long as nobody mutates them.

    Flyte 1 `@task`/`@dynamic`/`@eager` functions are checked too: they become Flyte 2 tasks
    whose defaults are ordinary Python default objects.

    Why it breaks in Flyte 2:
        The default object is created once, when the module is imported, and shared by every
        call of the function in that process. In a local `flyte.run` (one process for all
        tasks) and in reused containers (`ReusePolicy`) a task that changes its default leaks
        the change into later calls; on a cluster each fresh container starts with a clean
        copy. The same program then gives different results locally and remotely, and from run
        to run.

    Example:
        @env.task
        def collect(x: int, seen: list[int] = []) -> list[int]:
            seen.append(x)
            return seen

    Use instead:
        @env.task
        def collect(x: int, seen: list[int] | None = None) -> list[int]:
            seen = [*(seen or []), x]
            return seen
    """

    code: ClassVar[str] = "FM205"
    name: ClassVar[str] = "mutable-default-argument"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef f(xs: list[int] | None = None, names: tuple[str, ...] = ()) -> int:\n    return len(xs or [])\n",
        # Plain helpers are out of scope (a general Python linter covers them).
        _HEAD + "def helper(xs=[]):\n    xs.append(1)\n    return xs\n",
        # Only read: harmless.
        _HEAD + "@env.task\ndef total(xs: list[int] = [1, 2, 3]) -> int:\n    return sum(xs)\n",
        # Rebinding the name does not change the default object.
        _HEAD + "@env.task\ndef add(x: int, xs: list[int] = []) -> list[int]:\n    xs = [*xs, x]\n    return xs\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef collect(x: int, seen: list[int] = []) -> list[int]:\n    seen.append(x)\n    return seen\n",
        _HEAD + "import flytekit as fk\n\n@fk.task\ndef f(k: str, opts: dict[str, int] = dict()) -> int:\n    opts[k] = 1\n    return len(opts)\n",
        _HEAD + "@env.task\nasync def f(x: int, acc: list[int] = []) -> list[int]:\n    acc += [x]\n    return acc\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for qualname, info in analysis.tasks.items():
            mutated = {m.name: m for m in info.mutations if analysis.is_global_access(m.root) is None}
            for param in all_params(info.node.params):
                default = param.default
                if default is None or param.name.value not in mutated:
                    continue
                call_names = self.qualified_names(default.func) if isinstance(default, cst.Call) else set()
                if is_mutable_literal(default, call_names):
                    self.report(
                        default,
                        f"task `{qualname}` changes its parameter `{param.name.value}` (line "
                        f"{self._line(mutated[param.name.value].node)}) whose default is a mutable object shared by every call in a process",
                        help="default to `None` (or an immutable value such as a tuple) and build the container inside the task",
                    )

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line
