"""The base class of every lint rule and the per-file context rules report into.

A rule is a LibCST ``BatchableCSTVisitor``: the runner (``flytemigrate.lint.runner``) builds one
instance of every selected rule per file and visits the module once with all of them (a batched
visit like ``MetadataWrapper.visit_batched``), so metadata such as qualified names and scopes is
computed a single time per file however many rules are enabled. Metadata is resolved lazily: a
provider listed in ``METADATA_DEPENDENCIES`` is computed for a file only when a rule first asks
for it (``get_metadata``), so declaring ``ParentNodeProvider`` costs nothing on files where the
rule never needs a parent. Visitor return values are ignored (a rule cannot prune the walk).

Writing a rule:

* one module per rule in ``flytemigrate/lint/rules/``, one ``Rule`` subclass, listed in
  ``flytemigrate/lint/registry.py``;
* class attributes ``code`` (``FM101``), ``name`` (kebab-case), ``severity``, ``VALID`` and
  ``INVALID`` (source snippets; tests are generated from them), optionally ``PREFILTER`` and
  ``REQUIRES_FLYTE`` (text pre-checks, see below);
* a docstring in four parts, which ``flytemigrate explain`` and ``docs/rules.md`` render::

      One-paragraph summary of what the rule flags (first line = the summary in `rules`).

      Why it breaks in Flyte 2:
          ...

      Example:
          <code>

      Use instead:
          <code>

      Fix safety:            (optional; only for rules that offer a fix)
          ...

* ``self.report(node, message, help=..., replacement=...)`` records a finding; ``replacement``
  is a *safe* autofix replacing ``node`` (applied by ``lint --fix``);
* ``self.context.analysis`` is the shared module analysis (tasks, drivers, traces) computed
  lazily once per file by ``flytemigrate.lint.analysis.analyze``.

Start-up budget: ``flytemigrate lint one_file.py`` must start in well under 0.4 s because
pre-commit runs it on every commit. Rule modules must not import ``libcst.matchers`` or
``libcst.codemod`` (together ~0.16 s of imports); compare node types and names directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from flytemigrate.diagnostics import Severity

if TYPE_CHECKING:  # pragma: no cover
    from flytemigrate.lint.analysis import ModuleAnalysis

__all__ = ["Finding", "LintContext", "Rule", "RuleDoc", "Severity", "rule_doc"]


@dataclass
class Finding:
    """One finding of one rule, before suppression and conversion to a ``Diagnostic``."""

    code: str
    message: str
    line: int
    column: int  # 1-based, in code points
    end_line: int
    end_column: int
    severity: Severity
    help: Optional[str] = None
    node: Optional[cst.CSTNode] = None
    replacement: Optional[cst.CSTNode] = None


@dataclass
class LintContext:
    """Everything a rule may look at for one file; ``analysis`` is computed on first use."""

    path: str
    source: str
    wrapper: MetadataWrapper
    findings: list[Finding] = field(default_factory=list)
    # (line of a `# TODO(flytemigrate ...)` comment, first and last line of the statement it
    # annotates), recorded by FM508 so the runner reports each marked construct once.
    todo_spans: list[tuple[int, int, int]] = field(default_factory=list)
    _analysis: Any = field(default=None, repr=False)
    _analysis_done: bool = field(default=False, repr=False)
    _positions: Any = field(default=None, repr=False)

    @property
    def module(self) -> cst.Module:
        return self.wrapper.module

    @property
    def positions(self):  # -> Mapping[CSTNode, CodeRange]
        """Node ranges exactly as ``PositionProvider`` gives them, computed on first use and
        much cheaper (``flytemigrate.lint.positions``); ``get_metadata(PositionProvider, ...)``
        in a rule reads this mapping too."""
        if self._positions is None:
            from flytemigrate.lint.positions import FastPositions

            self._positions = FastPositions(self.wrapper.module, self.source)
        return self._positions

    @property
    def analysis(self) -> "ModuleAnalysis":
        """Tasks, drivers and traces of this module (``flytemigrate.lint.analysis``), computed once."""
        if not self._analysis_done:
            from flytemigrate.lint.analysis import analyze

            self._analysis = analyze(self.wrapper, self.path)
            self._analysis_done = True
        return self._analysis


class Rule(cst.BatchableCSTVisitor):
    """Base class of lint rules: qualified-name helpers and ``report``.

    Subclasses set ``code``, ``name``, ``severity``, ``VALID``, ``INVALID`` and implement
    ``visit_*``/``leave_*`` methods. They must not mutate the tree.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []
    # Cheap text pre-checks that let the runner skip rules (and the parse, when no rule is left)
    # on files that cannot contain a finding: the rule runs only if the source mentions "flyte"
    # (unless REQUIRES_FLYTE is False) and contains at least one PREFILTER substring (if any).
    PREFILTER: ClassVar[tuple[str, ...]] = ()
    REQUIRES_FLYTE: ClassVar[bool] = True

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, context: LintContext) -> None:
        super().__init__()
        self.context = context

    # -- helpers -----------------------------------------------------------------------------

    @classmethod
    def applies_to(cls, source: str) -> bool:
        """Whether the text pre-checks let this rule run on ``source``."""
        if cls.REQUIRES_FLYTE and "flyte" not in source:
            return False
        return not cls.PREFILTER or any(token in source for token in cls.PREFILTER)

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring: the one-line description shown by ``flytemigrate rules``."""
        return rule_doc(cls).summary

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Fully qualified names ``node`` may refer to, deep flytekit paths folded to public names.

        A ``Call`` has no name of its own (LibCST would report its callee's, which makes
        ``map_task(t)(x=xs)`` look like two ``map_task`` calls): pass ``call.func`` instead.
        """
        if isinstance(node, cst.Call):
            return set()
        names = self.get_metadata(QualifiedNameProvider, node, set()) or set()
        return {public_name(q.name) for q in names}

    def matches(self, node: cst.CSTNode, *names: str) -> bool:
        """Whether ``node`` refers to one of ``names`` (public qualified names)."""
        return bool(self.qualified_names(node) & set(names))

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        help: Optional[str] = None,
        severity: Optional[Severity] = None,
        replacement: Optional[cst.CSTNode] = None,
    ) -> None:
        """Record a finding at ``node``; ``replacement`` is a safe autofix that replaces ``node``."""
        try:
            span = self.get_metadata(PositionProvider, node)
            line, column = span.start.line, span.start.column + 1
            end_line, end_column = span.end.line, span.end.column + 1
        except KeyError:  # only nodes of the visited tree have positions
            line = column = end_line = end_column = 1
        self.context.findings.append(
            Finding(
                code=self.code,
                message=message,
                help=help,
                severity=severity or self.severity,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                node=node,
                replacement=replacement,
            )
        )


def public_name(qualified: str) -> str:
    """Fold a deep flytekit path onto its public name: ``flytekit.core.task.task`` -> ``flytekit.task``.

    Same folding as ``flytemigrate.codemods.base.public_name`` (a test keeps them in step). It is
    repeated here because importing the codemods package pulls in ``libcst.codemod`` and
    ``libcst.matchers`` (~0.2 s), which would blow the lint start-up budget for pre-commit.
    """
    if not qualified.startswith("flytekit."):
        return qualified
    parts = qualified.split(".")
    if len(parts) > 2 and parts[1] in {"core", "types", "models", "extend", "deck", "experimental"}:
        return f"flytekit.{parts[-1]}"
    return qualified


# -- docstrings ---------------------------------------------------------------------------------

SECTION_TITLES = ("Why it breaks in Flyte 2", "Example", "Use instead", "Fix safety")
_SECTION_RE = re.compile(r"^(%s):\s*$" % "|".join(re.escape(t) for t in SECTION_TITLES))


@dataclass
class RuleDoc:
    """A rule docstring split into its parts (see the module docstring for the format)."""

    summary: str
    description: str
    sections: dict[str, str]

    @property
    def why(self) -> str:
        return self.sections.get("Why it breaks in Flyte 2", "")

    @property
    def example(self) -> str:
        return self.sections.get("Example", "")

    @property
    def instead(self) -> str:
        return self.sections.get("Use instead", "")

    @property
    def fix_safety(self) -> str:
        return self.sections.get("Fix safety", "")


def _dedent_block(lines: list[str]) -> str:
    import textwrap

    return textwrap.dedent("\n".join(lines)).strip("\n")


def rule_doc(rule: type) -> RuleDoc:
    """Parse a rule class's docstring into summary, description and named sections."""
    import inspect

    text = inspect.cleandoc(rule.__doc__ or "")
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current: Optional[list[str]] = None
    for line in text.splitlines():
        match = _SECTION_RE.match(line)
        if match:
            current = sections.setdefault(match.group(1), [])
            continue
        (current if current is not None else head).append(line)
    description = "\n".join(head).strip()
    summary = " ".join(description.split("\n\n", 1)[0].split()) if description else ""
    return RuleDoc(
        summary=summary,
        description=description,
        sections={title: _dedent_block(lines) for title, lines in sections.items()},
    )
