"""GitHub Actions workflow commands: one ``::warning file=...::message`` line per diagnostic.

GitHub turns these into annotations on the pull request diff. Values are escaped as the runner
expects: ``%``, CR and LF in messages; additionally ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from typing import Optional

from flytemigrate.diagnostics import Diagnostic, FileResult, Severity

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_diagnostic(diagnostic: Diagnostic, names: Optional[dict[str, str]] = None) -> str:
    name = (names or {}).get(diagnostic.code)
    title = f"{diagnostic.code} {name}" if name else diagnostic.code
    properties = [f"file={_escape_property(diagnostic.path)}", f"line={diagnostic.line}", f"col={diagnostic.column}"]
    if diagnostic.end_line is not None:
        properties.append(f"endLine={diagnostic.end_line}")
    if diagnostic.end_column is not None:
        properties.append(f"endColumn={diagnostic.end_column}")
    properties.append(f"title={_escape_property(title)}")
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    return f"::{_LEVELS[diagnostic.severity]} {','.join(properties)}::{_escape_data(message)}"


def render(results: list[FileResult], names: Optional[dict[str, str]] = None) -> str:
    """All annotation lines for ``results``; ``names`` maps codes to rule names for titles."""
    lines = [
        format_diagnostic(d, names)
        for result in results
        for d in sorted(result.diagnostics, key=lambda d: (d.line, d.column, d.code))
    ]
    return "".join(line + "\n" for line in lines)
