"""End-to-end tests of ``flytemigrate verify`` on deliberately broken conversions.

One Flyte 1 module and a hand-converted Flyte 2 module with one mistake per entry (changed constant,
dropped task call, swapped branch, lost ``min_success_ratio``, non-deterministic driver, module-level
state); a single verify run (one subprocess per leg) checks every finding at once.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from flytemigrate.cli import app

ORIGINAL = """\
'''Flyte 1 workflows used to check that verify catches broken conversions.'''

import itertools
import typing

from flytekit import conditional, dynamic, map_task, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@task
def parse(s: str) -> int:
    return int(s)


@task
def positive(x: int) -> str:
    return f"{x} is positive"


@task
def negative(x: int) -> str:
    return f"{x} is not positive"


@workflow
def constant_wf(x: int = 3) -> int:
    return add(a=x, b=10)


@workflow
def pipeline_wf(x: int = 2) -> int:
    y = double(x=x)
    return add(a=y, b=1)


@workflow
def branch_wf(x: int = 5) -> str:
    return conditional("sign").if_(x > 0).then(positive(x=x)).else_().then(negative(x=x))


@workflow
def tolerant_wf(items: typing.List[str] = ["1", "x", "3"]) -> typing.List[typing.Optional[int]]:
    return map_task(parse, min_success_ratio=0.5)(s=items)


@dynamic
def fanout(n: int = 4) -> typing.List[int]:
    return [double(x=i) for i in range(n)]


REGISTRY: typing.List[str] = []


@task
def register(name: str) -> int:
    REGISTRY.append(name)
    return len(REGISTRY)


@task
def count_registered(token: int) -> int:
    return len(REGISTRY)


@workflow
def state_wf(name: str = "a") -> int:
    return count_registered(token=register(name=name))
"""

CONVERTED = """\
'''Flyte 2 conversion of original.py with deliberate mistakes.'''

import itertools
import typing

import flyte

env = flyte.TaskEnvironment(name="verify_cases")


@env.task
def add(a: int, b: int) -> int:
    return a + b


@env.task
def double(x: int) -> int:
    return 2 * x


@env.task
def parse(s: str) -> int:
    return int(s)


@env.task
def positive(x: int) -> str:
    return f"{x} is positive"


@env.task
def negative(x: int) -> str:
    return f"{x} is not positive"


@env.task
def constant_wf(x: int = 3) -> int:
    return add(a=x, b=11)  # mistake: changed constant


@env.task
def pipeline_wf(x: int = 2) -> int:
    return add(a=2 * x, b=1)  # mistake: the double() task call was dropped (inlined)


@env.task
def branch_wf(x: int = 5) -> str:
    if x > 0:  # mistake: branches swapped
        return negative(x=x)
    return positive(x=x)


@env.task
def tolerant_wf(items: typing.List[str] = ["1", "x", "3"]) -> typing.List[typing.Optional[int]]:
    # mistake: min_success_ratio lost, one bad item fails the whole map
    return list(flyte.map(parse, items, return_exceptions=False))


_RUNS = itertools.count()


@env.task
def fanout(n: int = 4) -> typing.List[int]:
    # mistake: module state decides the call order, so a replayed driver calls differently
    order = list(range(n))
    if next(_RUNS) % 2:
        order.reverse()
    results = {i: double(x=i) for i in order}
    return [results[i] for i in range(n)]


REGISTRY: typing.List[str] = []


@env.task
def register(name: str) -> int:
    REGISTRY.append(name)
    return len(REGISTRY)


@env.task
def count_registered(token: int) -> int:
    return len(REGISTRY)


@env.task
def state_wf(name: str = "a") -> int:
    return count_registered(token=register(name=name))
"""

GEN_ORIGINAL = """\
from flytekit import task, workflow

@task
def clamp(x: int) -> int:
    return max(-100, min(100, x))

@workflow
def clamp_wf(x: int) -> int:
    return clamp(x=x)
"""

GEN_CONVERTED = """\
import flyte
env = flyte.TaskEnvironment(name="gen")

@env.task
def clamp(x: int) -> int:
    return max(-100, min(50, x))  # mistake: upper bound

@env.task
def clamp_wf(x: int) -> int:
    return clamp(x=x)
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("pair")
    (root / "original.py").write_text(ORIGINAL)
    (root / "converted.py").write_text(CONVERTED)
    return root


def run_cli(*args):
    result = CliRunner().invoke(app, ["verify", *map(str, args)])
    return result


@pytest.fixture(scope="module")
def replay_report(pair):
    result = run_cli(pair / "original.py", pair / "converted.py", "--replay", "--leg", "runtime",
                     "--output-format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    return {r["entry"]: r for r in data["results"]}


def test_changed_constant_is_an_output_diff(replay_report):
    case = replay_report["constant_wf"]
    assert case["verdict"] == "different"
    assert "[runtime] output: 13 != 14" in case["diffs"]
    assert any("add" in d and '"b": 10' in d and "fewer" in d for d in case["diffs"])


def test_dropped_task_call_shows_in_the_call_record(replay_report):
    case = replay_report["pipeline_wf"]
    assert case["verdict"] == "different"
    # same output, but the double() task is no longer called
    assert case["diffs"] == ['[runtime] calls: double({"x": 2}) called 1 fewer time(s) in the converted code']


def test_swapped_branch(replay_report):
    case = replay_report["branch_wf"]
    assert case["verdict"] == "different"
    assert '[runtime] output: "5 is positive" != "5 is not positive"' in case["diffs"]


def test_lost_min_success_ratio_fails_only_the_converted_leg(replay_report):
    case = replay_report["tolerant_wf"]
    assert case["verdict"] == "error"
    assert "only the converted code failed: ValueError" in case["reason"]
    assert case["legs"]["flytekit"]["output"] == [1, None, 3]


def test_non_deterministic_driver_is_found_by_replay(replay_report):
    case = replay_report["fanout"]
    assert case["verdict"] == "different"
    assert case["diffs"] and all(d.startswith("[runtime] replay: the driver is not deterministic") for d in case["diffs"])
    assert "double" in case["diffs"][0]


def test_module_state_looks_equivalent_in_one_process(replay_report):
    assert replay_report["state_wf"]["verdict"] == "equivalent"


def test_isolate_reveals_module_state(pair):
    result = run_cli(pair / "original.py", pair / "converted.py", "--isolate", "--entry", "state_wf",
                     "--leg", "runtime", "--output-format", "json")
    assert result.exit_code == 1, result.output
    (case,) = json.loads(result.stdout)["results"]
    assert case["verdict"] == "different"
    assert case["diffs"][0] == "[runtime] output: 1 != 0"
    assert "module-level state" in case["diffs"][1]


def test_junit_and_text_reports(pair, tmp_path):
    out = tmp_path / "report.xml"
    result = run_cli(pair / "original.py", pair / "converted.py", "--entry", "constant_wf", "--entry", "state_wf",
                     "--leg", "runtime", "--output-format", "junit", "-o", out)
    assert result.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert "13 != 14" in cases["constant_wf[0]"].find("failure").text
    assert cases["state_wf[0]"].find("failure") is None
    text = run_cli(pair / "original.py", pair / "converted.py", "--entry", "state_wf", "--leg", "runtime")
    assert text.exit_code == 0, text.output
    assert "1 equivalent, 0 different, 0 error, 0 skipped" in text.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["only_one.py"],
        ["{o}", "{c}", "--leg", "cluster"],
        ["{o}", "missing.py"],
        ["{o}", "{c}", "--inputs", "nope.yaml"],
    ],
)
def test_usage_errors_exit_2(pair, args):
    args = [a.format(o=pair / "original.py", c=pair / "converted.py") for a in args]
    assert run_cli(*args).exit_code == 2


def test_generated_inputs_shrink_to_a_minimal_counterexample(tmp_path):
    (tmp_path / "orig.py").write_text(GEN_ORIGINAL)
    (tmp_path / "conv.py").write_text(GEN_CONVERTED)
    result = run_cli(tmp_path / "orig.py", tmp_path / "conv.py", "--generate", "6", "--seed", "1",
                     "--leg", "runtime", "--output-format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    failing = [r for r in data["results"] if r["verdict"] == "different"]
    assert failing, data
    # the converted clamp caps at 50 instead of 100: the smallest failing input is 51
    assert failing[0]["counterexample"] == {"x": 51}
    assert all(r["inputs"]["x"] > 50 for r in failing)
