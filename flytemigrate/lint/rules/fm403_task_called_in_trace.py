"""FM403 task-called-in-trace."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\nasync def train(x: int) -> int:\n    return x\n\n'


class TaskCalledInTrace(Rule):
    """Flags a task started from inside a `@flyte.trace` function (directly, through `.aio`,
    `flyte.map`, or a helper the trace calls).

    Why it breaks in Flyte 2:
        A trace is a recorded step inside a driver, not an orchestration boundary: the SDK
        raises `TraceDoesNotAllowNestedTasksError` when a task is invoked while a trace runs.
        (Outside a run, locally, the task body just runs as a Python function, so tests that
        call the function directly do not catch it.)

    Example:
        @flyte.trace
        async def prepare(x: int) -> int:
            return await train(x)

    Use instead:
        @env.task
        async def prepare(x: int) -> int:
            return await train(x)     # make the caller a task, or call the task from the driver
    """

    code: ClassVar[str] = "FM403"
    name: ClassVar[str] = "task-called-in-trace"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = ("trace",)
    VALID: ClassVar[list[str]] = [
        _HEAD + "@flyte.trace\nasync def fetch(x: int) -> int:\n    return x + 1\n\n@env.task\nasync def main(x: int) -> int:\n    return await train(await fetch(x))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@flyte.trace\nasync def prepare(x: int) -> int:\n    return await train(x)\n",
        _HEAD + "def run(x):\n    return train.aio(x)\n\n@flyte.trace\nasync def prepare(x: int) -> int:\n    return await run(x)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        reported: set[int] = set()
        for trace in sorted(analysis.traces):
            for qualname, chain in analysis.reach(trace, follow=("helper",)).items():
                for site in analysis.task_calls(analysis.functions[qualname]):
                    if id(site.node) in reported:
                        continue
                    reported.add(id(site.node))
                    via = f" via helper {' -> '.join(f'`{c}`' for c in chain[1:])}" if len(chain) > 1 else ""
                    self.report(
                        site.node,
                        f"trace `{trace}` starts task `{site.target}`{via}; Flyte 2 raises TraceDoesNotAllowNestedTasksError",
                        help="call the task from the driver (a task), or turn the trace into a task",
                    )
