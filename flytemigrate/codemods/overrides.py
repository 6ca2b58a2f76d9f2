"""Rewrite ``t(x=1).with_overrides(...)`` into ``t.override(...)(x=1)``.

Flyte 1 attaches overrides to the node a call created; Flyte 2 overrides the task before calling
it (``TaskTemplate.override(short_name=, resources=, cache=, retries=, timeout=, env_vars=,
secrets=, interruptible=, pod_template=, queue=, ...)``). The argument values are converted with
the same rules as ``@task(...)`` arguments (``task_kwargs.map_task_kwargs``): ``requests``/``limits``
merge into one ``flyte.Resources`` with ``(request, limit)`` tuples (also when given as module-level
``Resources(...)`` variables), ``cache``/``cache_version``
become ``flyte.Cache``, ``name``/``node_name`` become ``short_name``. ``container_image`` and
anything else ``override`` does not accept stays behind as a TODO with its source text.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.comments import lost_comments
from flytemigrate.codemods.dataflow_common import FM_OVERRIDES, kwarg, module_values, with_commas, with_todo
from flytemigrate.codemods.task_kwargs import map_task_kwargs, source_of

# What Flyte 2's TaskTemplate.override accepts from the environment-level group.
OVERRIDABLE_ENV = {"resources", "env_vars", "secrets"}


def override_call(
    codemod: FlyteCodemod,
    func: cst.BaseExpression,
    overrides: cst.Call,
    todos: list[str],
    values: Optional[dict[str, cst.BaseExpression]] = None,
) -> cst.BaseExpression:
    """``func.override(<converted arguments of overrides>)``; unconvertible arguments go to ``todos``.

    ``values`` are the module-level assignments (``BIG = Resources(...)``), so ``requests=BIG,
    limits=Resources(...)`` merge into one ``flyte.Resources`` as on ``@task``.
    """

    def resolve(value: cst.BaseExpression) -> Optional[cst.Call]:
        found = (values or {}).get(value.value) if isinstance(value, cst.Name) else None
        return found if isinstance(found, cst.Call) else None

    kept_args = []
    short_name = None
    for arg in overrides.args:
        if arg.keyword is not None and arg.keyword.value in {"name", "node_name"}:
            # `name` renames the node in the UI; `node_name` is the node id. short_name is the closest.
            if short_name is None or arg.keyword.value == "name":
                short_name = arg.value
        else:
            kept_args.append(arg)
    mapped = map_task_kwargs(
        overrides.with_changes(args=kept_args), lambda n, name: codemod.matches(n, name), kind="with_overrides", resolve=resolve
    )
    args: list[cst.Arg] = []
    if short_name is not None:
        args.append(kwarg("short_name", short_name))
    args.extend(kwarg(a.keyword.value, a.value) for a in mapped.task_args)
    for key, value in mapped.env_args.items():
        if key in OVERRIDABLE_ENV:
            args.append(kwarg(key, value))
        else:
            codemod.report(overrides, FM_OVERRIDES, f"with_overrides {key} has no Flyte 2 per-call override")
            todos.append(
                f"with_overrides {key}={source_of(value)} has no Flyte 2 per-call override; "
                f"call a task of env.clone_with({key}=...) instead"
            )
    for todo in mapped.todos:
        codemod.report(overrides, FM_OVERRIDES, todo.message)
        todos.append(todo.message)
    AddImportsVisitor.add_needed_import(codemod.context, "flyte")
    if not args:
        return func
    return cst.Call(func=cst.Attribute(value=func, attr=cst.Name("override")), args=with_commas(args))


class OverridesCodemod(FlyteCodemod):
    """``t(...).with_overrides(...)`` -> ``t.override(...)(...)``."""

    DESCRIPTION = "with_overrides -> task.override"
    TRIGGERS = ("with_overrides",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.todos: list[str] = []
        self.converted = False  # a with_overrides call of the current statement was rebuilt
        self.values: dict[str, cst.BaseExpression] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self.values = module_values(node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.todos = []
        self.converted = False

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if self.converted:
            self.converted = False
            # comments inside a rebuilt with_overrides(...) argument list move above the statement
            lost = lost_comments(original_node, updated_node)
            if lost:
                updated_node = updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *lost])
        for message in self.todos:
            updated_node = with_todo(updated_node, FM_OVERRIDES, message)
        self.todos = []
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = updated_node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "with_overrides"):
            return updated_node
        inner = func.value
        if not isinstance(inner, cst.Call) or isinstance(inner.func, cst.Call):
            # `node.with_overrides(...)` on a name: the call it belongs to is elsewhere.
            self.report(original_node, FM_OVERRIDES, f"with_overrides on {source_of(inner)} not converted")
            self.todos.append("apply these overrides with task.override(...) at the call")
            return updated_node
        # the original call carries the metadata (qualified names, positions) the conversion needs
        self.converted = True
        return inner.with_changes(func=override_call(self, inner.func, original_node, self.todos, self.values))
