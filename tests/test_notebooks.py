"""Notebooks: ``rewrite`` converts the code cells of ``.ipynb`` files and puts them back in place.

The fixture is a Flyte 1 exploration notebook (markdown, magics, a ``%%bash`` cell, tasks and a
workflow spread over cells, a cell that runs the workflow). Checked: the exact output, that a
second run changes nothing, that the converted cells compute what the original cells computed
(flytekit vs the real flyte SDK), that directories are walked for notebooks by rewrite and lint,
and that a notebook whose code cannot be rewritten or put back is left byte-for-byte untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flytemigrate.cli import app
from flytemigrate.codemods import notebooks
from flytemigrate.codemods.notebooks import NotebookRewriteError, rewrite_notebook

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "notebooks" / "daily_sales.ipynb"
EXPECTED = FIXTURE.with_name("daily_sales.expected.ipynb")


def _rewrite(text: str) -> str:
    return rewrite_notebook(text, "fixtures/notebooks/daily_sales.ipynb").text


def test_rewrite_matches_golden_and_is_idempotent() -> None:
    out = _rewrite(FIXTURE.read_text())
    assert out == EXPECTED.read_text()
    assert _rewrite(out) == out
    # Only code cells changed; markdown, outputs and metadata are as they were.
    before, after = json.loads(FIXTURE.read_text()), json.loads(out)
    assert after["metadata"] == before["metadata"]
    assert [c["cell_type"] for c in after["cells"]] == [c["cell_type"] for c in before["cells"]]
    assert after["cells"][0] == before["cells"][0] and after["cells"][6] == before["cells"][6]
    assert "flytekit" not in "".join("".join(c["source"]) for c in after["cells"])
    assert "%matplotlib inline" in "".join(after["cells"][1]["source"])


def _cells_as_script(path: Path) -> str:
    """The code cells without IPython syntax, as the kernel would run them."""
    lines = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if source.lstrip().startswith("%%"):
            continue
        lines += [line for line in source.splitlines() if not line.strip().startswith(("%", "!")) and not line.rstrip().endswith("?")]
    return "\n".join(lines) + "\n"


def test_converted_cells_compute_what_the_original_cells_computed(tmp_path: Path) -> None:
    original = tmp_path / "original.py"
    converted = tmp_path / "converted.py"
    original.write_text(_cells_as_script(FIXTURE))
    converted.write_text(_cells_as_script(EXPECTED))  # as converted: a direct task call needs no init
    outputs = []
    for script in (original, converted):
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout.strip().splitlines()[-1])
    assert outputs == ["6", "6"]


def test_directories_are_walked_for_notebooks(tmp_path: Path) -> None:
    shutil.copy(FIXTURE, tmp_path / "daily_sales.ipynb")
    runner = CliRunner()
    lint = runner.invoke(app, ["lint", "--output-format", "json", str(tmp_path)])
    report = json.loads(lint.stdout)
    codes = {d["code"] for f in report["files"] for d in f["diagnostics"]}
    assert "FM501" in codes  # flytekit imports in the notebook's first code cell
    messages = [d["message"] for f in report["files"] for d in f["diagnostics"]]
    assert all(m.startswith("[cell ") for m in messages)
    rewrite = runner.invoke(app, ["rewrite", str(tmp_path)])
    assert rewrite.exit_code == 0, rewrite.output
    assert (tmp_path / "daily_sales.ipynb").read_text() == _rewrite(FIXTURE.read_text())


def test_a_notebook_that_cannot_be_put_back_is_left_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "daily_sales.ipynb"
    shutil.copy(FIXTURE, target)
    original_bytes = target.read_bytes()

    # A rewrite that loses a cell marker (as removing a cell's first statement would, were the
    # markers comments) must not be written back into the wrong cells.
    real_split = notebooks._split

    def losing_a_marker(code: str, code_cells: list[int]):
        return real_split(code.replace("__flytemigrate_cell__(3)\n", ""), code_cells)

    monkeypatch.setattr(notebooks, "_split", losing_a_marker)
    with pytest.raises(NotebookRewriteError):
        rewrite_notebook(target.read_text(), str(target))
    result = CliRunner().invoke(app, ["rewrite", str(target)])
    assert result.exit_code == 1
    assert "left unchanged" in result.output
    assert target.read_bytes() == original_bytes


def test_invalid_notebooks_and_syntax_errors_are_reported_not_written(tmp_path: Path) -> None:
    broken_json = tmp_path / "broken.ipynb"
    broken_json.write_text("{not json")
    bad_code = tmp_path / "bad_code.ipynb"
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["from flytekit import task\n", "def (:\n"]}]
    bad_code.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
    before = {p: p.read_bytes() for p in (broken_json, bad_code)}
    result = CliRunner().invoke(app, ["rewrite", "--output-format", "json", str(tmp_path)])
    assert result.exit_code == 1
    report = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert report["broken.ipynb"]["status"] == "failed" and report["bad_code.ipynb"]["status"] == "failed"
    assert {d["code"] for f in report.values() for d in f["diagnostics"]} == {"FM002"}
    assert {p: p.read_bytes() for p in before} == before


def test_a_notebook_without_flytekit_is_byte_identical(tmp_path: Path) -> None:
    text = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["print(1)"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    out = rewrite_notebook(text, "plain.ipynb")
    assert not out.changed and out.text == text
