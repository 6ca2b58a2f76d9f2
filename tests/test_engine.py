"""Engine and CLI plumbing: discovery, bad input, atomic writes, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flytemigrate.engine import process, read_source, write_atomic
from flytemigrate.files import PathError, discover


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flytemigrate", *args], cwd=cwd, input=stdin, capture_output=True, text=True
    )


def test_discover_honours_gitignore_and_exclude(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored/\n*_gen.py\n")
    for rel in ["a.py", "pkg/b.py", "ignored/c.py", "pkg/d_gen.py", "skipme/e.py", "notes.txt"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    found = sorted(Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)], exclude=["skipme/"]))
    assert found == ["a.py", "pkg/b.py"]


def test_discover_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PathError):
        list(discover([str(tmp_path / "missing.py")]))


def test_write_atomic_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "t.py"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_atomic(str(target), "new\r\n")
    assert target.read_bytes() == b"new\r\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["t.py"]


def test_bad_files_are_reported_and_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"import flytekit\ndef (:\n")
    binary = tmp_path / "latin.py"
    binary.write_bytes(b"# flytekit \xe9\n")
    good = tmp_path / "plain.py"
    good.write_text("print('not flyte')\n")
    before = {p: p.read_bytes() for p in (bad, binary, good)}
    proc = run_cli("rewrite", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "bad.py" in proc.stdout and "FM002" in proc.stdout
    assert "latin.py" in proc.stdout and "UTF-8" in proc.stdout
    assert "2 failed" in proc.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli("rewrite", "does-not-exist.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no such file" in proc.stderr


def test_stdin_passthrough_for_non_flyte_code(tmp_path: Path) -> None:
    proc = run_cli("rewrite", "-", cwd=tmp_path, stdin="x = 1  # keep me\n")
    assert proc.returncode == 0
    assert proc.stdout == "x = 1  # keep me\n"


def test_a_declared_source_encoding_is_read_and_written_back(tmp_path):
    """PEP 263: a latin-1 module is read as latin-1 and rewritten as latin-1 (not reported as bad UTF-8)."""
    from flytemigrate.engine import declared_encoding

    source = (
        "# -*- coding: latin-1 -*-\n"
        "# Café prices, in €uros\n"  # the euro sign is not latin-1: a comment is kept as written
        .replace("€", "E")
        + "from flytekit import task\n\n\n@task\ndef price(x: float) -> float:\n    return x * 1.2  # TVA à 20 %\n"
    )
    path = tmp_path / "prices.py"
    path.write_bytes(source.encode("latin-1"))
    assert declared_encoding(path.read_bytes()) == "iso8859-1"
    text, raw = read_source(str(path))
    assert text == source and raw == source.encode("latin-1")

    from typer.testing import CliRunner

    from flytemigrate.cli import app

    result = CliRunner().invoke(app, ["rewrite", str(path)])
    assert result.exit_code == 0, result.output
    rewritten = path.read_bytes().decode("latin-1")
    assert "@env.task" in rewritten and "# Café prices" in rewritten and "TVA à 20 %" in rewritten
    lint = CliRunner().invoke(app, ["lint", "--exit-zero", str(path)])
    assert "FM000" not in lint.output


def test_an_unknown_declared_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "odd.py"
    path.write_bytes(b"# coding: klingon-1\nimport flytekit\n")
    results = process([str(path)], lambda p, s, o: None, None)
    assert results[0].status == "failed" and "unknown encoding" in results[0].error


def test_own_models_are_built_without_leaving_pydantic_plugins_off(monkeypatch):
    """The CLI builds its pydantic models with plugin discovery off (start-up time), and puts the
    environment back: user code that ``run``/``verify`` execute still gets the user's plugins."""
    from flytemigrate.cli import _build_own_models

    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    _build_own_models()
    assert "PYDANTIC_DISABLE_PLUGINS" not in os.environ
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire")
    _build_own_models()
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "logfire"


def test_collector_paused_for_start_up_is_resumed_by_the_engine():
    """The CLI pauses the garbage collector while it imports (start-up time); the engine turns it
    back on before processing files, and a process that never paused it is left alone."""
    import gc

    from flytemigrate import startup

    assert gc.isenabled()
    startup.resume_collector()  # never paused: nothing happens
    assert gc.isenabled() and not startup._paused
    startup.pause_collector()
    try:
        assert not gc.isenabled()
        process([], lambda p, s, o: None, None)
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
