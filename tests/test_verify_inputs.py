"""Tests for flytemigrate.verify.inputs: inputs files, defaults, generation, shrinking, JSON encoding."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import subprocess
import sys
import typing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import pandas as pd
import pytest

from flytemigrate.verify.inputs import (
    InputsFileError,
    UnsupportedInputType,
    decode_inputs,
    decode_value,
    default_inputs,
    encode_inputs,
    encode_value,
    find_counterexample,
    generate_inputs,
    input_types,
    load_inputs_file,
    required_inputs,
)

REPO = Path(__file__).resolve().parents[1]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class TrainConfig:
    lr: float
    epochs: int
    tags: List[str] = dataclasses.field(default_factory=list)


class Split(NamedTuple):
    train: int
    test: float


@dataclasses.dataclass
class Nested:
    config: TrainConfig
    color: Optional[Color] = None


def pipeline(
    n: int,
    name: str,
    ratio: float = 0.5,
    flag: bool = False,
    color: Color = Color.RED,
    limit: Optional[int] = None,
    values: List[int] = [1, 2],  # noqa: B006 - mirrors real workflow signatures
    weights: Dict[str, float] = {},  # noqa: B006
    config: TrainConfig = TrainConfig(lr=0.1, epochs=2),
    split: Split = Split(1, 0.5),
    frame: Optional[pd.DataFrame] = None,
) -> int:
    return n


# --- inputs files -------------------------------------------------------------------------


def test_load_yaml_and_json_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "inputs.yaml"
    yaml_file.write_text("main:\n  - {n: 3, name: a}\n  - n: 4\n    name: b\n  -\nother: []\n")
    assert load_inputs_file(yaml_file) == {"main": [{"n": 3, "name": "a"}, {"n": 4, "name": "b"}, {}], "other": []}
    json_file = tmp_path / "inputs.json"
    json_file.write_text(json.dumps({"main": [{"n": 1}]}))
    assert load_inputs_file(json_file) == {"main": [{"n": 1}]}
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert load_inputs_file(empty) == {}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "main: [ {n: 1\n", "invalid YAML"),
        ("bad.json", '{"main": [', "invalid JSON"),
        ("list.yaml", "- n: 1\n", "top level is a list"),
        ("cases.yaml", "main: {n: 1}\n", "must be a list of input mappings"),
        ("case.yaml", "main: [3]\n", "case 0: expected a mapping"),
    ],
)
def test_bad_inputs_files_are_reported_clearly(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputsFileError, match=message) as info:
        load_inputs_file(path)
    assert name in str(info.value)


def test_missing_inputs_file(tmp_path: Path) -> None:
    with pytest.raises(InputsFileError, match="cannot read"):
        load_inputs_file(tmp_path / "nope.yaml")


def test_every_fixture_inputs_file_loads() -> None:
    files = sorted((REPO / "fixtures" / "equivalence").glob("**/inputs.yaml"))
    assert files, "equivalence fixtures ship inputs files"
    for path in files:
        data = load_inputs_file(path)
        assert data and all(cases for cases in data.values()), path


# --- signatures and defaults --------------------------------------------------------------


def test_defaults_and_required_of_plain_function() -> None:
    defaults = default_inputs(pipeline)
    assert defaults["ratio"] == 0.5 and defaults["color"] is Color.RED and defaults["limit"] is None
    assert "n" not in defaults and "name" not in defaults
    assert required_inputs(pipeline) == ["n", "name"]
    assert input_types(pipeline)["config"] is TrainConfig


def test_defaults_of_flytekit_workflow_dynamic_and_task() -> None:
    import flytekit as fl

    @fl.task
    def double(x: int) -> int:
        return x * 2

    @fl.workflow
    def wf(x: int, label: Optional[str] = None, scale: float = 2.0) -> int:
        return double(x=x)

    @fl.dynamic
    def dyn(xs: List[int] = [1, 2]) -> List[int]:  # noqa: B006
        return [double(x=x) for x in xs]

    # A default of None is a real default (flytekit's interface cannot tell it from "no default").
    assert default_inputs(wf) == {"label": None, "scale": 2.0}
    assert required_inputs(wf) == ["x"]
    assert input_types(wf) == {"x": int, "label": Optional[str], "scale": float}
    assert default_inputs(dyn) == {"xs": [1, 2]}
    assert default_inputs(double) == {} and required_inputs(double) == ["x"]


# --- generation ---------------------------------------------------------------------------


def test_generation_is_reproducible_and_typed() -> None:
    first = generate_inputs(pipeline, 12, seed=7)
    again = generate_inputs(pipeline, 12, seed=7)
    other = generate_inputs(pipeline, 12, seed=8)
    assert len(first) == 12
    dump = lambda sets: json.dumps([encode_inputs(s) for s in sets], sort_keys=True)  # noqa: E731
    assert dump(first) == dump(again)
    assert dump(first) != dump(other)
    for inputs in first:
        assert set(inputs) == set(input_types(pipeline))
        assert isinstance(inputs["n"], int) and isinstance(inputs["name"], str)
        assert isinstance(inputs["color"], Color) and isinstance(inputs["config"], TrainConfig)
        assert isinstance(inputs["split"], Split) and isinstance(inputs["split"].test, float)
        assert inputs["limit"] is None or isinstance(inputs["limit"], int)
        assert all(isinstance(v, int) for v in inputs["values"])
        assert inputs["frame"] is None or isinstance(inputs["frame"], pd.DataFrame)
        json.dumps(encode_inputs(inputs))  # every generated set is JSON-serialisable


def test_generation_stops_at_the_size_of_a_small_space() -> None:
    sets = generate_inputs({"flag": bool}, 10, seed=1)
    assert sorted(s["flag"] for s in sets) == [False, True]


def test_generation_rejects_types_without_strategy() -> None:
    class Opaque:
        pass

    with pytest.raises(UnsupportedInputType, match="'blob'"):
        generate_inputs({"blob": Opaque}, 3, seed=0)


def test_annotated_dataframe_columns() -> None:
    from flytekit import kwtypes

    hint = typing.Annotated[pd.DataFrame, kwtypes(city=str, population=int)]
    frames = [s["df"] for s in generate_inputs({"df": hint}, 5, seed=3)]
    assert all(list(f.columns) == ["city", "population"] for f in frames)
    assert any(len(f) > 0 for f in frames)


def test_find_counterexample_shrinks_to_minimal_input() -> None:
    def fails(inputs: dict) -> bool:
        return inputs["n"] >= 10 and len(inputs["values"]) >= 2

    found = find_counterexample({"n": int, "values": List[int]}, fails, seed=0, max_examples=200)
    assert found == {"n": 10, "values": [0, 0]}
    assert find_counterexample({"n": int}, lambda _: False, seed=0, max_examples=20) is None


# --- JSON encoding ------------------------------------------------------------------------


def roundtrip(value: object, hint: object) -> object:
    return decode_value(json.loads(json.dumps(encode_value(value))), hint)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (3, int),
        (2.0, float),
        ("x", str),
        (None, Optional[int]),
        (Color.BLUE, Color),
        ([Color.RED], List[Color]),
        ({"a": 1.5}, Dict[str, float]),
        ({1: "one", 2: "two"}, Dict[int, str]),
        ((1, "a"), typing.Tuple[int, str]),
        (TrainConfig(lr=0.5, epochs=3, tags=["x"]), TrainConfig),
        (Nested(TrainConfig(0.1, 1), Color.BLUE), Nested),
        (Split(train=3, test=0.25), Split),
        (datetime.datetime(2024, 5, 1, 12, 30), datetime.datetime),
        (datetime.timedelta(minutes=5), datetime.timedelta),
    ],
)
def test_roundtrip(value: object, hint: object) -> None:
    assert roundtrip(value, hint) == value
    assert type(roundtrip(value, hint)) is type(value)


def test_tagged_forms_are_documented_shapes() -> None:
    assert encode_value(Split(1, 2.0)) == {
        "__type__": "namedtuple",
        "class": f"{__name__}:Split",
        "fields": {"train": 1, "test": 2.0},
    }
    assert encode_value(Color.RED)["__type__"] == "enum"
    assert encode_value((1, 2)) == {"__type__": "tuple", "items": [1, 2]}
    with pytest.raises(ValueError):
        encode_value(float("nan"))


def test_decode_without_hint_uses_tag_class() -> None:
    data = json.loads(json.dumps(encode_value([TrainConfig(0.1, 2), Split(1, 0.5), Color.BLUE])))
    assert decode_value(data) == [TrainConfig(0.1, 2), Split(1, 0.5), Color.BLUE]


def test_decode_into_a_different_class_with_the_same_shape() -> None:
    # The converted module defines its own copy of the user's dataclass; the hint wins over the tag.
    @dataclasses.dataclass
    class ConvertedConfig:
        lr: float
        epochs: int
        tags: List[str] = dataclasses.field(default_factory=list)

    decoded = roundtrip(TrainConfig(0.5, 1), ConvertedConfig)
    assert isinstance(decoded, ConvertedConfig) and decoded.lr == 0.5


def test_decode_plain_forms_from_inputs_files() -> None:
    assert decode_value({"lr": 1, "epochs": 2}, TrainConfig) == TrainConfig(1.0, 2)
    assert decode_value("blue", Color) is Color.BLUE and decode_value("BLUE", Color) is Color.BLUE
    assert decode_value([1, 0.5], Split) == Split(1, 0.5)
    frame = decode_value({"a": [1, 2], "b": ["x", "y"]}, pd.DataFrame)
    assert frame.equals(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    records = decode_value([{"a": 1}, {"a": 2}], pd.DataFrame)
    assert list(records["a"]) == [1, 2]


def test_yaml_scalars_decode_into_string_inputs(tmp_path: Path) -> None:
    path = tmp_path / "inputs.yaml"
    path.write_text("main:\n  - {version: 1.5, day: 2024-01-31, build: 42, flag: yes}\n")
    case = load_inputs_file(path)["main"][0]
    decoded = decode_inputs(case, {"version": str, "day": str, "build": str, "flag": bool})
    assert decoded == {"version": "1.5", "day": "2024-01-31", "build": "42", "flag": True}


def test_dataframe_roundtrip_keeps_dtypes() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5], "c": ["x", "y"], "d": [True, False]})
    decoded = roundtrip(frame, pd.DataFrame)
    pd.testing.assert_frame_equal(decoded, frame)
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    pd.testing.assert_frame_equal(roundtrip(empty, pd.DataFrame), empty)


def test_decode_inputs_against_signature() -> None:
    inputs = generate_inputs(pipeline, 5, seed=11)
    for original in inputs:
        decoded = decode_inputs(json.loads(json.dumps(encode_inputs(original))), pipeline)
        for name, value in original.items():
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(decoded[name], value, check_dtype=False)
            else:
                assert decoded[name] == value, name


def test_flytefile_encodes_as_path() -> None:
    from flytekit.types.file import FlyteFile

    assert encode_value(FlyteFile("/data/in.csv")) == {"__type__": "path", "path": "/data/in.csv"}
    assert decode_value({"__type__": "path", "path": "/data/in.csv"}, FlyteFile).path == "/data/in.csv"


# --- the equivalence fixtures are real Flyte 1 projects ------------------------------------

EQUIVALENCE = REPO / "fixtures" / "equivalence"
EXPECTED = EQUIVALENCE / "expected_flytekit.json"
UPDATE = os.environ.get("FLYTEMIGRATE_UPDATE_GOLDEN") == "1"


def _run_project(project: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, str(EQUIVALENCE / "run_flytekit.py"), str(project)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=project,
    )
    assert proc.returncode == 0, f"{project.name}:\n{proc.stderr[-3000:]}"
    records = []
    for line in proc.stdout.splitlines():
        if line.startswith('{"entry"'):
            record = json.loads(line)
            record.pop("error", None)  # messages carry flytekit node ids; the type is what verify compares
            records.append(record)
    return records


def test_equivalence_fixtures_run_under_flytekit() -> None:
    """Every entry of every project runs under flytekit with the recorded outcome.

    One subprocess per project (each has its own ``workflows`` module), two at a time.
    """
    projects = sorted(p for p in EQUIVALENCE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert len(projects) >= 25
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip((p.name for p in projects), pool.map(_run_project, projects)))
    for name, records in results.items():
        assert records, f"{name}: no entries found"
    if UPDATE:
        EXPECTED.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    expected = json.loads(EXPECTED.read_text())
    assert results == expected
    # The fixture set covers both outcomes verify must compare: values and errors.
    statuses = {r["status"] for records in results.values() for r in records}
    assert statuses == {"ok", "error"}
