"""``flyte.durable`` on the runtime: ``sleep``, ``time`` and ``now`` that a replayed driver repeats exactly.

As in the SDK, each is a traced call (recorded once, replayed from the record when a driver is
re-run), callable directly or as ``await flyte.durable.sleep.aio(...)``. ``sleep`` records when it
started and only waits for what is left of the interval, so a replay does not sleep again.
The rewrite emits ``flyte.durable.sleep`` for flytekit's ``sleep`` gate.
"""

from __future__ import annotations

import asyncio
import time as _time
from datetime import datetime

from flytemigrate.runtime.flyte._run import trace
from flytemigrate.runtime.flyte.syncify import syncify

__all__ = ["now", "sleep", "time"]


@trace
async def sleep_start() -> float:
    """When the sleep began (recorded, so a replay resumes the same interval)."""
    return _time.time()


@syncify
async def sleep(seconds: float) -> None:
    """Sleep until ``seconds`` after the first time this call started (seconds only, as in the SDK)."""
    remaining = await sleep_start() + seconds - _time.time()
    if remaining > 0:
        await asyncio.sleep(remaining)


@syncify
@trace
async def time() -> float:
    """The current time, recorded: a replay returns the same value."""
    return _time.time()


@syncify
@trace
async def now() -> datetime:
    """The current datetime, recorded: a replay returns the same value."""
    return datetime.now()
