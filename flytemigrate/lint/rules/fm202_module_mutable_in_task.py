"""FM202 module-mutable-in-task."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst
from libcst.metadata import PositionProvider

from flytemigrate.lint.analysis import is_mutable_literal
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm2_common import where

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class ModuleMutableInTask(Rule):
    """Flags tasks (and the helpers and traces they call) that change a module-level list, dict,
    set or other mutable container in place: `CACHE[k] = v`, `SEEN.add(x)`, `RESULTS.append(r)`.

    Severity is error when another task (or the driver) reads the same variable: that is a
    hand-off through module state, which cannot work across containers. A write that only the
    writing task reads is a warning (state that leaks between runs in reused containers),
    except for memoisation, which gives the same results whatever the container saw before:
    `if key not in CACHE: CACHE[key] = compute(key)`, `CACHE.setdefault(key, value)`, and
    `hit = CACHE.get(key)` / `if hit is None: hit = CACHE[key] = compute(key)`.

    Why it breaks in Flyte 2:
        On a cluster every task runs in its own container, so a value put into a module-level
        container by one task is simply absent in another task and in the driver. A local
        `flyte.run` executes all tasks in one process, so the hand-off works locally and fails
        only when deployed. Reused containers (`ReusePolicy`) keep the container's content from
        earlier runs.

    Example:
        RESULTS: list[float] = []

        @env.task
        def score(x: float) -> None:
            RESULTS.append(x * 2)

        @env.task
        def report() -> float:
            return sum(RESULTS)

    Use instead:
        @env.task
        def score(x: float) -> float:
            return x * 2

        @env.task
        def report(scores: list[float]) -> float:
            return sum(scores)
    """

    code: ClassVar[str] = "FM202"
    name: ClassVar[str] = "module-mutable-in-task"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef score(xs: list[float]) -> list[float]:\n    out = []\n    out.append(sum(xs))\n    return out\n",
        # Reading a module-level constant table is fine.
        _HEAD + "WEIGHTS = {'a': 1.0}\n\n@env.task\ndef weight(k: str) -> float:\n    return WEIGHTS[k]\n",
        # Memoisation: the same results in a fresh or a reused container.
        _HEAD + "_VEC = {}\n\ndef embed(w: str) -> list[float]:\n    if w not in _VEC:\n        _VEC[w] = [float(len(w))]\n    return _VEC[w]\n\n"
        "@env.task\ndef f(ws: list[str]) -> list[list[float]]:\n    return [embed(w) for w in ws]\n",
        _HEAD + "_VEC = {}\n\n@env.task\ndef f(w: str) -> list[float]:\n    hit = _VEC.get(w)\n    if hit is None:\n        hit = _VEC[w] = [1.0]\n    return hit + _VEC.setdefault(w + '!', [2.0])\n",
        # A local variable that shadows the global is not the global.
        _HEAD + "CACHE = {}\n\n@env.task\ndef f(k: str) -> int:\n    CACHE = {}\n    CACHE[k] = 1\n    return len(CACHE)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "RESULTS: list[float] = []\n\n@env.task\ndef score(x: float) -> None:\n    RESULTS.append(x * 2)\n\n@env.task\ndef report() -> float:\n    return sum(RESULTS)\n",
        # A set of seen keys changes what later runs in a reused container return.
        _HEAD + "_SEEN = set()\n\n@env.task\ndef dedupe(ws: list[str]) -> list[str]:\n    out = []\n    for w in ws:\n        if w not in _SEEN:\n            _SEEN.add(w)\n            out.append(w)\n    return out\n",
        # Guarded by another key than the one written: not memoisation.
        _HEAD + "_VEC = {}\n\n@env.task\ndef f(w: str) -> int:\n    if w not in _VEC:\n        _VEC['last'] = [1.0]\n    return len(_VEC)\n",
        _HEAD + "from collections import defaultdict\nSEEN = defaultdict(int)\n\ndef remember(k):\n    SEEN[k] += 1\n\n@env.task\ndef f(k: str) -> int:\n    remember(k)\n    return SEEN[k]\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        mutable: dict[str, bool] = {}
        reported: set[int] = set()
        for task in sorted(analysis.tasks):
            for qualname in analysis.reach(task):
                for mutation in analysis.functions[qualname].mutations:
                    name = analysis.is_global_access(mutation.root)
                    if name is None or id(mutation.node) in reported:
                        continue
                    if name not in mutable:
                        value = analysis.bindings[name].value
                        call_names = self.qualified_names(value.func) if isinstance(value, cst.Call) else set()
                        mutable[name] = is_mutable_literal(value, call_names)
                    if not mutable[name]:
                        continue
                    reported.add(id(mutation.node))
                    writers = set(analysis.tasks_running(qualname))
                    readers = {t for user in analysis.global_users.get(name, ()) for t in analysis.tasks_running(user)}
                    others = sorted(readers - writers)
                    line = self.get_metadata(PositionProvider, analysis.bindings[name].statement).start.line
                    if others:
                        self.report(
                            mutation.node,
                            f"{where(analysis, qualname)} changes module-level `{name}` (line {line}) with {mutation.how}, "
                            f"and task `{others[0]}` reads it; tasks run in separate containers and never share it",
                            help="return the data from the task and pass it to the other task as an input",
                            severity=Severity.ERROR,
                        )
                    elif not _memoised(analysis.functions[qualname].node, mutation, name):
                        self.report(
                            mutation.node,
                            f"{where(analysis, qualname)} changes module-level `{name}` (line {line}) with {mutation.how}; "
                            "the change stays in one container and leaks between runs of a reused one",
                            help="keep the container local to the task, or return the data as an output",
                        )


class _MemoGuard(cst.CSTVisitor):
    """Finds ``statement`` and whether it sits under a guard that ``name[key]`` is missing:
    ``if key not in name:`` or ``if hit is None:`` after ``hit = name.get(key)``."""

    def __init__(self, statement: cst.CSTNode, name: str) -> None:
        super().__init__()
        self.statement = statement
        self.name = name
        self.keys: list[str] = []  # keys of the enclosing guards (code of the key expression)
        self.looked_up: dict[str, str] = {}  # variable -> key, for `hit = name.get(key)`
        self.memoised = False
        self._module = cst.Module([])

    def _guard_key(self, test: cst.BaseExpression) -> Optional[str]:
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        comparison = test.comparisons[0]
        if (
            isinstance(comparison.operator, cst.NotIn)
            and isinstance(comparison.comparator, cst.Name)
            and comparison.comparator.value == self.name
        ):
            return self._module.code_for_node(test.left)
        if (
            isinstance(comparison.operator, cst.Is)
            and isinstance(comparison.comparator, cst.Name)
            and comparison.comparator.value == "None"
            and isinstance(test.left, cst.Name)
        ):
            return self.looked_up.get(test.left.value)
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "get"
            and isinstance(value.func.value, cst.Name)
            and value.func.value.value == self.name
            and value.args
        ):
            self.looked_up[node.targets[0].target.value] = self._module.code_for_node(value.args[0].value)
        if node is self.statement:
            self._check(node)

    def visit_If(self, node: cst.If) -> None:
        key = self._guard_key(node.test)
        self.keys.append(key or "")

    def leave_If(self, original_node: cst.If) -> None:
        self.keys.pop()

    def visit_If_orelse(self, node: cst.If) -> None:
        self.keys.append("")  # the else branch runs when the key is present

    def leave_If_orelse(self, node: cst.If) -> None:
        self.keys.pop()

    def _check(self, node: cst.Assign) -> None:
        keys = {k for k in self.keys if k}
        for target in node.targets:
            t = target.target
            if (
                isinstance(t, cst.Subscript)
                and isinstance(t.value, cst.Name)
                and t.value.value == self.name
                and len(t.slice) == 1
                and isinstance(t.slice[0].slice, cst.Index)
                and self._module.code_for_node(t.slice[0].slice.value) in keys
            ):
                self.memoised = True


def _memoised(function: cst.FunctionDef, mutation, name: str) -> bool:
    """Whether ``mutation`` of module-level ``name`` in ``function`` is memoisation."""
    if mutation.how == "`.setdefault()`":
        return True
    if mutation.how != "item assignment" or not isinstance(mutation.node, cst.Assign):
        return False
    finder = _MemoGuard(mutation.node, name)
    function.body.visit(finder)
    return finder.memoised
