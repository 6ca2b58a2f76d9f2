"""FM201 global-statement-in-task."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm2_common import where

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class GlobalStatementInTask(Rule):
    """Flags `global` statements in tasks and in the helpers and traces they call, and `nonlocal`
    in nested tasks and traces (a plain closure's `nonlocal` stays in its caller's process).

    Severity is warning when another task reads the variable (a hand-off that cannot work) and
    info when only the writing task uses it (a per-container cache). The lazy-initialisation
    idiom is not reported at all: every assignment of the name guarded by a test that it is
    still unset (`if _MODEL is None: _MODEL = load()`, `if not _CLIENT: ...`) is a per-container
    cache by construction, which is how Flyte 2 recommends loading models in reused containers.

    Why it breaks in Flyte 2:
        Every task runs in its own container (its own process) on a cluster. A module-level
        variable assigned in one task is not seen by the driver or by any other task, and a
        reused container (`ReusePolicy`) keeps the value from a previous run. A local
        `flyte.run` executes everything in one process, so the code appears to work until it
        is deployed. A `@flyte.trace` body is not run again on replay (its recorded result is
        returned), so side effects on enclosing or module variables are lost after a recovery.

    Example:
        COUNT = 0

        @env.task
        def step() -> int:
            global COUNT
            COUNT += 1
            return COUNT

    Use instead:
        @env.task
        def step(count: int) -> int:
            return count + 1      # pass state in and out as task inputs and outputs
    """

    code: ClassVar[str] = "FM201"
    name: ClassVar[str] = "global-statement-in-task"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("global ", "nonlocal ")
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef step(count: int) -> int:\n    return count + 1\n",
        _HEAD + "@env.task\ndef outer(xs: list[int]) -> int:\n    total = 0\n    def add(x):\n        nonlocal total\n        total += x\n    for x in xs:\n        add(x)\n    return total\n",
        # A plain script function that no task calls.
        _HEAD + "VERBOSE = False\n\ndef main() -> None:\n    global VERBOSE\n    VERBOSE = True\n",
        # Lazy initialisation: a per-container cache.
        _HEAD + "_MODEL = None\n\ndef get_model():\n    global _MODEL\n    if _MODEL is None:\n        _MODEL = object()\n    return _MODEL\n\n"
        "@env.task\ndef predict(x: int) -> int:\n    return x if get_model() else 0\n",
        _HEAD + "_CLIENT = None\n\n@env.task\ndef fetch(key: str) -> str:\n    global _CLIENT\n    if not _CLIENT:\n        _CLIENT = dict(k='v')\n    return _CLIENT.get(key, '')\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "COUNT = 0\n\n@env.task\ndef step() -> int:\n    global COUNT\n    COUNT += 1\n    return COUNT\n",
        _HEAD + "MODEL = None\n\ndef load():\n    global MODEL\n    MODEL = object()\n\n@env.task\ndef predict(x: int) -> int:\n    load()\n    return x\n",
        # Guarded, but the guard tests another name: not the lazy-initialisation idiom.
        _HEAD + "MODEL = None\nREADY = False\n\n@env.task\ndef predict(x: int) -> int:\n    global MODEL\n    if not READY:\n        MODEL = object()\n    return x\n",
        _HEAD + "@env.task\ndef leaf(x: int) -> int:\n    return x\n\n@env.task\nasync def outer(xs: list[int]) -> int:\n    total = 0\n    @flyte.trace\n    async def add(x: int) -> None:\n        nonlocal total\n        total += x\n    for x in xs:\n        await add(leaf(x))\n    return total\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        seen: set[str] = set()
        for task in analysis.tasks:
            for qualname in analysis.reach(task):
                if qualname in seen:
                    continue
                seen.add(qualname)
                info = analysis.functions[qualname]
                for statement in info.globals_:
                    names = [n.name.value for n in statement.names]
                    spelled = ", ".join(f"`{n}`" for n in names)
                    writers = set(analysis.tasks_running(qualname))
                    readers = sorted(
                        {t for n in names for user in analysis.global_users.get(n, ()) for t in analysis.tasks_running(user)}
                        - writers
                    )
                    if readers:
                        self.report(
                            statement,
                            f"{where(analysis, qualname)} assigns module-level {spelled}, which task `{readers[0]}` reads; "
                            "tasks run in separate containers and never see each other's globals",
                            help="pass the value between tasks as inputs and outputs instead of module state",
                        )
                    elif not all(_lazily_initialised(info.node, n) for n in names):
                        # Only the writing task(s) use it: a per-container cache, which works but
                        # is recomputed in every container and kept across runs of a reused one.
                        self.report(
                            statement,
                            f"{where(analysis, qualname)} assigns module-level {spelled}; the value lives only in this "
                            "task's container (and survives between runs of a reused container)",
                            help="fine as a per-container cache; otherwise pass the value as a task input or output",
                            severity=Severity.INFO,
                        )
                if info.kind == "helper":
                    # A plain closure runs in its caller's process: `nonlocal` there is ordinary code.
                    continue
                for statement in info.nonlocals:
                    names = ", ".join(f"`{n.name.value}`" for n in statement.names)
                    self.report(
                        statement,
                        f"{where(analysis, qualname)} rebinds enclosing {names}; the change is lost when the "
                        f"{info.kind} runs elsewhere or is replayed from its record",
                        help="return the value instead of rebinding an enclosing variable",
                    )


class _GuardedStores(cst.CSTVisitor):
    """Whether every assignment of ``name`` sits under an ``if`` testing that it is unset."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.guards = 0
        self.stores = 0
        self.unguarded = 0

    def _tests_unset(self, test: cst.BaseExpression) -> bool:
        # `X is None`, `X == None`, `not X`, possibly combined with `or`/`and`.
        if isinstance(test, cst.BooleanOperation):
            return self._tests_unset(test.left) or self._tests_unset(test.right)
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return isinstance(test.expression, cst.Name) and test.expression.value == self.name
        if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == self.name:
            return any(
                isinstance(c.operator, (cst.Is, cst.Equal)) and isinstance(c.comparator, cst.Name) and c.comparator.value == "None"
                for c in test.comparisons
            )
        return False

    def visit_If(self, node: cst.If) -> None:
        if self._tests_unset(node.test):
            self.guards += 1

    def leave_If(self, original_node: cst.If) -> None:
        if self._tests_unset(original_node.test):
            self.guards -= 1

    # `else:`/`elif` branches run when the name *is* set: not guarded.
    def visit_If_orelse(self, node: cst.If) -> None:
        if self._tests_unset(node.test):
            self.guards -= 1

    def leave_If_orelse(self, node: cst.If) -> None:
        if self._tests_unset(node.test):
            self.guards += 1

    def _store(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value == self.name:
            self.stores += 1
            if self.guards <= 0:
                self.unguarded += 1
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._store(element.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._store(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._store(node.target)


def _lazily_initialised(function: cst.FunctionDef, name: str) -> bool:
    """``if NAME is None: NAME = ...`` (every store of ``name`` in ``function`` guarded so)."""
    finder = _GuardedStores(name)
    function.body.visit(finder)
    return finder.stores > 0 and finder.unguarded == 0
