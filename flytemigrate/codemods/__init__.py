"""The rewrite pipeline: every codemod, in order, applied to one module.

``transform_source`` is the single entry point used by the engine, the tests and verify. It
parses once, runs each codemod class of ``CODEMODS`` in order on the tree, and returns the new
code and the diagnostics the codemods reported.
Files that never mention flytekit are returned unchanged without being parsed: most files of a
monorepo are not Flyte code, and pre-commit runs on all of them. Likewise a codemod none of whose
``TRIGGERS`` words occur in the current code is not run at all, and ``pipeline.Runner`` applies
the rest without LibCST's per-command metadata and import analyses (see there).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext

from flytemigrate.codemods.base import CODE_KEY, DIAGNOSTICS_KEY, OPTIONS_KEY, RewriteOptions
from flytemigrate.codemods.lines import LineMap, to_original
from flytemigrate.codemods.pipeline import Runner, should_run
from flytemigrate.diagnostics import Diagnostic

__all__ = ["RewriteOptions", "TransformOutput", "transform_source", "codemod_classes"]


@dataclass
class TransformOutput:
    code: str
    diagnostics: list[Diagnostic] = field(default_factory=list)


def codemod_classes() -> list[type]:
    """The codemod classes in the order they run (imported lazily to keep CLI start-up fast)."""
    from flytemigrate.codemods.registry import CODEMODS

    return list(CODEMODS)


def needs_rewrite(source: str) -> bool:
    """Cheap pre-filter: only files that mention flytekit can contain Flyte 1 constructs."""
    return "flytekit" in source


def transform_source(
    source: str, path: str = "-", options: RewriteOptions | None = None, timings: dict[str, float] | None = None
) -> TransformOutput:
    """Rewrite one module. Raises ``libcst.ParserSyntaxError`` if the source does not parse.

    ``timings``, if given, accumulates CPU seconds per codemod and import visitor (benchmarks).
    """
    options = options or RewriteOptions()
    if not needs_rewrite(source):
        return TransformOutput(code=source)
    tree = cst.parse_module(source)
    context = CodemodContext(filename=path, full_module_name=None)
    context.scratch[OPTIONS_KEY] = options
    context.scratch[DIAGNOSTICS_KEY] = []
    runner = Runner(timings)
    # Positions a codemod reports refer to the tree it received; map them back to the original.
    line_maps: list[LineMap] = []
    code = source
    for codemod_class in codemod_classes():
        if not should_run(codemod_class, code, options):
            continue
        context.scratch[CODE_KEY] = code
        codemod = codemod_class(context)
        reported = len(context.scratch[DIAGNOSTICS_KEY])
        tree, code = runner.run_command(codemod, tree, code)
        for diagnostic in context.scratch[DIAGNOSTICS_KEY][reported:]:
            diagnostic.line = to_original(diagnostic.line, line_maps)
        if runner.changed:
            line_maps.append(LineMap(runner.previous_code, code))
    tree, code = runner.finish(context, tree, code)
    # A codemod must never produce code that does not parse; fail loudly rather than write it.
    # CPython's own parser is the authority on that, and costs a fraction of a LibCST parse.
    if code != source:
        try:
            ast.parse(code, filename=path)
        except SyntaxError as exc:
            raise RuntimeError(f"the rewrite produced code that does not parse (line {exc.lineno}): {exc.msg}") from exc
    return TransformOutput(code=code, diagnostics=list(context.scratch[DIAGNOSTICS_KEY]))
