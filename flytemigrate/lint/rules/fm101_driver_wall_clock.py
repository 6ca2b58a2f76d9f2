"""FM101 driver-wall-clock."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule, wall_clock

_HEAD = 'import flyte\nimport time\nimport datetime\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef leaf(x: float) -> float:\n    return x\n\n'


class DriverWallClock(ReplayedCallRule):
    """Flags reads of the wall clock (`time.time()`, `datetime.now()`, `date.today()` ...) in driver code.

    Driver code is the body of a task that starts other tasks (and of Flyte 1 `@workflow`,
    `@dynamic`, `@eager` functions) plus every project-local helper it calls. The same call in
    a leaf task or inside a `@flyte.trace` function is fine, and so is a clock read whose value
    only goes into log lines (`logger.info("took %s", time.time() - t0)`, `print(datetime.now())`,
    including through a local variable read nowhere else): replay changes the log, not the run.

    Why it breaks in Flyte 2:
        A Flyte 2 driver is replayed after a crash or retry: the code runs again from the top and
        the results of task calls that already finished are looked up by their inputs. A clock
        read returns a different value on replay, so branches taken and inputs passed to later
        tasks change, cached sub-runs no longer match and the run diverges from what was recorded.

    Example:
        @env.task
        def pipeline(day: str) -> str:
            stamp = datetime.now().isoformat()
            return publish(day, stamp)

    Use instead:
        @env.task
        def pipeline(day: str) -> str:
            stamp = flyte.durable.now().isoformat()   # recorded once, replayed identically
            return publish(day, stamp)                # (`import flyte.durable`; `.aio()` in async drivers)
    """

    code: ClassVar[str] = "FM101"
    name: ClassVar[str] = "driver-wall-clock"
    severity: ClassVar[Severity] = Severity.WARNING
    SKIP_LOG_ARGUMENTS = True
    VALID: ClassVar[list[str]] = [
        # A leaf task may read the clock.
        _HEAD + "@env.task\ndef stamp() -> float:\n    return time.time()\n",
        # So may a trace, whose result is recorded.
        _HEAD + "@flyte.trace\nasync def now() -> float:\n    return time.time()\n\n@env.task\nasync def main() -> float:\n    return leaf(await now())\n",
        # A fixed timestamp is deterministic.
        _HEAD + "@env.task\ndef main() -> float:\n    return leaf(time.mktime((2024, 1, 1, 0, 0, 0, 0, 1, 0)))\n",
        # Clock values that only reach log lines and prints.
        _HEAD + "import logging\nlog = logging.getLogger(__name__)\n\n@env.task\ndef main() -> float:\n"
        "    log.info('start %s', datetime.datetime.now())\n    t0 = time.time()\n    out = leaf(1.0)\n"
        "    log.info('took %.1fs', time.time() - t0)\n    print(f'done at {datetime.datetime.now():%H:%M}')\n    return out\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main() -> float:\n    t0 = time.time()\n    return leaf(1.0) - t0\n",
        _HEAD + "from datetime import datetime as dt\n\n@env.task\nasync def main() -> str:\n    day = dt.now().date().isoformat()\n    await leaf.aio(1.0)\n    return day\n",
        # Through a helper the driver calls.
        _HEAD + "def run_all() -> float:\n    started = datetime.date.today()\n    return leaf(1.0)\n\n@env.task\ndef main() -> float:\n    return run_all()\n",
        # Logged, but also used for control flow.
        _HEAD + "import logging\n\n@env.task\ndef main() -> float:\n    t0 = time.time()\n    logging.info('start %s', t0)\n"
        "    return leaf(1.0) if t0 > 0 else 0.0\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        source = wall_clock(names, site.node)
        if source is None:
            return
        self.report(
            site.node,
            f"{analysis.describe(info.qualname)} reads the wall clock with {source}; a replayed driver sees a different time",
            # flyte.durable is a submodule (`import flyte` alone does not load it), and its sync
            # forms deadlock inside an event loop (flyte 2.12.1 raises "Deadlock detected").
            help=(
                "use `await flyte.durable.now.aio()`/`await flyte.durable.time.aio()`"
                if info.is_async
                else "use `flyte.durable.now()`/`flyte.durable.time()`"
            )
            + " (after `import flyte.durable`), or read the clock in a `@flyte.trace` function or a task",
        )
