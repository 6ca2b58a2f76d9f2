"""Machine-readable JSON report: the ``Report`` model (command, per-file results, summary)."""

from __future__ import annotations

from flytemigrate.diagnostics import FileResult, Report, Summary


def render(results: list[FileResult], command: str = "lint") -> str:
    """The JSON document for ``results``; stable field names, one object per file."""
    return Report(command=command, files=results, summary=Summary.of(results)).model_dump_json(indent=2) + "\n"
