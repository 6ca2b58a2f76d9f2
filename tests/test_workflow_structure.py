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


def test_star_import_and_aliased_decorators(tmp_path):
    """``from .steps import *`` binds every task; ``from flytekit import task as flyte_task`` still marks tasks."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "steps.py").write_text(
        "import typing\n"
        "from flytekit.core.task import task as flyte_task\n\n\n"
        "class Pair(typing.NamedTuple):\n    left: int\n    right: int\n\n\n"
        "@flyte_task\ndef pair(x: int) -> Pair:\n    return Pair(x, -x)\n"
    )
    flow = pkg / "flow.py"
    source = (
        "from flytekit import eager, workflow\n"
        "from .steps import *  # noqa: F403\n\n\n"
        "@workflow\ndef w(x: int) -> int:\n    return pair(x=x).right\n\n\n"
        "@eager\nasync def e(x: int) -> int:\n    p = pair(x=x)\n    return p.left\n"
    )
    flow.write_text(source)
    out = transform_source(source, str(flow)).code
    assert "return pair(x=x)[1]" in out
    assert "p = await pair.aio(x=x)" in out and "return p[0]" in out


def test_namespace_package_without_init(tmp_path):
    """``from proj.steps import count`` in ``proj/flow.py`` when ``proj/`` has no ``__init__.py``."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "steps.py").write_text(
        "import typing\nfrom flytekit import task\n\n\n"
        "class Count(typing.NamedTuple):\n    n: int\n    label: str\n\n\n"
        "@task\ndef count(xs: typing.List[int]) -> Count:\n    return Count(len(xs), 'n')\n"
    )
    flow = proj / "flow.py"
    source = "from flytekit import workflow\nfrom proj.steps import count\n\n\n@workflow\ndef w(xs: list[int]) -> str:\n    return count(xs=xs).label\n"
    flow.write_text(source)
    assert "return count(xs=xs)[1]" in transform_source(source, str(flow)).code


def test_package_init_star_reexport(tmp_path):
    """``from pkg import pair`` where ``pkg/__init__.py`` does ``from .steps import *``."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .steps import *  # noqa: F403\n")
    (pkg / "steps.py").write_text(
        "import typing\nfrom flytekit import task\n\n\n"
        "class Pair(typing.NamedTuple):\n    left: int\n    right: int\n\n\n"
        "@task\ndef pair(x: int) -> Pair:\n    return Pair(x, -x)\n"
    )
    flow = tmp_path / "flow.py"
    source = "from flytekit import workflow\nfrom pkg import pair\n\n\n@workflow\ndef w(x: int) -> int:\n    return pair(x=x).right\n"
    flow.write_text(source)
    assert "return pair(x=x)[1]" in transform_source(source, str(flow)).code


def test_namedtuple_annotation_through_a_module(tmp_path):
    """``-> records.Totals`` (``from . import records``) in the task module and in the workflow module."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "records.py").write_text("import typing\n\n\nclass Totals(typing.NamedTuple):\n    count: int\n    total: float\n")
    (pkg / "steps.py").write_text(
        "import typing\nfrom flytekit import task\n\nfrom . import records\n\n\n"
        "@task\ndef totals(xs: typing.List[float]) -> records.Totals:\n    return records.Totals(len(xs), sum(xs))\n"
    )
    flow = pkg / "flow.py"
    source = (
        "import typing\nfrom flytekit import task, workflow\n\nfrom . import records\nfrom .steps import totals\n\n\n"
        "@task\ndef local(xs: typing.List[float]) -> records.Totals:\n    return records.Totals(len(xs), max(xs))\n\n\n"
        "@workflow\ndef w(xs: typing.List[float]) -> typing.Tuple[float, float]:\n    return totals(xs=xs).total, local(xs=xs).total\n"
    )
    flow.write_text(source)
    assert "return totals(xs=xs)[1], local(xs=xs)[1]" in transform_source(source, str(flow)).code
