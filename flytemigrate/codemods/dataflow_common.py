"""Helpers shared by the dataflow codemods (map_task, conditional, ordering, overrides, failure, ...).

The dataflow codemods rewrite constructs that only make sense inside a Flyte 1 workflow body, so
they need to know which functions were ``@workflow``/``@dynamic``/``@eager`` (matched by
qualified name) and the signatures of tasks defined in the same module. They also share the way a
TODO is left behind: a ``# TODO(flytemigrate FMxxx): ...`` comment line above the statement plus a
diagnostic, added only once so a second run changes nothing.

Codes of the dataflow codemods (FM540-FM559, see ``todo_codes.py`` for the band split):

| code  | meaning | what to do |
|-------|---------|------------|
| FM540 | ``map_task`` form that could not be converted (unknown argument, bound input order) | write the ``flyte.map`` call by hand |
| FM541 | ``conditional`` that could not be turned into ``if``/``elif``/``else`` | write the ``if`` statement by hand |
| FM542 | node ordering (``>>``, ``runs_before``) that statement order cannot reproduce | reorder the calls by hand |
| FM543 | ``with_overrides`` argument without a Flyte 2 ``override`` counterpart | set it on the task or environment by hand |
| FM544 | ``on_failure`` handler that takes ``err`` (Flyte 1 ``FlyteError``) | pass what the handler needs from the caught exception |
| FM545 | ``failure_policy=FAIL_AFTER_EXECUTABLE_NODES_COMPLETE`` in sync style | use ``--async`` (gather with ``return_exceptions``) or restructure |
| FM546 | launch plan without a schedule (or with options Flyte 2 triggers lack) | deploy the task and run it with inputs, or add a ``flyte.Trigger`` |
| FM547 | launch plan notifications | re-create them with ``flyte.notify`` on the trigger |
| FM548 | approval / input gate (``approve``, ``wait_for_input``) in a form not converted (nested in an expression, a type a condition cannot carry) | write ``flyte.new_condition(...).wait()`` by hand |
| FM549 | reference task/launch plan/workflow | register the target with Flyte 2; check its name and interface |
| FM550 | ``except`` around child calls rewritten to match ``RuntimeUserError.code`` | review: subclasses of the caught class no longer match |
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional

import libcst as cst

FM_MAP = "FM540"
FM_CONDITIONAL = "FM541"
FM_ORDERING = "FM542"
FM_OVERRIDES = "FM543"
FM_FAILURE_ERR = "FM544"
FM_FAILURE_POLICY = "FM545"
FM_LAUNCH_PLAN = "FM546"
FM_NOTIFICATIONS = "FM547"
FM_GATE = "FM548"
FM_REFERENCE = "FM549"
FM_EXCEPT = "FM550"

DRIVER_KINDS = {"flytekit.workflow": "workflow", "flytekit.dynamic": "dynamic", "flytekit.eager": "eager"}
TASK_KINDS = {"flytekit.task": "task", **DRIVER_KINDS}

# scratch key: {function name: "workflow" | "dynamic" | "eager"} recorded before decorators change.
DRIVERS_KEY = "flytemigrate.dataflow.drivers"
# scratch key: {workflow name: failure policy name} for workflows whose policy async style reproduces.
POLICY_KEY = "flytemigrate.dataflow.failure_policy"
# scratch key: {driver name: [(before, after)]} ordering constraints (``>>``) for async grouping;
# each side is ("name", variable) or ("call", source of the call).
ORDER_KEY = "flytemigrate.dataflow.order"


def decorator_expr(decorator: cst.Decorator) -> cst.BaseExpression:
    """The callable of a decorator: ``@task(...)`` -> ``task``."""
    dec = decorator.decorator
    return dec.func if isinstance(dec, cst.Call) else dec


def function_kind(codemod, func: cst.FunctionDef) -> Optional[str]:
    """'task', 'workflow', 'dynamic', 'eager' for flytekit-decorated functions, else None."""
    for decorator in func.decorators:
        names = codemod.qualified_names(decorator_expr(decorator))
        for qname, kind in TASK_KINDS.items():
            if qname in names:
                return kind
    return None


def module_functions(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Module-level function definitions by name."""
    return {stmt.name.value: stmt for stmt in module.body if isinstance(stmt, cst.FunctionDef)}


def module_values(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Values of module-level ``NAME = value`` assignments (the last one wins)."""
    found: dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
            assign = stmt.body[0]
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
                found[assign.targets[0].target.value] = assign.value
    return found


def imported_functions(filename: Optional[str], module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Functions imported by name from the project's own modules (``from .tasks import count_rows``):
    bound name -> their definition, read from the sibling file (one hop, no re-exports)."""
    if not filename or filename == "-":
        return {}
    from flytemigrate.codemods.project_modules import resolve_module

    found: dict[str, cst.FunctionDef] = {}
    for stmt in module.body:
        if not (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.ImportFrom)):
            continue
        imp = stmt.body[0]
        if isinstance(imp.names, cst.ImportStar) or imp.relative is None:
            continue
        dotted = cst.Module([]).code_for_node(imp.module) if imp.module is not None else None
        if dotted and dotted.split(".")[0] in {"flytekit", "flyte", "typing", "functools", "dataclasses"}:
            continue
        try:
            path = resolve_module(filename, dotted, len(imp.relative))
        except OSError:
            path = None
        if path is None:
            continue
        definitions = _module_definitions(str(path))
        for alias in imp.names:
            if isinstance(alias.name, cst.Name) and alias.name.value in definitions:
                bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else alias.name.value
                found[bound] = definitions[alias.name.value]
    return found


@lru_cache(maxsize=256)
def _module_definitions(path: str) -> dict[str, cst.FunctionDef]:
    try:
        with open(path, encoding="utf-8") as handle:
            return module_functions(cst.parse_module(handle.read()))
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
        return {}


def param_names(func: cst.FunctionDef) -> list[str]:
    params = func.params
    return [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]


def todo_comment(code: str, message: str) -> cst.EmptyLine:
    return cst.EmptyLine(comment=cst.Comment(f"# TODO(flytemigrate {code}): {message}"))


def with_todo(stmt: cst.BaseStatement, code: str, message: str) -> cst.BaseStatement:
    """Add a TODO comment line above a statement, once."""
    line = todo_comment(code, message)
    existing = [ln.comment.value for ln in stmt.leading_lines if ln.comment is not None]
    if line.comment.value in existing:
        return stmt
    return stmt.with_changes(leading_lines=(*stmt.leading_lines, line))


def has_todo(stmt: cst.BaseStatement, code: str) -> bool:
    return any(ln.comment is not None and f"flytemigrate {code}" in ln.comment.value for ln in stmt.leading_lines)


def kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def with_commas(args: Iterable[cst.Arg]) -> list[cst.Arg]:
    """Normalise the commas of a freshly assembled argument list (no trailing comma)."""
    args = list(args)
    out = []
    for i, arg in enumerate(args):
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < len(args) - 1 else cst.MaybeSentinel.DEFAULT
        out.append(arg.with_changes(comma=comma))
    return out


def strip_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    if getattr(node, "lpar", None):
        return node.with_changes(lpar=[], rpar=[])
    return node


def names_used(node: cst.CSTNode) -> set[str]:
    """Every bare name read or written inside a node (a cheap, conservative data-flow approximation)."""
    found: set[str] = set()

    class _V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False  # `x.attr`: only `x` is a name

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)
            return False  # keyword names are not variables

    node.visit(_V())
    return found


def assigned_names(stmt: cst.CSTNode) -> set[str]:
    """Names bound by an assignment statement (targets only)."""
    out: set[str] = set()
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    out |= names_used(target.target)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                out |= names_used(small.target)
    elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
        # a compound statement binds whatever its nested assignments bind
        class _V(cst.CSTVisitor):
            def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
                out.update(names_used(n.target))

        stmt.visit(_V())
    return out
