"""Golden tests for the rewrite codemods: every ``fixtures/rewrite/**/<case>.py``.

For each case: the output equals ``<case>.expected.py``, parses, and a second run changes
nothing; a case named ``noop*`` stays byte-identical; ``<case>.async.expected.py`` (if present)
is the output with ``RewriteOptions(async_style=True)``; ``<case>.diagnostics`` (if present)
lists the expected ``CODE LINE`` pairs. ``FLYTEMIGRATE_UPDATE_GOLDEN=1`` rewrites the golden
files instead of comparing (review the diff before committing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from flytemigrate.codemods import RewriteOptions, transform_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rewrite"
UPDATE = os.environ.get("FLYTEMIGRATE_UPDATE_GOLDEN") == "1"
_GOLDEN_SUFFIXES = (".expected.py", ".async.expected.py")


def _cases() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*.py") if not any(p.name.endswith(s) for s in _GOLDEN_SUFFIXES)
    )


CASES = _cases()


def _id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _golden(case: Path, suffix: str) -> Path:
    return case.with_name(case.name[: -len(".py")] + suffix)


def _check(case: Path, options: RewriteOptions, suffix: str):
    source = case.read_text()
    out = transform_source(source, path=case.name, options=options)
    cst.parse_module(out.code)
    golden = _golden(case, suffix)
    if UPDATE:
        golden.write_text(out.code)
    assert golden.exists(), f"missing {golden.name}; run with FLYTEMIGRATE_UPDATE_GOLDEN=1 and review"
    assert out.code == golden.read_text()
    again = transform_source(out.code, path=case.name, options=options)
    assert again.code == out.code, "second run changed the output (not idempotent)"
    return out


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rewrite_fixture(case: Path) -> None:
    out = _check(case, RewriteOptions(), ".expected.py")
    if case.name.startswith("noop"):
        assert out.code == case.read_text()
    diagnostics = _golden(case, ".diagnostics")
    if diagnostics.exists():
        got = sorted(f"{d.code} {d.line}" for d in out.diagnostics)
        want = sorted(line.strip() for line in diagnostics.read_text().splitlines() if line.strip())
        assert got == want


@pytest.mark.parametrize(
    "case", [c for c in CASES if _golden(c, ".async.expected.py").exists()], ids=_id
)
def test_rewrite_fixture_async(case: Path) -> None:
    _check(case, RewriteOptions(async_style=True), ".async.expected.py")


def test_fixture_count() -> None:
    assert len(CASES) >= 40


def test_cli_check_on_fixtures(tmp_path: Path) -> None:
    """``rewrite --check`` over the fixture tree: exit 1 (files would change), nothing written."""
    before = {p: p.read_bytes() for p in FIXTURES.rglob("*.py")}
    proc = subprocess.run(
        [sys.executable, "-m", "flytemigrate", "rewrite", str(FIXTURES), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1, proc.stderr
    assert "TODO" in proc.stderr
    assert {p: p.read_bytes() for p in FIXTURES.rglob("*.py")} == before
