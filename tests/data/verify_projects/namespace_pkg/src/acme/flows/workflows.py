"""Workflows importing their tasks through the namespace package, as the deployed image does."""
import typing

from flytekit import workflow

from acme.flows.tasks import count_above, normalise


@workflow
def high_share(values: typing.List[float] = [1.0, 4.0, 2.0, 8.0], threshold: float = 0.3) -> int:
    return count_above(values=normalise(values=values), threshold=threshold)
