"""``codemods.project_modules``: tasks and NamedTuple classes imported from the project's own files."""

from __future__ import annotations

from pathlib import Path

from flytemigrate.codemods import RewriteOptions, transform_source
from flytemigrate.codemods.project_modules import imported_facts, resolve_module

STEPS = '''
import typing
from flytekit import task, workflow


class Totals(typing.NamedTuple):
    count: int
    total: float


@task
def clean(values: typing.List[float]) -> typing.List[float]:
    return values


@task
def totals(values: typing.List[float]) -> Totals:
    return Totals(count=len(values), total=sum(values))


@task
async def fetch(n: int) -> int:
    return n


@workflow
def sub(n: int) -> int:
    return fetch(n=n)


def helper() -> int:
    return 1
'''

CONVERTED = '''
import flyte

env = flyte.TaskEnvironment(name="done")


@env.task
def ready(n: int) -> int:
    return n


@env.task
async def driver(n: int) -> int:
    return n
'''


def _package(tmp_path: Path) -> Path:
    pkg = tmp_path / "proj" / "pkg"
    (pkg / "steps").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "steps" / "__init__.py").write_text("")
    (pkg / "steps" / "lib.py").write_text(STEPS)
    (pkg / "done.py").write_text(CONVERTED)
    flow = pkg / "flow.py"
    flow.write_text("")
    return flow


def test_resolves_relative_package_and_sibling_imports(tmp_path):
    flow = _package(tmp_path)
    lib = flow.parent / "steps" / "lib.py"
    assert resolve_module(str(flow), "steps.lib", 1) == lib  # from .steps.lib import ...
    assert resolve_module(str(flow), "pkg.steps.lib", 0) == lib  # from pkg.steps.lib import ...
    assert resolve_module(str(flow), "steps.lib", 0) == lib  # sibling on sys.path (script dir)
    assert resolve_module(str(flow), "pandas", 0) is None


def test_facts_of_flytekit_and_already_converted_siblings(tmp_path):
    flow = _package(tmp_path)
    facts = imported_facts(
        str(flow),
        [
            ("steps.lib", 1, [("clean", "clean"), ("totals", "count_up"), ("fetch", "fetch"), ("sub", "sub"), ("helper", "helper"), ("Totals", "Totals")]),
            ("done", 1, [("ready", "ready"), ("driver", "driver")]),
        ],
    )
    assert set(facts.tasks) == {"clean", "count_up", "fetch", "sub", "ready", "driver"}  # not the plain helper
    assert facts.tasks["count_up"].namedtuple_fields == ("count", "total")
    assert not facts.tasks["clean"].is_async and facts.tasks["fetch"].is_async
    assert facts.tasks["sub"].kind == "workflow" and not facts.tasks["ready"].is_async and facts.tasks["driver"].is_async
    assert facts.namedtuples == {"Totals": ("count", "total")}


def test_async_rewrite_uses_imported_tasks(tmp_path):
    flow = _package(tmp_path)
    source = '''from flytekit import workflow

from .steps.lib import clean, fetch, totals as count_up


@workflow
def main(values: list[float], n: int) -> float:
    kept = clean(values=values)
    got = fetch(n=n)
    return count_up(values=kept).total
'''
    out = transform_source(source, str(flow), RewriteOptions(async_style=True)).code
    # independent calls run together: the sync task through .aio, the async one called directly
    assert "kept, got = await asyncio.gather(clean.aio(values=values), fetch(n=n))" in out
    assert "(await count_up.aio(values=kept))[1]" in out  # NamedTuple field of an imported class
