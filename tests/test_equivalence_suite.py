"""The acceptance check of verify: every Flyte 1 project under ``fixtures/equivalence`` rewritten by
flytemigrate behaves like the original, in the default and the ``--async`` style.

``flytemigrate verify --rewrite fixtures/equivalence`` runs each original under flytekit and the
converted code on the bundled runtime and (installed by the test extra) on the real flyte SDK, with
the projects' inputs files, and compares outputs, errors and child task calls. The two styles run
as two concurrent CLI processes to use both cores. ``module_state`` shares module-level state
between tasks: equivalent in one process, and reported as different with ``--isolate``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENCE = ROOT / "fixtures" / "equivalence"


def _verify(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flytemigrate", "verify", "--rewrite", *args, "--output-format", "json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cases(proc: subprocess.Popen) -> tuple[int, list[dict], str]:
    out, err = proc.communicate(timeout=1200)
    report = json.loads(out)
    cases = report if isinstance(report, list) else report.get("cases", report.get("results", []))
    return proc.returncode, cases, err


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[int, list[dict], str]]:
    running = {"default": _verify(str(EQUIVALENCE)), "async": _verify("--async", str(EQUIVALENCE))}
    return {style: _cases(proc) for style, proc in running.items()}


@pytest.mark.parametrize("style", ["default", "async"])
def test_every_equivalence_project_is_equivalent(reports, style: str) -> None:
    returncode, cases, stderr = reports[style]
    projects = {case["project"] for case in cases}
    assert len(projects) >= 25, sorted(projects)
    not_equivalent = [
        f"{c['project']}.{c['entry']}[{c['case']}]: {c['verdict']} {c.get('diffs') or c.get('reason')}"
        for c in cases
        if c["verdict"] != "equivalent"
    ]
    assert not not_equivalent, "\n".join(not_equivalent) + stderr[-2000:]
    assert returncode == 0


def test_isolate_reports_module_state_as_different() -> None:
    returncode, cases, _ = _cases(_verify("--isolate", "--leg", "runtime", str(EQUIVALENCE / "module_state")))
    assert returncode == 1
    assert any(case["verdict"] != "equivalent" for case in cases), cases
