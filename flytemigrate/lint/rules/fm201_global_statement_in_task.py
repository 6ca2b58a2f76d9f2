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
    info when only the writing task uses it (a per-container cache, e.g. a lazily loaded model).

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
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "COUNT = 0\n\n@env.task\ndef step() -> int:\n    global COUNT\n    COUNT += 1\n    return COUNT\n",
        _HEAD + "MODEL = None\n\ndef load():\n    global MODEL\n    MODEL = object()\n\n@env.task\ndef predict(x: int) -> int:\n    load()\n    return x\n",
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
                    else:
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
