"""The codemods' import-table name resolution agrees with LibCST's scope analysis.

``FlyteCodemod.qualified_names`` reads names off import statements (``codemods/names.py``) instead
of running ``QualifiedNameProvider`` on every version of the tree. This test walks every Flyte 1
file we have (rewrite fixtures, equivalence projects, lint fixtures) plus hand-written shadowing
cases, asks both for every name and attribute, and requires the same imported names (those from
import statements: what codemods match on), with flytekit's deep paths folded the same way.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

from flytemigrate.codemods.base import FlyteCodemod, public_name

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p
    for pattern in ("fixtures/rewrite/**/*.py", "fixtures/equivalence/**/*.py", "fixtures/lint/**/*.py")
    for p in ROOT.glob(pattern)
    if not p.name.endswith(".expected.py")
)

SHADOWING = '''
import flytekit as fl
from flytekit import task, map_task, Resources
from typing import List

@task
def run(task: str, items: List[int]) -> str:
    for map_task in items:
        print(map_task)
    Resources = dict(cpu=1)
    return task.upper() + str(Resources)

def outer():
    resources = Resources(cpu="1")
    def inner(fl):
        return fl.workflow
    return lambda task: task.name, inner, resources

class Holder:
    task = task
    def method(self):
        return task, self.task, fl.current_context().secrets.get("g", "k")

def uses_global():
    global Resources
    Resources = None
'''


class _Compare(FlyteCodemod):
    """Records, for every Name/Attribute the traversal meets, what the import table resolves."""

    def __init__(self, context: CodemodContext, expected: dict[int, set[str]]) -> None:
        super().__init__(context)
        self.expected = expected
        self.mismatches: list[str] = []

    def _check(self, node: cst.CSTNode) -> None:
        got = self.qualified_names(node)
        want = self.expected.get(id(node), set())
        if got != want:
            code = cst.Module([]).code_for_node(node)
            self.mismatches.append(f"{code!r}: import table {sorted(got)} vs scope analysis {sorted(want)}")

    def visit_Name(self, node: cst.Name) -> None:
        self._check(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._check(node)


def _mismatches(source: str) -> list[str]:
    wrapper = MetadataWrapper(cst.parse_module(source))
    resolved = wrapper.resolve(QualifiedNameProvider)
    expected = {}
    for node, names in resolved.items():
        names = names() if callable(names) else names  # LibCST may hand out lazy values
        imported = {public_name(q.name) for q in names if q.source is QualifiedNameSource.IMPORT}
        # QualifiedNameProvider also resolves builtins and local definitions; codemods match
        # imported names only. A name both imported and locally assigned counts as imported.
        if imported and isinstance(node, (cst.Name, cst.Attribute)):
            expected[id(node)] = imported
    visitor = _Compare(CodemodContext(), expected)
    visitor.transform_module_impl(wrapper.module)
    return visitor.mismatches


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_import_table_matches_scope_analysis(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        pytest.skip("fixture is deliberately unparsable")
    assert _mismatches(source) == []


def test_shadowing_by_parameters_locals_and_lambdas() -> None:
    assert _mismatches(SHADOWING) == []


def test_fixture_corpus_is_not_empty() -> None:
    assert len(FILES) > 100
