"""``@eager`` bodies: sync task calls -> ``await task.aio(...)``.

A Flyte 1 eager workflow is ``async def``. Under flytekit's local eager execution a *sync* task
called inside it returns its value directly (``n = step(n=n)``), while eager code written for a
backend awaits the call or hands it to ``asyncio.gather``. In Flyte 2 the workflow is an async
``@env.task``, and a sync task called from async code must go through ``.aio(...)``, which returns
an awaitable. So every call of a module-level sync entity inside an eager body becomes:

The same holds for ``t.override(...)(...)`` (a ``with_overrides`` call after the overrides codemod),
which becomes ``t.override(...).aio(...)``.

- ``name.aio(...)`` when the call is already awaited (``await t(x=1)``) or is handed to an
  awaitable consumer (``asyncio.gather``, ``asyncio.create_task``, ``asyncio.wait_for`` ...), which
  awaits it itself;
- ``await name.aio(...)`` everywhere else: assignments, conditions, loop bodies, arguments of other
  calls, comprehensions. The await is parenthesised when a trailer follows (``(await t.aio())[0]``),
  and a generator expression that gains an await becomes a list comprehension (an async generator
  cannot be consumed by ``sum``/``max``/...).

Undecorated module-level ``async def`` helpers (awaited by eager workflows) are converted the same
way. Calls in a nested *sync* function or a lambda cannot be awaited there and are left unchanged; calls
of async entities (other eager workflows, ``async def`` tasks) already return awaitables and are kept.
``task.py`` turns the decorator into ``@env.task`` afterwards.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, called_name, scan_module

# asyncio functions that take awaitables and await them themselves.
AWAITABLE_CONSUMERS = {
    "asyncio.gather",
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.as_completed",
    "asyncio.shield",
}


class EagerCodemod(FlyteCodemod):
    """Inside eager bodies, call sync tasks through ``.aio`` and await them where nothing else does."""

    DESCRIPTION = "Use (await) task.aio(...) for sync tasks called from @eager workflows."
    TRIGGERS = ("eager",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        # One entry per function entered inside an eager body: True when it is async (awaits allowed).
        self._scopes: list[bool] = []
        self._awaited: set[int] = set()  # ids of calls that are the operand of an ``await``
        self._consumed: set[int] = set()  # ids of calls handed directly to asyncio.gather(...) & co.
        self._lambdas = 0
        self._generators: list[bool] = []  # per generator expression: did it gain an await
        self._helpers: set[int] = set()

    def visit_Module(self, node: cst.Module) -> None:
        self._info = scan_module(self, node)
        # Undecorated module-level ``async def`` helpers: Flyte 1 code calls tasks in them only from
        # eager workflows (they run on the eager event loop), so their task calls convert the same way.
        self._helpers = {
            id(stmt)
            for stmt in node.body
            if isinstance(stmt, cst.FunctionDef) and stmt.asynchronous is not None and not stmt.decorators
        }

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._scopes or self.function_kind(node) == "eager" or id(node) in self._helpers:
            self._scopes.append(node.asynchronous is not None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self._scopes:
            self._scopes.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas += 1

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.BaseExpression:
        self._lambdas -= 1
        return updated_node

    def visit_Await(self, node: cst.Await) -> None:
        if isinstance(node.expression, cst.Call):
            self._awaited.add(id(node.expression))

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._generators.append(False)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp) -> cst.BaseExpression:
        gained_await = self._generators.pop()
        if not gained_await:
            return updated_node
        # ``sum(t(x) for x in xs)``: the generator's parentheses are the call's, so brackets are added.
        return cst.ListComp(elt=updated_node.elt, for_in=updated_node.for_in)

    def _is_consumer(self, node: cst.Call) -> bool:
        return bool(self._scopes) and self.matches(node.func, *AWAITABLE_CONSUMERS)

    def visit_Call(self, node: cst.Call) -> None:
        if self._is_consumer(node):
            for arg in node.args:
                self._consumed.update(_direct_calls(arg.value))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self._scopes:
            return updated_node
        name = called_name(original_node) or _overridden_name(original_node)
        entity = self._info.entities.get(name) if name else None
        if entity is None or entity.is_async:
            return updated_node
        awaited = id(original_node) in self._awaited or id(original_node) in self._consumed
        if not awaited and (not self._scopes[-1] or self._lambdas):
            return updated_node  # no await possible here: keep the call as written
        call = updated_node.with_changes(func=cst.Attribute(value=updated_node.func, attr=cst.Name("aio")))
        if awaited:
            return call
        if self._generators:
            self._generators[-1] = True
        return cst.Await(expression=call.with_changes(lpar=[], rpar=[]), lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))

    # ``await`` binds looser than trailers: ``(await t.aio())[0]``, ``(await t.aio()).x``.
    def _parenthesise(self, value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, cst.Await) and not value.lpar:
            return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return value

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))


def _overridden_name(node: cst.Call) -> Optional[str]:
    """``t`` for ``t.override(...)(...)`` (what the overrides codemod makes of ``with_overrides``)."""
    func = node.func
    if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and func.func.attr.value == "override":
        return func.func.value.value if isinstance(func.func.value, cst.Name) else None
    return None


def _direct_calls(expr: cst.BaseExpression) -> set[int]:
    """Ids of the calls an awaitable consumer receives as awaitables: ``gather(t(), *[t() for ..])``."""
    if isinstance(expr, cst.Call):
        return {id(expr)}
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        return _direct_calls(expr.elt)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        found: set[int] = set()
        for element in expr.elements:
            found |= _direct_calls(element.value)
        return found
    return set()
