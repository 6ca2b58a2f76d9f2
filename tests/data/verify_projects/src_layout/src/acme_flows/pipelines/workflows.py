"""Workflows importing their tasks relatively, as a module and by name."""
import typing

from flytekit import dynamic, workflow

from . import tasks
from .tasks import Mode, Params, load, summarize, transform


@workflow
def etl(n: int, params: Params, mode: Mode = Mode.FAST) -> typing.Dict[str, float]:
    xs = load(n=n)
    ys = transform(xs=xs, params=params, mode=mode)
    return summarize(xs=ys)


@workflow
def etl_defaults(n: int = 5) -> typing.Dict[str, float]:
    return etl(n=n, params=Params(scale=1.5, offset=1), mode=Mode.SLOW)


@dynamic
def sweep(sizes: typing.List[int], scale: float = 1.0) -> typing.List[typing.Dict[str, float]]:
    out = []
    for size in sizes:
        xs = tasks.load(n=size)
        out.append(summarize(xs=transform(xs=xs, params=Params(scale=scale), mode=Mode.SLOW)))
    return out
