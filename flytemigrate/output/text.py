"""Human-readable output: one line per diagnostic (``path:line:col: CODE message``) and a summary.

Diagnostics go to stdout in the same ``file:line:col`` shape as ruff and mypy so editors and
terminals make them clickable; progress and the summary go to stderr so ``-`` (stdin/stdout)
mode and redirections stay clean.
"""

from __future__ import annotations

from typing import TextIO

from flytemigrate.diagnostics import Diagnostic, FileResult, Summary


def format_diagnostic(diagnostic: Diagnostic) -> str:
    line = f"{diagnostic.location()}: {diagnostic.code} {diagnostic.message}"
    if diagnostic.help:
        line += f"\n    help: {diagnostic.help}"
    return line


def write_diagnostics(results: list[FileResult], stream: TextIO) -> None:
    for result in results:
        for diagnostic in sorted(result.diagnostics, key=lambda d: (d.line, d.column, d.code)):
            stream.write(format_diagnostic(diagnostic) + "\n")


def summary_line(command: str, summary: Summary, todos: int = 0) -> str:
    if command == "rewrite":
        parts = [
            f"{summary.changed} changed",
            f"{summary.unchanged} unchanged",
            f"{summary.failed} failed",
            f"{todos} TODO{'s' if todos != 1 else ''} left",
        ]
        return f"{summary.files} file{'s' if summary.files != 1 else ''}: " + ", ".join(parts)
    return f"{summary.diagnostics} finding{'s' if summary.diagnostics != 1 else ''} in {summary.files} files"
