"""Canonical form and comparison used by verify (in-process, no subprocesses)."""

from __future__ import annotations

import dataclasses
import enum
import typing

import pandas as pd
import pydantic
import pytest

from flytemigrate.verify.canonical import canonical, compare, error_type, flatten_outputs
from flytemigrate.verify.runner import compare_calls


@dataclasses.dataclass
class Point:
    x: int
    y: float


class PointModel(pydantic.BaseModel):
    x: int
    y: float


class Pair(typing.NamedTuple):
    low: int
    high: int


class Color(enum.Enum):
    RED = "red"


def same(a, b, tol=1e-9):
    return compare(canonical(a), canonical(b), tol) == []


def test_dataclass_pydantic_and_dict_are_the_same_shape():
    assert same(Point(1, 2.0), PointModel(x=1, y=2.0))
    assert same(Point(1, 2.0), {"x": 1, "y": 2.0})
    assert not same(Point(1, 2.0), Point(1, 2.5))


def test_namedtuples_and_tuples_compare_positionally():
    assert same(Pair(1, 2), (1, 2))
    assert same(Pair(1, 2), [1, 2])
    assert compare(canonical(Pair(1, 2)), canonical((2, 1))) == ["output[0]: 1 != 2", "output[1]: 2 != 1"]


def test_flatten_outputs_unwraps_single_output_tuples():
    single = typing.NamedTuple("DefaultNamedTupleOutput", [("o0", int)])(5)
    assert flatten_outputs(single) == 5
    assert flatten_outputs(Pair(1, 2)) == (1, 2)
    assert flatten_outputs([1]) == [1]


def test_floats_within_relative_tolerance():
    assert same(0.1 + 0.2, 0.3)
    assert not same(1.0, 1.001)
    assert same(1.0, 1.001, tol=1e-2)
    assert same(3, 3.0)
    assert not same(True, 1)


def test_sets_are_unordered_and_report_missing_items():
    assert same({3, 1, 2}, {1, 2, 3})
    diffs = compare(canonical({1, 2}), canonical({1, 3}))
    assert diffs == ["output: 2 only in original set", "output: 3 only in converted set"]


def test_dataframes_by_columns_dtypes_and_values():
    a = pd.DataFrame({"city": ["Oslo", "Rome"], "pop": [1, 2]})
    assert same(a, a.copy())
    assert not same(a, a.astype({"pop": "float64"}))  # dtype differs
    assert not same(a, a[["pop", "city"]])  # column order differs
    changed = a.copy()
    changed.loc[1, "pop"] = 3
    assert any("pop" not in d and "[1][1]" in d for d in compare(canonical(a), canonical(changed)))


def test_files_and_directories_by_content(tmp_path):
    one, two, three = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    one.write_text("hello")
    two.write_text("hello")
    three.write_text("bye")
    assert same(one, two)
    assert not same(one, three)
    left, right = tmp_path / "left", tmp_path / "right"
    for d, text in ((left, "x"), (right, "y")):
        d.mkdir()
        (d / "part.csv").write_text(text)
    assert not same(left, right)
    (right / "part.csv").write_text("x")
    assert same(left, right)


def test_enums_by_value_and_nan():
    assert same(Color.RED, "red")
    assert same(float("nan"), float("nan"))
    assert not same(float("nan"), 1.0)


def test_dict_key_mismatch_is_reported():
    assert compare(canonical({"a": 1}), canonical({"b": 1})) == [
        "output.a: only in original (1)",
        "output.b: only in converted (1)",
    ]


def test_error_type_unwraps_flyte_codes():
    class FakeRuntimeUserError(Exception):
        code = "ValueError"

    FakeRuntimeUserError.__module__ = "flyte.errors"
    assert error_type(FakeRuntimeUserError("boom")) == "ValueError"
    assert error_type(KeyError("k")) == "KeyError"


@pytest.mark.parametrize(
    ("original", "converted", "expected"),
    [
        ([["t", {"x": 1}], ["t", {"x": 2}]], [["t", {"x": 2}], ["t", {"x": 1}]], []),
        (
            [["t", {"x": 1}], ["t", {"x": 1}]],
            [["t", {"x": 1}]],
            ['calls: t({"x": 1}) called 1 fewer time(s) in the converted code'],
        ),
        ([["t", {"x": 1}]], [["t", {"x": 1}], ["subwf", {}]], []),  # converted sub-workflow tasks are not Flyte 1 tasks
    ],
)
def test_call_records_compare_as_multisets(original, converted, expected):
    assert compare_calls(original, converted, {"t"}) == expected


class _Model:
    """A plain class flytekit pickles (no dataclass, no custom repr)."""

    def __init__(self, weights: list, bias: float) -> None:
        self.weights = weights
        self.bias = bias


class _Described:
    def __repr__(self) -> str:
        return "Described()"


def test_plain_objects_by_class_and_state_not_by_address():
    # Two copies made in different legs have different addresses but the same state.
    assert canonical(_Model([1.0, 2.0], 0.5)) == canonical(_Model([1.0, 2.0], 0.5))
    assert canonical(_Model([1.0], 0.5)) == {"__object__": "_Model", "state": {"weights": [1.0], "bias": 0.5}}
    assert compare(canonical(_Model([1.0], 0.5)), canonical(_Model([1.0], 0.75)))
    # A class with its own repr keeps being compared by it.
    assert canonical(_Described()) == {"__repr__": "Described()"}
