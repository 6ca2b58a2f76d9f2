"""FM202 module-mutable-in-task."""

from __future__ import annotations

from typing import ClassVar

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
    writing task reads is a warning (a per-container cache; it leaks between runs in reused
    containers).

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
        # A local variable that shadows the global is not the global.
        _HEAD + "CACHE = {}\n\n@env.task\ndef f(k: str) -> int:\n    CACHE = {}\n    CACHE[k] = 1\n    return len(CACHE)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "RESULTS: list[float] = []\n\n@env.task\ndef score(x: float) -> None:\n    RESULTS.append(x * 2)\n\n@env.task\ndef report() -> float:\n    return sum(RESULTS)\n",
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
                    else:
                        self.report(
                            mutation.node,
                            f"{where(analysis, qualname)} changes module-level `{name}` (line {line}) with {mutation.how}; "
                            "the change stays in one container and leaks between runs of a reused one",
                            help="keep the container local to the task, or return the data as an output",
                        )
