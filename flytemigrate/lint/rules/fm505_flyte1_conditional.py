"""FM505 flyte1-conditional."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity


class Flyte1Conditional(Rule):
    """Flags flytekit `conditional(...)` chains (`.if_(...).then(...).else_()`).

    Flyte 1 workflows could not branch on promises with `if`, so they built branch nodes with
    `conditional("name").if_(x > 0).then(a(x=x)).else_().then(b(x=x))`. Flyte 2 drivers are
    plain Python and branch with `if`.

    Why it breaks in Flyte 2:
        The chain builds a flytekit branch node; under Flyte 2 the comparisons are evaluated on
        real values, so `conditional` either fails (`.if_()` expects a promise) or, worse,
        evaluates both branches' task calls eagerly while building the chain.

    Example:
        return conditional("sign").if_(x >= 0).then(positive(x=x)).else_().then(negative(x=x))

    Use instead:
        if x >= 0:
            return positive(x=x)
        return negative(x=x)
    """

    code: ClassVar[str] = "FM505"
    name: ClassVar[str] = "flyte1-conditional"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("conditional",)
    VALID: ClassVar[list[str]] = [
        "import flyte\ndef f(x: int) -> int:\n    return 1 if x else 2\n",
        "import flyte\nfrom mylib import conditional\nconditional('a')\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import conditional\ndef wf(x: int):\n    return conditional('c').if_(x > 0).then(a(x=x)).else_().then(b(x=x))\n",
        "import flytekit as fl\ndef wf(x: int):\n    return (\n        fl.conditional('c')  # the branch\n        .if_(x > 0).then(a(x=x))\n        .else_().fail('negative')\n    )\n",
        "from flytekit.core.condition import conditional\nconditional('x')\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if self.matches(node.func, "flytekit.conditional"):
            self.report(
                node,
                "flytekit `conditional(...)` branch left in the module",
                help="branch with a plain `if`/`else` on the task results inside the driver task",
            )
