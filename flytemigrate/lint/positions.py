"""Node positions for lint reports, computed cheaply and lazily.

LibCST's ``PositionProvider`` regenerates the module and, for every token, splits it on newlines
to keep a running line/column, then builds a ``CodeRange`` for every node: about a quarter of the
whole lint time, although only the handful of reported nodes ever need a position.

``FastPositions`` runs the same code generation but only keeps a running *character offset* and
records ``(start, end)`` offsets per node, with exactly ``PositionProvider``'s rules (syntactic
ranges where the node records one, hoisted ``start_node``/``end_node``, whitespace-inclusive
otherwise). Offsets are turned into ``CodeRange`` values (1-based lines, 0-based columns, as
LibCST) only for the nodes asked about, by bisecting the line starts of the source. A test checks
that every node gets the same range as ``PositionProvider``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

# The newline sequences LibCST's position tracking counts (libcst._nodes.whitespace.NEWLINE_RE).
_NEWLINE = re.compile(r"\r\n?|\n")


class _OffsetCodegenState(CodegenState):
    """A ``CodegenState`` that records ``(start, end)`` character offsets of every node."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.indent_length = 0
        self.computed: dict[cst.CSTNode, tuple[int, int]] = {}
        self._stack: list[int] = []

    def increase_indent(self, value: str) -> None:
        super().increase_indent(value)
        self.indent_length += len(value)

    def decrease_indent(self) -> None:
        self.indent_length -= len(self.indent_tokens[-1])
        super().decrease_indent()

    def add_indent_tokens(self) -> None:
        self.offset += self.indent_length

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # positions are recorded before the final newline matters

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if node not in self.computed:  # a syntactic range recorded inside wins
            self.computed[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.computed[start_node][0]
            if end_node is not None:
                end = self.computed[end_node][1]
            self.computed[node] = (start, end)


class FastPositions(Mapping):
    """``node -> CodeRange`` like ``PositionProvider``'s mapping, computed on first use."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self._module = module
        self._source = source
        self._offsets: Optional[dict[cst.CSTNode, tuple[int, int]]] = None
        self._line_starts: list[int] = []
        self._ranges: dict[cst.CSTNode, CodeRange] = {}

    def _compute(self) -> dict[cst.CSTNode, tuple[int, int]]:
        if self._offsets is None:
            state = _OffsetCodegenState(self._module.default_indent, self._module.default_newline)
            self._module._codegen(state)
            self._offsets = state.computed
            # Code generation always ends with a newline token (popped from the output when the
            # source has none); positions are counted on that text, as LibCST does.
            if not self._module.has_trailing_newline:
                self._source += self._module.default_newline
            self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self._source)]
        return self._offsets

    def _position(self, offset: int) -> CodePosition:
        # Module's end can lie past the text (trailing newline bookkeeping); LibCST reports the
        # text's end there.
        offset = min(offset, len(self._source))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return CodePosition(index + 1, offset - self._line_starts[index])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._ranges.get(node)
        if found is None:
            start, end = self._compute()[node]
            found = self._ranges[node] = CodeRange(self._position(start), self._position(end))
        return found

    def __contains__(self, node: object) -> bool:
        return node in self._compute()

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._compute())

    def __len__(self) -> int:
        return len(self._compute())
