"""Workflow and dynamic bodies: Flyte 1 promises -> Flyte 2 values.

A ``@workflow`` / ``@dynamic`` body becomes an ordinary driver task (``task.py`` swaps the
decorator). Calls already read as plain Python calls, keyword or positional, and tuple unpacking
of multi-output tasks works unchanged. The one construct that silently changes meaning is a
NamedTuple output: inside a Flyte 2 driver a child task's NamedTuple output arrives as a plain
tuple, so ``t().field`` and ``out.field`` (``out = t()``) raise ``AttributeError``. They become
index access (``t()[0]``, ``out[0]``), which works for both a tuple and a NamedTuple; a NamedTuple
with a single field arrives as the bare value, so ``out.field`` becomes ``out``.

The value is followed wherever it flows inside the driver: a variable assigned from the call (also
``await t.aio(...)`` and ``t.override(...)(...)``), element-wise tuple assignment from
``asyncio.gather(t.aio(..), u.aio(..))`` (the async style), a list of outputs
(``[t(x=v) for v in vs]`` or ``await asyncio.gather(*(...))``) and the loop or comprehension
variables iterating it, and indexing such a list. The field index comes from the NamedTuple class
definition, in this module or in a project module it is imported from (``module_info``); tasks
called through a project module (``steps.clean(...)`` after ``from . import steps``) count too.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, dotted_name, scan_module


class WorkflowCodemod(FlyteCodemod):
    """Rewrite NamedTuple field access on child-task outputs inside workflow/dynamic/eager bodies."""

    DESCRIPTION = "Index NamedTuple outputs of child tasks inside drivers."
    # The NamedTuple class may be imported from a sibling module, so the word need not appear here.
    TRIGGERS = ("workflow", "dynamic", "eager")

    KINDS = {"workflow", "dynamic", "eager"}

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        self._in_driver = 0
        # variable -> ("one", fields) for a NamedTuple output, ("many", fields) for a list of them
        self._vars: dict[str, tuple[str, list[str]]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._info = scan_module(self, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._in_driver == 0 and self.function_kind(node) in self.KINDS:
            self._vars = {}
            self._in_driver += 1
        elif self._in_driver:
            self._in_driver += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self._in_driver:
            self._in_driver -= 1
        return updated_node

    # -- what a value is ---------------------------------------------------------------------------
    def _task_fields(self, call: cst.Call) -> Optional[list[str]]:
        """NamedTuple fields of a child call ``t(...)``, ``t.aio(...)``, ``t.override(...)(...)``."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "aio":
            func = func.value
        if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and func.func.attr.value == "override":
            func = func.func.value
        if isinstance(func, cst.Attribute) and func.attr.value == "aio":  # t.override(...).aio(...) handled above
            func = func.value
        name = dotted_name(func)  # ``t`` or ``tasks.t`` (a task of a project module imported as a module)
        return self._info.namedtuple_fields(name) if name else None

    def _is_gather(self, call: cst.Call) -> bool:
        func = call.func
        return (isinstance(func, cst.Attribute) and func.attr.value == "gather") or self.matches(func, "asyncio.gather")

    def _shape(self, node: cst.BaseExpression) -> Optional[tuple[str, list[str]]]:
        if isinstance(node, cst.Await):
            return self._shape(node.expression)
        if isinstance(node, cst.Name):
            return self._vars.get(node.value)
        if isinstance(node, cst.Call):
            fields = self._task_fields(node)
            if fields:
                return ("one", fields)
            if self._is_gather(node) and len(node.args) == 1 and node.args[0].star == "*":
                inner = self._shape(node.args[0].value)
                return inner if inner and inner[0] == "many" else None
            if isinstance(node.func, cst.Name) and node.func.value == "list" and len(node.args) == 1:
                inner = self._shape(node.args[0].value)
                return inner if inner and inner[0] == "many" else None
            return None
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
            inner = self._shape(node.elt)
            return ("many", inner[1]) if inner and inner[0] == "one" else None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            inner = self._shape(node.value)
            return ("one", inner[1]) if inner and inner[0] == "many" else None
        return None

    def _element_shapes(self, node: cst.BaseExpression) -> Optional[list[Optional[tuple[str, list[str]]]]]:
        """Per-element shapes of ``gather(a, b)`` / ``a, b`` on the right of a tuple assignment."""
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, cst.Call) and self._is_gather(node) and not any(a.star for a in node.args):
            return [self._shape(a.value) for a in node.args if not a.keyword]
        if isinstance(node, (cst.Tuple, cst.List)):
            if any(isinstance(e, cst.StarredElement) for e in node.elements):
                return None
            return [self._shape(e.value) for e in node.elements]
        return None

    def _bind(self, target: cst.BaseExpression, shape: Optional[tuple[str, list[str]]]) -> None:
        if isinstance(target, cst.Name):
            if shape:
                self._vars[target.value] = shape
            else:
                self._vars.pop(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)

    def _bind_assignment(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            shapes = self._element_shapes(value)
            if shapes is not None and len(shapes) == len(target.elements):
                for element, shape in zip(target.elements, shapes):
                    self._bind(element.value, shape)
                return
        self._bind(target, self._shape(value))

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._in_driver:
            return
        for target in node.targets:
            self._bind_assignment(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._in_driver and node.value is not None:
            self._bind_assignment(node.target, node.value)

    def _bind_loop(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        shape = self._shape(iterable)
        self._bind(target, ("one", shape[1]) if shape and shape[0] == "many" else None)

    def visit_For(self, node: cst.For) -> None:
        if self._in_driver:
            self._bind_loop(node.target, node.iter)

    def _visit_comprehension(self, node: cst.BaseComp) -> None:
        # The element is visited before the ``for`` clauses, so the loop variables are bound first.
        if not self._in_driver:
            return
        comp: Optional[cst.CompFor] = node.for_in
        while comp is not None:
            self._bind_loop(comp.target, comp.iter)
            comp = comp.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._visit_comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._visit_comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._visit_comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._visit_comprehension(node)

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return updated_node.with_changes(value=_parenthesise(updated_node.value)) if self._in_driver else updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        return updated_node.with_changes(func=_parenthesise(updated_node.func)) if self._in_driver else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if not self._in_driver:
            return updated_node
        shape = self._shape(original_node.value)
        if not shape or shape[0] != "one" or original_node.attr.value not in shape[1]:
            return updated_node.with_changes(value=_parenthesise(updated_node.value))
        index = shape[1].index(original_node.attr.value)
        value = updated_node.value
        if len(shape[1]) == 1:
            # A one-field NamedTuple output arrives as the bare value (``int``, not ``(int,)``). An
            # awaited one loses the parentheses that only the attribute needed; a trailer that
            # follows gets them back in leave_Attribute/leave_Subscript/leave_Call.
            if isinstance(value, cst.Await):
                value = value.with_changes(lpar=[], rpar=[])
            return value.with_changes(lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))
        if isinstance(value, cst.Await) and not value.lpar:
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Subscript(
            value=value,
            slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(index))))],
            lpar=list(updated_node.lpar),
            rpar=list(updated_node.rpar),
        )


def _parenthesise(value: cst.BaseExpression) -> cst.BaseExpression:
    """``await`` binds looser than a trailer: ``(await t.aio()).x``, ``(await t.aio())[0]``."""
    if isinstance(value, cst.Await) and not value.lpar:
        return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value
