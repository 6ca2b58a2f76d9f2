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

    (`await` on a sync task call is FM404.)

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
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return square(x) + 1\n",
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> list[int]:\n    return list(flyte.map(square, xs))\n",
        _HEAD + "async def helper(x):\n    return square(x)\n\n@env.task\nasync def main(x: int) -> int:\n    return await helper(x)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info in analysis.functions.values():
            if not info.is_async or info.kind == "trace" or info.is_flytekit:
                continue
            gathered = gathered_call_ids(info)  # FM404 reports sync task calls handed to gather
            for site in info.calls:
                if site.derived:
                    continue
                if site.names & {"flyte.map"} and not isinstance(site.node.func, cst.Call):
                    self.report(
                        site.node,
                        f"async `{info.qualname}` calls the blocking `flyte.map(...)`; inside an event loop it deadlocks",
                        help="use `flyte.map.aio(...)` and iterate it with `async for`",
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
                    f"async `{info.qualname}` calls sync task `{name}` without `.aio`; Flyte 2 raises "
                    "SyncTaskCallInAsyncContextError",
                    help=f"use `await {name}.aio(...)`",
                )
