"""Drop flytekit imports that the rewrite left unused.

Runs last. Every ``import flytekit ...`` / ``from flytekit... import ...`` (and
``flytekitplugins``) at any level is scheduled for ``RemoveImportsVisitor``, which removes an
alias only when nothing in the module still refers to it: a flytekit name the codemods could not
convert keeps its import (and carries a TODO), so the file still runs and the linter still
flags it. Imports the new code needs (``flyte``, ``flyte.io``, ``asyncio`` ...) are added by the
codemods that introduce them, through ``AddImportsVisitor``.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import RemoveImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod

_FLYTE1 = ("flytekit", "flytekitplugins")


def _module_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _is_flyte1(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in _FLYTE1)


class ImportsCodemod(FlyteCodemod):
    """Schedule every flytekit import for removal-if-unused."""

    DESCRIPTION = "Remove flytekit imports that are no longer used."
    TRIGGERS = ("flytekit",)

    def visit_Import(self, node: cst.Import) -> None:
        if any(_is_flyte1(_module_of(alias.name)) for alias in node.names):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative and _is_flyte1(_module_of(node.module)):
            if not isinstance(node.names, cst.ImportStar):
                RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)
