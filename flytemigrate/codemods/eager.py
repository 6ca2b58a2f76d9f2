"""``@eager`` bodies: awaited sync task calls -> ``task.aio(...)``.

A Flyte 1 eager workflow is ``async def`` and awaits every task call (``await t(x=1)``,
``asyncio.gather(t(x=1), t(x=2))``). In Flyte 2 it is an async ``@env.task``; calling a *sync*
task from an async task must go through ``.aio(...)`` to get an awaitable, so every call of a
module-level sync entity inside an eager body becomes ``name.aio(...)``. Calls of async
entities (other eager workflows, ``async def`` tasks) already return awaitables and are kept.
``task.py`` turns the decorator into ``@env.task`` afterwards.
"""

from __future__ import annotations

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, called_name, scan_module


class EagerCodemod(FlyteCodemod):
    """Inside eager bodies, call sync tasks through ``.aio``."""

    DESCRIPTION = "Use task.aio(...) for sync tasks called from @eager workflows."
    TRIGGERS = ("eager",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        self._depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        self._info = scan_module(self, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth or self.function_kind(node) == "eager":
            self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self._depth:
            self._depth -= 1
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not self._depth:
            return updated_node
        name = called_name(original_node)
        entity = self._info.entities.get(name) if name else None
        if entity is None or entity.is_async:
            return updated_node
        return updated_node.with_changes(func=cst.Attribute(value=updated_node.func, attr=cst.Name("aio")))
