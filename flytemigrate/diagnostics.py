"""Diagnostic, Fix and FileResult models shared by rewrite, lint and verify.

Everything a command reports is one of these pydantic models, so the text, JSON, GitHub and
SARIF renderers (``flytemigrate.output``) never need to know which command produced it.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal, Optional

from pydantic import BaseModel, Field


class Severity(str, Enum):
    """How serious a finding is; ``error`` findings make lint exit 1 even with warnings ignored."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Fix(BaseModel):
    """A replacement for the source span of a diagnostic; ``safe`` fixes are applied by ``--fix``."""

    description: str
    safe: bool = True


class Diagnostic(BaseModel):
    """One finding: a lint violation, a rewrite TODO, a verify mismatch, or a file-level failure."""

    code: str
    message: str
    path: str = "-"
    line: int = 1
    column: int = 1
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    severity: Severity = Severity.WARNING
    help: Optional[str] = None
    fix: Optional[Fix] = None

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


FileStatus = Literal["changed", "unchanged", "failed", "skipped"]


class FileResult(BaseModel):
    """What happened to one file: its status, findings, and (for rewrite) the new source."""

    path: str
    status: FileStatus = "unchanged"
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    error: Optional[str] = None
    # Only filled while results travel from a worker to the writer; never serialised in reports.
    new_source: Optional[str] = Field(default=None, exclude=True)
    old_source: Optional[str] = Field(default=None, exclude=True)

    @property
    def todo_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.code.startswith("FM") and d.severity != Severity.INFO)


class Summary(BaseModel):
    """Counts printed at the end of a run and included in JSON reports."""

    files: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    diagnostics: int = 0

    @classmethod
    def of(cls, results: list[FileResult]) -> "Summary":
        summary = cls(files=len(results))
        for result in results:
            setattr(summary, result.status, getattr(summary, result.status) + 1)
            summary.diagnostics += len(result.diagnostics)
        return summary


class Report(BaseModel):
    """The machine-readable report of one command run (``--output-format json``)."""

    command: str
    files: list[FileResult]
    summary: Summary
