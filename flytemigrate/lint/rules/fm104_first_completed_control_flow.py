"""FM104 first-completed-control-flow."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule

_AS_COMPLETED = frozenset({"asyncio.as_completed", "concurrent.futures.as_completed"})
_WAIT = frozenset({"asyncio.wait", "concurrent.futures.wait"})
_FIRST = frozenset(
    {
        "asyncio.FIRST_COMPLETED", "asyncio.FIRST_EXCEPTION",
        "concurrent.futures.FIRST_COMPLETED", "concurrent.futures.FIRST_EXCEPTION",
    }
)
_HEAD = 'import asyncio\nimport flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\nasync def work(x: int) -> int:\n    return x\n\n'


class FirstCompletedControlFlow(ReplayedCallRule):
    """Flags driver code that acts on whichever task finishes first: `asyncio.as_completed`,
    `concurrent.futures.as_completed`, and `asyncio.wait(..., return_when=FIRST_COMPLETED)`
    (or `FIRST_EXCEPTION`).

    Why it breaks in Flyte 2:
        Completion order depends on scheduling, queueing and machine speed. When the driver is
        replayed, finished tasks return immediately from the record while unfinished ones run
        again, so a different task "finishes first": the driver takes other branches, cancels
        other work or returns a different "first" result than the original attempt.

    Example:
        @env.task
        async def fastest(xs: list[int]) -> int:
            for done in asyncio.as_completed([work(x) for x in xs]):
                return await done

    Use instead:
        @env.task
        async def fastest(xs: list[int]) -> int:
            results = await asyncio.gather(*(work(x) for x in xs))
            return min(results)   # decide on the results, in input order
    """

    code: ClassVar[str] = "FM104"
    name: ClassVar[str] = "first-completed-control-flow"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("as_completed", "FIRST_")
    SKIP_TASK_ARGUMENTS = False
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> list[int]:\n    return list(await asyncio.gather(*(work(x) for x in xs)))\n",
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> int:\n    done, _ = await asyncio.wait([asyncio.create_task(work(x)) for x in xs])\n    return len(done)\n",
        # A leaf task may race its own coroutines.
        _HEAD + "async def probe(x):\n    return x\n\n@env.task\nasync def leaf(xs: list[int]) -> int:\n    for f in asyncio.as_completed([probe(x) for x in xs]):\n        return await f\n    return 0\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\nasync def main(xs: list[int]) -> int:\n    for f in asyncio.as_completed([work(x) for x in xs]):\n        return await f\n    return 0\n",
        _HEAD + "from asyncio import wait, FIRST_COMPLETED\n\n@env.task\nasync def main(xs: list[int]) -> int:\n    tasks = [asyncio.create_task(work(x)) for x in xs]\n    done, pending = await wait(tasks, return_when=FIRST_COMPLETED)\n    return done.pop().result()\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        if names & _AS_COMPLETED:
            what = f"`{sorted(names & _AS_COMPLETED)[0]}()`"
        elif names & _WAIT and any(
            arg.keyword is not None and arg.keyword.value == "return_when" and self.qualified_names(arg.value) & _FIRST
            for arg in site.node.args
        ):
            what = "`wait(..., return_when=FIRST_...)`"
        else:
            return
        self.report(
            site.node,
            f"{analysis.describe(info.qualname)} branches on which call finishes first ({what}); completion order changes on replay",
            help="await all results with `asyncio.gather(...)` and decide on them in input order",
        )
