"""Tasks of the ETL pipeline."""
import typing
from dataclasses import dataclass
from enum import Enum

import flytekit as fl
from flytekit import Resources

from acme_flows.lib.config import REGION, THRESHOLD

DEFAULT_RESOURCES = Resources(cpu="1", mem="1Gi")


class Mode(Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclass
class Params:
    scale: float
    offset: int = 0


@fl.task(requests=DEFAULT_RESOURCES, retries=2)
def load(n: int) -> typing.List[float]:
    print(f"loading {n} rows in {REGION}")
    return [float(i) for i in range(n)]


@fl.task
def transform(xs: typing.List[float], params: Params, mode: Mode) -> typing.List[float]:
    factor = 2.0 if mode == Mode.FAST else 1.0
    return [x * params.scale * factor + params.offset for x in xs]


@fl.task(cache=True, cache_version="1.0")
def summarize(xs: typing.List[float]) -> typing.Dict[str, float]:
    if not xs:
        return {"mean": 0.0, "above": 0.0}
    mean = sum(xs) / len(xs)
    return {"mean": mean, "above": float(sum(1 for x in xs if x > THRESHOLD))}
