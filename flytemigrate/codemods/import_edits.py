"""Apply the import additions and removals the codemods requested, cheaply.

The codemods ask for imports the LibCST way (``AddImportsVisitor.add_needed_import`` and
``RemoveImportsVisitor.remove_unused_import_by_node``), and LibCST's visitors apply them. The
removal visitor decides what is unused with a full scope analysis of the module (a deep copy, the
scopes, and qualified names for string annotations: about fifteen parses' worth of work per file),
which made it the most expensive step of a rewrite. ``UnusedImportsRemover`` keeps LibCST's
editing (which aliases go, commas and comments re-attached, empty statements dropped) and only
replaces that decision with one read of the module (``NameUsage``):

an import alias is in use when the name it binds is read anywhere in the module (outside import
statements), is listed in ``__all__``, or appears in a string annotation. A local variable that
shadows the import also counts as a use: the import is then kept, never removed while needed.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flytemigrate.codemods.names import EXPRESSION_TYPES, NOT_ACCESS_SLOTS, collect_not_accesses, statements

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Calls whose string arguments are type expressions (``cast("Frame", x)``, ``TypeVar("T", bound="X")``).
_STRING_TYPE_CALLS = {"cast", "TypeVar"}


def _string_value(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class NameUsage(cst.CSTVisitor):
    """The names a module reads (outside imports), exports in ``__all__`` or spells in string annotations."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self._not_accesses: set[int] = set()
        self._annotations = 0  # depth of Annotation nodes: strings there are type expressions

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        if kind is cst.Name:
            if id(node) not in self._not_accesses:
                self.used.add(node.value)
            return False
        if kind is cst.Import or kind is cst.ImportFrom:
            return False
        slots = NOT_ACCESS_SLOTS.get(kind)
        if slots is not None:
            collect_not_accesses(node, slots, self._not_accesses)
        if kind is cst.Annotation:
            self._annotations += 1
        elif kind is cst.SimpleString or kind is cst.ConcatenatedString:
            if self._annotations:
                self._add_words(node)
            return False
        elif kind is cst.Call:
            self._string_type_call(node)
        elif kind is cst.Assign or kind is cst.AugAssign or kind is cst.AnnAssign:
            self._exports(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if type(original_node) is cst.Annotation:
            self._annotations -= 1

    def _add_words(self, node: cst.BaseExpression) -> None:
        value = _string_value(node)
        if value:
            self.used.update(_WORD.findall(value))

    def _string_type_call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name in _STRING_TYPE_CALLS:
            for arg in node.args:
                self._add_words(arg.value)

    def _exports(self, node: cst.CSTNode) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        if not any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
            return
        value = node.value
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            for element in value.elements:
                text = _string_value(element.value)
                if text:
                    self.used.add(text)


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds: its ``as`` name, else the first part of the imported path."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


class _StatementsOnly:
    """Plain, statement-level dispatch for LibCST's import visitors.

    They only edit import statements and the module body, and no import lives inside an
    expression: skipping expressions leaves those subtrees as they were instead of rebuilding
    identical copies (most of a module's nodes are expressions). They use no matcher decorators,
    so ``CSTTransformer``'s dispatch replaces the matcher machinery their base class runs on
    every node, and they define no per-attribute hooks.
    """

    def on_visit(self, node: cst.CSTNode) -> bool:
        if type(node) in EXPRESSION_TYPES:
            return False
        return cst.CSTTransformer.on_visit(self, node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):
        return cst.CSTTransformer.on_leave(self, original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


class ImportAdder(_StatementsOnly, AddImportsVisitor):
    """``AddImportsVisitor`` with statement-level dispatch (same output)."""


class UnusedImportsRemover(_StatementsOnly, RemoveImportsVisitor):
    """``RemoveImportsVisitor`` deciding "unused" from ``NameUsage`` instead of a scope analysis."""

    METADATA_DEPENDENCIES = ()

    @classmethod
    def get_inherited_dependencies(cls):
        # LibCST unions the dependencies of every class in the MRO, so the scope analysis
        # ``RemoveImportsVisitor`` declares would still be resolved: this class needs none.
        return frozenset()

    def visit_Module(self, node: cst.Module) -> None:
        usage = NameUsage()
        node.visit(usage)
        used = usage.used
        unused: dict[cst.ImportAlias, cst.CSTNode] = {}
        for statement in _import_statements(node):
            if isinstance(statement, cst.ImportFrom):
                if isinstance(statement.names, cst.ImportStar) or (
                    isinstance(statement.module, cst.Name) and statement.module.value == "__future__"
                ):
                    continue
            for alias in statement.names:
                if _bound_name(alias) not in used:
                    unused[alias] = statement
        self._unused_imports = unused



def _import_statements(module: cst.Module):
    """Every ``Import``/``ImportFrom`` of the module, at any statement level."""
    for statement in statements(module):
        if isinstance(statement, (cst.Import, cst.ImportFrom)):
            yield statement
