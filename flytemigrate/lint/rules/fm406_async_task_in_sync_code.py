"""FM406 async-task-in-sync-code."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\nasync def fetch(x: int) -> int:\n    return x\n\n'


class AsyncTaskInSyncCode(Rule):
    """Flags an `async def` task called from a sync (`def`) task or from a sync helper a task
    calls, without `flyte.map` (which accepts both) and outside `asyncio.run(...)`, and any
    `task.aio(...)` call in sync code.

    Why it breaks in Flyte 2:
        Inside a run, calling an async task submits it and returns a coroutine; sync code cannot
        await it, so the caller receives a coroutine object instead of the output (and Python
        warns "coroutine was never awaited"), and the child's result is lost. flytekit ran async
        and sync tasks alike from workflows, so this appears after conversion.

    Example:
        @env.task
        def main(x: int) -> int:
            return fetch(x) + 1

    Use instead:
        @env.task
        async def main(x: int) -> int:
            return await fetch(x) + 1
    """

    code: ClassVar[str] = "FM406"
    name: ClassVar[str] = "async-task-in-sync-code"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("async ",)
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return await fetch(x) + 1\n",
        _HEAD + "@env.task\ndef main(xs: list[int]) -> list[int]:\n    return list(flyte.map(fetch, xs))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(x: int) -> int:\n    return fetch(x) + 1\n",
        _HEAD + "def helper(x):\n    return fetch.override(retries=3)(x)\n\n@env.task\ndef main(x: int) -> int:\n    return helper(x)\n",
        _HEAD + "@env.task\ndef double(x: int) -> int:\n    return 2 * x\n\n@env.task\ndef main(x: int) -> int:\n    return double.aio(x)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for qualname, chain in analysis.replayed.items():
            info = analysis.functions[qualname]
            if info.is_async or info.is_flytekit:
                continue
            wrapped = {
                id(arg.value) for site in info.calls if "asyncio.run" in site.names for arg in site.node.args
            }
            for site in info.calls:
                called = analysis.called_task(site)
                if called is None or site.derived or site.kind not in ("direct", "override", "aio"):
                    continue
                name, is_async, is_flytekit = called
                # `.aio(...)` returns an awaitable whatever the task is; sync code cannot use it.
                if not (is_async or site.kind == "aio") or is_flytekit:
                    continue
                if id(site.node) in wrapped:
                    continue
                self.report(
                    site.node,
                    f"{analysis.describe(qualname)} is sync and calls "
                    + (f"`{name}.aio(...)`" if site.kind == "aio" else f"async task `{name}`")
                    + "; it gets a coroutine, not the output",
                    help=f"make `{chain[0]}` an `async def` task and `await` the call",
                )
