"""Rewrite explicit node ordering (``a >> b``, ``a.runs_before(b)``, ``create_node``) into statement order.

In a Flyte 1 workflow, nodes without data dependencies may run in any order, so ``>>`` and
``runs_before`` pin an order and ``create_node`` returns a node object whose outputs are read as
``node.o0``. In a Flyte 2 sync driver, calls run in statement order. So:

* ``n = create_node(t, x=1)`` -> ``n = t(x=1)``; ``n.o0`` -> ``n`` for single-output tasks and
  ``n[i]`` for tuple outputs (arity from the task's return annotation when it is defined in the
  module, else from the highest ``oN`` read),
* an ordering statement is removed once the statement defining the left node comes before the one
  defining the right node; if not, the right node's statement is moved just after the left one,
  as long as nothing in between reads what it binds; failing that, the left node's statement is
  moved up just before the right one, as long as it reads nothing bound in between. Otherwise a
  TODO is left.
* call operands (``t1() >> t2()``) become statements in that order.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import (
    FM_ORDERING,
    ORDER_KEY,
    assigned_names,
    module_functions,
    names_used,
    with_todo,
)

OUTPUT_ATTR = re.compile(r"^o(\d+)$")


def _return_arity(func: Optional[cst.FunctionDef], classes: set[str]) -> Optional[int]:
    """Number of outputs declared by a task's return annotation (1 unless a tuple/NamedTuple)."""
    if func is None or func.returns is None:
        return None
    ann = func.returns.annotation
    if isinstance(ann, cst.Subscript):
        base = ann.value
        base_name = base.attr.value if isinstance(base, cst.Attribute) else getattr(base, "value", "")
        if base_name in {"Tuple", "tuple"}:
            return len(ann.slice)
    if isinstance(ann, cst.Name) and ann.value in classes:
        return 2  # a NamedTuple: several outputs, arrives as a plain tuple in a Flyte 2 driver
    return 1


def _is_node(op: cst.BaseExpression) -> bool:
    """An operand of ``>>``: a node variable, a call, or an awaited call (a gate the gates codemod
    already made ``await flyte.durable.sleep.aio(...)`` in an async driver)."""
    if isinstance(op, cst.Await):
        return isinstance(op.expression, cst.Call)
    return isinstance(op, (cst.Name, cst.Call))


class OrderingCodemod(FlyteCodemod):
    """``>>`` / ``runs_before`` / ``create_node`` -> ordered statements."""

    DESCRIPTION = "node ordering -> statement order"
    TRIGGERS = (">>", "runs_before", "create_node")

    def __init__(self, context) -> None:
        super().__init__(context)
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: set[str] = set()
        self.node_tasks: dict[str, Optional[str]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self.functions = module_functions(node)
        self.classes = {s.name.value for s in node.body if isinstance(s, cst.ClassDef)}

    # -- create_node ---------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.node_tasks = {}
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
                assign = stmt.body[0]
                value = assign.value
                if isinstance(value, cst.Call) and self.matches(value.func, "flytekit.create_node"):
                    target = assign.targets[0].target
                    if isinstance(target, cst.Name) and value.args:
                        task = value.args[0].value
                        self.node_tasks[target.value] = task.value if isinstance(task, cst.Name) else None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.matches(original_node.func, "flytekit.create_node") and updated_node.args:
            first, *rest = updated_node.args
            if rest:
                rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return cst.Call(func=first.value, args=rest)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        value = original_node.value
        match = OUTPUT_ATTR.match(original_node.attr.value)
        if not (match and isinstance(value, cst.Name) and value.value in self.node_tasks):
            return updated_node
        index = int(match.group(1))
        task = self.node_tasks[value.value]
        arity = _return_arity(self.functions.get(task or ""), self.classes)
        if arity is None:
            arity = 2 if index > 0 else 1
        if arity == 1:
            return updated_node.value
        return cst.Subscript(value=updated_node.value, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(index))))])

    # -- >> and runs_before --------------------------------------------------------------------
    def _chain(self, expr: cst.BaseExpression) -> Optional[list[cst.BaseExpression]]:
        """Operands of ``a >> b >> c`` or ``a.runs_before(b)``, in execution order."""
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.RightShift):
            left = self._chain(expr.left) or [expr.left]
            right = self._chain(expr.right) or [expr.right]
            return [*left, *right]
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "runs_before"
            and len(expr.args) == 1
        ):
            return [expr.func.value, expr.args[0].value]
        return None

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.node_tasks = {}
        if not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        body = list(updated_node.body.body)
        # updated statement -> original one, whose position the diagnostics report
        originals = {id(u): o for u, o in zip(body, original_node.body.body)} if len(body) == len(original_node.body.body) else {}
        changed = False
        i = 0
        while i < len(body):
            stmt = body[i]
            chain = None
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
                chain = self._chain(stmt.body[0].value)
            if chain is None or not all(_is_node(op) for op in chain):
                i += 1
                continue
            changed = True
            # Calls in the chain run here, in chain order.
            new_stmts = [
                cst.SimpleStatementLine(body=[cst.Expr(op)]) for op in chain if not isinstance(op, cst.Name)
            ]
            if new_stmts:
                new_stmts[0] = new_stmts[0].with_changes(leading_lines=stmt.leading_lines)
            body[i : i + 1] = new_stmts
            names = [op.value for op in chain if isinstance(op, cst.Name)]
            keys = [("name", op.value) if isinstance(op, cst.Name) else ("call", cst.Module([]).code_for_node(op)) for op in chain]
            pairs = self.context.scratch.setdefault(ORDER_KEY, {}).setdefault(updated_node.name.value, [])
            pairs.extend(zip(keys, keys[1:]))  # the async style keeps these apart when it gathers
            early = self._calls_first_target(body, chain, i)
            if early is not None and new_stmts:
                # `t2() >> a` where `a = t1()` came earlier: t2() must run before that statement
                moved = body[i : i + len(new_stmts)]
                del body[i : i + len(new_stmts)]
                moved[0] = moved[0].with_changes(leading_lines=[*body[early].leading_lines, *moved[0].leading_lines])
                body[early] = body[early].with_changes(leading_lines=[])
                body[early:early] = moved
                i += len(new_stmts)
                continue
            ok = all(self._order(body, a, b) for a, b in zip(names, names[1:]))
            if not ok:
                self.report(originals.get(id(stmt), original_node), FM_ORDERING, "node ordering could not be reproduced by moving statements")
                kept = with_todo(stmt, FM_ORDERING, "reorder these calls by hand; Flyte 2 runs them in statement order")
                body.insert(i + len(new_stmts), kept)
                i += 1
            i += len(new_stmts)
            kept_comments = list(stmt.leading_lines)
            if stmt.trailing_whitespace.comment is not None:
                kept_comments.append(cst.EmptyLine(comment=stmt.trailing_whitespace.comment))
            if not new_stmts and i < len(body) and kept_comments and ok:
                # keep the comments of the removed ordering statement on the statement that follows
                body[i] = body[i].with_changes(leading_lines=(*kept_comments, *body[i].leading_lines))
        if not changed:
            return updated_node
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def _calls_first_target(self, body: list[cst.BaseStatement], chain: list[cst.BaseExpression], at: int) -> Optional[int]:
        """For a chain of calls followed by node names (``t2() >> a``), the index of the first
        statement, before ``at``, defining one of those names, when the calls can move there (they
        read nothing bound from there on); None otherwise."""
        kinds = [isinstance(op, cst.Name) for op in chain]
        if not (any(kinds) and not all(kinds) and kinds == sorted(kinds)):
            return None  # not "calls, then names"
        defined = [self._defining(body[:at], op.value) for op in chain if isinstance(op, cst.Name)]
        defined = [d for d in defined if d is not None]
        if not defined:
            return None
        early = min(defined)
        read = set().union(*(names_used(op) for op in chain if not isinstance(op, cst.Name)))
        if any(read & assigned_names(stmt) for stmt in body[early:at]):
            return None
        return early

    @staticmethod
    def _defining(body: list[cst.BaseStatement], name: str) -> Optional[int]:
        for index, stmt in enumerate(body):
            if name in assigned_names(stmt):
                return index
        return None

    def _order(self, body: list[cst.BaseStatement], first: str, second: str) -> bool:
        """Make the statement defining ``second`` come after the one defining ``first``."""
        a, b = self._defining(body, first), self._defining(body, second)
        if a is None or b is None:
            return a is not None or b is None  # a parameter is available from the start
        if a < b:
            return True
        moved = body[b]
        between = body[b + 1 : a + 1]
        bound = assigned_names(moved)
        # Moving it later is safe only if nothing in between reads what it binds or rebinds what it reads.
        if not (any(bound & names_used(s) for s in between) or any(names_used(moved) & assigned_names(s) for s in between)):
            del body[b]
            body.insert(a, moved)
            return True
        # Otherwise move the first node's statement up, just before the second one: safe when it
        # reads nothing bound in between and nothing in between reads or rebinds what it binds.
        early = body[a]
        between = body[b:a]
        early_bound = assigned_names(early)
        if any(names_used(early) & assigned_names(s) for s in between):
            return False
        if any(early_bound & (names_used(s) | assigned_names(s)) for s in between):
            return False
        del body[a]
        body.insert(b, early)
        return True
