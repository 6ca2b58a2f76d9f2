"""Lint fixture files and compare with the ``# want: FM101`` comments they carry.

Every ``fixtures/lint/**/*.py`` file is linted with all rules enabled. A ``# want: CODE[, CODE]``
comment marks the line on which each listed code must be reported (the line where the finding
starts); every finding must be wanted and every wanted code must be found. Files without any
``want`` comment therefore assert that nothing at all is reported.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from flytemigrate.lint.runner import lint_source

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures" / "lint").rglob("*.py"))
WANT_RE = re.compile(r"#\s*want:\s*(?P<codes>FM\d{3}(?:\s*,\s*FM\d{3})*)")


def wanted(source: str) -> set[tuple[int, str]]:
    """``(line, code)`` pairs from ``# want:`` comments (real comments only, via tokenize)."""
    out = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = WANT_RE.search(token.string)
        if match:
            out.update((token.start[0], code.strip()) for code in match.group("codes").split(","))
    return out


def test_fixtures_exist():
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures" / "lint")))
def test_fixture(path: Path):
    source = path.read_text(encoding="utf-8")
    output = lint_source(source, str(path.relative_to(ROOT)))
    assert output.syntax_error is None, output.syntax_error
    found = {(d.line, d.code) for d in output.diagnostics}
    expected = wanted(source)
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    details = "\n".join(f"  {d.line}:{d.column} {d.code} {d.message}" for d in output.diagnostics)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}\nall findings:\n{details}"


def test_want_parser_reads_only_comments():
    source = 'x = "# want: FM501"\ny = 1  # want: FM501, FM502\n'
    assert wanted(source) == {(2, "FM501"), (2, "FM502")}
