"""The fast rewrite pipeline gives exactly what LibCST's own per-codemod loop gives.

``transform_source`` skips codemods by trigger word and no-op passes, resolves names from import
statements, positions lazily, and decides unused imports with one name-usage pass
(``codemods/pipeline.py``, ``codemods/base.py``, ``codemods/import_edits.py``). The reference here
is the straightforward loop: every registered codemod through LibCST's ``Codemod.transform_module``
(a fresh wrapper each time), LibCST's ``AddImportsVisitor`` for the collected import requests
before ``ImportsCodemod`` (one block, as the pipeline documents), and LibCST's scope-based
``RemoveImportsVisitor`` after it; diagnostics mapped back through the same ``LineMap``s. Both
must agree byte for byte, code and diagnostics, in sync and async style.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest
from libcst.codemod import Codemod, CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flytemigrate.codemods import RewriteOptions, codemod_classes, transform_source
from flytemigrate.codemods.base import CODE_KEY, DIAGNOSTICS_KEY, OPTIONS_KEY, FlyteCodemod
from flytemigrate.codemods.lines import LineMap, to_original
from flytemigrate.codemods.pipeline import Runner, should_run

ROOT = Path(__file__).resolve().parent.parent
# Cases that exercise many codemods at once (map, conditional, launch plans, failure, imports).
CASES = [
    ROOT / "fixtures/rewrite/map_task/with_overrides.py",
    ROOT / "fixtures/rewrite/failure/failure_policy.py",
    ROOT / "fixtures/rewrite/launch_plan/no_schedule.py",
    ROOT / "fixtures/rewrite/types/flytefile.py",  # adds two imports (flyte, flyte.io): their order
]


def reference_transform(source: str, path: str, options: RewriteOptions) -> tuple[str, list]:
    """Every codemod through LibCST's ``transform_module``, no sharing and no skipping by the pipeline."""
    tree = cst.parse_module(source)
    context = CodemodContext(filename=path, full_module_name=None)
    context.scratch[OPTIONS_KEY] = options
    context.scratch[DIAGNOSTICS_KEY] = []
    line_maps: list[LineMap] = []
    code = source
    def add_pending_imports(tree: cst.Module) -> cst.Module:
        if AddImportsVisitor.CONTEXT_KEY not in context.scratch:
            return tree
        tree = AddImportsVisitor(context).transform_module(tree)
        context.scratch.pop(AddImportsVisitor.CONTEXT_KEY)
        return tree

    for codemod_class in codemod_classes():
        context.scratch[CODE_KEY] = code
        reported = len(context.scratch[DIAGNOSTICS_KEY])
        if getattr(codemod_class, "SEES_ADDED_IMPORTS", False):
            tree = add_pending_imports(tree)
        tree = Codemod.transform_module(codemod_class(context), tree)
        if RemoveImportsVisitor.CONTEXT_KEY in context.scratch:
            tree = RemoveImportsVisitor(context).transform_module(tree)
            context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY)
        for diagnostic in context.scratch[DIAGNOSTICS_KEY][reported:]:
            diagnostic.line = to_original(diagnostic.line, line_maps)
        if tree.code != code:
            line_maps.append(LineMap(code, tree.code))
            code = tree.code
    code = add_pending_imports(tree).code
    return code, [d.model_dump() for d in context.scratch[DIAGNOSTICS_KEY]]


@pytest.mark.parametrize("async_style", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.parent.name + "/" + p.name)
def test_pipeline_matches_libcst_loop(path: Path, async_style: bool) -> None:
    source = path.read_text(encoding="utf-8")
    options = RewriteOptions(async_style=async_style)
    out = transform_source(source, str(path), options)
    assert out.code != source  # the case really exercises the codemods
    assert (out.code, [d.model_dump() for d in out.diagnostics]) == reference_transform(source, str(path), options)


def test_should_run_uses_triggers_and_options() -> None:
    class Needs(FlyteCodemod):
        TRIGGERS = ("conditional",)

    class AsyncOnly(FlyteCodemod):
        REQUIRES_OPTION = "async_style"

    assert should_run(Needs, "from flytekit import conditional as c", RewriteOptions())
    assert not should_run(Needs, "from flytekit import task", RewriteOptions())
    assert not should_run(AsyncOnly, "anything", RewriteOptions())
    assert should_run(AsyncOnly, "anything", RewriteOptions(async_style=True))


class _GatedByMatcher(FlyteCodemod):
    """Uses a matcher decorator: must get LibCST's full matcher machinery, not the fast dispatch.

    (``@m.visit``/``@m.leave`` cannot be used: ``FlyteCodemod.matches`` takes qualified names and
    shadows the matcher ``matches`` those decorators call; ``@m.call_if_inside`` does not use it.)
    """

    @m.call_if_inside(m.FunctionDef(name=m.Name("f")))
    def leave_Integer(self, original_node: cst.Integer, updated_node: cst.Integer) -> cst.Integer:
        return updated_node.with_changes(value="2")


class _Plain(FlyteCodemod):
    """Fast dispatch: visit/leave methods by node type, attribute hooks, pruning by returning False."""

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.seen: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node.name.value != "skip"

    def visit_Call_func(self, node: cst.Call) -> None:
        self.seen.append(cst.Module([]).code_for_node(node.func))

    def leave_Integer(self, original_node: cst.Integer, updated_node: cst.Integer) -> cst.Integer:
        return updated_node.with_changes(value="2")


def _run(codemod: FlyteCodemod, source: str) -> str:
    tree = cst.parse_module(source)
    new_tree, code = Runner().run_command(codemod, tree, tree.code)
    assert new_tree.code == code
    return code


def test_matcher_decorated_codemod_keeps_libcst_dispatch() -> None:
    codemod = _GatedByMatcher(CodemodContext())
    assert codemod._fast is None
    source = "def f():\n    x = 1\n\ndef g():\n    y = 1\n"
    assert _run(codemod, source) == "def f():\n    x = 2\n\ndef g():\n    y = 1\n"


def test_fast_dispatch_visits_attributes_and_prunes() -> None:
    codemod = _Plain(CodemodContext())
    assert codemod._fast is not None
    source = "def f():\n    g(1)\n\ndef skip():\n    h(1)\n"
    assert _run(codemod, source) == "def f():\n    g(2)\n\ndef skip():\n    h(1)\n"
    assert codemod.seen == ["g"]
