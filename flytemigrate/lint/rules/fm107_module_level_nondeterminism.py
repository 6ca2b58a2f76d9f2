"""FM107 module-level-nondeterminism."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst
from libcst.metadata import PositionProvider

from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import call_names, calls_in, nondeterministic

_HEAD = 'import flyte\nimport time\nimport uuid\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef tag(run: str) -> str:\n    return run\n\n'


class ModuleLevelNondeterminism(Rule):
    """Flags driver code reading a module-level variable whose value comes from the clock or a
    random source (`RUN_ID = uuid.uuid4().hex`, `STARTED = datetime.now()`).

    Why it breaks in Flyte 2:
        Module-level code runs again in every process that imports the module: each task's
        container, and the new process that replays a driver after a crash. The "constant"
        has a different value in each of them, so a replayed driver passes different inputs
        to its tasks and the recorded results no longer match.

    Example:
        RUN_ID = uuid.uuid4().hex

        @env.task
        def pipeline() -> str:
            return tag(RUN_ID)

    Use instead:
        @env.task
        def pipeline(run_id: str) -> str:
            return tag(run_id)     # or use flyte.ctx().action.run_name
    """

    code: ClassVar[str] = "FM107"
    name: ClassVar[str] = "module-level-nondeterminism"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "RUN_PREFIX = 'nightly'\n\n@env.task\ndef main() -> str:\n    return tag(RUN_PREFIX)\n",
        # A leaf task reading it is not replayed.
        _HEAD + "RUN_ID = uuid.uuid4().hex\n\n@env.task\ndef leaf() -> str:\n    return RUN_ID\n",
        _HEAD + "NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, 'example.org')\n\n@env.task\ndef main() -> str:\n    return tag(str(NAMESPACE))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "RUN_ID = uuid.uuid4().hex\n\n@env.task\ndef main() -> str:\n    return tag(RUN_ID)\n",
        _HEAD + "from datetime import datetime\nSTARTED = datetime.now().isoformat()\n\ndef label() -> str:\n    return tag('run-' + STARTED)\n\n@env.task\ndef main() -> str:\n    return label()\n",
    ]

    def _source(self, value: cst.BaseExpression) -> Optional[str]:
        for call in calls_in(value):
            found = nondeterministic(call_names(self, call), call)
            if found:
                return found[1]
        return None

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        sources: dict[str, Optional[str]] = {}
        first: dict[tuple[str, str], cst.Name] = {}
        for name, qualname, access in analysis.global_access_sites:
            if qualname not in analysis.replayed:
                continue
            if name not in sources:
                sources[name] = self._source(analysis.bindings[name].value)
            if sources[name] is None:
                continue
            key = (name, qualname)
            if key not in first or self._pos(access) < self._pos(first[key]):
                first[key] = access
        for (name, qualname), access in sorted(first.items(), key=lambda item: self._pos(item[1])):
            line = self._pos(analysis.bindings[name].statement)[0]
            self.report(
                access,
                f"{analysis.describe(qualname)} reads module-level `{name}` (line {line}), set from {sources[name]}; "
                "every process that imports the module, including a replay, gets another value",
                help="pass the value in as a task input, or produce it in a `@flyte.trace` function",
            )

    def _pos(self, node: cst.CSTNode) -> tuple[int, int]:
        span = self.get_metadata(PositionProvider, node)
        return span.start.line, span.start.column
