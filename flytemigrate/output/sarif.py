"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF consumers.

One run; ``runs[0].tool.driver.rules`` carries the whole rule catalogue (id, name, descriptions,
Markdown help, default level) and each result points at its rule by ``ruleId`` and
``ruleIndex``. Locations are relative to ``%SRCROOT%`` (the working directory) so code scanning
can map them onto the repository; columns are Unicode code points, as LibCST counts them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import quote

from flytemigrate.diagnostics import FileResult, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str, root: Path) -> str:
    if path == "-":
        return "stdin"
    candidate = Path(path)
    try:
        relative = candidate.resolve().relative_to(root.resolve())
        return quote(relative.as_posix())
    except ValueError:
        return candidate.resolve().as_uri()


def _rule_descriptor(info: Any) -> dict[str, Any]:
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": info.markdown, "markdown": info.markdown},
        "defaultConfiguration": {"level": _LEVELS.get(info.severity, "warning")},
        "properties": {"tags": ["flyte-migration"], "fixable": info.fixable},
    }


def build(
    results: list[FileResult],
    catalogue: Iterable[Any],
    version: str,
    root: Optional[Path] = None,
) -> dict[str, Any]:
    """The SARIF log as a dict; ``catalogue`` items are ``flytemigrate.lint.docs.RuleInfo``-like."""
    root = root or Path(os.getcwd())
    rules = list(catalogue)
    index = {info.code: i for i, info in enumerate(rules)}
    sarif_results = []
    for file_result in results:
        for diagnostic in sorted(file_result.diagnostics, key=lambda d: (d.line, d.column, d.code)):
            region: dict[str, int] = {"startLine": diagnostic.line, "startColumn": diagnostic.column}
            if diagnostic.end_line is not None:
                region["endLine"] = diagnostic.end_line
            if diagnostic.end_column is not None:
                region["endColumn"] = diagnostic.end_column
            text = diagnostic.message + (f" (help: {diagnostic.help})" if diagnostic.help else "")
            result: dict[str, Any] = {
                "ruleId": diagnostic.code,
                "level": _LEVELS[Severity(diagnostic.severity).value],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(diagnostic.path, root), "uriBaseId": "%SRCROOT%"},
                            "region": region,
                        }
                    }
                ],
            }
            if diagnostic.code in index:
                result["ruleIndex"] = index[diagnostic.code]
            sarif_results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flytemigrate",
                        "version": version,
                        "semanticVersion": version,
                        "rules": [_rule_descriptor(info) for info in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }


def render(results: list[FileResult], catalogue: Iterable[Any], version: str, root: Optional[Path] = None) -> str:
    return json.dumps(build(results, catalogue, version, root), indent=2) + "\n"
