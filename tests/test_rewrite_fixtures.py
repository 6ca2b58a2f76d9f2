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
    out = transform_source(source, path=str(case), options=options)
    cst.parse_module(out.code)
    golden = _golden(case, suffix)
    if UPDATE:
        golden.write_text(out.code)
    assert golden.exists(), f"missing {golden.name}; run with FLYTEMIGRATE_UPDATE_GOLDEN=1 and review"
    assert out.code == golden.read_text()
    again = transform_source(out.code, path=str(case), options=options)
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


def test_cli_check_reports_todos_and_writes_nothing(tmp_path: Path) -> None:
    """``rewrite --check`` on a copy of a few fixtures: exit 1, TODO count in the summary, nothing written.

    (A copy of a handful keeps the subprocess cheap; the fixtures themselves are covered above.)
    """
    picked = [FIXTURES / "task_config" / "unmapped_args.py", FIXTURES / "imports" / "noop_plain_python.py", FIXTURES / "imports" / "alias_module.py"]
    for path in picked:
        (tmp_path / path.name).write_text(path.read_text())
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    proc = subprocess.run(
        [sys.executable, "-m", "flytemigrate", "rewrite", str(tmp_path), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1, proc.stderr
    assert "3 files: 2 changed, 1 unchanged, 0 failed, 3 TODOs left" in proc.stderr
    assert "FM523" in proc.stdout
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    clean = subprocess.run(
        [sys.executable, "-m", "flytemigrate", "rewrite", str(tmp_path / "noop_plain_python.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert clean.returncode == 0, clean.stderr


def test_env_name_option_and_file_name_derivation() -> None:
    """The environment name comes from the file name (snake_case), or RewriteOptions.env_name."""
    from flytemigrate.codemods.task import env_name_from_path

    assert env_name_from_path("pkg/My-Pipeline.v2.py") == "my_pipeline_v2"
    assert env_name_from_path("pkg/flows/__init__.py") == "flows"
    assert env_name_from_path("-") == "main"
    source = "import flytekit\n\n\n@flytekit.task\ndef t() -> int:\n    return 1\n"
    out = transform_source(source, path="x.py", options=RewriteOptions(env_name="billing"))
    assert 'env = flyte.TaskEnvironment(name="billing")' in out.code
    # the derived name is accepted by the real SDK's validation rule
    import re

    assert re.fullmatch(r"^[a-z0-9]+([_-][a-z0-9]+)*$", env_name_from_path("2024 Q1 report.py"))


def test_diagnostic_lines_point_into_the_original_file() -> None:
    """Codemods after TaskCodemod see shifted lines; reported lines still match the input."""
    source = (
        "from flytekit import current_context, task\n"
        "\n"
        "\n"
        "@task\n"
        "def t(k: str) -> str:\n"
        "    return current_context().secrets.get(k, k)\n"
    )
    out = transform_source(source, path="x.py")
    assert [(d.code, d.line) for d in out.diagnostics] == [("FM525", 6)]


def test_environment_names_are_qualified_by_packages(tmp_path: Path) -> None:
    """Two ``tasks.py`` of different packages get different environment names (flyte refuses to
    deploy two environments of the same name together); a module outside packages keeps its name."""
    source = "from flytekit import task\n\n\n@task\ndef t(x: int) -> int:\n    return x\n"
    names = []
    for package in ("billing", "shipping"):
        (tmp_path / "monorepo" / package).mkdir(parents=True)
        (tmp_path / "monorepo" / package / "__init__.py").write_text("")
        module = tmp_path / "monorepo" / package / "tasks.py"
        module.write_text(source)
        names.append(transform_source(source, path=str(module)).code)
    assert 'name="billing_tasks"' in names[0] and 'name="shipping_tasks"' in names[1]
    loose = tmp_path / "scripts" / "Nightly-Report.py"
    loose.parent.mkdir()
    loose.write_text(source)
    assert 'name="nightly_report"' in transform_source(source, path=str(loose)).code
    init = tmp_path / "monorepo" / "billing" / "__init__.py"
    assert 'name="billing"' in transform_source(source, path=str(init)).code
