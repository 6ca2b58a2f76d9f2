"""Rewrite ``map_task(t, ...)(x=xs)`` into ``flyte.map``.

Flyte 1 forms handled (matched by qualified name, ``flytekit.map_task`` / ``flytekit.map``):

* ``map_task(t)(x=xs)``, ``map_task(t, concurrency=4)(x=xs, y=ys)`` (several mapped inputs are zipped),
* ``map_task(functools.partial(t, k=v))(x=xs)`` and literal scalar inputs (broadcast in Flyte 1,
  bound with ``functools.partial`` in Flyte 2); for a task of the module, bound parameters that come
  before the mapped one are bound positionally and unbound defaults after it explicitly, as
  flyte 2.12's partial validation requires (see ``_partial_for_flyte_map``),
* mapping over a module-level launch plan (``LaunchPlan.get_or_create(wf, fixed_inputs=...)``):
  its workflow is mapped with the launch plan's inputs bound,
* ``square_all = map_task(square, concurrency=2)`` (module level or in the driver) called later as
  ``square_all(x=xs)``: each call converts, and the variable goes once every use is converted,
* ``.with_overrides(...)`` on the mapped node (applied with ``task.override(...)``),
* ``min_success_ratio`` / ``min_successes``; ``run_all_sub_nodes=True`` (every item runs, then the
  map fails on a failure) goes through the same tolerant helper with a ratio of 1.0,
* ``metadata=TaskMetadata(retries=..., cache=..., cache_version=..., timeout=...)``: the mapped task
  is called through ``task.override(...)`` with those settings (converted like ``with_overrides``).

Semantics kept: ``flyte.map`` is a lazy generator that by default yields exceptions as values,
while ``map_task`` fails the whole map on the first failure unless ``min_success_ratio`` allows
failures. So the fail-fast form becomes ``list(flyte.map(..., return_exceptions=False))``, and the
tolerant form goes through a small module-level helper that turns failed items into ``None`` and
raises when fewer than ``ceil(n * ratio)`` (or ``min_successes``) items succeeded, as flytekit does.
Inside an ``async def`` driver (``@eager``, or any driver with ``--async``) the async generator
``flyte.map.aio`` is materialised with an async comprehension.
"""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.comments import lost_comments
from flytemigrate.codemods.dataflow_common import (
    FM_MAP,
    function_kind,
    imported_functions,
    kwarg,
    module_functions,
    module_values,
    param_names,
    with_commas,
    with_todo,
)
from flytemigrate.codemods.launch_plan import launch_plan_parts
from flytemigrate.codemods.overrides import override_call

MAP_NAMES = ("flytekit.map_task", "flytekit.map")
PARTIAL = "functools.partial"
TASK_METADATA = "flytekit.TaskMetadata"
LAUNCH_PLAN_CTORS = ("flytekit.LaunchPlan.get_or_create", "flytekit.LaunchPlan.create")
HELPER = "_flytemigrate_map_results"

HELPER_SOURCE = f'''
def {HELPER}(results, min_successes=None, min_success_ratio=None):
    """Flyte 1 map_task failure tolerance: failed items become None; too few successes fail the map."""
    items = list(results)
    needed = min_successes if min_successes else math.ceil(len(items) * min_success_ratio)
    failures = [r for r in items if isinstance(r, Exception)]
    if failures and len(items) - len(failures) < needed:
        raise failures[max(len(items) - needed, 0)]
    return [None if isinstance(r, Exception) else r for r in items]
'''


def _is_literal(node: cst.BaseExpression) -> bool:
    """Scalar literals are broadcast by map_task instead of mapped over."""
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
        return True
    return isinstance(node, cst.UnaryOperation) and _is_literal(node.expression)


def _partial_for_flyte_map(func: cst.FunctionDef, mapped: list[str], bound: list[cst.Arg]) -> Optional[list[cst.Arg]]:
    """The bound arguments reshaped for ``flyte.map(functools.partial(task, ...), ...)``.

    flyte 2.12 calls ``task(*partial.args, *item, **partial.keywords)`` and rejects a partial that
    binds by keyword a parameter at or before the mapped one ("provided both as positional argument
    and keyword argument") or leaves more than the mapped parameter unbound, defaults included
    ("must leave exactly one parameter unspecified"). Flyte 1 bound by name and used defaults. So
    parameters before the mapped ones are bound positionally, in order, and unbound parameters
    after them get their default value. None when that cannot be done (a parameter before the
    mapped ones is unbound, or the mapped parameters are not consecutive).
    """
    params = [*func.params.params, *func.params.kwonly_params]
    names = [p.name.value for p in params]
    if any(name not in names for name in mapped):
        return None
    start = names.index(mapped[0])
    if names[start : start + len(mapped)] != mapped or any(p in names[:start] for p in mapped):
        return None
    by_name = {b.keyword.value: b for b in bound if b.keyword is not None}
    if any(name not in by_name for name in names[:start]) or any(p.star for p in params[:start]):
        return None
    if any(p in func.params.kwonly_params for p in params[:start]):
        return None
    positional = [cst.Arg(by_name.pop(name).value) for name in names[:start]]
    keywords = []
    for param in params[start + len(mapped) :]:
        name = param.name.value
        if name in by_name:
            keywords.append(by_name.pop(name))
        elif len(mapped) == 1 and param.default is not None:
            keywords.append(kwarg(name, param.default.deep_clone()))
    return [*positional, *keywords, *by_name.values()]


class MapTaskCodemod(FlyteCodemod):
    """``map_task(t)(x=xs)`` -> ``list(flyte.map(t, xs, return_exceptions=False))`` (and variants)."""

    DESCRIPTION = "map_task -> flyte.map"
    # flytekit.map_task / flytekit.map: any spelling (alias, deep import) contains "map".
    TRIGGERS = ("map",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.functions: dict[str, cst.FunctionDef] = {}
        self.launch_plans: dict[str, cst.Call] = {}
        self.async_stack: list[bool] = []
        self.need_helper = False
        self.todos: list[str] = []
        self.stmt_todos: dict[int, list[str]] = {}
        self.converted = False  # a map_task call of the current statement was rebuilt
        # variables holding a map_task(...) (module level, then each function scope), their uses
        self.map_vars: list[dict[str, cst.Call]] = []
        self.name_counts: dict[str, int] = {}
        self.converted_uses: dict[str, int] = {}
        self.values: dict[str, cst.BaseExpression] = {}

    # -- module index -------------------------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        # signatures of the mapped tasks: defined here, or imported from a sibling module
        self.functions = {**imported_functions(self.context.filename, node), **module_functions(node)}
        self.values = module_values(node)
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
                assign = stmt.body[0]
                value = assign.value
                if (
                    len(assign.targets) == 1
                    and isinstance(assign.targets[0].target, cst.Name)
                    and isinstance(value, cst.Call)
                    and self.matches(value.func, *LAUNCH_PLAN_CTORS)
                ):
                    self.launch_plans[assign.targets[0].target.value] = value

        self.map_vars = [self._map_variables(node.body)]
        self.name_counts = {}

        class _Count(cst.CSTVisitor):
            def visit_Name(inner, n: cst.Name) -> None:
                self.name_counts[n.value] = self.name_counts.get(n.value, 0) + 1

        node.visit(_Count())

    def _map_variables(self, body: Sequence[cst.BaseStatement]) -> dict[str, cst.Call]:
        """``square_all = map_task(square, concurrency=2)`` statements of a body: name -> map_task call."""
        found: dict[str, cst.Call] = {}
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
                assign = stmt.body[0]
                if (
                    len(assign.targets) == 1
                    and isinstance(assign.targets[0].target, cst.Name)
                    and isinstance(assign.value, cst.Call)
                    and self.matches(assign.value.func, *MAP_NAMES)
                ):
                    found[assign.targets[0].target.value] = assign.value
        return found

    def _drop_converted(self, body: Sequence[cst.BaseStatement], names: dict[str, cst.Call]) -> list[cst.BaseStatement]:
        """Remove ``name = map_task(...)`` once every use of ``name`` became a flyte.map call."""
        out: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for stmt in body:
            assign = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
            name = (
                assign.targets[0].target.value
                if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
                else None
            )
            uses = self.name_counts.get(name or "", 0) - 1  # every occurrence but the assignment target
            if name in names and uses > 0 and self.converted_uses.get(name, 0) == uses:
                if any(ln.comment is not None for ln in stmt.leading_lines):
                    # the comment stays where it was, apart from the next statement
                    carried.extend(stmt.leading_lines)
                continue
            if carried:
                stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
                carried = []
            out.append(stmt)
        return out

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kind = function_kind(self, node)
        self.async_stack.append(node.asynchronous is not None or (self.options.async_style and kind is not None))
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        self.map_vars.append({**self.map_vars[-1], **self._map_variables(body)})

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.async_stack.pop()
        local = self._map_variables(original_node.body.body if isinstance(original_node.body, cst.IndentedBlock) else [])
        self.map_vars.pop()
        if local and isinstance(updated_node.body, cst.IndentedBlock):
            body = self._drop_converted(updated_node.body.body, local)
            if body:
                updated_node = updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        return updated_node

    # -- statements carry the TODOs of the calls inside them -----------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.todos = []
        self.converted = False

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if self.converted:
            self.converted = False
            # comments inside the rebuilt map_task(...)(...) argument lists move above the statement
            lost = lost_comments(original_node, updated_node)
            if lost:
                updated_node = updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *lost])
        for message in self.todos:
            updated_node = with_todo(updated_node, FM_MAP, message)
        self.todos = []
        return updated_node

    # -- the rewrite ---------------------------------------------------------------------------
    def _map_parts(self, node: cst.Call) -> Optional[tuple[cst.Call, cst.Call]]:
        """(map_task(...) call, mapped call) when ``node`` is ``map_task(...)(...)``."""
        if isinstance(node.func, cst.Call) and self.matches(node.func.func, *MAP_NAMES):
            return node.func, node
        if isinstance(node.func, cst.Name) and self.map_vars and node.func.value in self.map_vars[-1]:
            return self.map_vars[-1][node.func.value], node  # mapper = map_task(t); mapper(x=xs)
        return None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        # `map_task(t)(x=xs).with_overrides(...)`: the override applies to every mapped item.
        if (
            isinstance(original_node.func, cst.Attribute)
            and original_node.func.attr.value == "with_overrides"
            and isinstance(original_node.func.value, cst.Call)
            and self._map_parts(original_node.func.value)
        ):
            parts = self._map_parts(original_node.func.value)
            return self._counted(parts, self._convert(original_node, *parts, overrides=original_node)) or updated_node
        parts = self._map_parts(original_node)
        if parts:
            return self._counted(parts, self._convert(original_node, *parts, overrides=None)) or updated_node
        return updated_node

    def _counted(self, parts: tuple[cst.Call, cst.Call], converted: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
        """Count a converted call of a map_task variable (its definition goes once all are converted)."""
        func = parts[1].func
        if converted is not None and isinstance(func, cst.Name):
            self.converted_uses[func.value] = self.converted_uses.get(func.value, 0) + 1
        return converted

    def _convert(
        self, whole: cst.Call, map_call: cst.Call, mapped: cst.Call, overrides: Optional[cst.Call]
    ) -> Optional[cst.BaseExpression]:
        if not map_call.args:
            return None
        target = map_call.args[0].value
        options = {a.keyword.value: a.value for a in map_call.args[1:] if a.keyword is not None}
        metadata = options.get("metadata")
        if metadata is not None and not (
            isinstance(metadata, cst.Call)
            and self.matches(metadata.func, TASK_METADATA)
            and all(a.keyword is not None for a in metadata.args)
        ):
            metadata = None  # a variable or a positional TaskMetadata: left for a person (unknown below)
        unknown = [
            k
            for k in options
            if k not in {"concurrency", "min_success_ratio", "min_successes", "run_all_sub_nodes"}
            and not (k == "metadata" and metadata is not None)
        ]
        if unknown or any(a.keyword is None for a in map_call.args[1:]) or any(a.keyword is None for a in mapped.args):
            self.report(whole, FM_MAP, f"map_task form not converted (arguments {unknown or 'positional'})")
            self.todos.append("map_task form not converted: write the flyte.map call by hand")
            return None

        # What is being mapped: a task, a partial of a task, or a launch plan's workflow.
        bound: list[cst.Arg] = []
        func_expr = target
        task_name: Optional[str] = None
        launch_plan = False
        if isinstance(target, cst.Call) and self.matches(target.func, PARTIAL) and target.args:
            func_expr = target.args[0].value
            bound = [a for a in target.args[1:]]
        if isinstance(func_expr, cst.Name) and func_expr.value in self.launch_plans:
            parts = launch_plan_parts(self, self.launch_plans[func_expr.value])
            launch_plan = True
            lp_kw = parts.kwargs if parts else {}
            workflow = parts.workflow if parts else None
            if workflow is None:
                self.report(whole, FM_MAP, "map over a launch plan whose workflow is unknown")
                return None
            func_expr = workflow
            mapped_names = {a.keyword.value for a in mapped.args if a.keyword}
            for key in ("default_inputs", "fixed_inputs"):
                if isinstance(lp_kw.get(key), cst.Dict):
                    for el in lp_kw[key].elements:
                        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                            name = el.key.evaluated_value
                            if name not in mapped_names and name not in {b.keyword.value for b in bound if b.keyword}:
                                bound.append(kwarg(name, el.value))
        if isinstance(func_expr, cst.Name):
            task_name = func_expr.value

        # Literal inputs are broadcast, the others are mapped (zipped) in the task's parameter order.
        iterables: list[tuple[str, cst.BaseExpression]] = []
        for arg in mapped.args:
            if _is_literal(arg.value):
                bound.append(kwarg(arg.keyword.value, arg.value))
            else:
                iterables.append((arg.keyword.value, arg.value))
        func_def = self.functions.get(task_name or "")
        rebuilt = False  # bound arguments reshaped for flyte.map's partial rules
        if func_def is not None:
            order = param_names(func_def)
            iterables.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
            bound_names = {b.keyword.value for b in bound if b.keyword}
            first_free = next((p for p in order if p not in bound_names), None)
            if iterables and first_free != iterables[0][0]:
                self.report(
                    whole,
                    FM_MAP,
                    f"flyte.map passes mapped values positionally; '{iterables[0][0]}' is not the first unbound parameter of {task_name}",
                )
                self.todos.append(f"flyte.map passes '{iterables[0][0]}' positionally: make it the first unbound parameter")
            elif iterables and bound and all(b.keyword is not None for b in bound):
                reshaped = _partial_for_flyte_map(func_def, [name for name, _ in iterables], bound)
                if reshaped is not None and reshaped != bound:
                    bound, rebuilt = reshaped, True

        if metadata is not None:
            # TaskMetadata(retries=, cache=, cache_version=, timeout=, interruptible=) of the mapped
            # task: the same settings as task.override(...) arguments, converted like with_overrides.
            func_expr = override_call(self, func_expr, metadata, self.todos)
        if overrides is not None:
            func_expr = override_call(self, func_expr, overrides, self.todos, self.values)
        if bound and overrides is None and metadata is None and not launch_plan and not rebuilt and func_expr is not target and len(bound) == len(target.args) - 1:
            func_expr = target  # the user's own partial(...) binds everything: keep it as written
        elif bound:
            if isinstance(target, cst.Call) and self.matches(target.func, PARTIAL):
                partial_func = target.func  # the user's own spelling (partial / functools.partial)
            else:
                AddImportsVisitor.add_needed_import(self.context, "functools")
                partial_func = cst.Attribute(value=cst.Name("functools"), attr=cst.Name("partial"))
            func_expr = cst.Call(func=partial_func, args=with_commas([cst.Arg(func_expr), *bound]))
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        self.converted = True

        tolerant = [k for k in ("min_successes", "min_success_ratio") if k in options and not self._is_one(k, options[k])]
        if not tolerant and self._is_true(options.get("run_all_sub_nodes")):
            # every item runs even after a failure, then the map fails: collect all results first
            tolerant = ["min_success_ratio"]
            options["min_success_ratio"] = cst.Float("1.0")
        map_args = [cst.Arg(func_expr), *[cst.Arg(v) for _, v in iterables]]
        if "concurrency" in options and not (isinstance(options["concurrency"], cst.Name) and options["concurrency"].value == "None"):
            map_args.append(kwarg("concurrency", options["concurrency"]))
        if not tolerant:
            map_args.append(kwarg("return_exceptions", cst.Name("False")))
        is_async = bool(self.async_stack and self.async_stack[-1])
        mapper: cst.BaseExpression = cst.Attribute(value=cst.Name("flyte"), attr=cst.Name("map"))
        if is_async:
            mapper = cst.Attribute(value=mapper, attr=cst.Name("aio"))
        results: cst.BaseExpression = cst.Call(func=mapper, args=with_commas(map_args))
        if is_async:
            results = cst.ListComp(
                elt=cst.Name("r"),
                for_in=cst.CompFor(
                    target=cst.Name("r"),
                    iter=results,
                    asynchronous=cst.Asynchronous(),
                ),
            )
        if tolerant:
            self.need_helper = True
            AddImportsVisitor.add_needed_import(self.context, "math")
            return cst.Call(
                func=cst.Name(HELPER),
                args=with_commas([cst.Arg(results), *[kwarg(k, options[k]) for k in tolerant]]),
            )
        if is_async:
            return results
        return cst.Call(func=cst.Name("list"), args=[cst.Arg(results)])

    @staticmethod
    def _is_true(value: Optional[cst.BaseExpression]) -> bool:
        return isinstance(value, cst.Name) and value.value == "True"

    @staticmethod
    def _is_one(key: str, value: cst.BaseExpression) -> bool:
        """min_success_ratio=1.0 is the fail-fast default."""
        return key == "min_success_ratio" and isinstance(value, (cst.Float, cst.Integer)) and float(value.value) == 1.0

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        module_level = self._map_variables(original_node.body)
        if module_level:
            updated_node = updated_node.with_changes(body=self._drop_converted(updated_node.body, module_level))
        if not self.need_helper or HELPER in module_functions(updated_node):
            return updated_node
        helper = cst.parse_module(HELPER_SOURCE.lstrip("\n")).body[0]
        helper = helper.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        # After the imports (and module docstring), before the first definition.
        body = list(updated_node.body)
        index = 0
        for i, stmt in enumerate(body):
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(
                stmt.body[0], (cst.Import, cst.ImportFrom, cst.Expr)
            ):
                index = i + 1
            else:
                break
        body.insert(index, helper)
        if index < len(body) - 1:
            nxt = body[index + 1]
            if not nxt.leading_lines or any(ln.comment for ln in nxt.leading_lines[:1]):
                body[index + 1] = nxt.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *nxt.leading_lines])
        return updated_node.with_changes(body=body)
