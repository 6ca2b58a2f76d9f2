"""Rewrite the code cells of a Jupyter notebook (``.ipynb``) and put them back where they were.

A notebook is JSON. ``rewrite_notebook`` joins its code cells into one script, runs the same
pipeline as for a ``.py`` file (so a task defined in one cell and called in another is followed,
and the imports and the ``TaskEnvironment`` land in the cell that holds the imports), then cuts
the result back into the same cells:

* each code cell starts with a marker *statement*, ``__flytemigrate_cell__(N)``. A comment would
  ride on the first statement of the cell and vanish with it when that statement is removed (a
  cell that starts with ``from flytekit import task`` is the usual case); a call of an unknown
  name is left alone by every codemod;
* IPython syntax (``%time``, ``!pip install``, ``obj?``, whole ``%%bash`` cells) is not Python:
  those lines are turned into ``# flytemigrate-magic: ...`` comments and restored afterwards;
* if the markers do not come back exactly once each, in order and at the top level, the notebook
  is not written: the rewrite fails for that file and the file stays byte-for-byte as it was.

Only the ``source`` of cells whose code changed is replaced (outputs, metadata and other cells
are kept), and the JSON is written back with the layout the file had (indent, key order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from flytemigrate.codemods.base import RewriteOptions
from flytemigrate.lint.notebook import is_magic

__all__ = ["NotebookRewriteError", "rewrite_notebook"]

_CELL_CALL = "__flytemigrate_cell__"
_CELL_RE = re.compile(rf"^(?:{_CELL_CALL}\((\d+)\)|# flytemigrate-cell: (\d+))\s*$")
# The first cell's marker is a comment: LibCST keeps the comment lines above the first statement
# in the module header, so it survives that statement's removal, and the first cell's imports stay
# the module's leading import block (new imports are added after them, not above a marker).
_FIRST_CELL = "# flytemigrate-cell: {}"
_MAGIC = "# flytemigrate-magic: "


class NotebookRewriteError(ValueError):
    """The notebook cannot be read, or the rewritten code cannot be put back into its cells."""


@dataclass
class NotebookOutput:
    text: str  # the notebook JSON to write (the input text itself when nothing changed)
    diagnostics: list
    changed: bool


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _script(cells: list[Any]) -> tuple[str, list[int], dict[int, int]]:
    """The code cells as one script; the indices of the code cells; the script line where each
    cell's own code starts -> that cell's index."""
    lines: list[str] = []
    code_cells: list[int] = []
    starts: dict[int, int] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_cells.append(index)
        if not lines:
            lines += [_FIRST_CELL.format(index), ""]
        else:
            # Blank lines around the marker as between top-level blocks of a module, so that what
            # a codemod inserts in front of a cell's first statement is laid out as in a .py file.
            lines += ["", "", f"{_CELL_CALL}({index})", "", ""]
        starts[len(lines) + 1] = index
        body = _cell_text(cell).splitlines()
        whole_cell_magic = bool(body) and body[0].lstrip().startswith("%%")
        for line in body:
            lines.append(_MAGIC + line if whole_cell_magic or is_magic(line) else line)
    return "\n".join(lines) + "\n", code_cells, starts


def _split(code: str, code_cells: list[int]) -> dict[int, str]:
    """Cell index -> rewritten cell text, cut at the markers; raises when a marker was lost or moved."""
    pieces: dict[int, list[str]] = {}
    current: Optional[int] = None
    seen: list[int] = []
    for line in code.splitlines():
        match = _CELL_RE.match(line)
        if match:
            current = int(match.group(1) or match.group(2))
            seen.append(current)
            pieces[current] = []
            continue
        if current is None:
            if line.strip():
                # Code the rewrite put above the first cell (an import): it belongs to that cell.
                pieces.setdefault(-1, []).append(line)
            continue
        stripped = line.lstrip()
        if stripped.startswith(_MAGIC):
            line = line[: len(line) - len(stripped)] + stripped[len(_MAGIC) :]
        pieces[current].append(line)
    if seen != code_cells:
        raise NotebookRewriteError("the rewritten code could not be cut back into the notebook's cells")
    if -1 in pieces:
        first = code_cells[0]
        pieces[first] = pieces.pop(-1) + _trim_blank(pieces[first])
    return {index: "\n".join(_trim_blank(lines)) for index, lines in pieces.items()}


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _source_like(original: Any, text: str) -> Any:
    """``text`` in the form the cell stored its source: a list of lines (with newlines) or a string."""
    if isinstance(original, list):
        lines = text.splitlines(keepends=True)
        return lines
    return text


def _dump_like(data: Any, original: str) -> str:
    """JSON text of ``data`` laid out as ``original`` was (nbformat writes indent 1, sorted keys)."""
    indent: Optional[int] = None
    match = re.search(r"^\{\n( +)\"", original)
    if match:
        indent = len(match.group(1))
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return text + "\n" if original.endswith("\n") else text


def rewrite_notebook(text: str, path: str, options: Optional[RewriteOptions] = None) -> NotebookOutput:
    """Rewrite the code cells of notebook JSON ``text`` (see the module docstring)."""
    from flytemigrate.codemods import needs_rewrite, transform_source

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookRewriteError(f"not a valid notebook (JSON error: {exc})") from exc
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookRewriteError("not a valid notebook (no list of cells)")
    script, code_cells, starts = _script(cells)
    if not code_cells or not needs_rewrite(script):
        return NotebookOutput(text=text, diagnostics=[], changed=False)
    output = transform_source(script, path=path, options=options)
    new_texts = _split(output.code, code_cells)
    changed = False
    for index in code_cells:
        cell = cells[index]
        old = _cell_text(cell)
        new = new_texts[index]
        if "\n".join(_trim_blank(old.splitlines())) == new:
            continue  # untouched (blank lines at the edges of a cell are not the rewrite's business)
        cell["source"] = _source_like(cell.get("source", ""), new)
        changed = True
    diagnostics = [_in_cell(d, starts) for d in output.diagnostics]
    if not changed:
        return NotebookOutput(text=text, diagnostics=diagnostics, changed=False)
    return NotebookOutput(text=_dump_like(data, text), diagnostics=diagnostics, changed=True)


def _in_cell(diagnostic, starts: dict[int, int]):
    """Point a diagnostic at ``[cell N]`` and the line within that cell (Jupyter numbers cells from 1)."""
    if diagnostic.line is None or not starts:
        return diagnostic
    first_lines = sorted(starts)
    start = max((s for s in first_lines if s <= diagnostic.line), default=first_lines[0])
    cell = starts[start] + 1
    line = max(diagnostic.line - start + 1, 1)
    return diagnostic.model_copy(update={"line": line, "message": f"[cell {cell}] {diagnostic.message}"})
