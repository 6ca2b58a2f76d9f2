"""``flyte.syncify`` on the runtime: make an async function callable both ways (``f()`` and ``await f.aio()``)."""

from __future__ import annotations

import functools
from typing import Any


def syncify(func: Any) -> Any:
    """Wrap an async function: calling it runs it to completion; ``.aio`` returns the coroutine."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from flytemigrate.runtime.flyte._map import _run_coro

        return _run_coro(func(*args, **kwargs))

    wrapper.aio = func  # type: ignore[attr-defined]
    return wrapper
