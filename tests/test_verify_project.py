"""Projects for verify: import roots, package layout, and which files the scratch rewrite converts."""

from __future__ import annotations

from pathlib import Path

from flytemigrate.verify.project import group_by_root, import_root, pair_projects, rewrite_projects

HELPER = """\
from flytekit import task


@task
def inc(x: int) -> int:
    return x + 1
"""

WORKFLOWS = """\
from flytekit import workflow

from .helpers import inc


@workflow
def wf(x: int = 1) -> int:
    return inc(x=x)
"""

UNRELATED = """\
from flytekit import task


@task
def unused(x: int) -> int:
    return x
"""


def make_package(root: Path) -> Path:
    package = root / "proj" / "pipelines"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text(HELPER)
    (package / "workflows.py").write_text(WORKFLOWS)
    (package / "scratchpad.py").write_text(UNRELATED)
    (root / "proj" / "inputs.yaml").write_text("wf:\n  - {x: 2}\n")
    return package


def test_import_root_walks_up_through_packages(tmp_path):
    package = make_package(tmp_path)
    assert import_root(package / "workflows.py") == ((tmp_path / "proj").resolve(), "pipelines.workflows")
    assert import_root(package / "__init__.py") == ((tmp_path / "proj").resolve(), "pipelines")
    groups = group_by_root([str(package / "workflows.py"), str(package / "helpers.py")])
    assert groups == {(tmp_path / "proj").resolve(): ["pipelines.helpers", "pipelines.workflows"]}


def test_pair_projects_finds_the_inputs_file_beside_the_original(tmp_path):
    (tmp_path / "old.py").write_text(WORKFLOWS)
    (tmp_path / "new.py").write_text("")
    (tmp_path / "inputs.yaml").write_text("wf: []\n")
    project = pair_projects(tmp_path / "old.py", tmp_path / "new.py", None)
    assert project.converted_modules == {"old": "new"}
    assert project.inputs_file == tmp_path / "inputs.yaml"


def test_rewrite_keeps_layout_and_converts_the_file_and_its_imported_helpers(tmp_path):
    package = make_package(tmp_path)
    (project,) = rewrite_projects([str(package / "workflows.py")], tmp_path / "scratch", False, None)
    converted = project.converted_root / "pipelines"
    assert (converted / "__init__.py").exists()
    assert "flytekit" not in (converted / "workflows.py").read_text()
    assert "flytekit" not in (converted / "helpers.py").read_text()  # imported helper module
    assert (converted / "scratchpad.py").read_text() == UNRELATED  # not imported: copied unchanged
    assert (package / "workflows.py").read_text() == WORKFLOWS  # originals untouched
    assert project.inputs_file == (tmp_path / "proj").resolve() / "inputs.yaml"
    assert project.modules == ["pipelines.workflows"]


def test_roots_with_the_same_directory_name_get_distinct_labels(tmp_path):
    files = []
    for service in ("billing", "search"):
        source = tmp_path / "services" / service / "src"
        source.mkdir(parents=True)
        (source / "flows.py").write_text(WORKFLOWS.replace("from .helpers import inc", "from helpers import inc"))
        (source / "helpers.py").write_text(HELPER)
        files.append(str(source / "flows.py"))
    projects = rewrite_projects(files, tmp_path / "scratch", False, None)
    # results are looked up by label (pytest items, shrinking): two 'src' would share one verdict
    assert sorted(p.label for p in projects) == ["billing/src", "search/src"]
