"""FM506 map-task."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity


class MapTask(Rule):
    """Flags flytekit `map_task(...)` calls.

    `map_task(t)(x=items)` ran a task over a list as one array node. Flyte 2 replaces it with
    `flyte.map(t, items)`, whose failure semantics differ.

    Why it breaks in Flyte 2:
        `map_task` does not exist in `flyte`. Its replacement behaves differently: `map_task`
        failed the whole map unless `min_success_ratio` allowed failures (then failed items were
        `None`), whereas `flyte.map` returns a lazy generator that by default yields exceptions
        as values, so a one-to-one swap silently turns failures into list items.

    Example:
        squares = map_task(square, concurrency=4)(x=numbers)

    Use instead:
        squares = list(flyte.map(square, numbers, concurrency=4, return_exceptions=False))
    """

    code: ClassVar[str] = "FM506"
    name: ClassVar[str] = "map-task"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("map_task",)
    VALID: ClassVar[list[str]] = [
        "import flyte\ndef f(xs: list[int]):\n    return list(flyte.map(sq, xs, return_exceptions=False))\n",
        "import flyte\ndef map_task(f, xs):\n    return [f(x) for x in xs]\nmap_task(abs, [1])\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import map_task\ndef wf(xs: list[int]):\n    return map_task(sq)(x=xs)\n",
        "import functools\nimport flytekit as fl\ndef wf(xs: list[int]):\n    return fl.map_task(functools.partial(sq, y=1), min_success_ratio=0.5)(x=xs)\n",
        "from flytekit.core.array_node_map_task import map_task\nmapped = map_task(sq, concurrency=2)\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if self.matches(node.func, "flytekit.map_task", "flytekit.array_node_map_task"):
            self.report(
                node,
                "flytekit `map_task` left in the module",
                help="use `list(flyte.map(task, items, return_exceptions=False))` (keep the failure semantics explicit)",
            )
