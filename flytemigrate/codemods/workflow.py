"""Workflow and dynamic bodies: Flyte 1 promises -> Flyte 2 values.

A ``@workflow`` / ``@dynamic`` body becomes an ordinary driver task (``task.py`` swaps the
decorator). Calls already read as plain Python calls, keyword or positional, and tuple unpacking
of multi-output tasks works unchanged. The one construct that silently changes meaning is a
NamedTuple output: inside a Flyte 2 driver a child task's NamedTuple output arrives as a plain
tuple, so ``t().field`` and ``out.field`` (``out = t()``) raise ``AttributeError``. They become
index access (``t()[0]``, ``out[0]``), which works for both a tuple and a NamedTuple.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, called_name, scan_module


class WorkflowCodemod(FlyteCodemod):
    """Rewrite NamedTuple field access on child-task outputs inside workflow/dynamic/eager bodies."""

    DESCRIPTION = "Index NamedTuple outputs of child tasks inside drivers."
    TRIGGERS = ("NamedTuple",)

    KINDS = {"workflow", "dynamic", "eager"}

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        self._in_driver = 0
        self._vars: dict[str, list[str]] = {}

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

    def _fields_of(self, node: cst.BaseExpression) -> Optional[list[str]]:
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, cst.Call):
            name = called_name(node)
            return self._info.namedtuple_fields(name) if name else None
        if isinstance(node, cst.Name):
            return self._vars.get(node.value)
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._in_driver:
            return
        fields = self._fields_of(node.value) if isinstance(node.value, (cst.Call, cst.Await)) else None
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if fields:
                    self._vars[target.target.value] = fields
                else:
                    self._vars.pop(target.target.value, None)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if not self._in_driver:
            return updated_node
        fields = self._fields_of(original_node.value)
        if not fields or original_node.attr.value not in fields:
            return updated_node
        index = fields.index(original_node.attr.value)
        value = updated_node.value
        if isinstance(value, cst.Await):
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Subscript(value=value, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(index))))])
