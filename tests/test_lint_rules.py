"""Tests generated from every registered rule's VALID and INVALID examples and its docstring.

Each example is linted with *all* rules enabled (as users run it), and only the findings of the
rule that owns the example are checked: a VALID example must produce none, an INVALID example at
least one. Every rule must also document itself in the four-part docstring format.
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from flytemigrate.lint.base import rule_doc
from flytemigrate.lint.registry import ALL_RULES
from flytemigrate.lint.runner import LintOptions, lint_source

CASES = [
    pytest.param(rule, kind, index, example, id=f"{rule.code}-{kind}-{index}")
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES)
def test_rule_example(rule, kind, index, example):
    cst.parse_module(example)  # an example that does not parse tests nothing
    output = lint_source(example, path="example.py")
    assert output.syntax_error is None
    own = [d for d in output.diagnostics if d.code == rule.code]
    if kind == "valid":
        assert own == [], f"{rule.code} VALID[{index}] flagged:\n{example}\n{own}"
    else:
        assert own, f"{rule.code} INVALID[{index}] not flagged:\n{example}\nall findings: {output.diagnostics}"
        for diagnostic in own:
            assert diagnostic.message and diagnostic.line >= 1 and diagnostic.column >= 1


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_metadata_and_docstring(rule):
    assert re.fullmatch(r"FM\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert rule.VALID and rule.INVALID, "every rule needs VALID and INVALID examples"
    doc = rule_doc(rule)
    assert doc.summary, "docstring needs a summary line"
    assert doc.why and doc.example and doc.instead, f"{rule.code} docstring lacks a section: {doc.sections.keys()}"


def test_codes_and_names_are_unique():
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)




@pytest.mark.parametrize(
    ("rule", "example"),
    [pytest.param(r, e, id=f"{r.code}-{i}") for r in ALL_RULES for i, e in enumerate(r.INVALID)],
)
def test_fix_is_safe_and_stable(rule, example):
    """Applying the safe fixes yields code that parses and a second --fix changes nothing more."""
    fixed = lint_source(example, "example.py", LintOptions(fix=True))
    if fixed.fixed_source is None:
        return
    cst.parse_module(fixed.fixed_source)
    again = lint_source(fixed.fixed_source, "example.py", LintOptions(fix=True))
    assert again.fixed_source is None
    assert not [d for d in again.diagnostics if d.fix is not None]


def test_public_name_matches_codemods():
    """The lint copy of ``public_name`` (kept to avoid importing libcst.codemod) stays in step."""
    from flytemigrate.codemods.base import public_name as codemod_public_name
    from flytemigrate.lint.base import public_name

    for name in (
        "flytekit.core.task.task", "flytekit.task", "flytekit.types.file.file.FlyteFile",
        "flytekit.core.context_manager.FlyteContextManager.current_context", "flytekitplugins.x.y",
        "flytekit.experimental.eager", "flyte.map", "flytekit", "builtins.list",
    ):
        assert public_name(name) == codemod_public_name(name), name


def test_rules_markdown_has_a_section_per_rule():
    from flytemigrate.lint.docs import render_rules_md

    text = render_rules_md()
    for rule in ALL_RULES:
        assert f"### {rule.code} `{rule.name}`" in text
        assert f"](#{rule.code.lower()}-{rule.name})" in text
    assert text.count("#### Why it breaks in Flyte 2") == len(ALL_RULES)


def test_a_crashing_rule_is_isolated(monkeypatch):
    """A rule that raises is reported as FM001 and the other rules' findings are kept."""
    from flytemigrate.lint import registry
    from flytemigrate.lint.base import Rule

    class Exploding(Rule):
        """Raises on every name (test double)."""

        code = "FM399"
        name = "exploding"

        def visit_Name(self, node):
            raise RuntimeError("boom")

    monkeypatch.setattr(registry, "ALL_RULES", [*registry.ALL_RULES, Exploding])
    output = lint_source("import flytekit\n", "x.py")
    codes = [d.code for d in output.diagnostics]
    assert "FM501" in codes
    crash = next(d for d in output.diagnostics if d.code == "FM001")
    assert "FM399" in crash.message and "boom" in crash.message


def test_files_without_flyte_are_not_parsed(monkeypatch):
    """The text pre-check skips non-Flyte files entirely (a syntax error there is not ours to
    report), but a migration TODO marker is reported in any file."""
    import libcst

    calls = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda src, *a, **k: calls.append(src) or real_parse(src, *a, **k))
    assert lint_source("def broken(:\n", "plain.py").diagnostics == []
    assert calls == []
    assert [d.code for d in lint_source("import flyte\ndef broken(:\n", "f.py").diagnostics] == ["FM002"]
    todo = lint_source("x = 1  # TODO(flytemigrate FM525): use flyte.ctx()\n", "plain.py")
    assert [d.code for d in todo.diagnostics] == ["FM508"]


POSITION_SOURCES = [
    "x = 1",  # no trailing newline
    "x = 1\r\ny = (\r\n  2,\r\n)\r\n",  # CRLF
    "def f():\n\tif x:\n\t\treturn 'é€'  # c\n",  # tabs, non-ASCII
    "",
    "\n\n",
    "a\\\n  + b\n",  # line continuation
    "@d\n# c\nclass A:\n    '''doc\n    string'''\n    x: int = 1\n",
    "async def f():\n    async with a as b:\n        await c\n    return [y async for y in z if y]\n",
]


@pytest.mark.parametrize(
    "source",
    POSITION_SOURCES + [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).resolve().parents[1].glob("fixtures/lint/**/*.py"))],
)
def test_fast_positions_equal_position_provider(source):
    """``LintContext.positions`` gives every node exactly ``PositionProvider``'s range."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from flytemigrate.lint.positions import FastPositions

    module = cst.parse_module(source)
    reference = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    fast = FastPositions(module, source)
    assert set(fast) == set(reference)
    mismatches = [(type(n).__name__, reference[n], fast[n]) for n in reference if fast[n] != reference[n]]
    assert mismatches == []


def test_a_fix_that_breaks_the_code_is_not_applied(monkeypatch):
    from flytemigrate.lint import registry
    from flytemigrate.lint.base import Rule

    class BadFix(Rule):
        """Replaces every integer with invalid code (test double)."""

        code = "FM398"
        name = "bad-fix"

        def visit_Integer(self, node):
            self.report(node, "integer", replacement=cst.Name("def"))

    monkeypatch.setattr(registry, "ALL_RULES", [*registry.ALL_RULES, BadFix])
    output = lint_source("import flyte\nx = 1\n", "x.py", LintOptions(fix=True))
    assert output.fixed_source is None
    assert [d.code for d in output.diagnostics] == ["FM398"]


def test_todo_marker_folds_leftovers_only_when_it_is_reported():
    """A TODO over a construct reports it once (FM508); with FM508 off, or the marker
    suppressed, the construct's own rule reports it again."""
    from flytemigrate.lint.runner import LintOptions, lint_source

    source = (
        "from flytekit import current_context\n\n"
        "def whoami() -> str:\n"
        "    # TODO(flytemigrate FM525): current_context() is gone: use flyte.ctx()\n"
        "    return current_context().execution_id.name\n"
    )
    codes = lambda out: [(d.line, d.code) for d in out.diagnostics]  # noqa: E731
    assert codes(lint_source(source, "x.py")) == [(1, "FM501"), (4, "FM508")]
    only_fm503 = LintOptions(codes=frozenset({"FM503"}))
    assert codes(lint_source(source, "x.py", only_fm503)) == [(5, "FM503")]
    suppressed = source.replace("    # TODO", "    # flytemigrate: ignore[FM508]\n    # TODO")
    assert codes(lint_source(suppressed, "x.py")) == [(1, "FM501"), (6, "FM503")]
