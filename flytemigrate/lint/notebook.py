"""Lint the code cells of a Jupyter notebook (``.ipynb``) given explicitly on the command line.

A notebook is JSON, not Python: read as source it either parses as one big dict display (and
nothing is found) or fails to parse. ``notebook_script`` turns the code cells into one script,
IPython magics and shell escapes (``%time``, ``!pip install``, ``%%bash`` cells) turned into
comments so the line numbers stay put, and keeps where each cell starts; ``cell_position``
maps a script line back to ``(cell number, line in the cell)`` for the report. Top-level
``await`` (common in notebooks driving async tasks) parses with LibCST as it is.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

__all__ = ["NotebookError", "NotebookScript", "notebook_script"]


class NotebookError(ValueError):
    """The file is not a notebook this module can read."""


@dataclass
class NotebookScript:
    """The code cells of a notebook as one script."""

    source: str
    # Script line (1-based) where each code cell starts, and that cell's number (1-based,
    # counting every cell, as Jupyter shows them in order).
    starts: list[int] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)

    def cell_position(self, line: int) -> tuple[int, int]:
        """``(cell number, line within the cell)`` of script line ``line``."""
        index = bisect.bisect_right(self.starts, line) - 1
        if index < 0:
            return (self.cells[0] if self.cells else 1), line
        return self.cells[index], line - self.starts[index] + 1


_HELP_RE = re.compile(r"^[\w.]+\?{1,2}$")


def is_magic(line: str) -> bool:
    """An IPython line (magic, shell escape, help request), not Python; shared with the notebook rewrite."""
    stripped = line.strip()
    # `%time x`, `!ls`, `?obj` / `obj??` help requests: IPython syntax, not Python.
    return stripped.startswith(("%", "!", "?")) or bool(_HELP_RE.match(stripped))


def notebook_script(text: str) -> NotebookScript:
    """The code cells of notebook JSON ``text`` as one script (see the module docstring)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not a valid notebook (JSON error: {exc})") from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook (no list of cells)")
    lines: list[str] = []
    script = NotebookScript(source="")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        body = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = body.splitlines() or [""]
        script.starts.append(len(lines) + 1)
        script.cells.append(number)
        whole_cell_magic = cell_lines[0].lstrip().startswith("%%")
        for line in cell_lines:
            lines.append(f"# {line}" if whole_cell_magic or is_magic(line) else line)
    script.source = "\n".join(lines) + "\n" if lines else ""
    return script
