"""End-to-end tests of ``flytemigrate lint``, ``rules`` and ``explain``.

Most run the typer app in-process (fast); a few run the real console script as a subprocess
where process-level behaviour matters (stdin, exit codes, import hygiene for start-up time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flytemigrate.cli import app
from flytemigrate.lint.registry import ALL_RULES

BROKEN = textwrap.dedent(
    """\
    import flyte
    from flytekit import current_context

    env = flyte.TaskEnvironment(name="cli", resources=flyte.Resources(cpu=1, mem="1Gi"))


    @env.task
    def t(x) -> int:
        return len(str(current_context())) + x
    """
)
CLEAN = textwrap.dedent(
    """\
    import flyte

    env = flyte.TaskEnvironment(name="cli")


    @env.task
    def t(x: int) -> int:
        return x + 1
    """
)


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "broken.py").write_text(BROKEN)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def codes_in(output: str) -> set[str]:
    return {word for word in output.replace(":", " ").split() if word.startswith("FM") and word[2:5].isdigit()}


def test_findings_exit_1_and_text_format(project: Path):
    result = run("lint", "pkg")
    assert result.exit_code == 1, result.output
    assert "pkg/broken.py:8:7: FM301" in result.stdout
    assert {"FM301", "FM501", "FM503", "FM507"} <= codes_in(result.stdout)
    assert "clean.py" not in result.stdout


def test_clean_file_exits_0(project: Path):
    result = run("lint", "pkg/clean.py")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_exit_zero(project: Path):
    assert run("lint", "--exit-zero", "pkg").exit_code == 0


def test_select_and_ignore_prefixes(project: Path):
    only_fm5 = run("lint", "--select", "FM5", "pkg")
    assert codes_in(only_fm5.stdout) == {"FM501", "FM503", "FM507"}
    narrowed = run("lint", "--select", "FM5,FM301", "--ignore", "FM50", "pkg")
    assert codes_in(narrowed.stdout) == {"FM301"}
    # The more specific selector wins, as in ruff.
    specific = run("lint", "--select", "FM503", "--ignore", "FM5", "pkg")
    assert codes_in(specific.stdout) == {"FM503"}
    nothing = run("lint", "--ignore", "FM", "pkg")
    assert nothing.exit_code == 0 and nothing.stdout == ""


@pytest.mark.parametrize("bad", ["FM7", "XYZ", "FM1234"])
def test_unknown_code_is_usage_error(project: Path, bad: str):
    result = run("lint", "--select", bad, "pkg")
    assert result.exit_code == 2
    assert "unknown rule code" in result.stderr


def test_unknown_code_in_config_is_usage_error(project: Path):
    (project / "pyproject.toml").write_text('[tool.flytemigrate]\nignore = ["FM777"]\n')
    result = run("lint", "pkg")
    assert result.exit_code == 2
    assert "FM777" in result.stderr and "pyproject.toml" in result.stderr


def test_missing_path_is_usage_error(project: Path):
    assert run("lint", "nope.py").exit_code == 2


def test_config_select_ignore_and_per_file_ignores(project: Path):
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.flytemigrate]
            select = ["FM3", "FM5"]
            ignore = ["FM507"]
            per-file-ignores = { "pkg/broken.py" = ["FM50"] }
            """
        )
    )
    result = run("lint", "pkg")
    assert codes_in(result.stdout) == {"FM301"}
    # The command line's --select replaces the configured one.
    assert codes_in(run("lint", "--select", "FM507", "pkg").stdout) == set()


def test_config_exclude(project: Path):
    (project / "pyproject.toml").write_text('[tool.flytemigrate]\nexclude = ["broken.py"]\n')
    assert run("lint", "pkg").exit_code == 0


def test_json_output(project: Path):
    result = run("lint", "--output-format", "json", "pkg")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["command"] == "lint"
    by_path = {f["path"]: f for f in report["files"]}
    broken = by_path["pkg/broken.py"]["diagnostics"]
    assert {d["code"] for d in broken} == {"FM301", "FM501", "FM503", "FM507"}
    fm507 = next(d for d in broken if d["code"] == "FM507")
    assert fm507["line"] == 4 and fm507["fix"]["safe"] is True
    assert by_path["pkg/clean.py"]["diagnostics"] == []
    assert report["summary"]["diagnostics"] == 4


def test_github_output(project: Path):
    result = run("lint", "--output-format", "github", "pkg")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    fm301 = next(line for line in lines if "FM301" in line)
    assert fm301.startswith("::warning file=pkg/broken.py,line=8,col=7,endLine=8,endColumn=8,title=FM301 untyped-task-parameter::")
    assert "%0Ahelp: " in fm301
    assert any(line.startswith("::error ") and "FM503" in line for line in lines)


def test_fix_rewrites_file_and_relints(project: Path):
    result = run("lint", "--fix", "pkg")
    assert result.exit_code == 1  # other findings remain
    fixed = (project / "pkg" / "broken.py").read_text()
    assert 'flyte.Resources(cpu=1, memory="1Gi")' in fixed
    assert fixed == BROKEN.replace('mem="1Gi"', 'memory="1Gi"')
    assert "FM507" not in result.stdout
    assert "fixed 1 file" in result.stderr
    assert (project / "pkg" / "clean.py").read_text() == CLEAN


def test_without_fix_nothing_is_written(project: Path):
    result = run("lint", "pkg")
    assert "fixable with --fix" in result.stderr
    assert (project / "pkg" / "broken.py").read_text() == BROKEN


def test_stdin(project: Path):
    result = run("lint", "-", input=BROKEN)
    assert result.exit_code == 1
    assert "-:8:7: FM301" in result.stdout


def test_stdin_fix_echoes_code_and_reports_on_stderr(project: Path):
    result = run("lint", "--fix", "-", input=BROKEN)
    assert result.stdout == BROKEN.replace('mem="1Gi"', 'memory="1Gi"')
    assert "FM301" in result.stderr
    unchanged = run("lint", "--fix", "-", input=CLEAN)
    assert unchanged.exit_code == 0 and unchanged.stdout == CLEAN


def test_unparsable_and_non_utf8_files_are_diagnostics(project: Path):
    (project / "pkg" / "syntax.py").write_text("import flyte\ndef broken(:\n")
    (project / "pkg" / "latin1.py").write_bytes("import flyte\nname = 'caf\xe9'\n".encode("latin-1"))
    result = run("lint", "--output-format", "json", "pkg")
    assert result.exit_code == 1
    report = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert report["pkg/syntax.py"]["status"] == "failed"
    assert [d["code"] for d in report["pkg/syntax.py"]["diagnostics"]] == ["FM002"]
    assert report["pkg/latin1.py"]["status"] == "failed"
    assert "UTF-8" in report["pkg/latin1.py"]["error"]
    assert {d["code"] for d in report["pkg/broken.py"]["diagnostics"]} >= {"FM301"}


def test_jobs_gives_same_results(project: Path):
    for i in range(10):
        (project / "pkg" / f"copy{i}.py").write_text(BROKEN)
    serial = json.loads(run("lint", "--output-format", "json", "pkg").stdout)
    parallel = json.loads(run("lint", "--output-format", "json", "--jobs", "2", "pkg").stdout)
    assert serial == parallel
    assert serial["summary"]["files"] == 12


def test_output_file(project: Path):
    result = run("lint", "--output-format", "json", "-o", "report.json", "pkg")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((project / "report.json").read_text())["summary"]["files"] == 2


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    for rule in ALL_RULES:
        assert f"{rule.code}  {rule.name}" in result.stdout
    as_json = json.loads(run("rules", "--output-format", "json").stdout)
    assert [r["code"] for r in as_json] == [r.code for r in ALL_RULES]


def test_explain():
    result = run("explain", "FM507")
    assert result.exit_code == 0
    assert "# FM507 `resources-mem`" in result.stdout
    assert "Why it breaks in Flyte 2" in result.stdout and "Use instead" in result.stdout
    assert run("explain", "resources-mem").stdout == result.stdout
    unknown = run("explain", "FM999")
    assert unknown.exit_code == 2


def test_console_script_stdin_and_lazy_imports(tmp_path: Path):
    """The real entry point: stdin works, and lint never imports libcst.codemod/matchers
    (they add ~0.16 s to every pre-commit run; see bench/lint.py for the start-up time)."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['flytemigrate', 'lint', '-']\n"
        "try:\n"
        "    runpy.run_module('flytemigrate', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    heavy = sorted(m for m in sys.modules if m.startswith(('libcst.codemod', 'libcst.matchers', 'rich')))\n"
        "    print('HEAVY', heavy, 'EXIT', exc.code, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        input=BROKEN,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=60,
    )
    assert "-:8:7: FM301" in proc.stdout, proc.stderr
    assert "HEAVY [] EXIT 1" in proc.stderr, proc.stderr


def test_explain_engine_and_rewrite_todo_codes():
    from flytemigrate.lint.docs import rewrite_codes

    engine = run("explain", "FM002")
    assert engine.exit_code == 0 and "syntax-error" in engine.stdout
    for code, (meaning, _todo) in sorted(rewrite_codes().items())[:3]:
        result = run("explain", code)
        assert result.exit_code == 0
        assert f"TODO(flytemigrate {code})" in result.stdout and meaning in result.stdout
    assert run("explain", "FM599").exit_code == 2


def test_messy_repository_never_crashes(project: Path):
    """Notebooks, caches, BOMs, CRLF, Python 2 leftovers, empty files and virtualenvs: the lint
    finishes with per-file results and no internal error (FM001)."""
    repo = project / "pkg"
    (repo / "__pycache__").mkdir()
    (repo / "__pycache__" / "broken.cpython-311.pyc").write_bytes(b"\xa7\r\r\n\x00\x00flyte\x00")
    (repo / ".venv" / "lib").mkdir(parents=True)
    (repo / ".venv" / "lib" / "site.py").write_text("import flyte\ndef (:\n")
    (repo / "analysis.ipynb").write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": ["import flyte\n", "%time 1\n"]}], "nbformat": 4})
    )
    (repo / "bom.py").write_bytes("\ufeffimport flyte\nenv = flyte.TaskEnvironment(name='bom')\n".encode("utf-8"))
    (repo / "crlf.py").write_bytes(b"import flyte\r\nenv = flyte.TaskEnvironment(name='c')\r\n\r\n@env.task\r\ndef t(x):\r\n    return x\r\n")
    (repo / "legacy.py").write_text('print "hello, world"\n')
    (repo / "empty.py").write_text("")
    (repo / "jupytext.py").write_text("# %%\nimport flyte\n\nenv = flyte.TaskEnvironment(name='j')\n\n# %%\n@env.task\ndef add(a: int, b: int) -> int:\n    return a + b\n")
    result = run("lint", "--output-format", "json", "pkg")
    assert result.exit_code == 1, result.output
    report = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    codes = {path: [d["code"] for d in f["diagnostics"]] for path, f in report.items()}
    assert not any("FM001" in c for c in codes.values()), codes
    # Caches and virtualenvs are not walked into; Python files and notebooks all are.
    assert not any("__pycache__" in p or ".venv" in p for p in report)
    assert codes["pkg/analysis.ipynb"] == []
    assert codes["pkg/bom.py"] == [] and codes["pkg/jupytext.py"] == [] and codes["pkg/empty.py"] == []
    assert sorted(codes["pkg/crlf.py"]) == ["FM301", "FM302"]
    # A Python 2 file without Flyte is not even parsed (nothing in it can be a finding).
    assert codes["pkg/legacy.py"] == []


def test_explicit_notebook_lints_code_cells(project: Path):
    """A notebook named on the command line is linted cell by cell (magics skipped, top-level
    await accepted); findings name the cell and the line in it."""
    cells = [
        {"cell_type": "markdown", "source": ["# Training notebook\n"]},
        {"cell_type": "code", "source": ["%load_ext autoreload\n", "!pip install flyte\n", "import flyte\n", "from flytekit import current_context\n"]},
        {"cell_type": "code", "source": "%%bash\nflyte --version\n"},
        {"cell_type": "code", "source": ["env = flyte.TaskEnvironment(name='nb')\n", "\n", "@env.task\n", "async def t(x):\n", "    return x\n"]},
        {"cell_type": "code", "source": ["flyte.init()\n", "run = await flyte.run.aio(t, x=1)\n", "run?\n"]},
    ]
    (project / "train.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (project / "broken.ipynb").write_text("{not json")
    result = run("lint", "--output-format", "json", "train.ipynb", "broken.ipynb")
    assert result.exit_code == 1
    report = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    found = sorted((d["code"], d["line"], d["message"].split("]")[0] + "]") for d in report["train.ipynb"]["diagnostics"])
    assert found == [("FM301", 4, "[cell 4]"), ("FM302", 4, "[cell 4]"), ("FM501", 4, "[cell 2]")]
    assert report["broken.ipynb"]["status"] == "failed"
    assert [d["code"] for d in report["broken.ipynb"]["diagnostics"]] == ["FM000"]
