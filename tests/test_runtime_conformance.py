"""Conformance of the bundled runtime with the real ``flyte`` SDK (the oracle).

Every program under ``fixtures/runtime/`` runs twice per test session: on the real SDK and on
``flytemigrate.runtime.activate()``, each leg a batch in its own subprocess with its own HOME,
TMPDIR and per-program working directory (see ``tests/conformance_runner.py``). Both legs really
run here; nothing is cached between sessions. The canonical results (outputs with type names,
files by content, errors by class, public module and ``.code``) must be equal.

``KNOWN_GAPS`` lists programs where the runtime currently disagrees with the SDK; they are strict
xfails, so a runtime fix flips them to a failure that asks for the entry to be removed.
"""

from __future__ import annotations

import copy
import importlib.metadata
import importlib.util
import dataclasses
import enum
import json
from pathlib import Path
from typing import NamedTuple

import pytest

import conformance_runner as runner

# find_spec, not import: the real SDK must never be imported into the pytest process, where other
# tests activate the runtime under the same module name.
if importlib.util.find_spec("flyte") is None:
    pytest.skip("the real flyte SDK (the oracle) is not installed", allow_module_level=True)

PROGRAMS = runner.discover()

KNOWN_GAPS: dict[str, str] = {}


def _case(path: Path):
    reason = KNOWN_GAPS.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=f"runtime gap: {reason}")] if reason else []
    return pytest.param(path.stem, id=path.stem, marks=marks)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    """Both legs over all programs, run concurrently (one subprocess per leg batch)."""
    return runner.run_legs(PROGRAMS, scratch=tmp_path_factory.mktemp("conformance"), timeout=900, program_timeout=60)


def _comparable(result: dict) -> dict:
    """The result without diagnostics that legitimately differ (tracebacks, log tails)."""
    result = copy.deepcopy(result)
    result.pop("traceback", None)
    for run in result.get("runs", []):
        run.pop("traceback", None)
    return result


def _text(value) -> str:
    """Canonical JSON text: unlike Python equality it tells 1, 1.0 and True apart."""
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("name", [_case(p) for p in PROGRAMS])
def test_runtime_matches_real_sdk(results, name):
    real = results["real"][name]
    assert "crash" not in real, f"the real-SDK leg did not run {name}: {real['crash']}\n{real.get('log', '')}"
    assert real["load"] is not None or real["runs"], f"{name} produced no result on the real SDK"
    runtime = results["runtime"][name]
    assert "crash" not in runtime, f"the runtime leg did not run {name}: {runtime['crash']}\n{runtime.get('log', '')}"
    expected, actual = _text(_comparable(real)), _text(_comparable(runtime))
    assert actual == expected, (
        f"{name}: runtime differs from the real SDK (flyte {importlib.metadata.version('flyte')}; the runtime "
        "targets 2.12.1)\n"
        f"real:    {expected}\n"
        f"runtime: {actual}\n"
        f"runtime traceback: {runtime.get('traceback') or [r.get('traceback') for r in runtime['runs']]}"
    )


def test_suite_is_broad_enough():
    assert len(PROGRAMS) >= 40
    assert {p.stem for p in PROGRAMS} >= set(KNOWN_GAPS), "KNOWN_GAPS names a program that does not exist"


def test_environment_names_are_unique_across_programs():
    # All programs of a leg share one process and one local cache: a reused environment name would
    # let one program's cached task outputs leak into another's.
    import ast

    seen: dict[str, str] = {}
    for path in PROGRAMS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "TaskEnvironment",
                "clone_with",
            ):
                for kw in node.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                        assert kw.value.value not in seen, f"{path.stem} reuses {kw.value.value!r} of {seen.get(kw.value.value)}"
                        seen[kw.value.value] = path.stem
    assert len(seen) >= len(PROGRAMS) - 5  # scenario-only programs may define no environment


def test_no_init_programs_run_alone():
    batches = runner.batches(PROGRAMS)
    alone = [b for b in batches if len(b) == 1 and runner._declares_no_init(b[0])]
    assert sorted(b[0].stem for b in alone) == ["init_from_config_local", "misuse_run_before_init"]
    assert sum(len(b) for b in batches) == len(PROGRAMS)


# ---------------------------------------------------------------- the canonical form can tell apart


@dataclasses.dataclass
class _Point:
    x: int
    y: float


class _Pair(NamedTuple):
    a: int
    b: int


class _Color(enum.Enum):
    RED = "red"


def test_canonical_keeps_type_names():
    # A runtime that hands back a dict, a plain tuple or a raw value must not compare equal.
    assert runner.canonical(_Point(1, 2.0)) != runner.canonical({"x": 1, "y": 2.0})
    assert runner.canonical(_Pair(1, 2)) != runner.canonical((1, 2))
    assert runner.canonical((1, 2)) != runner.canonical([1, 2])
    assert runner.canonical(_Color.RED) != runner.canonical("red")
    # Results are compared as JSON text, where 1, 1.0 and true differ (in Python they are equal).
    assert _text(runner.canonical(1)) != _text(runner.canonical(1.0))
    assert _text(runner.canonical(True)) != _text(runner.canonical(1))


def test_canonical_rounds_floats_and_tags_non_finite():
    assert runner.canonical(0.1 + 0.2) == runner.canonical(0.3)
    assert runner.canonical(float("nan")) == {"__float__": "nan"}
    assert runner.canonical(1 / 3) != runner.canonical(0.3333)


def test_canonical_errors_keep_class_module_and_code():
    class Coded(Exception):
        code = "Original"

    assert runner.error_form(ValueError("x")) == {"type": "ValueError", "module": "builtins"}
    assert runner.error_form(Coded())["code"] == "Original"


def test_canonical_frames_by_columns_dtypes_values():
    pd = pytest.importorskip("pandas")
    a = runner.canonical(pd.DataFrame({"k": [1, 2]}))
    assert a == runner.canonical(pd.DataFrame({"k": [1, 2]}))
    assert a != runner.canonical(pd.DataFrame({"k": [1.0, 2.0]}))
    assert a != runner.canonical(pd.DataFrame({"j": [1, 2]}))


# ---------------------------------------------------------------- the runner survives broken programs


def test_runner_reports_crashes_and_hangs_and_continues(tmp_path):
    programs = tmp_path / "programs"
    programs.mkdir()
    body = 'import flyte\nenv = flyte.TaskEnvironment(name="{name}")\n\n@env.task\ndef main() -> int:\n{line}\n'
    (programs / "a_hangs.py").write_text(body.format(name="a_hangs", line="    import time; time.sleep(60)"))
    (programs / "b_exits.py").write_text(body.format(name="b_exits", line="    import os; os._exit(3)"))
    (programs / "c_fine.py").write_text(body.format(name="c_fine", line="    return 7"))
    results = runner.run_legs(
        runner.discover(programs), legs=("runtime",), scratch=tmp_path / "s", timeout=120, program_timeout=3
    )["runtime"]
    assert "while running a_hangs" in results["a_hangs"]["crash"]
    assert "exited with 3 while running b_exits" in results["b_exits"]["crash"]
    assert results["c_fine"]["runs"][0]["outputs"]["values"] == [7]
