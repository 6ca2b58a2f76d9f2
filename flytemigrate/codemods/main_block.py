"""``if __name__ == "__main__":`` blocks that run a workflow/task locally -> ``flyte.run``.

Flyte 1 ran an entity by calling it (``print(wf(x=1))``). In Flyte 2 a local run is
``flyte.init()`` once, then ``flyte.run(wf, x=1)``, whose ``.outputs()`` is always a tuple of
the outputs (``(value,)`` for a single output, NamedTuple outputs flattened). To print the same
value as before, a single output is ``.outputs()[0]``, a ``Tuple[...]`` output is
``tuple(.outputs())`` and a NamedTuple output is rebuilt with ``Cls(*.outputs())`` (``tuple(...)``
when the class is not reachable from the module). A call that is a whole statement (``wf(x=1)``,
run for its effects) becomes ``flyte.run(wf, x=1)`` alone. ``asyncio.run(eager_wf(x=1))``, the
Flyte 1 way to run an eager workflow locally, loses the ``asyncio.run``: ``flyte.run`` runs async
tasks itself. Calls of module-level entities and of
entities of project modules (``flows.wf(...)`` after ``from my_project import flows``) are
rewritten, also inside f-strings and other expressions of the block.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, called_name, dotted_name, scan_module

_MAIN_TEST = m.Comparison(
    left=m.Name("__name__"),
    comparisons=[m.ComparisonTarget(operator=m.Equal(), comparator=m.SimpleString())],
)


class MainBlockCodemod(FlyteCodemod):
    """Turn direct entity calls under ``__main__`` into ``flyte.run(...).outputs()``."""

    DESCRIPTION = "Run workflows with flyte.init() + flyte.run() in __main__ blocks."
    TRIGGERS = ("__main__",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        self._in_main = False
        self._changed = False
        self._statements: set[int] = set()  # ids of calls that are a whole expression statement

    def visit_Module(self, node: cst.Module) -> None:
        self._info = scan_module(self, node)

    def visit_If(self, node: cst.If) -> None:
        if m.matches(node.test, _MAIN_TEST) and self._is_top_level(node):
            self._in_main = True
            self._changed = False

    def _is_top_level(self, node: cst.If) -> bool:
        return self._info is not None and isinstance(node.body, cst.IndentedBlock)

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        if not (self._in_main and m.matches(original_node.test, _MAIN_TEST)):
            return updated_node
        self._in_main = False
        if not self._changed:
            return updated_node
        body = list(updated_node.body.body)
        already = any(
            m.matches(s, m.SimpleStatementLine([m.Expr(m.Call(func=m.Attribute(m.Name("flyte"), m.Name("init"))))]))
            for s in body
        )
        if not already:
            # Comments above the first statement describe the block ("# run locally"): keep them on top.
            init = cst.parse_statement("flyte.init()").with_changes(leading_lines=body[0].leading_lines)
            body[0] = body[0].with_changes(leading_lines=[])
            body.insert(0, init)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self._in_main:
            return updated_node
        if self._runs_entity(original_node):
            # ``asyncio.run(eager_wf(x=1))``: flyte.run runs async tasks itself and returns the run.
            RemoveImportsVisitor.remove_unused_import(self.context, "asyncio")
            return updated_node.args[0].value.with_changes(lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))
        name = called_name(original_node)
        entity = self._info.entities.get(name) if name else None
        if entity is None:
            return updated_node
        self._changed = True
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        entity_ref = updated_node.func.with_changes(lpar=[], rpar=[])  # ``wf`` or ``flows.wf``
        run = cst.Call(
            func=cst.parse_expression("flyte.run"),
            args=[cst.Arg(entity_ref, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))] + list(updated_node.args)
            if updated_node.args
            else [cst.Arg(entity_ref)],
            lpar=list(updated_node.lpar),
            rpar=list(updated_node.rpar),
        )
        if id(original_node) in self._statements:
            return run  # ``wf(x=3)`` run for its effects: the outputs are not read
        outputs = cst.Call(func=cst.Attribute(run.with_changes(lpar=[], rpar=[]), cst.Name("outputs")))
        return self._unpack(outputs, entity).with_changes(lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))

    def _runs_entity(self, node: cst.Call) -> bool:
        """``asyncio.run(<entity call>)`` (how Flyte 1 ran an ``@eager`` workflow locally)."""
        if len(node.args) != 1 or node.args[0].keyword or node.args[0].star or not self.matches(node.func, "asyncio.run"):
            return False
        inner = node.args[0].value
        name = called_name(inner) if isinstance(inner, cst.Call) else None
        return bool(name) and name in self._info.entities

    def visit_Expr(self, node: cst.Expr) -> None:
        if self._in_main and isinstance(node.value, cst.Call):
            self._statements.add(id(node.value))
            if self._runs_entity(node.value):
                self._statements.add(id(node.value.args[0].value))

    def _unpack(self, outputs: cst.Call, entity) -> cst.BaseExpression:
        returns = entity.returns
        name = dotted_name(returns) if returns is not None else None
        if name and name in self._info.namedtuples:
            # ``Out`` of this module, or ``steps.Out`` of a project module imported as ``steps``
            return cst.Call(func=returns.deep_clone(), args=[cst.Arg(outputs, star="*")])
        if entity.nt_fields is not None:
            # The NamedTuple class is not reachable from here: keep every output (not only the first).
            return cst.Call(func=cst.Name("tuple"), args=[cst.Arg(outputs)])
        if isinstance(returns, cst.Subscript) and self._is_tuple(returns.value):
            return cst.Call(func=cst.Name("tuple"), args=[cst.Arg(outputs)])
        return cst.Subscript(value=outputs, slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))])

    def _is_tuple(self, node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Name) and node.value == "tuple") or self.matches(node, "typing.Tuple")
