"""FM509 unconsumed-map."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider

from flytemigrate.lint.base import Rule, Severity

_MAP_NAMES = ("flyte.map", "flyte.map.aio")
# Builtins that look at a generator without draining it (or fail on one).
_NON_CONSUMERS = frozenset(
    f"builtins.{name}" for name in ("len", "bool", "str", "repr", "print", "id", "type", "isinstance", "reversed")
)

# Builtins that wrap an iterable lazily: fine when they are consumed in turn.
_LAZY_WRAPPERS = frozenset(f"builtins.{name}" for name in ("zip", "enumerate", "filter", "map"))


class UnconsumedMap(Rule):
    """Flags `flyte.map(...)` results that are not materialised with `list()` (or iterated once).

    `flyte.map` returns a lazy, one-shot generator. The rule accepts a call passed straight to
    `list()`/`tuple()`/`sorted()`/`", ".join()` or to a project function, iterated by a `for`
    loop or comprehension, unpacked (`a, b = ...`, `[*...]`, `f(*...)`), returned from a plain
    helper, or assigned to a variable that is then used exactly once in one of those ways. Anything else is flagged: indexing, `len()`,
    returning it from a task, using it twice, or never using it.

    Why it breaks in Flyte 2:
        flytekit's `map_task` returned a list. A `flyte.map` generator starts no task until it
        is iterated: an unused result means the mapped tasks never run; `len()` and indexing
        raise `TypeError`; a second iteration is silently empty; returning it from a task fails
        to serialise.

    Example:
        results = flyte.map(square, numbers)
        return results[0] + len(results)

    Use instead:
        results = list(flyte.map(square, numbers))
        return results[0] + len(results)
    """

    code: ClassVar[str] = "FM509"
    name: ClassVar[str] = "unconsumed-map"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("map",)
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider, ScopeProvider)
    VALID: ClassVar[list[str]] = [
        "import flyte\ndef d(xs: list[int]) -> list[int]:\n    return list(flyte.map(sq, xs))\n",
        "import flyte\ndef d(xs: list[int]) -> int:\n    total = 0\n    for y in flyte.map(sq, xs):\n        total += y\n    return total\n",
        "import flyte\ndef d(xs: list[int]) -> int:\n    results = flyte.map(sq, xs, concurrency=4)\n    return sum(results)\n",
        "import flyte\ndef d(xs: list[int]) -> list[int]:\n    return [r for r in flyte.map(sq, xs) if not isinstance(r, Exception)]\n",
        "import flyte\nasync def d(xs: list[int]) -> list[int]:\n    return [r async for r in flyte.map.aio(sq, xs)]\n",
        "import flyte\ndef d(xs: list[int]) -> list[int]:\n    return list(map(abs, xs))\n",
        "import flyte\ndef d(xs: list[int]) -> dict[int, int]:\n    return dict(zip(xs, flyte.map(sq, xs)))\n",
        "import flyte\ndef d(xs: list[str]) -> str:\n    return ', '.join(flyte.map(up, xs))\n",
        "import flyte\ndef d(xs: list[int]) -> list[int]:\n    return collect(flyte.map(sq, xs), min_success_ratio=0.5)\n",
        "import flyte\ndef squares(xs):\n    return flyte.map(sq, xs)\n",
        "import flyte\ndef d() -> int:\n    low, high = flyte.map(sq, [1, 9])\n    return high - low\n",
        "import flyte\ndef d(xs: list[int]) -> list[int]:\n    return [0, *flyte.map(sq, xs)] + [max(*flyte.map(sq, xs))]\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\ndef d(xs: list[int]) -> int:\n    results = flyte.map(sq, xs)\n    return results[0]\n",
        "import flyte\ndef d(xs: list[int]) -> None:\n    flyte.map(sq, xs)\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef d(xs: list[int]) -> list[int]:\n    return flyte.map(sq, xs)\n",
        "import flyte\ndef d(xs: list[int]) -> int:\n    r = flyte.map(sq, xs)\n    a = list(r)\n    b = list(r)\n    return len(a) + len(b)\n",
        "import flyte as fl\ndef d(xs: list[int]) -> int:\n    return len(fl.map(sq, xs))\n",
        "import flyte\ndef d(xs: list[int]):\n    pairs = zip(xs, flyte.map(sq, xs))\n    return pairs\n",
    ]

    def _parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.get_metadata(ParentNodeProvider, node, None)

    def _consumes(self, node: cst.CSTNode) -> bool:
        """Whether the context of expression ``node`` drains it exactly once."""
        parent = self._parent(node)
        if isinstance(parent, cst.Arg) and not parent.star:
            call = self._parent(parent)
            if not isinstance(call, cst.Call):
                return False
            names = self.qualified_names(call.func)
            if names & _NON_CONSUMERS:
                return False
            if names & _LAZY_WRAPPERS:
                # zip(xs, flyte.map(...)) is as good as the context it is used in.
                return self._consumes(call)
            # list(), sorted(), ", ".join(), or a function of the project (e.g. a helper that
            # collects results): handing the generator over is taken as consuming it.
            return True
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return True
        if isinstance(parent, cst.StarredElement):
            return True  # `[*flyte.map(...)]`, `f(*flyte.map(...))` drain it into the display/call
        if isinstance(parent, cst.Arg) and parent.star == "*":
            return True
        if isinstance(parent, cst.Assign) and all(isinstance(t.target, (cst.Tuple, cst.List)) for t in parent.targets):
            return True  # `a, b = flyte.map(...)` unpacks (and drains) it
        if isinstance(parent, cst.Return):
            # Returning it from a task fails to serialise; from a plain helper it is the caller's.
            return not self._in_task(node)
        return isinstance(parent, cst.From)  # `yield from`: the caller drains it

    def _in_task(self, node: cst.CSTNode) -> bool:
        current = self._parent(node)
        while current is not None and not isinstance(current, (cst.FunctionDef, cst.Lambda)):
            current = self._parent(current)
        return isinstance(current, cst.FunctionDef) and id(current) in self._task_nodes

    def visit_Module(self, node: cst.Module) -> None:
        self._task_nodes = {id(info.node) for info in self.context.analysis.tasks.values()}

    def _assigned_and_consumed(self, call: cst.Call) -> Optional[bool]:
        """For ``name = flyte.map(...)``: whether ``name`` is used exactly once, draining it."""
        parent = self._parent(call)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign):
            target = parent.target
        else:
            return None
        if not isinstance(target, cst.Name):
            return False
        scope = self.get_metadata(ScopeProvider, target, None)
        if scope is None:
            return False
        accesses = [
            access
            for assignment in scope.assignments[target.value]
            if getattr(assignment, "node", None) is target
            for access in assignment.references
        ]
        return len(accesses) == 1 and self._consumes(accesses[0].node)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.matches(node.func, *_MAP_NAMES):
            return
        if self._consumes(node):
            return
        assigned = self._assigned_and_consumed(node)
        if assigned:
            return
        parent = self._parent(node)
        if isinstance(parent, cst.Expr):
            message = "`flyte.map(...)` result is never iterated, so the mapped tasks never run"
        else:
            message = "`flyte.map(...)` returns a one-shot lazy generator; it is used here without `list()`"
        self.report(node, message, help="wrap the call in `list(...)` and use the list")
