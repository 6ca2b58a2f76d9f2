"""``# flytemigrate: ignore[FM101]`` suppression comments.

Grammar: ``# flytemigrate: ignore[CODE, CODE...]`` anywhere in a comment. A code is required (a
bare ``ignore`` is itself reported, FM901) so that a suppression never silences more than the
author meant.

Scope:

* a comment at the end of a code line covers findings that start on that line;
* a comment on a line of its own covers the next code line (blank and comment lines between
  them are skipped, and covered too, for markers such as TODO comments), i.e. "the line above";
* if the covered line is part of a ``def`` or ``class`` header (from the first decorator to the
  colon), the suppression covers the whole function or class body.

A suppression code that silenced nothing while its rule ran is reported as FM900, as is a code
that is not a rule at all; both are meta-rules in ``flytemigrate.lint.rules``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Iterable, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

UNUSED_SUPPRESSION = "FM900"
MISSING_CODE = "FM901"
META_CODES = frozenset({UNUSED_SUPPRESSION, MISSING_CODE})

MARKER = "flytemigrate:"
_COMMENT_RE = re.compile(r"flytemigrate:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)


@dataclass
class Suppression:
    """One suppression comment: where it is, the codes it names, and the lines it covers."""

    line: int
    column: int  # 1-based
    end_column: int
    codes: tuple[str, ...]
    first_line: int
    last_line: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int) -> bool:
        return code in self.codes and self.first_line <= line <= self.last_line


@dataclass
class Suppressions:
    """All suppressions of one file, plus the malformed ones (no code) for FM901."""

    items: list[Suppression] = field(default_factory=list)
    missing_code: list[tuple[int, int, int]] = field(default_factory=list)  # (line, column, end_column)

    def suppresses(self, code: str, line: int) -> bool:
        """Whether a finding of ``code`` starting on ``line`` is suppressed; marks the use."""
        hit = False
        for item in self.items:
            if item.covers(code, line):
                item.used.add(code)
                hit = True
        return hit


def might_have_suppressions(source: str) -> bool:
    return MARKER in source


class _Headers(cst.CSTVisitor):
    """Collect ``(header_first, header_last, end)`` line ranges of every def and class."""

    def __init__(self, positions) -> None:
        super().__init__()
        self.positions = positions
        self.ranges: list[tuple[int, int, int]] = []

    def _record(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        span = self.positions[node]
        first = min([span.start.line] + [self.positions[d].start.line for d in node.decorators])
        body = node.body
        if isinstance(body, cst.IndentedBlock) and body.body:
            first_stmt = body.body[0]
            header_last = self.positions[first_stmt].start.line - len(getattr(first_stmt, "leading_lines", ())) - 1
        else:
            header_last = span.end.line
        self.ranges.append((first, max(header_last, span.start.line), span.end.line))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._record(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._record(node)


def parse_codes(raw: Optional[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    return tuple(code.strip().upper() for code in raw.split(",") if code.strip())


def collect(wrapper: MetadataWrapper, source: str, positions: Optional[Mapping] = None) -> Suppressions:
    """Find the suppression comments of the module in ``wrapper`` and compute what they cover.

    ``positions`` maps nodes to ``CodeRange`` (``PositionProvider``'s mapping by default).
    """
    result = Suppressions()
    if not might_have_suppressions(source):
        return result
    if positions is None:
        positions = wrapper.resolve(PositionProvider)
    comments = [(node, positions[node]) for node in positions if isinstance(node, cst.Comment)]
    found = []
    for node, span in comments:
        match = _COMMENT_RE.search(node.value)
        if match is None:
            continue
        codes = parse_codes(match.group("codes"))
        line, col = span.start.line, span.start.column
        if not codes:
            result.missing_code.append((line, col + 1, span.end.column + 1))
            continue
        found.append((line, col, span.end.column, codes))
    if not found:
        return result

    lines = source.splitlines()
    headers = _Headers(positions)
    wrapper.module.visit(headers)

    def is_code_line(number: int) -> bool:
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        return bool(text) and not text.startswith("#")

    for line, col, end_col, codes in sorted(found):
        own_line = not lines[line - 1][:col].strip() if line <= len(lines) else False
        target = line
        if own_line:
            target = line + 1
            while target <= len(lines) and not is_code_line(target):
                target += 1
        # From the comment itself: the comment lines in between (only FM508 reports on comment
        # lines) are covered too, so a suppression can sit above a TODO marker.
        first, last = (line if own_line else target), target
        for header_first, header_last, end in headers.ranges:
            if header_first <= target <= header_last:
                # The outermost header containing the line wins (a def line is only in one header).
                first, last = min(first, header_first), max(last, end)
        result.items.append(Suppression(line, col + 1, end_col + 1, codes, first, last))
    return result


def unused(suppressions: Suppressions, ran: Iterable[str], known: Iterable[str]) -> list[tuple[Suppression, str, str]]:
    """``(suppression, code, message)`` for each named code that suppressed nothing.

    A code whose rule did not run (not selected) cannot be judged and is skipped; a code that is
    no rule at all is always reported.
    """
    ran, known = set(ran), set(known)
    out = []
    for item in suppressions.items:
        for code in item.codes:
            if code not in known:
                out.append((item, code, f"suppression names unknown rule code {code}"))
            elif code in ran and code not in item.used:
                out.append((item, code, f"unused suppression: no {code} finding here"))
    return out
