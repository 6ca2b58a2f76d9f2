"""Drop flytekit imports that the rewrite left unused.

Runs last. Every ``import flytekit ...`` / ``from flytekit... import ...`` (and
``flytekitplugins``) at any level is scheduled for ``RemoveImportsVisitor``, which removes an
alias only when nothing in the module still refers to it: a flytekit name the codemods could not
convert keeps its import (and carries a TODO), so the file still runs and the linter still
flags it. Imports the new code needs (``flyte``, ``flyte.io``, ``asyncio`` ...) are added by the
codemods that introduce them, through ``AddImportsVisitor``.

Layout: when the flytekit imports formed their own group (a blank line above the first one) and
the new ``flyte`` imports were appended to the import block, they move to right after that group
and the first gets a blank line above it: once the flytekit imports are gone the ``flyte`` imports
are a group of their own where flytekit's was, not glued to the standard-library or project group.
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.codemod.visitors import RemoveImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.names import EXPRESSION_TYPES

_FLYTE1 = ("flytekit", "flytekitplugins")


def _module_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _is_flyte1(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in _FLYTE1)


def _import_modules(stmt: cst.CSTNode) -> list[str]:
    """Modules a top-level import statement imports (empty for anything else)."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return []
    found = []
    for small in stmt.body:
        if isinstance(small, cst.Import):
            found.extend(_module_of(alias.name) for alias in small.names)
        elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
            found.append(_module_of(small.module))
    return found


def _is_flyte2(module: str) -> bool:
    return module == "flyte" or module.startswith("flyte.")


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _own_group(stmt: cst.SimpleStatementLine) -> bool:
    """A blank line (or a comment line after one) separates ``stmt`` from the statement above."""
    return any(line.comment is None for line in stmt.leading_lines)


class ImportsCodemod(FlyteCodemod):
    """Schedule every flytekit import for removal-if-unused."""

    DESCRIPTION = "Remove flytekit imports that are no longer used."
    TRIGGERS = ("flytekit",)
    # The imports other codemods requested must be in the tree first: ``leave_Module`` regroups them.
    SEES_ADDED_IMPORTS = True

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Imports are statements: never descend into expressions (most of a module's nodes).
        if type(node) in EXPRESSION_TYPES:
            return False
        return super().on_visit(node)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        # The flytekit imports are removed after this pass (RemoveImportsVisitor), taking the blank
        # line above their group with them. Rebuild that group from what is left of it plus the
        # imports the codemods appended to the import block (AddImportsVisitor puts them after the
        # last import, possibly below a project group): standard-library ones join the group above
        # when that is the standard-library group, the rest (flyte, third-party) stay a group of
        # their own where flytekit's was.
        body = list(updated_node.body)
        start = next((i for i, stmt in enumerate(body) if any(_is_flyte1(m) for m in _import_modules(stmt))), None)
        if start is None or start == 0 or not _import_modules(body[start - 1]) or not _own_group(body[start]):  # type: ignore[arg-type]
            return updated_node
        block_end = start
        while block_end < len(body) and _import_modules(body[block_end]):
            block_end += 1
        group_end = start + 1
        while group_end < block_end and not _own_group(body[group_end]):  # type: ignore[arg-type]
            group_end += 1
        members = body[start:group_end]
        appended = [stmt for stmt in body[group_end:block_end] if all(_is_flyte2(m) for m in _import_modules(stmt))]
        rest = [stmt for stmt in body[group_end:block_end] if stmt not in appended]
        above_is_stdlib = all(_is_stdlib(m) for m in _import_modules(body[start - 1]))
        to_stdlib = [
            stmt for stmt in members
            if above_is_stdlib and all(_is_stdlib(m) for m in _import_modules(stmt)) and not _own_group(stmt)  # type: ignore[arg-type]
        ]
        group = [stmt for stmt in members if stmt not in to_stdlib] + appended
        flytekit_first = group[0]
        group = [stmt.with_changes(leading_lines=[ln for ln in stmt.leading_lines if ln.comment is not None]) for stmt in group]
        # the blank line (and comments) above flytekit's group go to the first statement that stays
        keep = next((i for i, stmt in enumerate(group) if not any(_is_flyte1(m) for m in _import_modules(stmt))), None)
        if keep is not None:
            group[keep] = group[keep].with_changes(leading_lines=[cst.EmptyLine(), *group[keep].leading_lines])
        group[0] = group[0].with_changes(leading_lines=list(flytekit_first.leading_lines))
        new_block = [*body[:start], *to_stdlib, *group, *rest]
        if len(new_block) != block_end:
            return updated_node
        return updated_node.with_changes(body=[*new_block, *body[block_end:]])

    def visit_Import(self, node: cst.Import) -> None:
        if any(_is_flyte1(_module_of(alias.name)) for alias in node.names):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative and _is_flyte1(_module_of(node.module)):
            if not isinstance(node.names, cst.ImportStar):
                RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)
