"""FM405 sync-task-in-async-code."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import gathered_call_ids

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef square(x: int) -> int:\n    return x * x\n\n'


class SyncTaskInAsyncCode(Rule):
    """Flags blocking task calls in `async def` code: a sync task called directly (not awaited,
    no `.aio`), and `flyte.map(...)` instead of `flyte.map.aio(...)`.

    (`await` on a sync task call is FM404.) Plain (sync) helper functions called from async code
    run inside the same event loop, so the blocking calls they make are flagged too, naming the
    async caller.

    Why it breaks in Flyte 2:
        A blocking task call inside a running event loop would stall it (and with it the
        controller that tracks the run), so the SDK raises `SyncTaskCallInAsyncContextError`
        for the call. A blocking `flyte.map` inside an async task deadlocks: each item comes
        back as an error. flytekit had no such distinction, so converted `@eager` code and
        `--async` rewrites hit it.

    Example:
        @env.task
        async def main(xs: list[int]) -> int:
            first = square(xs[0])
            rest = list(flyte.map(square, xs[1:]))
            return first + sum(rest)

    Use instead:
        @env.task
        async def main(xs: list[int]) -> int:
            first = await square.aio(xs[0])
            rest = [r async for r in flyte.map.aio(square, xs[1:])]
            return first + sum(rest)
    """

    code: ClassVar[str] = "FM405"
    name: ClassVar[str] = "sync-task-in-async-code"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("async ",)
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return await square.aio(x)\n",
        _HEAD + "@env.task\ndef main(xs: list[int]) -> list[int]:\n    return list(flyte.map(square, xs))\n",
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> list[int]:\n    return [r async for r in flyte.map.aio(square, xs)]\n",
        # A sync helper called from a sync task, or run in a worker thread by async code.
        _HEAD + "import asyncio\n\ndef squares(xs: list[int]) -> list[int]:\n    return [square(x) for x in xs]\n\n"
        "@env.task\ndef main(xs: list[int]) -> int:\n    return sum(squares(xs))\n\n"
        "@env.task\nasync def amain(xs: list[int]) -> int:\n    return sum(await asyncio.to_thread(squares, xs))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return square(x) + 1\n",
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> list[int]:\n    return list(flyte.map(square, xs))\n",
        _HEAD + "async def helper(x):\n    return square(x)\n\n@env.task\nasync def main(x: int) -> int:\n    return await helper(x)\n",
        # A sync helper called from async code runs inside its event loop.
        _HEAD + "def squares(xs: list[int]) -> list[int]:\n    return [square(x) for x in xs]\n\n"
        "@env.task\nasync def main(xs: list[int]) -> int:\n    return sum(squares(xs))\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info, chain in self._in_event_loop(analysis):
            gathered = gathered_call_ids(info)  # FM404 reports sync task calls handed to gather
            where = f"async `{info.qualname}`"
            if len(chain) > 1:
                where = f"sync helper `{info.qualname}` (called from async `{chain[0]}`)"
            for site in info.calls:
                if site.derived:
                    continue
                if site.names & {"flyte.map"} and not isinstance(site.node.func, cst.Call):
                    self.report(
                        site.node,
                        f"{where} calls the blocking `flyte.map(...)`; inside an event loop it deadlocks",
                        help="use `flyte.map.aio(...)` and iterate it with `async for`"
                        + ("" if len(chain) == 1 else f" (make `{info.qualname}` async and await it)"),
                    )
                    continue
                if site.awaited or site.kind not in ("direct", "override") or id(site.node) in gathered:
                    continue
                called = analysis.called_task(site)
                if called is None or called[1] is not False or called[2]:
                    continue
                name = called[0]
                self.report(
                    site.node,
                    f"{where} calls sync task `{name}` without `.aio`; Flyte 2 raises "
                    "SyncTaskCallInAsyncContextError",
                    help=f"use `await {name}.aio(...)`"
                    + ("" if len(chain) == 1 else f" (make `{info.qualname}` async and await it)"),
                )

    @staticmethod
    def _in_event_loop(analysis) -> list:
        """``(function, chain)`` for async functions (not traces or Flyte 1 code) and the sync
        helpers they call directly, transitively: all of them run inside the event loop."""
        roots = [
            q for q, f in analysis.functions.items() if f.is_async and f.kind != "trace" and not f.is_flytekit
        ]
        found: dict[str, list[str]] = {}
        queue = [[q] for q in roots]
        while queue:
            chain = queue.pop(0)
            q = chain[-1]
            if q in found:
                continue
            found[q] = chain
            for site in analysis.functions[q].calls:
                t = site.target
                if site.derived or site.kind != "direct" or t is None or t in found:
                    continue
                callee = analysis.functions[t]
                if callee.kind == "helper" and not callee.is_async:
                    queue.append([*chain, t])
        return [(analysis.functions[q], chain) for q, chain in found.items()]
