"""The ordered list of codemods run by ``flytemigrate rewrite``.

Order matters: constructs inside workflow bodies (conditionals, map_task, ordering) are rewritten
before the decorators that tell us a function is a workflow are replaced, and the imports codemod
runs last to drop flytekit imports that became unused and add the ones new code needs.
"""

from __future__ import annotations

CODEMODS: list[type] = []
