"""FM108 driver-sleep."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule

_SLEEPS = {"time.sleep": "blocks the driver", "asyncio.sleep": "is waited out again"}
_HEAD = 'import asyncio\nimport time\nimport flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef poll(job: str) -> bool:\n    return True\n\n'


class DriverSleep(ReplayedCallRule):
    """Flags `time.sleep()` and `asyncio.sleep()` in driver code (polling loops, back-off, waits).

    `sleep(0)`, which only yields to the event loop, is not flagged.

    Why it breaks in Flyte 2:
        A replayed driver runs its code again from the top: every sleep is waited out again in
        full, although the time has already passed, so recovery after a crash takes as long as
        the original run. `time.sleep` additionally blocks the driver's event loop, stalling
        every task call it has in flight.

    Example:
        @env.task
        def wait_for(job: str) -> bool:
            while not poll(job):
                time.sleep(60)
            return True

    Use instead:
        @env.task
        def wait_for(job: str) -> bool:
            while not poll(job):
                flyte.durable.sleep(60)   # `await flyte.durable.sleep.aio(60)` in async drivers
            return True                   # (`import flyte.durable`: `import flyte` alone lacks it)
    """

    code: ClassVar[str] = "FM108"
    name: ClassVar[str] = "driver-sleep"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("sleep",)
    SKIP_TASK_ARGUMENTS = False
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(job: str) -> bool:\n    while not poll(job):\n        flyte.durable.sleep(60)\n    return True\n",
        _HEAD + "@env.task\ndef leaf(job: str) -> bool:\n    time.sleep(1)\n    return True\n",
        # sleep(0) yields to the event loop; nothing is waited for.
        _HEAD + "@env.task\nasync def main(job: str) -> bool:\n    await asyncio.sleep(0)\n    return await poll.aio(job)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(job: str) -> bool:\n    while not poll(job):\n        time.sleep(60)\n    return True\n",
        _HEAD + "from time import sleep as pause\n\n@env.task\nasync def main(job: str) -> bool:\n    while not await poll.aio(job):\n        await asyncio.sleep(5)\n        pause(1)\n    return True\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        args = site.node.args
        if args and isinstance(args[0].value, (cst.Integer, cst.Float)) and args[0].value.evaluated_value == 0:
            return  # `sleep(0)` only yields to the event loop
        for name, effect in _SLEEPS.items():
            if name in names:
                self.report(
                    site.node,
                    f"{analysis.describe(info.qualname)} calls `{name}()`, which {effect} on every replay",
                    help=(
                        "use `await flyte.durable.sleep.aio(seconds)`"
                        if info.is_async
                        else "use `flyte.durable.sleep(seconds)`"
                    )
                    + " (after `import flyte.durable`), which counts time already slept",
                )
                return
