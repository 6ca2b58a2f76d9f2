"""Keep the comments of a construct that a codemod rebuilds.

A codemod that rebuilds a call or statement from its parts (``with_overrides(...)`` ->
``override(...)``, ``conditional(...)`` -> ``if``) drops the whitespace in which comments live,
e.g. ``# more memory for the big shard`` inside an argument list. ``lost_comments`` finds the
comments of the original that the new code no longer contains, as comment lines to put above the
new statement, in their original order.
"""

from __future__ import annotations

import libcst as cst


def comments_in(node: cst.CSTNode) -> list[str]:
    """The text of every comment inside ``node`` (its own leading lines included), in source order."""
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment.value)

    node.visit(_Collect())
    return found


def lost_comments(original: cst.CSTNode, new: cst.CSTNode) -> list[cst.EmptyLine]:
    """Comment lines for the comments of ``original`` missing from ``new``."""
    kept = comments_in(new)
    lines = []
    for text in comments_in(original):
        if text in kept:
            kept.remove(text)  # the same comment twice in the original: keep a count
            continue
        lines.append(cst.EmptyLine(comment=cst.Comment(text)))
    return lines
