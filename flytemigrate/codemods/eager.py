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
way. Sync helpers that call tasks are made async too when only async code calls them (local ones in
an async body, ``_nested_helpers``; module-level ones, ``_module_helpers``); a module-level one also
used by sync code is called from async code as ``await asyncio.to_thread(helper, ...)``. So are the ``async def`` drivers the ``--async`` style made of ``@workflow``/``@dynamic``
functions, for the child calls the async-style codemod left unawaited (it awaits calls of names;
a task reached through a project module, ``steps.clean(...)``, would otherwise be a blocking sync
call from async code, which Flyte 2 rejects); there an unawaited call of an async entity (a
sub-workflow) is awaited too, since in the Flyte 1 graph it was a node.

Calls in a nested *sync* function or a lambda cannot be awaited there and are left unchanged.
Calls of entities that were async in Flyte 1 (other eager workflows, ``async def`` tasks) already
returned awaitables there and are kept; a workflow that only the async style made ``async def``
returned its value in Flyte 1 eager code, so its call is awaited.
``task.py`` turns the decorator into ``@env.task`` afterwards.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, called_name, dotted_name, scan_module

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
    # Which bodies this class converts (``AsyncDriverCallsCodemod`` below flips both).
    EAGER_BODIES = True
    ASYNC_DRIVERS = False

    def __init__(self, context) -> None:
        super().__init__(context)
        self._info = ModuleInfo()
        # One entry per function entered inside an eager body: True when it is async (awaits allowed).
        self._scopes: list[bool] = []
        self._drivers: list[bool] = []  # per scope: an async-style workflow/dynamic driver
        # per scope: nested sync helpers that become async ({name: id}, {ids}), see ``_nested_helpers``
        self._local_helpers: list[tuple[dict[str, int], set[int]]] = []
        self._awaited: set[int] = set()  # ids of calls that are the operand of an ``await``
        self._consumed: set[int] = set()  # ids of calls handed directly to asyncio.gather(...) & co.
        self._lambdas = 0
        self._generators: list[bool] = []  # per generator expression: did it gain an await
        self._helpers: set[int] = set()
        # Module-level sync helpers that call tasks but are also used from sync code: called from
        # async code through ``await asyncio.to_thread(helper, ...)`` (off the event loop).
        self._threaded: set[str] = set()

    def visit_Module(self, node: cst.Module) -> None:
        self._info = scan_module(self, node)
        # Undecorated module-level ``async def`` helpers: Flyte 1 code calls tasks in them only from
        # eager workflows (they run on the eager event loop), so their task calls convert the same way.
        self._helpers = {
            id(stmt)
            for stmt in node.body
            if isinstance(stmt, cst.FunctionDef) and stmt.asynchronous is not None and not stmt.decorators
        }
        # Module-level sync helpers made async by this pass or an earlier one (shared through scratch).
        self._converted = self.context.scratch.setdefault(CONVERTED_HELPERS_KEY, set())
        self._to_convert = self._module_helpers(node)

    def _module_helpers(self, module: cst.Module) -> dict[str, int]:
        """Undecorated module-level sync functions that call tasks and are called only from async tasks.

        ``def branch(x): return t2(x=t1(x=x))`` called from an eager body (or an ``--async`` driver)
        would call sync tasks in a blocking way on the event loop. When every use of its name is a
        direct call inside a top-level async entity or async helper, it becomes ``async def`` and
        its calls are awaited; used anywhere else (a sync workflow, module level), it stays.
        """
        candidates = {
            stmt.name.value: stmt
            for stmt in module.body
            if isinstance(stmt, cst.FunctionDef) and not stmt.decorators and stmt.asynchronous is None
        }
        candidates = {name: f for name, f in candidates.items() if name not in self._info.entities and _calls_entities(self, f)}
        self._threaded = set(candidates) | self._info.imported_helpers
        if not candidates:
            return {}
        allowed: set[str] = set(candidates)
        for stmt in module.body:
            async_top = isinstance(stmt, cst.FunctionDef) and stmt.asynchronous is not None and (
                id(stmt) in self._helpers or self.function_kind(stmt) in ("eager", "workflow", "dynamic")
            )
            scan = _BodyScan(self)
            (stmt.body if async_top else stmt).visit(scan)
            for name in list(allowed):
                if scan.other_uses.get(name) or (not async_top and name in scan.called) or name in scan.nested_calls:
                    allowed.discard(name)
        self._threaded -= allowed
        return {name: id(candidates[name]) for name in allowed}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kind = self.function_kind(node) if not self._scopes else None
        driver = self.ASYNC_DRIVERS and kind in ("workflow", "dynamic") and node.asynchronous is not None
        eager = self.EAGER_BODIES and (kind == "eager" or id(node) in self._helpers)
        module_helper = not self._scopes and id(node) in self._to_convert.values()
        if self._scopes or eager or driver or module_helper:
            made_async = module_helper or (bool(self._local_helpers) and id(node) in self._local_helpers[-1][1])
            is_async = node.asynchronous is not None or made_async
            self._scopes.append(is_async)
            self._drivers.append(bool(driver) or (bool(self._drivers) and self._drivers[-1]))
            self._local_helpers.append(self._nested_helpers(node) if is_async else ({}, set()))

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self._scopes:
            self._scopes.pop()
            self._drivers.pop()
            self._local_helpers.pop()
            if self._local_helpers and id(original_node) in self._local_helpers[-1][1]:
                return updated_node.with_changes(asynchronous=cst.Asynchronous())
            if not self._scopes and id(original_node) in self._to_convert.values():
                self._converted.add(original_node.name.value)
                return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    def _nested_helpers(self, function: cst.FunctionDef) -> tuple[dict[str, int], set[int]]:
        """Sync functions defined in an async body that call tasks, and are only called there.

        ``def step(v): return square(x=v)`` inside an eager/async driver body would call a sync task
        in a blocking way from the event loop (Flyte 2 rejects it). Such a helper becomes ``async
        def`` (its task calls awaited) and its calls ``await step(...)``, when every use of its name
        in the body is a direct call outside nested functions and lambdas.
        """
        scan = _BodyScan(self)
        function.body.visit(scan)
        names: dict[str, int] = {}
        for helper in scan.defs:
            name = helper.name.value
            if helper.decorators or helper.asynchronous is not None or scan.other_uses.get(name) or name in scan.nested_calls:
                continue
            if not _calls_entities(self, helper):
                continue
            names[name] = id(helper)
        # ``p = functools.partial(sync_task, x=x)`` then ``p(y=y)``: the partial is taken of
        # ``sync_task.aio`` and its calls are awaited (only when ``p`` is only ever called here).
        for name, call in scan.assigned_calls.items():
            if scan.other_uses.get(name) or name in scan.nested_calls or scan.assignments.get(name, 0) != 1:
                continue
            if not (self.matches(call.func, "functools.partial") and call.args and call.args[0].keyword is None):
                continue
            entity = self._info.entities.get(dotted_name(call.args[0].value) or "")
            if entity is not None and not entity.is_async:
                names[name] = id(call)
        return names, set(names.values())

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
        if entity is None and id(original_node) in self._local_helpers[-1][1]:
            # ``functools.partial(sync_task, ...)`` whose calls are awaited: take it of ``sync_task.aio``
            first = updated_node.args[0]
            aio = cst.Attribute(value=first.value, attr=cst.Name("aio"))
            return updated_node.with_changes(args=[first.with_changes(value=aio), *updated_node.args[1:]])
        if entity is None:
            if name in self._threaded and self._scopes[-1] and not self._lambdas and id(original_node) not in self._consumed:
                return self._to_thread(updated_node)
            helper = name and (name in self._local_helpers[-1][0] or name in self._to_convert or name in self._converted)
            if helper and self._scopes[-1] and not self._lambdas:
                if id(original_node) in self._awaited or id(original_node) in self._consumed:
                    return updated_node
                if self._generators:
                    self._generators[-1] = True
                return cst.Await(expression=updated_node.with_changes(lpar=[], rpar=[]), lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))
            return updated_node
        awaited = id(original_node) in self._awaited or id(original_node) in self._consumed
        if entity.is_async:
            # Flyte 1 code awaits (or gathers) what was already async; a sub-workflow that only the
            # async style made ``async def`` returned its value and is awaited here.
            if entity.flyte1_async and not self._drivers[-1]:
                return updated_node
            if awaited or not self._scopes[-1] or self._lambdas:
                return updated_node
            call = updated_node.with_changes(lpar=[], rpar=[])
        else:
            if not awaited and (not self._scopes[-1] or self._lambdas):
                return updated_node  # no await possible here: keep the call as written
            call = updated_node.with_changes(func=cst.Attribute(value=updated_node.func, attr=cst.Name("aio")))
            if awaited:
                return call
        if self._generators:
            self._generators[-1] = True
        return cst.Await(expression=call.with_changes(lpar=[], rpar=[]), lpar=list(updated_node.lpar), rpar=list(updated_node.rpar))

    def _to_thread(self, call: cst.Call) -> cst.BaseExpression:
        """``helper(a, b=c)`` -> ``await asyncio.to_thread(helper, a, b=c)``."""
        AddImportsVisitor.add_needed_import(self.context, "asyncio")
        if self._generators:
            self._generators[-1] = True
        args = [cst.Arg(call.func.with_changes(lpar=[], rpar=[]), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))] if call.args else [cst.Arg(call.func)]
        threaded = cst.Call(func=cst.parse_expression("asyncio.to_thread"), args=args + list(call.args))
        return cst.Await(expression=threaded, lpar=list(call.lpar), rpar=list(call.rpar))

    # ``await`` binds looser than trailers: ``(await t.aio())[0]``, ``(await t.aio()).x``.
    def _parenthesise(self, value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, cst.Await) and not value.lpar:
            return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return value

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))


class AsyncDriverCallsCodemod(EagerCodemod):
    """``--async`` only: await the child calls of async workflow/dynamic drivers that are still unawaited."""

    DESCRIPTION = "Await task calls left unawaited in async-style drivers (tasks reached through a module)."
    TRIGGERS = ("workflow", "dynamic")
    REQUIRES_OPTION = "async_style"
    EAGER_BODIES = False
    ASYNC_DRIVERS = True


CONVERTED_HELPERS_KEY = "flytemigrate.eager.converted_helpers"


class _BodyScan(cst.CSTVisitor):
    """Nested function definitions of one body, and uses of names in it: direct calls (at the top
    of the body or inside nested functions/lambdas) and any other use."""

    def __init__(self, codemod: "EagerCodemod") -> None:
        super().__init__()
        self.defs: list[cst.FunctionDef] = []
        self.other_uses: dict[str, bool] = {}
        self.called: set[str] = set()
        self.nested_calls: set[str] = set()
        self.assigned_calls: dict[str, cst.Call] = {}  # ``name = f(...)`` at the top of the body
        self.assignments: dict[str, int] = {}  # how often each name is bound at the top of the body
        self._callees: set[int] = set()
        self._depth = 0  # inside a nested function or lambda

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self.defs.append(node)
        self._callees.add(id(node.name))  # the definition itself is not a use
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self._callees.add(id(node.func))
            (self.called if self._depth == 0 else self.nested_calls).add(node.func.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._callees.add(id(node.attr))  # ``x.step`` is not the helper

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._callees.add(id(node.keyword))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._callees.add(id(target.target))  # binding it is not using it
                name = target.target.value
                self.assignments[name] = self.assignments.get(name, 0) + (1 if self._depth == 0 else 2)
                if self._depth == 0 and isinstance(node.value, cst.Call):
                    self.assigned_calls[name] = node.value

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._callees:
            self.other_uses[node.value] = True


def _calls_entities(codemod: "EagerCodemod", function: cst.FunctionDef) -> bool:
    """Does the function body call a module/project entity (outside its own nested functions)?"""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            name = called_name(node) or _overridden_name(node)
            if name and name in codemod._info.entities:
                found = True

    function.body.visit(Finder())
    return found


def _overridden_name(node: cst.Call) -> Optional[str]:
    """``t`` for ``t.override(...)(...)`` (what the overrides codemod makes of ``with_overrides``)."""
    func = node.func
    if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and func.func.attr.value == "override":
        return dotted_name(func.func.value)
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
