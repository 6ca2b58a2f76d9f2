"""``--async``: async drivers, awaited child calls, and ``asyncio.gather`` where Flyte 1 ran nodes in parallel.

Only active with ``RewriteOptions(async_style=True)``. Every module-level ``@workflow`` /
``@dynamic`` function becomes an ``async def`` driver (``@eager`` already is, and the eager
codemod handles its calls). Leaf ``@task`` functions stay sync: their bodies are ordinary
blocking code, and an ``async def`` body that blocks would stall the event loop so that
"parallel" children run one after the other; a sync task called through ``t.aio(...)`` runs in a
worker thread and really overlaps (measured on flyte 2.12 local runs, see
``tests/test_async_parallel.py``). Inside a driver every call of a module entity is awaited —
sync tasks as ``await t.aio(...)`` (also ``t.override(...).aio(...)``), drivers as ``await
wf(...)`` — and a list comprehension of task calls (the ``@dynamic`` fan-out) becomes
``await asyncio.gather(*(...))``.

Parallelism comes from the data flow of the Flyte 1 graph: in each block, a run of consecutive
``x = await t(...)`` / ``await t(...)`` statements is split into levels, where a statement's level
is one more than the highest level of the statements it depends on (reads what they bind,
rebinds what they read or bind, or was ordered after them with ``>>``/``runs_before``, recorded by
the ordering codemod). Statements of one level run together in one ``asyncio.gather``; levels
run in order. Any other statement ends a run, so nothing moves across plain Python code.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import (
    ORDER_KEY,
    POLICY_KEY,
    assigned_names,
    module_functions,
    names_used,
    with_commas,
)
from flytemigrate.codemods.module_info import dotted_name, scan_module

DRIVER_KINDS = {"workflow", "dynamic"}


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


class AsyncStyleCodemod(FlyteCodemod):
    """Async tasks and ``asyncio.gather`` of independent child calls (``--async`` only)."""

    DESCRIPTION = "async style: async def, await, asyncio.gather"
    REQUIRES_OPTION = "async_style"  # the pipeline skips it (and its metadata) without --async

    def __init__(self, context) -> None:
        super().__init__(context)
        self.entities: set[str] = set()
        self.sync_tasks: set[str] = set()
        self.driver: Optional[str] = None
        self.depth = 0

    def should_allow_multiple_passes(self) -> bool:
        return False

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if not self.options.async_style:
            return tree
        return super().transform_module_impl(tree)

    def visit_Module(self, node: cst.Module) -> None:
        self.sync_tasks = set()
        self.entities = set()
        for name, func in module_functions(node).items():
            kind = self.function_kind(func)
            if kind is None:
                continue
            self.entities.add(name)
            if kind == "task" and func.asynchronous is None:
                self.sync_tasks.add(name)
        # Tasks imported from the project's own modules (``from .steps import clean``) are called
        # the same way: a sync one through ``.aio``, a driver or async task awaited directly.
        for name, entity in scan_module(self, node).entities.items():
            if entity.imported and name not in self.entities:
                self.entities.add(name)
                if not entity.is_async:
                    self.sync_tasks.add(name)

    # -- which function are we in ---------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1
        if self.depth == 1 and self.function_kind(node) in DRIVER_KINDS:
            self.driver = node.name.value

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        if self.depth == 0:
            self.driver = None
            if self.function_kind(original_node) in DRIVER_KINDS and updated_node.asynchronous is None:
                return updated_node.with_changes(asynchronous=cst.Asynchronous())
        return updated_node

    # -- awaiting child calls --------------------------------------------------------------------
    def _callee(self, node: cst.BaseExpression) -> Optional[str]:
        """The module entity called by ``t(...)``, ``t.aio(...)``, ``t.override(...)(...)``, ``t.override(...).aio(...)``."""
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "aio":
            func = func.value
        if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and func.func.attr.value == "override":
            func = func.func.value
        # ``t`` or a task of a project module imported whole (``steps.t``): entities has both forms.
        name = dotted_name(func)
        return name if name is not None and name in self.entities else None

    def _is_task_call(self, node: cst.BaseExpression) -> bool:
        return self._callee(node) is not None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self.driver is None or self.depth != 1:
            return updated_node
        callee = self._callee(updated_node)
        if callee is None or (isinstance(updated_node.func, cst.Attribute) and updated_node.func.attr.value == "aio"):
            return updated_node
        if callee in self.sync_tasks:
            # a sync task called from an async driver must go through .aio (it then runs in a worker thread)
            updated_node = updated_node.with_changes(func=cst.Attribute(value=updated_node.func, attr=cst.Name("aio")))
        return cst.Await(updated_node)

    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.BaseExpression:
        # `await (await t())` cannot happen in source; collapse what leave_Call produced under an existing await
        if isinstance(updated_node.expression, cst.Await):
            return updated_node.expression
        return updated_node

    # ``await`` binds looser than trailers: the awaited output of ``t().attr`` / ``t()[0]`` needs
    # parentheses, ``(await t.aio()).attr``, or the attribute would be read from the coroutine.
    @staticmethod
    def _parenthesise(value: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(value, cst.Await) and not value.lpar:
            return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return value

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return updated_node.with_changes(value=self._parenthesise(updated_node.value))

    def leave_ListComp(self, original_node: cst.ListComp, updated_node: cst.ListComp) -> cst.BaseExpression:
        if self.driver is None or not isinstance(updated_node.elt, cst.Await) or updated_node.for_in.asynchronous:
            return updated_node
        if not self._is_task_call(updated_node.elt.expression):
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, "asyncio")
        generator = cst.GeneratorExp(elt=updated_node.elt.expression, for_in=updated_node.for_in)
        return cst.Await(
            cst.Call(
                func=cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("gather")),
                args=[cst.Arg(generator, star="*")],
            )
        )

    # -- grouping independent calls ----------------------------------------------------------------
    def _task_statement(self, stmt: cst.BaseStatement) -> Optional[tuple[Optional[cst.BaseAssignTargetExpression], cst.Call]]:
        """(target or None, call) for ``x = await t(...)`` / ``await t(...)``."""
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.Expr):
            target, value = None, small.value
        else:
            return None
        if isinstance(value, cst.Await) and self._is_task_call(value.expression):
            return target, value.expression  # type: ignore[return-value]
        return None

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if self.driver is None or self.depth != 1:
            return updated_node
        body = list(updated_node.body)
        out: list[cst.BaseStatement] = []
        run: list[cst.BaseStatement] = []
        for stmt in body + [None]:  # type: ignore[list-item]
            if stmt is not None and self._task_statement(stmt):
                run.append(stmt)
                continue
            out.extend(self._group(run))
            run = []
            if stmt is not None:
                out.append(stmt)
        return updated_node.with_changes(body=out)

    def _keys(self, stmt: cst.BaseStatement) -> set[tuple[str, str]]:
        target, call = self._task_statement(stmt)  # type: ignore[misc]
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "aio":
            call = call.with_changes(func=call.func.value)  # the ordering codemod recorded the call before .aio
        keys = {("call", _code(call))}
        keys |= {("name", n) for n in assigned_names(stmt)}
        return keys

    def _group(self, run: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        if len(run) < 2:
            return run
        order = self.context.scratch.get(ORDER_KEY, {}).get(self.driver, [])
        levels: list[int] = []
        for i, stmt in enumerate(run):
            reads = names_used(self._task_statement(stmt)[1])  # type: ignore[index]
            binds = assigned_names(stmt)
            keys = self._keys(stmt)
            level = 0
            for j in range(i):
                other = run[j]
                other_binds = assigned_names(other)
                other_reads = names_used(self._task_statement(other)[1])  # type: ignore[index]
                ordered = any((a in self._keys(other) and b in keys) for a, b in order)
                if reads & other_binds or binds & (other_reads | other_binds) or ordered:
                    level = max(level, levels[j] + 1)
            levels.append(level)
        out: list[cst.BaseStatement] = []
        for level in range(max(levels) + 1):
            members = [s for s, lv in zip(run, levels) if lv == level]
            out.extend([members[0]] if len(members) == 1 else self._gather(members))
        return out

    def _gather(self, members: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        AddImportsVisitor.add_needed_import(self.context, "asyncio")
        targets, calls = [], []
        for stmt in members:
            target, call = self._task_statement(stmt)  # type: ignore[misc]
            calls.append(cst.Arg(call))
            targets.append(target)
        gather = cst.Await(
            cst.Call(func=cst.Attribute(value=cst.Name("asyncio"), attr=cst.Name("gather")), args=with_commas(calls))
        )
        leading = [line for stmt in members for line in stmt.leading_lines]
        if self.driver in self.context.scratch.get(POLICY_KEY, {}):
            return self._gather_all_complete(calls, targets, leading)
        if all(t is None for t in targets):
            return [cst.SimpleStatementLine(body=[cst.Expr(gather)], leading_lines=leading)]
        elements = []
        for index, target in enumerate(targets):
            value = target if target is not None else cst.Name("_")
            if isinstance(value, cst.Tuple):
                value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if index < len(targets) - 1 else cst.MaybeSentinel.DEFAULT
            elements.append(cst.Element(value, comma=comma))
        assign = cst.Assign(targets=[cst.AssignTarget(self._targets(targets))], value=gather)
        return [cst.SimpleStatementLine(body=[assign], leading_lines=leading)]

    @staticmethod
    def _targets(targets: list) -> cst.Tuple:
        elements = []
        for index, target in enumerate(targets):
            value = target if target is not None else cst.Name("_")
            if isinstance(value, cst.Tuple):
                value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if index < len(targets) - 1 else cst.MaybeSentinel.DEFAULT
            elements.append(cst.Element(value, comma=comma))
        return cst.Tuple(elements, lpar=[], rpar=[])

    def _gather_all_complete(self, calls: list[cst.Arg], targets: list, leading: list) -> list[cst.BaseStatement]:
        """FAIL_AFTER_EXECUTABLE_NODES_COMPLETE: let every independent call finish, then raise the first error."""
        args = ", ".join(_code(a.value) for a in calls)
        statements = [
            cst.parse_statement(f"_results = await asyncio.gather({args}, return_exceptions=True)"),
            cst.parse_statement("for _outcome in _results:\n    if isinstance(_outcome, Exception):\n        raise _outcome\n"),
        ]
        statements[0] = statements[0].with_changes(
            leading_lines=[
                *leading,
                cst.EmptyLine(comment=cst.Comment("# failure_policy FAIL_AFTER_EXECUTABLE_NODES_COMPLETE: independent calls all finish first")),
            ]
        )
        if any(t is not None for t in targets):
            statements.append(cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(self._targets(targets))], value=cst.Name("_results"))]))
        return statements
