"""FM404 await-sync-task."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import gathered_call_ids

_HEAD = 'import asyncio\nimport flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef square(x: int) -> int:\n    return x * x\n\n'


class AwaitSyncTask(Rule):
    """Flags `await` on a call of a sync (`def`) task, or a sync task call passed to
    `asyncio.gather(...)`, without `.aio`.

    Why it breaks in Flyte 2:
        Calling a sync task from async code is a blocking call: the SDK raises
        `SyncTaskCallInAsyncContextError` ("Use `await square.aio(...)` instead") before the
        `await` is even reached. In a plain local call outside a run the sync body returns an
        `int`, and awaiting it raises `TypeError`. Either way the run fails.

    Example:
        @env.task
        async def main(x: int) -> int:
            return await square(x)

    Use instead:
        @env.task
        async def main(x: int) -> int:
            return await square.aio(x)

    Fix safety:
        Safe: `await t(...)` becomes `await t.aio(...)` (and `t.override(...)(...)` becomes
        `t.override(...).aio(...)`), which is exactly the call the SDK asks for.
    """

    code: ClassVar[str] = "FM404"
    name: ClassVar[str] = "await-sync-task"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("await", "gather")
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return await square.aio(x)\n",
        _HEAD + "@env.task\nasync def cube(x: int) -> int:\n    return x ** 3\n\n@env.task\nasync def main(x: int) -> int:\n    return await cube(x)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return await square(x)\n",
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> list[int]:\n    return list(await asyncio.gather(*[square(x) for x in xs]))\n",
        _HEAD + "@env.task\nasync def main(x: int) -> int:\n    return await square.override(retries=2)(x=x)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info in analysis.functions.values():
            if info.is_flytekit:
                continue  # Flyte 1 `@eager` awaits every task; the rewrite adds `.aio`
            in_gather = gathered_call_ids(info)
            for site in info.calls:
                called = analysis.called_task(site)
                if called is None or site.derived or site.kind not in ("direct", "override"):
                    continue
                name, is_async, is_flytekit = called
                if is_async is not False or is_flytekit:
                    continue
                if site.awaited:
                    how = "awaits"
                elif id(site.node) in in_gather:
                    how = "passes to `asyncio.gather` a call of"
                else:
                    continue
                replacement = None
                if site.awaited or id(site.node) in in_gather:
                    replacement = site.node.with_changes(func=cst.Attribute(value=site.node.func, attr=cst.Name("aio")))
                self.report(
                    site.node,
                    f"`{info.qualname}` {how} sync task `{name}` without `.aio`; the blocking call raises "
                    "SyncTaskCallInAsyncContextError in Flyte 2",
                    help=f"call `{name}.aio(...)`, which returns an awaitable",
                    replacement=replacement,
                )
