"""Unit tests of ``flytemigrate run`` input parsing (in-process: no import hook needed)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Optional

import pytest

import flytemigrate.runtime.flyte as flyte
from flytemigrate.runtime.cli_inputs import InputError, parse_inputs, parse_value, split_args

env = flyte.TaskEnvironment(name="cli_inputs")


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclass
class Window:
    start: int
    size: int = 1


@env.task
def job(
    n: int,
    rate: float = 0.5,
    mode: Mode = Mode.FAST,
    when: Optional[datetime.datetime] = None,
    window: Optional[Window] = None,
    tags: list[str] = [],  # noqa: B006 - a default as users write it
    dry_run: bool = False,
) -> None:
    return None


def test_split_args_forms():
    assert split_args(["--n", "1", "--dry-run=true"]) == {"n": "1", "dry_run": "true"}
    for bad in (["n", "1"], ["--n"]):
        with pytest.raises(InputError):
            split_args(bad)


def test_parse_inputs_from_type_hints():
    raw = {"n": "3", "rate": "2", "mode": "slow", "when": "2024-01-02T03:04:05", "window": '{"start": 4}',
           "tags": '["a", "b"]', "dry_run": "yes"}
    values = parse_inputs(job, raw)
    assert values == {
        "n": 3, "rate": 2.0, "mode": Mode.SLOW, "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "window": Window(4), "tags": ["a", "b"], "dry_run": True,
    }
    assert parse_inputs(job, {"n": "1"}) == {"n": 1}  # defaults are left to the task
    assert parse_value("none", Optional[int]) is None
    assert parse_value("FAST", Mode) is Mode.FAST


@pytest.mark.parametrize(
    "raw, message",
    [({}, "missing required input --n"), ({"n": "x"}, "--n: cannot parse"), ({"n": "1", "zz": "1"}, "unknown input"),
     ({"n": "1", "dry_run": "maybe"}, "--dry_run"), ({"n": "1", "window": "[1]"}, "--window")],
)
def test_parse_errors_are_usage_errors(raw, message):
    with pytest.raises(InputError, match=message):
        parse_inputs(job, raw)
