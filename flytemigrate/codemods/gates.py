"""Gate nodes: ``sleep`` -> ``flyte.durable.sleep``; ``approve`` / ``wait_for_input`` -> TODO.

Flyte 1 gates are workflow nodes. ``sleep(timedelta(...))`` pauses the workflow; the Flyte 2
counterpart inside a driver is ``flyte.durable.sleep(seconds)`` (``await
flyte.durable.sleep.aio(seconds)`` in an async driver), which also survives driver recovery.
Ordering around a sleep (``a >> sleeping >> b``) is handled by the ordering codemod, which sees
the sleep statement like any other node.

``approve(...)`` and ``wait_for_input(...)`` wait for a person; Flyte 2 has no human-in-the-loop
node, so the call is left in place (the converted file fails loudly instead of silently skipping
an approval) with a TODO and a diagnostic.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import FM_GATE, with_todo
from flytemigrate.codemods.launch_plan import SECONDS
from flytemigrate.codemods.task_kwargs import source_of


def _seconds(duration: cst.BaseExpression) -> cst.BaseExpression:
    """``timedelta(minutes=2)`` -> ``120``; other expressions -> ``(expr).total_seconds()``."""
    if isinstance(duration, cst.Call) and duration.args and all(a.keyword is not None for a in duration.args):
        total = 0.0
        for arg in duration.args:
            if arg.keyword.value not in SECONDS or not isinstance(arg.value, (cst.Integer, cst.Float)):
                break
            total += float(arg.value.value) * SECONDS[arg.keyword.value]
        else:
            return cst.Integer(str(int(total))) if total == int(total) else cst.Float(repr(total))
    return cst.parse_expression(f"({source_of(duration)}).total_seconds()")


class GatesCodemod(FlyteCodemod):
    """``sleep`` gate -> durable sleep; approval and input gates -> TODO."""

    DESCRIPTION = "gate nodes -> flyte.durable.sleep / TODO"
    TRIGGERS = ("sleep", "approve", "wait_for_input")

    def __init__(self, context) -> None:
        super().__init__(context)
        self.async_stack: list[bool] = []
        self.todos: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kind = self.function_kind(node)
        self.async_stack.append(node.asynchronous is not None or (self.options.async_style and kind is not None))

    def leave_FunctionDef(self, original_node, updated_node):
        self.async_stack.pop()
        return updated_node

    def visit_SimpleStatementLine(self, node) -> None:
        self.todos = []

    def leave_SimpleStatementLine(self, original_node, updated_node):
        for message in self.todos:
            updated_node = with_todo(updated_node, FM_GATE, message)
        self.todos = []
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.matches(original_node.func, "flytekit.sleep") and len(updated_node.args) == 1:
            AddImportsVisitor.add_needed_import(self.context, "flyte.durable")
            seconds = _seconds(updated_node.args[0].value)
            if self.async_stack and self.async_stack[-1]:
                return cst.Await(cst.Call(func=cst.parse_expression("flyte.durable.sleep.aio"), args=[cst.Arg(seconds)]))
            return cst.Call(func=cst.parse_expression("flyte.durable.sleep"), args=[cst.Arg(seconds)])
        for name in ("approve", "wait_for_input"):
            if self.matches(original_node.func, f"flytekit.{name}"):
                self.report(original_node, FM_GATE, f"{name}() gate has no Flyte 2 counterpart")
                self.todos.append(
                    f"{name}() waits for a person and has no Flyte 2 counterpart; "
                    "move the human step outside the run (e.g. a separate run triggered after review)"
                )
        return updated_node
