"""FM407 task-in-thread."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from flytemigrate.lint.analysis import CallSite
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import calls_in

_THREAD_CALLS = frozenset(
    {"threading.Thread", "threading.Timer", "multiprocessing.Process", "multiprocessing.pool.Pool.map", "_thread.start_new_thread"}
)
# Executor-like methods that run a callable in another thread or process.
_EXECUTOR_METHODS = frozenset({"submit", "map", "run_in_executor", "apply_async", "apply", "starmap", "imap", "imap_unordered", "map_async"})
_HEAD = 'import flyte\nfrom concurrent.futures import ThreadPoolExecutor\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef train(x: int) -> int:\n    return x\n\n'


class TaskInThread(Rule):
    """Flags tasks started from threads, thread pools or processes: `pool.submit(task, ...)`,
    `pool.map(task, ...)`, `loop.run_in_executor(None, task, ...)`, `threading.Thread(target=task)`,
    `multiprocessing.Process(target=task)`, and lambdas handed to them that call a task.
    (`asyncio.to_thread` copies the run context and is not flagged.)

    Why it breaks in Flyte 2:
        The SDK finds the running action through context variables, which plain threads and
        executors do not inherit. Called from such a thread, the task does not see a run: it
        executes as an ordinary Python function inside the driver's container, with no
        separate container, resources, retries, caching or record, so replay repeats it.
        Flyte 2 parallelism comes from async tasks (`asyncio.gather`) and `flyte.map`.

    Example:
        @env.task
        def main(xs: list[int]) -> list[int]:
            with ThreadPoolExecutor() as pool:
                return list(pool.map(train, xs))

    Use instead:
        @env.task
        def main(xs: list[int]) -> list[int]:
            return list(flyte.map(train, xs))
    """

    code: ClassVar[str] = "FM407"
    name: ClassVar[str] = "task-in-thread"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(xs: list[int]) -> list[int]:\n    return list(flyte.map(train, xs))\n",
        _HEAD + "def parse(s):\n    return int(s)\n\n@env.task\ndef leaf(xs: list[str]) -> list[int]:\n    with ThreadPoolExecutor() as pool:\n        return list(pool.map(parse, xs))\n",
        _HEAD + "import asyncio\n\n@env.task\nasync def main(x: int) -> int:\n    return await asyncio.to_thread(train, x)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(xs: list[int]) -> list[int]:\n    with ThreadPoolExecutor(max_workers=4) as pool:\n        futures = [pool.submit(train, x) for x in xs]\n    return [f.result() for f in futures]\n",
        _HEAD + "import threading\n\n@env.task\ndef main(x: int) -> None:\n    t = threading.Thread(target=train, args=(x,))\n    t.start()\n    t.join()\n",
        _HEAD + "@env.task\ndef main(xs: list[int]) -> list[int]:\n    with ThreadPoolExecutor() as pool:\n        return list(pool.map(lambda x: train(x=x), xs))\n",
    ]

    def _runner(self, site: CallSite) -> Optional[str]:
        if site.names & _THREAD_CALLS:
            return f"`{sorted(site.names & _THREAD_CALLS)[0]}`"
        func = site.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _EXECUTOR_METHODS and not site.names & {"flyte.map"}:
            return f"`.{func.attr.value}()`"
        return None

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info in analysis.functions.values():
            task_calls = {id(c.node): c for c in analysis.task_calls(info) if not c.derived}
            for site in info.calls:
                runner = None
                target = None
                if site.derived and site.kind == "passed" and (
                    site.external is not None or analysis.functions[site.target].kind == "task"  # type: ignore[index]
                ):
                    runner, target = self._runner(site), site.target or site.external
                elif not site.derived and task_calls:
                    runner = self._runner(site)
                    if runner:
                        lambdas = [a.value for a in site.node.args if isinstance(a.value, cst.Lambda)]
                        inner = [task_calls[id(c)] for lam in lambdas for c in calls_in(lam.body) if id(c) in task_calls]
                        target = inner[0].target if inner else None
                if runner is None or target is None:
                    continue
                self.report(
                    site.node,
                    f"`{info.qualname}` runs task `{target}` through {runner} in another thread or process; there it "
                    "executes as a plain function inside this container, not as a Flyte task",
                    help="use `flyte.map(task, ...)` or async tasks with `asyncio.gather(...)` for parallel task calls",
                )
