"""FM502 flyte1-workflow-decorator."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_DECORATORS = {
    "flytekit.workflow": "@workflow",
    "flytekit.dynamic": "@dynamic",
    "flytekit.eager": "@eager",
}


class Flyte1WorkflowDecorator(Rule):
    """Flags functions still decorated with flytekit's `@workflow`, `@dynamic` or `@eager`.

    Flyte 2 has no workflow DSL: orchestration is an ordinary task (a driver) that calls other
    tasks. Matching is by qualified name, so `@fl.workflow`, `@workflow(...)` and
    `from flytekit.core.dynamic_workflow_task import dynamic` are all found.

    Why it breaks in Flyte 2:
        The function is still a flytekit entity: `flyte.run` cannot run it, and its body keeps
        Flyte 1 semantics (promises in `@workflow`, compile-time graph construction) that the
        Flyte 2 runtime does not provide.

    Example:
        @workflow
        def pipeline(n: int) -> int:
            return square(x=n)

    Use instead:
        @env.task
        def pipeline(n: int) -> int:
            return square(x=n)
    """

    code: ClassVar[str] = "FM502"
    name: ClassVar[str] = "flyte1-workflow-decorator"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("flytekit",)
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef pipeline(n: int) -> int:\n    return n\n",
        "from flytekit import task\nfrom airflow.decorators import dag as workflow\n@workflow\ndef pipeline():\n    pass\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import workflow\n@workflow\ndef wf(n: int) -> int:\n    return n\n",
        "import flytekit as fl\n@fl.dynamic(cache=True)\ndef dyn(n: int) -> list[int]:\n    return [n]\n",
        "from flytekit.core.task import eager\n@eager\nasync def main() -> int:\n    return 1\n",
        "from flytekit.core.workflow import workflow\n@other\n@workflow(interruptible=True)\ndef wf() -> None:\n    pass\n",
    ]

    def visit_Decorator(self, node: cst.Decorator) -> None:
        target = node.decorator.func if isinstance(node.decorator, cst.Call) else node.decorator
        for qualified in self.qualified_names(target):
            spelled = _DECORATORS.get(qualified)
            if spelled:
                self.report(
                    node,
                    f"Flyte 1 `{spelled}` decorator left in the module",
                    help="make it a Flyte 2 task (`@env.task`) that calls the other tasks; `flytemigrate rewrite` does this",
                )
                return
