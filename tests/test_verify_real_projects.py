"""``flytemigrate verify`` on projects shaped like real Flyte 1 repositories (``tests/data/verify_projects``).

* ``src_layout``: a package under ``src/`` with relative and absolute imports, settings read from the
  environment at import, launch plans (their inputs become cases), an imperative workflow, and ``inputs.yaml`` at the repository top (keyed by a dotted
  ``module.entry`` and with one misspelt entry name);
* ``outside_world``: entries that cannot run locally (missing optional package, reference task,
  raw container, secrets, ShellTask), a task that prints a lot, one that writes scratch files to the
  current directory, one that calls sys.exit, one slower than the timeout, settings read at import relative to the current
  directory, and an entry without defaults;
* ``renamed``: ``verify OLD NEW`` where the conversion renamed an entry and broke a loop (a hang);
* ``notebook``: a Jupyter notebook with IPython magics, named on the command line;
* ``namespace_pkg``: a PEP 420 namespace package (no ``__init__.py``) imported absolutely.

Each CLI run is one verify (one subprocess per leg); the slow paths are cut short by ``--timeout``.
"""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from flytemigrate.cli import app

PROJECTS = Path(__file__).parent / "data" / "verify_projects"


def _verify(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["verify", *args, "--output-format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _by_case(report: dict) -> dict[tuple[str, int], dict]:
    return {(r["entry"], r["case"]): r for r in report["results"]}


def test_src_layout_from_another_directory_finds_the_inputs_file_at_the_repository_top(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the project: imports must still resolve from the import root
    code, report = _verify("--rewrite", str(PROJECTS / "src_layout" / "src"))
    cases = _by_case(report)
    assert {r["module"] for r in report["results"]} == {"acme_flows.pipelines.workflows", "acme_flows.pipelines.adhoc"}
    # an imperative Workflow(...) is an entry too (the rewrite makes it a function of the same name)
    assert cases[("word_stats", 0)]["verdict"] == "equivalent", cases[("word_stats", 0)]
    assert cases[("word_stats", 0)]["legs"]["flytekit"]["output"] == len("imperative")
    # two cases from inputs.yaml keyed 'pipelines.workflows.etl', one level above the import root
    assert cases[("etl", 0)]["verdict"] == "equivalent", cases[("etl", 0)]
    assert cases[("etl", 1)]["verdict"] == "equivalent", cases[("etl", 1)]
    assert cases[("etl", 0)]["inputs"]["n"] == 3
    # no inputs-file cases: its defaults, then the inputs of its launch plans (one case per distinct set)
    defaults_cases = sorted((k[1], c["inputs"]["n"], c["verdict"]) for k, c in cases.items() if k[0] == "etl_defaults")
    assert defaults_cases == [(0, 5, "equivalent"), (1, 7, "equivalent"), (2, 11, "equivalent")]
    sweep = cases[("sweep", 0)]
    assert sweep["verdict"] == "skipped"
    assert "inputs.yaml has no cases for 'sweep'" in sweep["reason"]
    assert "'sweeps'" in sweep["reason"]  # the misspelt key is named
    assert code == 0


def test_entries_that_cannot_run_locally_are_skipped_with_their_reason(monkeypatch):
    project = PROJECTS / "outside_world"
    before = sorted(p.name for p in project.iterdir())
    monkeypatch.chdir(project)  # as `pyflyte run` is started: settings.json is read relative to it
    runner = CliRunner()
    result = runner.invoke(app, ["verify", "--rewrite", ".", "--leg", "runtime", "--timeout", "4",
                                 "--output-format", "junit"])
    assert result.exit_code == 0, result.output
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite is not None
    cases = {f"{c.get('classname')}.{c.get('name')}": c for c in suite.iter("testcase")}

    def skipped(case_id: str) -> str:
        element = cases[case_id].find("skipped")
        assert element is not None, f"{case_id} is not skipped"
        return element.get("message", "")

    if importlib.util.find_spec("torch") is None:
        assert "missing optional package 'torch'" in skipped("outside_world.needs_torch.<module>[0]")
    assert "reference task 'core.basic.hello_world.say_hello'" in skipped("outside_world.remote_steps.greet_remote[0]")
    assert "container task 'ellipse-area-metadata-shell'" in skipped("outside_world.remote_steps.area[0]")
    assert "needs secrets" in skipped("outside_world.remote_steps.warehouse_report[0]")
    assert "shell task 'copy_file'" in skipped("outside_world.shell_steps.copy_wf[0]")
    assert "dataset point at remote data" in skipped("outside_world.remote_steps.public_dataset[0]")  # no download
    # one slow entry costs its own case only, not the module or the project
    assert "took longer than 4s" in skipped("outside_world.housekeeping.slow[0]")
    needs_inputs = skipped("outside_world.housekeeping.needs_inputs[0]")
    assert "names, threshold" in needs_inputs and "--generate" in needs_inputs
    # 3000 printed lines; a scratch file in the working directory; sys.exit() in a task on both sides
    for ok in ("noisy[0]", "report[0]", "validated[0]"):
        case = cases[f"outside_world.housekeeping.{ok}"]
        assert list(case) == [], ET.tostring(case, encoding="unicode")
        assert float(case.get("time", "0")) > 0  # the legs' run time, for CI dashboards
    assert sorted(p.name for p in project.iterdir()) == before  # nothing written into the project


def test_module_level_relative_reads_say_where_verify_was_started(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, report = _verify("--rewrite", str(PROJECTS / "outside_world" / "housekeeping.py"), "--leg", "runtime")
    (result,) = report["results"]
    assert result["entry"] == "<module>" and result["verdict"] == "error"
    assert "settings.json" in result["reason"] and "run verify from the directory" in result["reason"]
    assert code == 1


def test_renamed_entry_is_paired_and_a_hanging_conversion_times_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = PROJECTS / "renamed" / "old_flows.py", PROJECTS / "renamed" / "new_flows.py"
    code, report = _verify(str(old), str(new), "--entry", "squares=squares_wf", "--entry", "odd_part",
                           "--leg", "runtime", "--timeout", "3")
    cases = _by_case(report)
    assert cases[("squares", 0)]["verdict"] == "equivalent"
    assert cases[("odd_part", 0)]["verdict"] == "equivalent"  # n=40
    hang = cases[("odd_part", 1)]  # n=0: the converted loop never ends
    assert hang["verdict"] == "error"
    assert "only the converted code failed: Timeout" in hang["reason"]
    assert code == 1

    code, report = _verify(str(old), str(new), "--entry", "squares", "--entry", "sqaures", "--leg", "runtime")
    missing, misspelt = report["results"]
    assert (misspelt["entry"], misspelt["verdict"]) == ("sqaures", "error")  # not silently nothing
    assert "no @workflow/@dynamic/@eager entry named 'sqaures' (entries: odd_part, squares)" in misspelt["reason"]
    assert missing["verdict"] == "error"
    assert "no task named 'squares'" in missing["reason"]
    assert "squares_wf" in missing["reason"] and "--entry squares=NEW_NAME" in missing["reason"]
    assert code == 1


def test_a_notebook_named_on_the_command_line_is_verified_by_its_code_cells(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebook_dir = PROJECTS / "notebook"
    before = sorted(p.name for p in notebook_dir.iterdir())
    code, report = _verify("--rewrite", str(notebook_dir / "exploration.ipynb"))
    (result,) = report["results"]  # magics (%pip, !ls, %%time) do not stop the import
    assert (result["module"], result["entry"], result["verdict"]) == ("exploration", "word_count", "equivalent")
    assert set(result["legs"]) >= {"flytekit", "runtime"}
    assert code == 0
    assert sorted(p.name for p in notebook_dir.iterdir()) == before  # no .py written beside it


def test_namespace_packages_import_as_deployed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, report = _verify("--rewrite", str(PROJECTS / "namespace_pkg" / "src"), "--leg", "runtime")
    (result,) = report["results"]  # was: skipped, "missing optional package 'acme'"
    assert (result["module"], result["entry"], result["verdict"]) == ("acme.flows.workflows", "high_share", "equivalent")
    assert result["legs"]["flytekit"]["output"] == 2
    assert code == 0
