"""Engine and CLI plumbing: discovery, bad input, atomic writes, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flytemigrate.engine import write_atomic
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
