"""Map line numbers of an intermediate rewrite back to the user's original file.

Each codemod computes positions on the tree it receives, which earlier codemods may already
have changed (an inserted ``env = flyte.TaskEnvironment(...)`` shifts every later line). The
pipeline records one ``LineMap`` per codemod that changed the code and translates each
diagnostic back through them, so ``path:line`` always points into the file the user has.
"""

from __future__ import annotations

import difflib


class LineMap:
    """new line (1-based) -> old line for one step; inserted lines map to the line they precede."""

    def __init__(self, old: str, new: str) -> None:
        # The diff is computed at the first lookup: most rewrites report nothing after a step.
        self._texts: tuple[str, str] | None = (old, new)
        self._map: dict[int, int] = {}
        self._old_count = 1

    def _compute(self, old: str, new: str) -> None:
        old_lines, new_lines = old.splitlines(), new.splitlines()
        self._old_count = max(len(old_lines), 1)
        self._map: dict[int, int] = {}
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for j in range(j1, j2):
                if tag == "equal":
                    i = i1 + (j - j1)
                elif tag == "replace":
                    i = i1 + min(j - j1, i2 - i1 - 1)
                else:  # insert: attribute to the original line that follows
                    i = i1
                self._map[j + 1] = min(i + 1, self._old_count)

    def __call__(self, line: int) -> int:
        if self._texts is not None:
            self._compute(*self._texts)
            self._texts = None
        return self._map.get(line, min(line, self._old_count))


def to_original(line: int, maps: list[LineMap]) -> int:
    """Translate a line of the newest intermediate code back through every step."""
    for step in reversed(maps):
        line = step(line)
    return line
