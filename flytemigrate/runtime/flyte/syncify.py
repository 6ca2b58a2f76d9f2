"""``flyte.syncify`` on the runtime: make an async function callable both ways (``f()`` and ``await f.aio()``).

Shaped like the SDK's module: a ``Syncify`` class and ``syncify``, an instance used as a decorator.
"""

from __future__ import annotations

import functools
from typing import Any


class Syncify:
    """Decorator factory: the wrapped async function runs to completion when called; ``.aio`` is the original."""

    def __init__(self, name: str = "flyte_syncify"):
        self.name = name

    def __call__(self, func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flytemigrate.runtime.flyte._map import _run_coro

            return _run_coro(func(*args, **kwargs))

        wrapper.aio = func  # type: ignore[attr-defined]
        return wrapper


syncify = Syncify()

__all__ = ["Syncify", "syncify"]
