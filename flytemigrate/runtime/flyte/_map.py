"""``flyte.map``: a lazy generator over task calls; locally items run one after another, in order.

By default a failed item is yielded as its exception (``return_exceptions=True``), like the SDK.
"""

from __future__ import annotations

import functools
from typing import Any, Iterable

from flytemigrate.runtime import controller


def _split(func: Any):
    if isinstance(func, functools.partial):
        task = func.func
        _validate_partial(func)
        return task, tuple(func.args), dict(func.keywords or {})
    return func, (), {}


def _validate_partial(func: functools.partial) -> None:
    task = func.func
    total = len(task.interface.positional)
    unspecified = total - len(func.args) - len(func.keywords or {})
    if unspecified != 1:
        raise TypeError(
            f"Partial function {task.name} has {unspecified} unspecified parameters, "
            "but map expects exactly one parameter to be left unspecified."
        )


def _run_coro(coro: Any) -> Any:
    import asyncio

    if controller.in_event_loop():
        import concurrent.futures
        import contextvars

        ctx = contextvars.copy_context()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(ctx.run, asyncio.run, coro).result()
    return asyncio.run(coro)


async def _invoke_local(func: Any, item: tuple) -> Any:
    """Named like the SDK's per-item helper, which its deadlock message mentions."""
    return await controller.call_aio(func, item, {})


class _Mapper:
    """The ``flyte.map`` callable with its ``.aio`` variant."""

    @staticmethod
    def _group(task: Any, group_name: str | None) -> str:
        return f"{task.name}_{group_name or 'map'}"

    def __call__(
        self,
        func: Any,
        *args: Iterable[Any],
        group_name: str | None = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ):
        if not args:
            return
        task, pre_args, pre_kwargs = _split(func)
        from flytemigrate.runtime.flyte._run import group

        with group(self._group(task, group_name)):
            for item in zip(*args):
                try:
                    frame = controller.current_frame()
                    if frame is not None and controller.in_event_loop():
                        # The SDK's blocking map from async code fails every item this way.
                        raise AssertionError(
                            "Deadlock detected: blocking call used in syncify thread flyte_syncify when calling "
                            f"function {_invoke_local!r}, use .aio() if in an async call."
                        )
                    if frame is not None:
                        # The SDK converts each item's inputs before submitting: a bad item is that plain error.
                        controller.bind_inputs(task, pre_args + item, pre_kwargs)
                    if frame is None:
                        value = task.func(*(pre_args + item), **pre_kwargs)
                        if task.is_async:
                            value = _run_coro(value)
                    elif task.is_async:
                        value = _run_coro(controller.call_async(frame, task, pre_args + item, pre_kwargs))
                    else:
                        value = controller.call_sync(frame, task, pre_args + item, pre_kwargs)
                except Exception as e:
                    if return_exceptions:
                        yield e
                        continue
                    raise
                yield value

    async def aio(
        self,
        func: Any,
        *args: Iterable[Any],
        group_name: str | None = None,
        concurrency: int = 0,
        return_exceptions: bool = True,
    ):
        """Async generator variant: ``async for x in flyte.map.aio(task, xs)``."""
        if not args:
            return
        task, pre_args, pre_kwargs = _split(func)
        from flytemigrate.runtime.flyte._run import group

        with group(self._group(task, group_name)):
            for item in zip(*args):
                try:
                    if controller.current_frame() is not None:
                        controller.bind_inputs(task, pre_args + item, pre_kwargs)
                    value = await controller.call_aio(task, pre_args + item, pre_kwargs)
                except Exception as e:
                    if return_exceptions:
                        yield e
                        continue
                    raise
                yield value


map = _Mapper()  # noqa: A001 - the SDK's name
