"""FM508 unresolved-todo."""

from __future__ import annotations

import re
from typing import ClassVar, Optional, Sequence

import libcst as cst
from libcst.metadata import PositionProvider

from flytemigrate.lint.base import Rule, Severity

_TODO_RE = re.compile(r"TODO\(flytemigrate(?:\s+(?P<code>FM\d+))?\)\s*:?\s*(?P<text>.*)")


class UnresolvedTodo(Rule):
    """Flags `# TODO(flytemigrate FMxxx): ...` markers that `flytemigrate rewrite` left behind.

    When a construct cannot be converted safely, the rewrite leaves the code in place with a
    TODO comment saying what to do. The linter keeps reporting each marker until a person has
    done the work and deleted the comment. This rule runs on every file, Flyte import or not.
    A statement marked by a TODO is reported once, by this rule: other migration-leftover
    findings (FM5xx) on the same statement are folded into the TODO's.

    Why it breaks in Flyte 2:
        The code next to the marker is still Flyte 1 code or semantically different under
        Flyte 2 (the marker says how); leaving it means shipping a known behaviour change.

    Example:
        # TODO(flytemigrate FM506): map_task min_success_ratio=0.8 has no direct Flyte 2 equivalent
        results = map_task(square, min_success_ratio=0.8)(x=xs)

    Use instead:
        outcomes = list(flyte.map(square, xs))   # exceptions come back as values
        failures = [o for o in outcomes if isinstance(o, Exception)]
        if len(failures) > 0.2 * len(outcomes):
            raise RuntimeError(f"{len(failures)} of {len(outcomes)} items failed")
    """

    code: ClassVar[str] = "FM508"
    name: ClassVar[str] = "unresolved-todo"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("TODO(flytemigrate",)
    # Runs on every file: markers and suppressions matter whether or not Flyte is imported.
    REQUIRES_FLYTE: ClassVar[bool] = False
    VALID: ClassVar[list[str]] = [
        "import flyte\n# TODO: tidy this up\nx = 1\n",
        "msg = '# TODO(flytemigrate FM501): in a string is not a comment'\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "# TODO(flytemigrate FM506): check failure handling\nx = 1\n",
        "import flyte\ny = compute()  # TODO(flytemigrate): verify the cache version\n",
        "def f(\n    a,  # TODO(flytemigrate FM301): annotate\n):\n    pass\n",
    ]

    # -- statements a TODO comment annotates (see LintContext.todo_spans) ----------------------

    def _marked(self, node: cst.CSTNode, leading: Sequence[cst.EmptyLine], header_of: Optional[cst.BaseSuite] = None) -> None:
        comments = [line.comment for line in leading if line.comment is not None and _TODO_RE.search(line.comment.value)]
        if not comments:
            return
        span = self.get_metadata(PositionProvider, node)
        first, last = span.start.line, span.end.line
        decorators = getattr(node, "decorators", ())
        if decorators:  # a def/class range starts at `def`/`class`; its header at the first decorator
            first = min(first, self.get_metadata(PositionProvider, decorators[0]).start.line)
        if isinstance(header_of, cst.IndentedBlock) and header_of.body:
            last = self.get_metadata(PositionProvider, header_of.body[0]).start.line - 1
        for comment in comments:
            line = self.get_metadata(PositionProvider, comment).start.line
            self.context.todo_spans.append((line, first, max(first, last)))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._marked(node, node.leading_lines)
        trailing = node.trailing_whitespace.comment
        if trailing is not None and _TODO_RE.search(trailing.value):
            span = self.get_metadata(PositionProvider, node)
            self.context.todo_spans.append((span.end.line, span.start.line, span.end.line))

    def _compound(self, node: cst.BaseCompoundStatement) -> None:
        # Only the header (decorators to the colon): the body has its own statements.
        leading = getattr(node, "leading_lines", ())
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            leading = [*leading, *(line for d in node.decorators for line in d.leading_lines)]
        self._marked(node, leading, getattr(node, "body", None))

    visit_FunctionDef = visit_ClassDef = visit_If = visit_For = visit_While = _compound
    visit_With = visit_Try = visit_TryStar = visit_Match = _compound

    def visit_Comment(self, node: cst.Comment) -> None:
        match = _TODO_RE.search(node.value)
        if match is None:
            return
        code = match.group("code")
        text = match.group("text").strip() or "(no description)"
        label = f" ({code})" if code else ""
        self.report(
            node,
            f"unresolved migration TODO{label}: {text}",
            help="do what the TODO says, then delete the comment",
        )
