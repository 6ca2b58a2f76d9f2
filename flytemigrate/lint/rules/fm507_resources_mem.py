"""FM507 resources-mem."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity


class ResourcesMem(Rule):
    """Flags `flyte.Resources(mem=...)`; Flyte 2 spells the keyword `memory=`.

    flytekit's `Resources(cpu=..., mem=...)` became `flyte.Resources(cpu=..., memory=...)`.
    Code that switched the import but kept the keyword is caught here.

    Why it breaks in Flyte 2:
        `flyte.Resources` has no `mem` parameter: building the environment raises `TypeError:
        ... unexpected keyword argument 'mem'` when the module is imported.

    Example:
        env = flyte.TaskEnvironment(name="train", resources=flyte.Resources(cpu=2, mem="4Gi"))

    Use instead:
        env = flyte.TaskEnvironment(name="train", resources=flyte.Resources(cpu=2, memory="4Gi"))

    Fix safety:
        Safe: only the keyword is renamed, the value is kept. No fix is offered when the call
        already passes `memory=` (a person must decide which value is right).
    """

    code: ClassVar[str] = "FM507"
    name: ClassVar[str] = "resources-mem"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("mem",)
    VALID: ClassVar[list[str]] = [
        "import flyte\nr = flyte.Resources(cpu=1, memory='1Gi')\n",
        "from flytekit import Resources\nr = Resources(cpu='1', mem='1Gi')\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nr = flyte.Resources(cpu=1, mem='1Gi')\n",
        "from flyte import Resources as R\nenv_res = R(\n    mem='2Gi',  # enough for the join\n    cpu=2,\n)\n",
        "import flyte\nr = flyte.Resources(mem='1Gi', memory='2Gi')\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if not self.matches(node.func, "flyte.Resources"):
            return
        keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "mem":
                replacement = None if "memory" in keywords else arg.with_changes(keyword=cst.Name("memory"))
                self.report(
                    arg,
                    "`flyte.Resources` takes `memory=`, not `mem=`",
                    help="rename the keyword to `memory=`",
                    replacement=replacement,
                )
