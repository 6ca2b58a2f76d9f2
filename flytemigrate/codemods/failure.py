"""Failure handling: ``@workflow(on_failure=...)``, ``failure_policy``, and ``except`` around child calls.

* ``@workflow(on_failure=handler)``: flytekit calls ``handler(**workflow inputs)`` when the
  workflow fails and then re-raises. The driver body is wrapped in ``try:`` / ``except
  Exception:`` that calls the handler with the same inputs (by keyword; only the ones the
  handler declares when it is defined in the module or imported from a sibling module) and re-raises. A handler taking ``err``
  (Flyte 1 ``FlyteError``) gets ``err=None`` and a TODO: Flyte 2 has no such type.
* ``failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE``: removed from the
  decorator with a TODO when the body has calls that do not depend on each other: a sync driver
  stops at the first failing call, as flytekit's local execution does, while on a cluster
  independent nodes would still have completed. When every call depends on the ones before it
  (a chain), nothing is left to complete after a failure and no TODO is needed.
* ``except SomeError:`` around calls of module tasks inside a driver: Flyte 2 wraps a child
  task's exception in ``flyte.errors.RuntimeUserError`` whose ``.code`` is the original class
  name, so the clause becomes ``except flyte.errors.RuntimeUserError as e:`` followed by a
  ``.code`` check that re-raises other errors. ``EagerException`` (flytekit's wrapper for eager
  child failures) becomes ``RuntimeUserError`` without a check. ``except Exception`` is kept.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import (
    FM_EXCEPT,
    FM_FAILURE_ERR,
    FM_FAILURE_POLICY,
    POLICY_KEY,
    assigned_names,
    imported_functions,
    kwarg,
    module_functions,
    names_used,
    param_names,
    todo_comment,
    with_commas,
    with_todo,
)

EAGER_EXCEPTION = "flytekit.exceptions.eager.EagerException"
BROAD = {"Exception", "BaseException"}


def _names_of(expr: Optional[cst.BaseExpression]) -> Optional[list[cst.BaseExpression]]:
    if expr is None:
        return None
    if isinstance(expr, cst.Tuple):
        return [el.value for el in expr.elements]
    return [expr]


def _has_calls(stmt: cst.CSTNode) -> bool:
    found = []

    class _V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    stmt.visit(_V())
    return bool(found)


def _has_independent_calls(body: Sequence[cst.BaseStatement]) -> bool:
    """Whether two statements with calls could run independently in the Flyte 1 graph (neither reads,
    even through other statements, what the other binds). Only then does
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE differ from a driver that stops at the first failure."""
    ancestors: list[set[int]] = []
    bound_by: dict[str, int] = {}
    calling: list[int] = []
    for index, stmt in enumerate(body):
        found: set[int] = set()
        for name in names_used(stmt):
            if name in bound_by:
                found |= {bound_by[name], *ancestors[bound_by[name]]}
        ancestors.append(found)
        if _has_calls(stmt):
            if any(earlier not in found for earlier in calling):
                return True
            calling.append(index)
        for name in assigned_names(stmt):
            bound_by[name] = index
    return False


class FailureCodemod(FlyteCodemod):
    """on_failure / failure_policy / except clauses around child task calls."""

    DESCRIPTION = "workflow failure handling -> try/except"
    # Changes only on_failure=/failure_policy= arguments and except clauses.
    TRIGGERS = ("on_failure", "failure_policy", "except")

    def __init__(self, context) -> None:
        super().__init__(context)
        self.functions: dict[str, cst.FunctionDef] = {}
        self.handlers: dict[str, cst.FunctionDef] = {}
        self.driver_depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        self.functions = module_functions(node)
        # on_failure handlers may come from a sibling module (from .tasks import clean_up)
        self.handlers = {**imported_functions(self.context.filename, node), **self.functions}

    # -- except clauses ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.driver_depth or self.function_kind(node) in {"workflow", "dynamic", "eager"}:
            self.driver_depth += 1

    def _calls_task(self, node: cst.CSTNode) -> bool:
        tasks = {n for n, f in self.functions.items() if self.function_kind(f)}
        found = []

        class _V(cst.CSTVisitor):
            def visit_Call(inner, call: cst.Call) -> None:
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value in {"aio", "override"}:
                    func = func.value
                if isinstance(func, cst.Name) and func.value in tasks:
                    found.append(call)

        node.visit(_V())
        return bool(found)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        if not self.driver_depth or not self._calls_task(original_node.body):
            return updated_node
        handlers = []
        for original, handler in zip(original_node.handlers, updated_node.handlers):
            handlers.append(self._handler(original, handler))
        return updated_node.with_changes(handlers=handlers)

    def _handler(self, original: cst.ExceptHandler, handler: cst.ExceptHandler) -> cst.ExceptHandler:
        types = _names_of(original.type)
        if not types:
            return handler
        codes: list[str] = []
        for t in types:
            names = self.qualified_names(t)
            if any(n.startswith("flyte.") for n in names):
                return handler  # already Flyte 2
            if names & {EAGER_EXCEPTION, "flytekit.EagerException"} or (
                isinstance(t, (cst.Name, cst.Attribute)) and cst.Module([]).code_for_node(t).endswith("EagerException")
            ):
                codes.append("")  # any child failure
            elif isinstance(t, cst.Name) and t.value in BROAD:
                return handler
            elif isinstance(t, cst.Name):
                codes.append(t.value)
            else:
                codes.append(t.attr.value if isinstance(t, cst.Attribute) else "")
        AddImportsVisitor.add_needed_import(self.context, "flyte.errors")
        name = handler.name.name.value if handler.name and isinstance(handler.name.name, cst.Name) else "exc"
        new_type = cst.parse_expression("flyte.errors.RuntimeUserError")
        body = list(handler.body.body)
        if all(codes):
            self.report(original, FM_EXCEPT, f"except {', '.join(codes)} now matches RuntimeUserError.code")
            if len(codes) == 1:
                check = f"if {name}.code != {codes[0]!r}:\n    raise\n"
            else:
                check = f"if {name}.code not in {tuple(codes)!r}:\n    raise\n"
            check = check.replace("'", '"')
            body.insert(0, cst.parse_statement(check))
        if handler.name is None and not all(codes):
            return handler.with_changes(type=new_type, body=handler.body.with_changes(body=body))
        return handler.with_changes(
            type=new_type,
            name=cst.AsName(name=cst.Name(name)),
            body=handler.body.with_changes(body=body),
        )

    # -- on_failure / failure_policy ----------------------------------------------------------
    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if self.driver_depth:
            self.driver_depth -= 1
        if self.function_kind(original_node) != "workflow" or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        decorators = list(updated_node.decorators)
        handler: Optional[cst.BaseExpression] = None
        todos: list[tuple[str, str]] = []
        for i, dec in enumerate(decorators):
            if not (isinstance(dec.decorator, cst.Call) and self.decorator_kind(original_node.decorators[i]) == "workflow"):
                continue
            kept = []
            for arg in dec.decorator.args:
                key = arg.keyword.value if arg.keyword else None
                if key == "on_failure":
                    handler = arg.value
                elif key == "failure_policy":
                    policy = cst.Module([]).code_for_node(arg.value)
                    if policy.endswith("FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"):
                        self.context.scratch.setdefault(POLICY_KEY, {})[original_node.name.value] = policy
                        # async style reproduces the policy (gather with return_exceptions, see async_style.py);
                        # a body whose calls each depend on the previous ones has no node left to complete
                        if not self.options.async_style and _has_independent_calls(updated_node.body.body):
                            self.report(original_node.decorators[i], FM_FAILURE_POLICY, "failure_policy FAIL_AFTER_EXECUTABLE_NODES_COMPLETE removed")
                            todos.append(
                                (
                                    FM_FAILURE_POLICY,
                                    "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE: independent calls after a failure no longer run; "
                                    "gather them with return_exceptions=True if they must complete",
                                )
                            )
                    # FAIL_IMMEDIATELY is what a Flyte 2 driver does anyway: nothing to keep.
                else:
                    kept.append(arg)
            if len(kept) != len(dec.decorator.args):
                decorators[i] = dec.with_changes(decorator=dec.decorator.with_changes(args=with_commas(kept)))
        func = updated_node.with_changes(decorators=decorators)
        if handler is not None:
            self._original = original_node
            func = self._wrap(func, handler, todos)
        for code, message in todos:
            func = func.with_changes(leading_lines=(*func.leading_lines, todo_comment(code, message)))
        return func

    def _wrap(self, func: cst.FunctionDef, handler: cst.BaseExpression, todos: list[tuple[str, str]]) -> cst.FunctionDef:
        """Wrap the body in try/except that calls the handler with the workflow inputs and re-raises."""
        inputs = param_names(func)
        handler_def = self.handlers.get(handler.value) if isinstance(handler, cst.Name) else None
        if handler_def is not None:
            wanted = param_names(handler_def)
            if "err" in wanted:
                self.report(self._original, FM_FAILURE_ERR, "on_failure handler takes err (FlyteError), which Flyte 2 does not have")
                todos.append((FM_FAILURE_ERR, "the on_failure handler's err (FlyteError) is passed as None; pass what it needs from the caught exception"))
            inputs = [p for p in inputs if p in wanted]
        args = [kwarg(p, cst.Name(p)) for p in inputs]
        if handler_def is not None and "err" in param_names(handler_def) and "err" not in inputs:
            # flytekit requires err to be Optional; Flyte 2 rejects a call that leaves out an input
            # without a default ("Missing required inputs: err"), so it is passed explicitly.
            args.append(kwarg("err", cst.Name("None")))
        call = cst.Call(func=handler, args=with_commas(args))
        body = list(func.body.body)
        docstring = []
        if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and isinstance(
            body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            docstring = [body.pop(0)]
        # Flyte 1 runs the failure node after any failure of the workflow, then the run fails.
        try_stmt = cst.Try(
            body=cst.IndentedBlock(body=body),
            handlers=[
                cst.ExceptHandler(
                    type=cst.Name("Exception"),
                    body=cst.IndentedBlock(
                        body=[cst.SimpleStatementLine(body=[cst.Expr(call)]), cst.SimpleStatementLine(body=[cst.Raise()])]
                    ),
                )
            ],
        )
        return func.with_changes(body=func.body.with_changes(body=[*docstring, try_stmt]))
