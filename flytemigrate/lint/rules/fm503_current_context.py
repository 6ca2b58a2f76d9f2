"""FM503 current-context."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity


class CurrentContext(Rule):
    """Flags calls of flytekit's `current_context()` (and `FlyteContextManager.current_context()`).

    Flyte 1 tasks read execution metadata, secrets, the working directory and logging through
    `flytekit.current_context()`. Flyte 2 replaced it with `flyte.ctx()`, and secrets are
    injected as environment variables.

    Why it breaks in Flyte 2:
        `current_context()` does not exist in `flyte`; under the Flyte 2 runtime flytekit's
        context is not initialised, so the call fails or returns an empty local context
        (`ctx.secrets.get(...)` raises, execution ids are placeholders).

    Example:
        token = current_context().secrets.get(group="db", key="token")

    Use instead:
        token = os.environ["DB_TOKEN"]   # declared with secrets=flyte.Secret(key="token", as_env_var="DB_TOKEN")
        run_name = flyte.ctx().action.run_name
    """

    code: ClassVar[str] = "FM503"
    name: ClassVar[str] = "current-context"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("current_context",)
    VALID: ClassVar[list[str]] = [
        "import flyte\ndef f():\n    return flyte.ctx()\n",
        "import flyte\nfrom mylib import current_context\ndef f():\n    return current_context()\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import current_context\ndef f():\n    return current_context().execution_id\n",
        "import flytekit as fk\ndef f():\n    wd = fk.current_context().working_directory\n",
        "from flytekit.core.context_manager import FlyteContextManager\nctx = FlyteContextManager.current_context()\n",
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if self.matches(node.func, "flytekit.current_context"):
            self.report(
                node,
                "flytekit `current_context()` does not exist in Flyte 2",
                help="use `flyte.ctx()` for run metadata; read secrets from environment variables",
            )
