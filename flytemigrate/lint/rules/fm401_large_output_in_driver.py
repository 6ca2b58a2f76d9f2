"""FM401 large-output-in-driver."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from flytemigrate.lint.analysis import MAP_CALLS, FunctionInfo, ModuleAnalysis
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import calls_in

# Reductions that build one big object out of many task outputs.
_REDUCERS = frozenset(
    {
        "pandas.concat", "numpy.concatenate", "numpy.stack", "numpy.vstack", "numpy.hstack",
        "numpy.row_stack", "numpy.column_stack", "functools.reduce", "polars.concat", "pyarrow.concat_tables",
    }
)
_GATHER = frozenset({"asyncio.gather"})
# Methods that load a whole dataset into the caller's memory.
_LOADERS = frozenset({"to_pandas", "to_arrow", "to_polars", "all_sync"})
_HEAD = 'import flyte\nimport pandas as pd\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef part(i: int) -> pd.DataFrame:\n    return pd.DataFrame({"i": [i]})\n\n'


class _Assignments(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, cst.BaseExpression]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values.append((target.target.value, node.value))


class LargeOutputInDriver(Rule):
    """Flags driver code that pulls many or large task outputs into the driver's own memory.

    The heuristic, precisely:

    * a reduction (`pd.concat`, `np.concatenate`/`stack`/`vstack`/`hstack`, `functools.reduce`,
      `polars.concat`, `pa.concat_tables`, or `sum(..., start)`) applied to fan-in results: a
      `flyte.map(...)` or `asyncio.gather(...)` call, a comprehension that calls a task, a call
      of a project helper that starts tasks, or a local variable assigned from one of those;
    * loading a whole dataset in the driver: `df.open(pd.DataFrame).all()`, `.all_sync()`,
      `.to_pandas()`, `.to_arrow()`, `.to_polars()`.

    Why it breaks in Flyte 2:
        A driver is a small, long-lived task that orchestrates: every output it touches is
        downloaded into its container. Concatenating hundreds of mapped DataFrames or opening
        a full dataset there needs the driver's memory to hold all of it (OOM kills the whole
        run) and the data is downloaded again on every replay. Flyte 1 workflows never held
        data, so this pattern appears when `@workflow`/`@dynamic` bodies are converted.

    Example:
        @env.task
        def pipeline(n: int) -> pd.DataFrame:
            parts = list(flyte.map(part, range(n)))
            return pd.concat(parts)

    Use instead:
        @env.task
        def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
            return pd.concat(parts)

        @env.task
        def pipeline(n: int) -> pd.DataFrame:
            return combine(list(flyte.map(part, range(n))))   # the reduction runs in a task
    """

    code: ClassVar[str] = "FM401"
    name: ClassVar[str] = "large-output-in-driver"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef combine(parts: list[pd.DataFrame]) -> pd.DataFrame:\n    return pd.concat(parts)\n\n@env.task\ndef main(n: int) -> pd.DataFrame:\n    return combine(list(flyte.map(part, range(n))))\n",
        _HEAD + "@env.task\ndef main(n: int) -> int:\n    return sum(flyte.map(len, range(n))) + len(part(1))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(n: int) -> pd.DataFrame:\n    parts = list(flyte.map(part, range(n)))\n    return pd.concat(parts)\n",
        _HEAD + "import asyncio\nimport numpy as np\n\n@env.task\nasync def main(n: int) -> int:\n    arrays = await asyncio.gather(*[part.aio(i) for i in range(n)])\n    return int(np.concatenate(arrays).sum())\n",
        _HEAD + "@env.task\ndef main(n: int) -> int:\n    frames = [part(i) for i in range(n)]\n    return len(sum(frames, []))\n",
        _HEAD + "from flyte.io import DataFrame\n\n@env.task\ndef load() -> DataFrame:\n    ...\n\n@env.task\ndef main() -> int:\n    df = load().open(pd.DataFrame).all_sync()\n    return len(df)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        # Calls of project helpers that start tasks: what they return are task outputs.
        self._task_helpers = {
            id(site.node)
            for info in analysis.functions.values()
            for site in info.calls
            if not site.derived and site.target in analysis.reaches_task
        }
        for info, _chain in analysis.replayed_functions():
            task_call_ids = {id(c.node) for c in analysis.task_calls(info) + analysis.external_task_calls(info)}
            if not task_call_ids and not info.calls:
                continue
            assignments = _Assignments()
            info.node.body.visit(assignments)
            fan_in = {name for name, value in assignments.values if self._fan_in(value, task_call_ids, set())}
            for site in info.calls:
                if site.derived:
                    continue
                what = self._reduction(site.node, site.names, task_call_ids, fan_in)
                if what:
                    self._flag(analysis, info, site.node, f"combines the outputs of many task calls with {what} in its own memory")
                    continue
                func = site.node.func
                if isinstance(func, cst.Attribute) and (
                    func.attr.value in _LOADERS or (func.attr.value == "all" and self._opened(func.value))
                ):
                    self._flag(analysis, info, site.node, f"loads a whole dataset into its own memory with `.{func.attr.value}()`")

    def _opened(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "open" and bool(expr.args)

    def _flag(self, analysis: ModuleAnalysis, info: FunctionInfo, node: cst.CSTNode, what: str) -> None:
        self.report(
            node,
            f"{analysis.describe(info.qualname)} {what}; driver memory is small and the data is downloaded again on replay",
            help="move the reduction or the data processing into a task and pass the outputs to it as inputs",
        )

    def _reduction(self, call: cst.Call, names, task_call_ids: set[int], fan_in: set[str]) -> Optional[str]:
        names = set(names)
        if names & _REDUCERS:
            what = f"`{sorted(names & _REDUCERS)[0]}()`"
        elif "builtins.sum" in names and len(call.args) >= 2:
            what = "`sum(..., start)`"
        else:
            return None
        if any(self._fan_in(arg.value, task_call_ids, fan_in) for arg in call.args):
            return what
        return None

    def _fan_in(self, expr: cst.BaseExpression, task_call_ids: set[int], fan_in: set[str]) -> bool:
        """Whether ``expr`` holds the outputs of many task calls."""
        if isinstance(expr, cst.Name):
            return expr.value in fan_in
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return any(id(c) in task_call_ids for c in calls_in(expr.elt))
        if isinstance(expr, cst.Await):
            return self._fan_in(expr.expression, task_call_ids, fan_in)
        if isinstance(expr, cst.Call):
            if id(expr) in self._task_helpers:
                return True
            names = set(self.qualified_names(expr.func))
            if names & (MAP_CALLS | _GATHER):
                return True
            if isinstance(expr.func, cst.Call) and {"flytekit.map_task"} & set(self.qualified_names(expr.func.func)):
                return True
            # list(flyte.map(...)), tuple(...), a generator passed on
            return any(self._fan_in(arg.value, task_call_ids, fan_in) for arg in expr.args if arg.keyword is None)
        return False
