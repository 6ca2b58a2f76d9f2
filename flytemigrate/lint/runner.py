"""Lint one source: parse once, run every selected rule in one batched visit, apply suppressions.

``lint_source`` is the library entry point; ``lint_worker`` adapts it to the engine's worker
signature so ``flytemigrate.engine.process`` can spread files over a process pool.

Cost control: each rule declares a text ``PREFILTER``; a file that no selected rule can apply to
(and that has no suppression comment) is not even parsed, so a repository's non-Flyte files cost
a substring search. Metadata is resolved once per file for the union of the rules' dependencies.

``--fix``: the safe replacements reported by rules are applied in one transform, the result is
re-parsed and linted again (a fix can enable or disable other findings), up to a few rounds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flytemigrate.diagnostics import Diagnostic, FileResult, Fix, Severity
from flytemigrate.lint import suppression
from flytemigrate.lint.base import Finding, LintContext, Rule

SYNTAX_ERROR = "FM002"
INTERNAL_ERROR = "FM001"
# A fix that keeps producing fixes is a bug in a rule; stop rather than loop.
_MAX_FIX_ROUNDS = 5


@dataclass(frozen=True)
class LintOptions:
    """What to lint for; picklable so process-pool workers receive it."""

    codes: Optional[frozenset[str]] = None  # enabled codes; None = every registered rule
    fix: bool = False
    # (gitwildmatch pattern, codes/prefixes to ignore) pairs, matched against the path relative to root.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: Optional[str] = None


@dataclass
class LintOutput:
    """Diagnostics of one source and, when fixes were applied, the fixed source."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed_source: Optional[str] = None
    fixes_applied: int = 0
    syntax_error: Optional[str] = None


def _all_rules() -> list[type[Rule]]:
    from flytemigrate.lint.registry import ALL_RULES

    return ALL_RULES


def file_codes(path: str, options: LintOptions) -> frozenset[str]:
    """The codes enabled for ``path`` after ``per-file-ignores``."""
    codes = options.codes if options.codes is not None else frozenset(r.code for r in _all_rules())
    if not options.per_file_ignores or path == "-":
        return codes
    import pathspec

    absolute = os.path.abspath(path)
    candidates = {path.replace(os.sep, "/").removeprefix("./")}
    if options.root:
        rel = os.path.relpath(absolute, options.root)
        if not rel.startswith(".."):
            candidates.add(rel.replace(os.sep, "/"))
    ignored: set[str] = set()
    for pattern, prefixes in options.per_file_ignores:
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        if any(spec.match_file(c) for c in candidates):
            ignored.update(code for code in codes if any(code.startswith(p) for p in prefixes))
    return codes - ignored


def _diagnostic(path: str, finding: Finding, module: Optional[cst.Module]) -> Diagnostic:
    fix = None
    if finding.replacement is not None and module is not None:
        new = module.code_for_node(finding.replacement)
        fix = Fix(description=f"replace with `{new}`", safe=True)
    return Diagnostic(
        code=finding.code,
        message=finding.message,
        path=path,
        line=finding.line,
        column=finding.column,
        end_line=finding.end_line,
        end_column=finding.end_column,
        severity=finding.severity,
        help=finding.help,
        fix=fix,
    )


class LazyMetadata(Mapping):
    """The ``metadata`` mapping given to every rule: a provider is resolved on first access.

    Rules declare providers in ``METADATA_DEPENDENCIES`` as usual, but nothing is computed for a
    file until a rule actually asks (``PositionProvider`` only when there is a finding,
    ``ParentNodeProvider`` only when a rule needs a parent). The wrapper caches each result, so
    every provider is still computed at most once per file, shared by all rules and the analysis.
    ``PositionProvider`` is served by ``LintContext.positions`` (same ranges, computed cheaply).
    """

    def __init__(self, context: LintContext, providers: frozenset) -> None:
        self._context = context
        self._providers = providers

    def __getitem__(self, provider):
        if provider not in self._providers:
            raise KeyError(provider)
        if provider is PositionProvider:
            return self._context.positions  # same ranges, a fraction of the cost
        return self._context.wrapper.resolve(provider)

    def __contains__(self, provider: object) -> bool:
        return provider in self._providers

    def __iter__(self):
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)


# Per rule class: its visit_*/leave_* method names, split by kind (computed once per process).
_METHOD_CACHE: dict[type, tuple[tuple[str, str, Optional[str]], ...]] = {}


def _visitor_methods(cls: type) -> tuple[tuple[str, str, Optional[str]], ...]:
    """``(method name, node type name, attribute or None)`` for each visitor method of ``cls``."""
    cached = _METHOD_CACHE.get(cls)
    if cached is None:
        # Only classes between the rule and ``Rule`` define visitor methods; LibCST's base
        # classes hold ~900 typed no-op stubs that ``dir()`` would make us inspect one by one.
        names: set[str] = set()
        for klass in cls.__mro__:
            if klass is Rule or not (isinstance(klass, type) and issubclass(klass, Rule)):
                continue
            names.update(klass.__dict__)
        found = []
        for name in sorted(names):
            kind, _, rest = name.partition("_")
            if kind not in ("visit", "leave") or not rest or not rest[0].isupper():
                continue
            if not callable(getattr(cls, name)) or getattr(getattr(cls, name), "_is_no_op", False):
                continue
            node_type, _, attribute = rest.partition("_")
            found.append((name, node_type, attribute or None))
        cached = _METHOD_CACHE[cls] = tuple(found)
    return cached


class _Dispatcher(cst.CSTVisitor):
    """Runs many rules in one traversal, like ``libcst.visit_batched`` but with the per-class
    method lookup cached (LibCST re-inspects every visitor instance for every file, which cost
    more than all the rules' work together).

    A rule that raises is switched off for the rest of the file and recorded in ``crashed``;
    the other rules' findings are kept, so one buggy rule never hides everything else.
    """

    def __init__(self, rules: list[Rule]) -> None:
        super().__init__()
        self.crashed: dict[str, str] = {}
        self._visit: dict[str, list] = {}
        self._leave: dict[str, list] = {}
        self._visit_attr: dict[tuple[str, str], list] = {}
        self._leave_attr: dict[tuple[str, str], list] = {}
        for rule in rules:
            for name, node_type, attribute in _visitor_methods(type(rule)):
                entry = (rule, getattr(rule, name))
                if attribute is None:
                    table = self._visit if name.startswith("visit") else self._leave
                    table.setdefault(node_type, []).append(entry)
                else:
                    table_attr = self._visit_attr if name.startswith("visit") else self._leave_attr
                    table_attr.setdefault((node_type, attribute), []).append(entry)

    def _call(self, entries, node: cst.CSTNode) -> None:
        for rule, method in entries:
            try:
                method(node)
            except Exception as exc:  # noqa: BLE001 - isolate a buggy rule, report it as FM001
                self._disable(rule, exc)

    def _disable(self, rule: Rule, exc: Exception) -> None:
        self.crashed[rule.code] = f"{type(exc).__name__}: {exc}"
        for table in (self._visit, self._leave, self._visit_attr, self._leave_attr):
            for key, entries in table.items():
                table[key] = [entry for entry in entries if entry[0] is not rule]

    def on_visit(self, node: cst.CSTNode) -> bool:
        entries = self._visit.get(type(node).__name__)
        if entries:
            self._call(entries, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        entries = self._leave.get(type(original_node).__name__)
        if entries:
            self._call(entries, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self._visit_attr:
            entries = self._visit_attr.get((type(node).__name__, attribute))
            if entries:
                self._call(entries, node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self._leave_attr:
            entries = self._leave_attr.get((type(original_node).__name__, attribute))
            if entries:
                self._call(entries, original_node)


def run_rules(context: LintContext, rules: list[Rule]) -> dict[str, str]:
    """Visit the module once with all ``rules``, metadata resolved lazily and shared.

    Returns ``{code: error}`` for rules that raised (their findings are dropped).
    """
    providers = frozenset().union(*(type(rule).get_inherited_dependencies() for rule in rules))
    metadata = LazyMetadata(context, providers)
    for rule in rules:
        rule.metadata = metadata
    dispatcher = _Dispatcher(rules)
    context.wrapper.module.visit(dispatcher)
    return dispatcher.crashed


class _ApplyReplacements(cst.CSTTransformer):
    """Replace nodes (by identity) with the rules' safe fixes; an outer fix wins over inner ones."""

    def __init__(self, replacements: dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.replacements = replacements
        self.applied = 0

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        replacement = self.replacements.get(id(original_node))
        if replacement is None:
            return updated_node
        self.applied += 1
        return replacement


# The TODO marker rule, and the leftover codes whose findings a marker on the same statement
# already covers (the rewrite says what to do there; two findings for one construct is noise).
_TODO_CODE = "FM508"
_FOLDED_PREFIX = "FM5"


def _fold_into_todos(findings: list[Finding], spans: list[tuple[int, int, int]]) -> list[Finding]:
    """Drop FM5xx findings on statements that carry a reported ``# TODO(flytemigrate ...)``."""
    if not spans:
        return findings
    reported = {f.line for f in findings if f.code == _TODO_CODE}
    covered = [(start, end) for line, start, end in spans if line in reported]
    if not covered:
        return findings
    return [
        f
        for f in findings
        if f.code == _TODO_CODE
        or not f.code.startswith(_FOLDED_PREFIX)
        or not any(start <= f.line <= end for start, end in covered)
    ]


def _lint_once(source: str, path: str, codes: frozenset[str]) -> tuple[list[Finding], Optional[cst.Module], list[Diagnostic], Optional[str]]:
    """One lint pass: ``(kept findings, module, meta diagnostics, syntax error message)``."""
    rules = [r for r in _all_rules() if r.code in codes and r.code not in suppression.META_CODES and r.applies_to(source)]
    check_suppressions = suppression.might_have_suppressions(source) and bool(codes & suppression.META_CODES)
    if not rules and not check_suppressions:
        return [], None, [], None
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return [], None, [], f"syntax error: {exc.message} (line {exc.raw_line}, column {exc.raw_column + 1})"
    # We own the freshly parsed tree, so skip the defensive deep copy.
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = LintContext(path=path, source=source, wrapper=wrapper)
    crashed = run_rules(context, [rule(context) for rule in rules]) if rules else {}

    found = suppression.collect(wrapper, source, context.positions)
    kept = [f for f in context.findings if f.code not in crashed and not found.suppresses(f.code, f.line)]
    kept = _fold_into_todos(kept, context.todo_spans)
    meta: list[Diagnostic] = [
        Diagnostic(
            code=INTERNAL_ERROR,
            message=f"rule {code} failed on this file (a flytemigrate bug; other rules ran): {error}",
            path=path,
            severity=Severity.ERROR,
            help="please report it; meanwhile `--ignore` the rule for this file",
        )
        for code, error in sorted(crashed.items())
    ]
    if suppression.UNUSED_SUPPRESSION in codes:
        known = {r.code for r in _all_rules()}
        for item, code, message in suppression.unused(found, ran=codes, known=known):
            meta.append(
                Diagnostic(
                    code=suppression.UNUSED_SUPPRESSION,
                    message=message,
                    path=path,
                    line=item.line,
                    column=item.column,
                    end_line=item.line,
                    end_column=item.end_column,
                    severity=Severity.WARNING,
                    help=f"remove {code} from the suppression comment",
                )
            )
    if suppression.MISSING_CODE in codes:
        for line, column, end_column in found.missing_code:
            meta.append(
                Diagnostic(
                    code=suppression.MISSING_CODE,
                    message="suppression comment names no rule code",
                    path=path,
                    line=line,
                    column=column,
                    end_line=line,
                    end_column=end_column,
                    help="name the codes to ignore: `# flytemigrate: ignore[FM101]`",
                )
            )
    return kept, wrapper.module, meta, None


def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        return False
    return True


def lint_source(source: str, path: str = "-", options: Optional[LintOptions] = None) -> LintOutput:
    """Lint ``source``; with ``options.fix`` apply safe fixes and report what remains."""
    options = options or LintOptions()
    codes = file_codes(path, options)
    output = LintOutput()
    current = source
    for _round in range(_MAX_FIX_ROUNDS + 1):
        findings, module, meta, error = _lint_once(current, path, codes)
        if error is not None:
            output.syntax_error = error
            output.diagnostics = [
                Diagnostic(code=SYNTAX_ERROR, message=error, path=path, severity=Severity.ERROR,
                           help="flytemigrate lints only code that parses")
            ]
            break
        fixable = {id(f.node): f.replacement for f in findings if f.replacement is not None and f.node is not None}
        if options.fix and fixable and module is not None and _round < _MAX_FIX_ROUNDS:
            transformer = _ApplyReplacements(fixable)  # type: ignore[arg-type]
            fixed = module.visit(transformer).code
            # A fix must never turn parsing code into code that does not parse; if one did
            # (a rule bug), keep the code as it is and report the findings unfixed.
            if fixed != current and _parses(fixed):
                output.fixes_applied += transformer.applied
                current = fixed
                continue
        output.diagnostics = [_diagnostic(path, f, module) for f in findings] + meta
        break
    output.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
    if current != source:
        output.fixed_source = current
    return output


def lint_notebook(path: str, text: str, options: LintOptions) -> FileResult:
    """Lint the code cells of a notebook; lines are reported within their cell (``[cell 3]``).
    ``--fix`` is not applied to notebooks (their JSON is left as it is)."""
    from flytemigrate.lint.notebook import NotebookError, notebook_script

    try:
        script = notebook_script(text)
    except NotebookError as exc:
        message = str(exc)
        return FileResult(
            path=path,
            status="failed",
            error=message,
            diagnostics=[Diagnostic(code="FM000", message=message, path=path, severity=Severity.ERROR)],
        )
    output = lint_source(script.source, path, LintOptions(options.codes, False, options.per_file_ignores, options.root))
    diagnostics = []
    for d in output.diagnostics:
        if d.line is not None:
            cell, line = script.cell_position(d.line)
            end = script.cell_position(d.end_line)[1] if d.end_line is not None else None
            d = d.model_copy(update={"line": line, "end_line": end, "message": f"[cell {cell}] {d.message}"})
        diagnostics.append(d)
    status = "failed" if output.syntax_error is not None else "unchanged"
    return FileResult(path=path, status=status, error=output.syntax_error, diagnostics=diagnostics)


def lint_worker(path: str, source: str, options: LintOptions) -> FileResult:
    """Engine worker (module-level so process pools can pickle it)."""
    if path.endswith(".ipynb"):
        return lint_notebook(path, source, options)
    output = lint_source(source, path, options)
    if output.syntax_error is not None:
        return FileResult(path=path, status="failed", error=output.syntax_error, diagnostics=output.diagnostics)
    changed = output.fixed_source is not None
    return FileResult(
        path=path,
        status="changed" if changed else "unchanged",
        diagnostics=output.diagnostics,
        new_source=output.fixed_source,
        old_source=source if changed else None,
    )
