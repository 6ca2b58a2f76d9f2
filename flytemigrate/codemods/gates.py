"""Gate nodes: ``sleep`` -> ``flyte.durable.sleep``; ``approve`` / ``wait_for_input`` -> TODO.

Flyte 1 gates are workflow nodes. ``sleep(timedelta(...))`` pauses the workflow; the Flyte 2
counterpart inside a driver is ``flyte.durable.sleep(seconds)`` (``await
flyte.durable.sleep.aio(seconds)`` in an async driver), which also survives driver recovery.
Ordering around a sleep (``a >> sleeping >> b``) is handled by the ordering codemod, which sees
the sleep statement like any other node.

``approve(...)`` and ``wait_for_input(...)`` wait for a person. Flyte 2 (2.12) has conditions:
``flyte.new_condition(name, data_type=..., timeout=...)`` registers one and ``.wait()`` blocks until
it is signalled (locally: a console prompt, as flytekit's local gates do). So
``wait_for_input("n", timeout=t, expected_type=int)`` becomes
``flyte.new_condition("n", data_type=int, timeout=t).wait()`` (conditions carry bool/int/float/str
only: other types keep the call with a TODO), and ``x = approve(up, "n", timeout=t)`` becomes a
bool condition that raises when it is not approved, followed by ``x = up`` (flytekit raised
``FlyteDisapprovalException``; the upstream value passes through). An ``approve`` nested inside a
larger expression is left with a TODO.
"""

from __future__ import annotations

import json
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import FM_GATE, kwarg, with_commas, with_todo
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


APPROVED = "approved"  # the variable holding an approved value that is returned
CONDITION_TYPES = {"bool", "int", "float", "str"}  # what flyte.new_condition(data_type=...) accepts


def _arguments(call: cst.Call, names: tuple[str, ...]) -> Optional[dict[str, cst.BaseExpression]]:
    """Bind a call's arguments to ``names`` (the Flyte 1 signature); None for ``*args``/unknown keywords."""
    bound: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(names):
                return None
            bound[names[index]] = arg.value
        elif arg.keyword.value in names:
            bound[arg.keyword.value] = arg.value
        else:
            return None
    return bound


def _rejection_args(name: cst.BaseExpression) -> list[cst.Arg]:
    """The message of the error raised when an approval is refused (flytekit: FlyteDisapprovalException)."""
    if isinstance(name, cst.SimpleString) and isinstance(name.evaluated_value, str):
        return [cst.Arg(cst.SimpleString(json.dumps(f"User did not approve the transaction for gate node {name.evaluated_value}")))]
    return with_commas([cst.Arg(cst.SimpleString('"User did not approve the transaction for gate node"')), cst.Arg(name)])


class GatesCodemod(FlyteCodemod):
    """``sleep`` gate -> durable sleep; approval and input gates -> ``flyte.new_condition(...).wait()``."""

    DESCRIPTION = "gate nodes -> flyte.durable.sleep / flyte.new_condition"
    TRIGGERS = ("sleep", "approve", "wait_for_input")

    def __init__(self, context) -> None:
        super().__init__(context)
        self.async_stack: list[bool] = []
        self.todos: list[str] = []
        self.statement_approve: Optional[cst.Call] = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kind = self.function_kind(node)
        self.async_stack.append(node.asynchronous is not None or (self.options.async_style and kind is not None))

    def leave_FunctionDef(self, original_node, updated_node):
        self.async_stack.pop()
        return updated_node

    def _in_async(self) -> bool:
        return bool(self.async_stack and self.async_stack[-1])

    def visit_SimpleStatementLine(self, node) -> None:
        self.todos = []
        # the approve(...) call that this statement is made of (converted whole in leave_)
        call = getattr(node.body[0], "value", None) if len(node.body) == 1 else None
        self.statement_approve = call if self._convertible_approve(node.body[0], call) else None

    def _convertible_approve(self, small: cst.BaseSmallStatement, call) -> bool:
        if not (isinstance(small, (cst.Assign, cst.Expr, cst.Return)) and isinstance(call, cst.Call)):
            return False
        args = _arguments(call, ("upstream_item", "name", "timeout"))
        return bool(self.matches(call.func, "flytekit.approve") and args and "upstream_item" in args and "name" in args)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        converted = self._approve_statement(original_node, updated_node)
        if converted is not None:
            return converted
        for message in self.todos:
            updated_node = with_todo(updated_node, FM_GATE, message)
        self.todos = []
        return updated_node

    # -- condition gates -----------------------------------------------------------------------
    def _wait(self, name: cst.BaseExpression, data_type: str, timeout: Optional[cst.BaseExpression]) -> cst.BaseExpression:
        """``flyte.new_condition(name, data_type=T, timeout=...).wait()`` (awaited ``.aio`` forms in async code)."""
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        args = [cst.Arg(name), kwarg("data_type", cst.Name(data_type))]
        if timeout is not None:
            args.append(kwarg("timeout", timeout))
        if self._in_async():
            created = cst.Await(cst.Call(func=cst.parse_expression("flyte.new_condition.aio"), args=with_commas(args)))
            waiter = cst.Attribute(value=cst.Attribute(value=created.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]), attr=cst.Name("wait")), attr=cst.Name("aio"))
            return cst.Await(cst.Call(func=waiter))
        created = cst.Call(func=cst.parse_expression("flyte.new_condition"), args=with_commas(args))
        return cst.Call(func=cst.Attribute(value=created, attr=cst.Name("wait")))

    def _approve_statement(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine):
        """``x = approve(up, "name", timeout=...)`` (also a bare call or a return) -> a bool condition
        that raises when not approved, then ``x = up``; the upstream call runs before the gate."""
        if self.statement_approve is None:
            return None
        self.statement_approve = None
        small = updated_node.body[0]
        call = small.value
        args = _arguments(call, ("upstream_item", "name", "timeout"))
        upstream = args["upstream_item"]
        gate = cst.If(
            test=cst.UnaryOperation(operator=cst.Not(), expression=self._wait(args["name"], "bool", args.get("timeout"))),
            body=cst.IndentedBlock(
                body=[
                    cst.SimpleStatementLine(
                        body=[
                            cst.Raise(
                                exc=cst.Call(
                                    func=cst.Name("RuntimeError"),
                                    args=_rejection_args(args["name"]),
                                )
                            )
                        ]
                    )
                ]
            ),
        )
        statements: list[cst.BaseStatement] = []
        if isinstance(upstream, cst.Call):
            # the approved value is computed before the gate asks for approval
            if isinstance(small, cst.Expr):
                statements.append(cst.SimpleStatementLine(body=[cst.Expr(upstream)]))
                upstream = None
            elif isinstance(small, cst.Assign):
                statements.append(cst.SimpleStatementLine(body=[small.with_changes(value=upstream)]))
                upstream = None
            else:  # return approve(t(...), ...): keep the value in a variable while the gate waits
                statements.append(cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(APPROVED))], value=upstream)]))
                upstream = cst.Name(APPROVED)
        statements.append(gate)
        if upstream is not None and not isinstance(small, cst.Expr):
            statements.append(cst.SimpleStatementLine(body=[small.with_changes(value=upstream)]))
        statements[0] = statements[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(statements)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.matches(original_node.func, "flytekit.sleep") and len(updated_node.args) == 1:
            AddImportsVisitor.add_needed_import(self.context, "flyte.durable")
            seconds = _seconds(updated_node.args[0].value)
            if self._in_async():
                return cst.Await(cst.Call(func=cst.parse_expression("flyte.durable.sleep.aio"), args=[cst.Arg(seconds)]))
            return cst.Call(func=cst.parse_expression("flyte.durable.sleep"), args=[cst.Arg(seconds)])
        if self.matches(original_node.func, "flytekit.wait_for_input"):
            args = _arguments(updated_node, ("name", "timeout", "expected_type"))
            expected = args.get("expected_type") if args else None
            if args and "name" in args and isinstance(expected, cst.Name) and expected.value in CONDITION_TYPES:
                return self._wait(args["name"], expected.value, args.get("timeout"))
        if original_node is not self.statement_approve and self.matches(original_node.func, "flytekit.approve"):
            self.report(original_node, FM_GATE, "approve() inside an expression not converted")
            self.todos.append(
                "approve() inside an expression not converted: make it a statement of its own (x = approve(...)), "
                "which becomes a flyte.new_condition(..., data_type=bool).wait() approval"
            )
        elif self.matches(original_node.func, "flytekit.wait_for_input"):
            self.report(original_node, FM_GATE, "wait_for_input() not converted")
            self.todos.append(
                "wait_for_input() not converted: flyte.new_condition(name, data_type=..., timeout=...).wait() carries "
                "bool/int/float/str only; signal one of those and build the value from it"
            )
        return updated_node
