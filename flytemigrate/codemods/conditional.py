"""Rewrite ``conditional("name").if_(...).then(...)...`` into ``if``/``elif``/``else``.

In Flyte 1 a workflow body is a graph builder, so branching needs the ``conditional`` DSL; in
Flyte 2 the driver is plain Python and branches on real values. The chain is turned into an
``if`` statement wherever it stands as a whole statement:

* an expression statement: every branch becomes that call,
* an assignment (also tuple targets ``a, b = conditional(...)``): every branch assigns,
* a ``return``: every branch returns.

A branch whose value is itself a ``conditional(...)`` chain (nested conditionals) becomes a nested
``if`` statement inside that branch.

Conditions are converted from the promise operators: ``&`` -> ``and``, ``|`` -> ``or``,
``x.is_true()`` -> ``x``, ``x.is_false()`` -> ``not x``, ``x.is_none()`` -> ``x is None``;
comparisons stay as they are. ``.fail("msg")`` becomes ``raise ValueError("msg")``, the
exception flytekit raises for a failed branch. A conditional used inside a larger expression
(``out.append(conditional(...)...)`` in a ``@dynamic`` loop) becomes an if-expression
``a if cond else b`` when it has an ``else_()`` and no ``.fail``; otherwise it is left with a TODO.
"""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.comments import lost_comments
from flytemigrate.codemods.dataflow_common import FM_CONDITIONAL, strip_parens, with_todo

Case = tuple[Optional[cst.BaseExpression], str, cst.BaseExpression]  # (condition | None for else, "then" | "fail", value)


class _ConditionConverter(cst.CSTTransformer):
    """Promise operators -> Python boolean operators."""

    def leave_BinaryOperation(self, original_node, updated_node):
        if isinstance(updated_node.operator, (cst.BitAnd, cst.BitOr)):
            op = cst.And() if isinstance(updated_node.operator, cst.BitAnd) else cst.Or()
            return cst.BooleanOperation(
                left=_operand(updated_node.left, op),
                operator=op,
                right=_operand(updated_node.right, op),
                lpar=updated_node.lpar,
                rpar=updated_node.rpar,
            )
        return updated_node

    def leave_Call(self, original_node, updated_node):
        func = updated_node.func
        if isinstance(func, cst.Attribute) and not updated_node.args:
            name = func.attr.value
            if name == "is_true":
                return func.value
            if name == "is_false":
                return cst.UnaryOperation(operator=cst.Not(), expression=func.value, lpar=updated_node.lpar, rpar=updated_node.rpar)
            if name == "is_none":
                return cst.Comparison(
                    left=func.value,
                    comparisons=[cst.ComparisonTarget(operator=cst.Is(), comparator=cst.Name("None"))],
                    lpar=updated_node.lpar,
                    rpar=updated_node.rpar,
                )
        return updated_node


def _operand(node: cst.BaseExpression, op: Union[cst.And, cst.Or]) -> cst.BaseExpression:
    """Drop the parentheses `&`/`|` needed around comparisons; keep them around a nested and/or."""
    if isinstance(node, cst.BooleanOperation) and type(node.operator) is not type(op):
        return node
    return strip_parens(node)


def convert_condition(node: cst.BaseExpression) -> cst.BaseExpression:
    return strip_parens(node.visit(_ConditionConverter()))


class ConditionalCodemod(FlyteCodemod):
    """``conditional(...)`` chains -> ``if``/``elif``/``else``/``raise``."""

    DESCRIPTION = "conditional -> if/elif/else"
    TRIGGERS = ("conditional",)

    def _cases(self, node: cst.BaseExpression) -> Optional[list[Case]]:
        """Unwind a ``.then()``/``.fail()`` chain down to ``conditional(...)``; None if it is not one."""
        cases: list[Case] = []
        while True:
            if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
                return None
            action = node.func.attr.value
            if action not in {"then", "fail"} or len(node.args) != 1:
                return None
            value = node.args[0].value
            head = node.func.value
            if not (isinstance(head, cst.Call) and isinstance(head.func, cst.Attribute)):
                return None
            kind = head.func.attr.value
            if kind in {"if_", "elif_"}:
                if len(head.args) != 1:
                    return None
                cases.append((head.args[0].value, action, value))
            elif kind == "else_":
                cases.append((None, action, value))
            else:
                return None
            node = head.func.value
            if isinstance(node, cst.Call) and self.matches(node.func, "flytekit.conditional"):
                break
        cases.reverse()
        return cases if cases[0][0] is not None else None

    def _contains_conditional(self, node: cst.CSTNode) -> bool:
        found = []

        class _V(cst.CSTVisitor):
            def visit_Call(inner, n: cst.Call) -> None:
                if self.matches(n.func, "flytekit.conditional"):
                    found.append(n)

        node.visit(_V())
        return bool(found)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.statement_value: Optional[int] = None  # id of a chain that is a whole statement's value
        self.arg_values: set[int] = set()  # ids of call arguments (an if-expression there needs no parentheses)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        small = node.body[0] if len(node.body) == 1 else None
        value = getattr(small, "value", None) if isinstance(small, (cst.Expr, cst.Assign, cst.Return)) else None
        self.statement_value = id(value) if value is not None else None

    def visit_Arg(self, node: cst.Arg) -> None:
        self.arg_values.add(id(node.value))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """A chain inside a larger expression (``out.append(conditional(...)...)``) becomes an
        if-expression when every branch produces a value (no ``.fail``): only the chosen branch's
        call runs, as in Flyte 1."""
        if id(original_node) == self.statement_value:
            return updated_node
        cases = self._cases(updated_node)
        if cases is None or cases[-1][0] is not None or any(action != "then" for _, action, _ in cases):
            return updated_node
        expr: cst.BaseExpression = cases[-1][2]
        for condition, _, result in reversed(cases[:-1]):
            expr = cst.IfExp(test=convert_condition(condition), body=result, orelse=expr)
        if id(original_node) not in self.arg_values:
            expr = expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return expr

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if len(original_node.body) != 1:
            return updated_node
        small = original_node.body[0]
        value = getattr(small, "value", None)
        if value is None or not isinstance(small, (cst.Expr, cst.Assign, cst.Return)):
            return self._leftover(original_node, updated_node)
        cases = self._cases(value)
        if cases is None:
            return self._leftover(original_node, updated_node)

        def branch(action: str, result: cst.BaseExpression) -> cst.IndentedBlock:
            # `.then(conditional("inner")...)`: a nested chain becomes a nested if statement
            inner = self._cases(result) if action == "then" else None
            if inner is not None:
                return cst.IndentedBlock(body=[build(inner)])
            if action == "fail":
                stmt: cst.BaseSmallStatement = cst.Raise(
                    exc=cst.Call(func=cst.Name("ValueError"), args=[cst.Arg(result)])
                )
            elif isinstance(small, cst.Expr):
                stmt = cst.Expr(result)
            elif isinstance(small, cst.Assign):
                stmt = small.with_changes(value=result)
            else:
                stmt = cst.Return(value=result)
            return cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[stmt])])

        def build(chain: list[Case]) -> cst.If:
            orelse: Optional[Union[cst.If, cst.Else]] = None
            for condition, action, result in reversed(chain):
                if condition is None:
                    orelse = cst.Else(body=branch(action, result))
                else:
                    orelse = cst.If(test=convert_condition(condition), body=branch(action, result), orelse=orelse)
            assert isinstance(orelse, cst.If)
            return orelse

        orelse = build(cases)
        # comments inside the conditional(...) chain (and a trailing one) move above the new if
        new = orelse.with_changes(leading_lines=updated_node.leading_lines)
        return new.with_changes(leading_lines=[*new.leading_lines, *lost_comments(original_node, new)])

    def _leftover(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine) -> cst.BaseStatement:
        if self._contains_conditional(updated_node):
            self.report(original_node, FM_CONDITIONAL, "conditional used inside an expression was not converted")
            return with_todo(updated_node, FM_CONDITIONAL, "conditional inside an expression: rewrite it as an if statement")
        return updated_node
