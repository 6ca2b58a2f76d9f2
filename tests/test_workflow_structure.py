"""Workflow structure across modules: tasks reached through project modules, re-exports, NamedTuple spellings."""

from __future__ import annotations

from pathlib import Path

from flytemigrate.codemods import RewriteOptions, transform_source
from flytemigrate.codemods.project_modules import imported_facts, imported_modules

RECORDS = '''
from typing import List, NamedTuple

Split = NamedTuple("Split", [("train", List[int]), ("test", List[int])])
'''

STEPS = '''
from typing import List

from flytekit import task

from .records import Split


@task
def split(xs: List[int]) -> Split:
    return Split(train=xs[:1], test=xs[1:])
'''

FLOW = '''
from typing import List

from flytekit import workflow

import proj.pkg.steps as S
from proj.pkg import split
from . import steps


@workflow
def a(xs: List[int]) -> List[int]:
    return steps.split(xs=xs).test


@workflow
def b(xs: List[int]) -> List[int]:
    out = S.split(xs=xs)
    return out.train


@workflow
def c(xs: List[int]) -> List[int]:
    return split(xs=xs).test
'''


def _project(tmp_path: Path) -> Path:
    pkg = tmp_path / "proj" / "pkg"
    pkg.mkdir(parents=True)
    (tmp_path / "proj" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("from .steps import split  # re-export\n")
    (pkg / "records.py").write_text(RECORDS)
    (pkg / "steps.py").write_text(STEPS)
    flow = pkg / "flow.py"
    flow.write_text(FLOW)
    return flow


def test_modules_bound_by_every_import_form(tmp_path):
    flow = _project(tmp_path)
    found = imported_modules(
        str(flow),
        [(None, 1, [("steps", "steps")]), ("proj", 0, [("pkg", "P")])],
        [("proj.pkg.steps", "S"), ("proj.pkg.steps", "proj.pkg.steps"), ("os.path", "os.path")],
    )
    assert set(found) == {"steps", "S", "proj.pkg.steps", "P"}
    # the output class lives in a third module: its fields are still known
    assert found["steps"].tasks["split"].namedtuple_fields == ("train", "test")
    assert found["S"].namedtuples["Split"] == ("train", "test")
    # a package __init__ that re-exports the task exposes it as an attribute
    assert found["P"].tasks["split"].kind == "task"


def test_reexported_task_imported_by_name(tmp_path):
    flow = _project(tmp_path)
    facts = imported_facts(str(flow), [("proj.pkg", 0, [("split", "split")])])
    assert facts.tasks["split"].namedtuple_fields == ("train", "test")


def test_namedtuple_field_access_through_modules_is_indexed(tmp_path):
    flow = _project(tmp_path)
    for options, call in ((RewriteOptions(), "steps.split(xs=xs)[1]"), (RewriteOptions(async_style=True), "(await steps.split.aio(xs=xs))[1]")):
        out = transform_source(FLOW, str(flow), options).code
        assert f"return {call}" in out
        assert "return out[0]" in out
        assert ".test" not in out and ".train" not in out


def test_main_block_statement_call_and_module_entity(tmp_path):
    flow = _project(tmp_path)
    source = FLOW + '''

if __name__ == "__main__":
    a(xs=[1, 2])
    print(S.split(xs=[1, 2]))
    print(f"{b(xs=[3])!r}")
'''
    out = transform_source(source, str(flow)).code
    assert "    flyte.run(a, xs=[1, 2])\n" in out
    assert "print(S.Split(*flyte.run(S.split, xs=[1, 2]).outputs()))" in out
    assert 'print(f"{flyte.run(b, xs=[3]).outputs()[0]!r}")' in out
