"""Tasks of a namespace package (no __init__.py anywhere, PEP 420), imported absolutely."""
import typing

from flytekit import task


@task
def normalise(values: typing.List[float]) -> typing.List[float]:
    top = max(values, default=0.0) or 1.0
    return [v / top for v in values]


@task
def count_above(values: typing.List[float], threshold: float) -> int:
    return sum(1 for v in values if v > threshold)
