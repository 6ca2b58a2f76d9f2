"""Reference entities: ``@reference_task`` -> ``flyte.remote.Task.get``; reference launch plans/workflows -> TODO.

A Flyte 1 reference task is a typed stub pointing at a registered task::

    @reference_task(project="p", domain="d", name="pkg.tasks.score", version="v3")
    def score(x: int) -> float: ...

Flyte 2 fetches a deployed task lazily by name: ``score = flyte.remote.Task.get("pkg.tasks.score",
project="p", domain="d", version="v3")``, which is callable from a driver. The interface stub is
kept in the TODO comment because the target must now be a *Flyte 2* deployment whose task name
follows Flyte 2 naming (``<environment>.<function>``): a person has to confirm name and version.
``reference_launch_plan`` / ``reference_workflow`` have no direct counterpart (Flyte 2 has no
launch plans or workflows), but the workflow they point at becomes a task once migrated, so they
are fetched the same way with a TODO to point the name at that task (a launch plan's saved inputs
are not applied any more). Without a name they are left with a TODO.

Calling a fetched entity runs ``LazyEntity.__call__``, which is ``async`` in flyte 2.12: in an
async driver (``--async`` style, ``@eager``) the call is awaited; a sync driver would get a
coroutine instead of the output, so the call gets a TODO to make the driver async.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import FM_REFERENCE, kwarg, todo_comment, with_commas, with_todo

REFERENCE_TASK = "flytekit.reference_task"
OTHER_REFERENCES = ("flytekit.reference_launch_plan", "flytekit.reference_workflow")


class ReferenceCodemod(FlyteCodemod):
    """Reference tasks, launch plans and workflows -> ``flyte.remote.Task.get`` (with a TODO)."""

    DESCRIPTION = "reference entities -> flyte.remote"
    TRIGGERS = ("reference_task", "reference_launch_plan", "reference_workflow")

    def __init__(self, context) -> None:
        super().__init__(context)
        self.references: set[str] = set()
        self.async_stack: list[bool] = []
        self.awaited = False  # a reference call of the current statement (sync driver) needs a TODO
        self.already_awaited: set[int] = set()

    def visit_Module(self, node: cst.Module) -> None:
        self.references = {
            stmt.name.value
            for stmt in node.body
            if isinstance(stmt, cst.FunctionDef)
            and any(
                isinstance(d.decorator, cst.Call) and self.matches(d.decorator.func, REFERENCE_TASK, *OTHER_REFERENCES)
                for d in stmt.decorators
            )
        }

    # -- calls: a flyte.remote entity is called with `await` (LazyEntity.__call__ is async) --------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        driver = self.function_kind(node) in {"workflow", "dynamic", "eager"}
        self.async_stack.append(node.asynchronous is not None or (driver and self.options.async_style) or self.function_kind(node) == "eager")

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.awaited = False

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if self.awaited:
            self.awaited = False
            self.report(original_node, FM_REFERENCE, "a flyte.remote task is async: this sync driver cannot call it")
            return with_todo(
                updated_node,
                FM_REFERENCE,
                "flyte.remote tasks are async (calling one returns a coroutine): make this driver an async task and "
                "await the call (flytemigrate rewrite --async does this)",
            )
        return updated_node

    def visit_Await(self, node: cst.Await) -> None:
        self.already_awaited.add(id(node.expression))  # `await ref(...)` in an eager body stays as it is

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not (isinstance(original_node.func, cst.Name) and original_node.func.value in self.references and self.async_stack):
            return updated_node
        if id(original_node) in self.already_awaited:
            return updated_node
        if self.async_stack[-1]:
            return cst.Await(updated_node)
        self.awaited = True
        return updated_node

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef):
        if self.async_stack:
            self.async_stack.pop()
        for index, dec in enumerate(original_node.decorators):
            call = dec.decorator
            if not isinstance(call, cst.Call):
                continue
            if self.matches(call.func, *OTHER_REFERENCES):
                kind = "launch plan" if self.matches(call.func, OTHER_REFERENCES[0]) else "workflow"
                # Flyte 2 has neither: the referenced workflow, once migrated, is a task, fetched the same way.
                why = (
                    f"reference {kind}: its workflow becomes a Flyte 2 task once migrated; point this at that task "
                    "(<environment>.<function>)" + (", the launch plan's fixed/default inputs are not applied" if kind == "launch plan" else "")
                )
                converted = self._task(original_node, updated_node, call, why, f"reference {kind} now fetched as a task with flyte.remote.Task.get")
                if converted is not updated_node:
                    return converted
                self.report(dec, FM_REFERENCE, f"reference {kind} has no Flyte 2 counterpart")
                line = todo_comment(FM_REFERENCE, f"reference {kind}: migrate its workflow and fetch the task with flyte.remote.Task.get")
                if any(ln.comment and ln.comment.value == line.comment.value for ln in updated_node.leading_lines):
                    return updated_node
                return updated_node.with_changes(leading_lines=(*updated_node.leading_lines, line))
            if self.matches(call.func, REFERENCE_TASK):
                return self._task(
                    original_node,
                    updated_node,
                    call,
                    "the task must be deployed with Flyte 2 under this name",
                    "reference task now fetched with flyte.remote.Task.get",
                )
        return updated_node

    def _task(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef, call: cst.Call, why: str, report: str):
        values = {}
        order = ("project", "domain", "name", "version")
        for i, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword else (order[i] if i < len(order) else None)
            if key:
                values[key] = arg.value
        if "name" not in values:
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, "flyte.remote")
        args = [cst.Arg(values["name"])]
        args += [kwarg(k, values[k]) for k in ("project", "domain", "version") if k in values]
        if "version" not in values:
            args.append(kwarg("auto_version", cst.SimpleString('"latest"')))
        stub = cst.Module([]).code_for_node(original_node.with_changes(decorators=[], leading_lines=[]))
        signature = re.sub(r"\s+", " ", stub.split(":\n", 1)[0].split("->")[0]).strip()
        returns = cst.Module([]).code_for_node(original_node.returns.annotation) if original_node.returns else "None"
        self.report(original_node, FM_REFERENCE, report)
        statement = cst.parse_statement(f"{original_node.name.value} = flyte.remote.Task.get()")
        assign = statement.body[0]
        statement = statement.with_changes(
            body=[assign.with_changes(value=assign.value.with_changes(args=with_commas(args)))],
            leading_lines=[
                *updated_node.leading_lines,
                todo_comment(
                    FM_REFERENCE,
                    f"{why}; Flyte 1 interface: {signature} -> {returns}",
                ),
            ],
        )
        return statement
