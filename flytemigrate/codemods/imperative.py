"""Imperative workflows (``wf = Workflow(name=...)`` + ``add_*`` calls) -> a functional ``@workflow``.

Flyte 1 lets a module build a workflow step by step::

    wb = Workflow(name="my.imperative.workflow")
    wb.add_workflow_input("in1", str)
    node = wb.add_entity(t1, a=wb.inputs["in1"])
    wb.add_entity(t2)
    wb.add_workflow_output("out", node.outputs["o0"])

Flyte 2 has no graph builder: a workflow is a task that calls other tasks. The same graph written
as a function is what every later codemod already converts, so this codemod rewrites the group of
statements into the Flyte 1 functional form, in place of the constructor::

    @workflow
    def wb(in1: str) -> str:
        node = t1(a=in1)
        t2()
        return node

and ``task.py`` then makes it ``@env.task``. Callers keep working (``wb(in1="x")``, launch plans,
use as a sub-workflow) because the function has the variable's name.

Converted only when every piece is understood, else the code is left as it is (``leftovers``
marks the flytekit names with a TODO): the constructor has no arguments other than ``name``,
``failure_policy`` and ``interruptible`` (the last two go on ``@workflow(...)``); the
statements after it that use the builder are one run of ``add_workflow_input(name, type)``,
``add_entity`` / ``add_task`` / ``add_subwf`` / ``add_launch_plan(entity, **inputs)``,
``add_workflow_output(name, value[, python_type=T])`` and node ordering (``a >> b``,
``a.runs_before(b)``, kept as statements for the ordering codemod); node outputs are read as
``node.outputs["name"]`` of an entity whose outputs are known (a module-level task/workflow, or a
module-level launch plan of one: a single output, ``Tuple[...]`` outputs ``o0, o1, ...`` or a
NamedTuple's fields; a launch plan node becomes a call of the plan, which ``launch_plan.py``
turns into a call of its workflow with the plan's inputs); every output type
is known (``python_type=``, or the entity's annotation, or the input's type); nothing after the
run refers to a node or adds to the builder. The Flyte 1 ``name=`` (a registration name) is not
kept: a Flyte 2 task is named after its function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.module_info import ModuleInfo, dotted_name, scan_module

BUILDERS = ("flytekit.Workflow", "flytekit.ImperativeWorkflow")
ADD_ENTITY = {"add_entity", "add_task", "add_subwf", "add_launch_plan"}
BUILDER_OPTIONS = {"name", "failure_policy", "interruptible"}


class _Unsupported(Exception):
    """A construct this codemod does not convert: the whole imperative workflow is left alone."""


@dataclass
class _Node:
    """A node variable: what it calls, so ``node.outputs["x"]`` can be spelled as a value."""

    entity: cst.BaseExpression


@dataclass
class _Build:
    """One imperative workflow being collected."""

    var: str
    inputs: list[tuple[str, cst.BaseExpression]] = field(default_factory=list)  # (name, type)
    input_vars: dict[str, str] = field(default_factory=dict)  # promise variable -> input name
    nodes: dict[str, _Node] = field(default_factory=dict)
    body: list[cst.BaseStatement] = field(default_factory=list)
    outputs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = field(default_factory=list)  # (value, type)
    pending: list[cst.EmptyLine] = field(default_factory=list)  # comments of input statements
    output_comments: list[cst.EmptyLine] = field(default_factory=list)  # comments of output statements


class ImperativeWorkflowCodemod(FlyteCodemod):
    """Rewrite ``Workflow(name=...)`` + ``add_*`` statements into a functional ``@workflow``."""

    DESCRIPTION = "Convert imperative workflows (Workflow + add_entity) to functional workflows."
    TRIGGERS = ("Workflow",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._launch_plans: dict[str, str] = {}  # launch plan variable -> its workflow

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(original_node.body)
        info: Optional[ModuleInfo] = None
        out: list[cst.BaseStatement] = []
        index = 0
        changed = False
        after_function = False
        while index < len(body):
            stmt = body[index]
            var = self._builder_var(stmt)
            if var is None:
                out.append(_blank_lines_above(stmt, 2) if after_function else stmt)
                after_function = False
                index += 1
                continue
            if info is None:
                info = scan_module(self, original_node)
                self._launch_plans = self._find_launch_plans(original_node)
            end = index + 1
            while end < len(body) and (_builder_call(body[end], var) is not None or _ordering(body[end])):
                end += 1
            try:
                function = self._convert(stmt, var, body[index + 1 : end], body[end:], info, original_node)
            except _Unsupported:
                out.append(_blank_lines_above(stmt, 2) if after_function else stmt)
                out.extend(body[index + 1 : end])
                after_function = False
            else:
                out.append(_blank_lines_above(function, 2) if index else function)
                changed = after_function = True
            index = end
        if not changed:
            return updated_node
        return updated_node.with_changes(body=out)

    # -- recognising the builder ---------------------------------------------------------------------
    def _builder_var(self, stmt: cst.BaseStatement) -> Optional[str]:
        """``wb`` for ``wb = Workflow(...)`` / ``ImperativeWorkflow(...)`` of flytekit."""
        small = _single(stmt)
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            return None
        target = small.targets[0].target
        if not isinstance(target, cst.Name) or not isinstance(small.value, cst.Call):
            return None
        return target.value if self.matches(small.value.func, *BUILDERS) else None

    def _decorator(self, module: cst.Module, options: list[cst.Arg]) -> cst.BaseExpression:
        workflow = self._workflow_decorator(module)
        if not options:
            return workflow
        options[-1] = options[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return cst.Call(func=workflow, args=options)

    def _workflow_decorator(self, module: cst.Module) -> cst.BaseExpression:
        """How this module spells ``flytekit.workflow``; imports it when it does not."""
        for stmt in module.body:
            small = _single(stmt)
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) and small.module is not None:
                if _code(small.module) in ("flytekit", "flytekit.core.workflow"):
                    for alias in small.names:
                        if _code(alias.name) == "workflow":
                            return cst.Name(alias.evaluated_alias or "workflow")
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if _code(alias.name) == "flytekit":
                        return cst.Attribute(cst.Name(alias.evaluated_alias or "flytekit"), cst.Name("workflow"))
        AddImportsVisitor.add_needed_import(self.context, "flytekit")
        return cst.parse_expression("flytekit.workflow")

    # -- conversion ------------------------------------------------------------------------------
    def _convert(
        self,
        ctor: cst.BaseStatement,
        var: str,
        statements: list[cst.BaseStatement],
        rest: list[cst.BaseStatement],
        info: ModuleInfo,
        module: cst.Module,
    ) -> cst.FunctionDef:
        call = _single(ctor).value  # type: ignore[union-attr]
        args = list(call.args)
        if args and args[0].keyword is None and not args[0].star:
            args = args[1:]  # ``Workflow("name")``: the name, positionally
        if any(arg.keyword is None or arg.keyword.value not in BUILDER_OPTIONS for arg in args):
            raise _Unsupported("builder options")
        # ``failure_policy`` / ``interruptible`` mean the same on ``@workflow(...)``.
        options = [arg for arg in args if arg.keyword.value != "name"]  # type: ignore[union-attr]
        build = _Build(var=var)
        for stmt in statements:
            self._statement(stmt, build, info, module)
        if not build.body and not build.outputs:
            raise _Unsupported("empty workflow")
        _check_rest(rest, build)
        params = [
            cst.Param(cst.Name(name), annotation=cst.Annotation(annotation.deep_clone()))
            for name, annotation in build.inputs
        ]
        params = [p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for p in params[:-1]] + params[-1:]
        returns: Optional[cst.Annotation] = None
        body = list(build.body)
        comments = build.pending + build.output_comments
        if len(build.outputs) == 1:
            value, annotation = build.outputs[0]
            returns = cst.Annotation(annotation)
            body.append(cst.SimpleStatementLine([cst.Return(value)], leading_lines=comments))
        elif build.outputs:
            returns = cst.Annotation(
                cst.Subscript(
                    cst.Name("tuple"),
                    [cst.SubscriptElement(cst.Index(t), comma=_comma(i, len(build.outputs))) for i, (_, t) in enumerate(build.outputs)],
                )
            )
            values = cst.Tuple([cst.Element(v, comma=_comma(i, len(build.outputs))) for i, (v, _) in enumerate(build.outputs)], lpar=[], rpar=[])
            body.append(cst.SimpleStatementLine([cst.Return(values)], leading_lines=comments))
        elif comments:
            body[-1] = body[-1].with_changes(leading_lines=list(body[-1].leading_lines) + comments)
        return cst.FunctionDef(
            name=cst.Name(var),
            params=cst.Parameters(params=params),
            body=cst.IndentedBlock(body=body),
            decorators=[cst.Decorator(self._decorator(module, options))],
            returns=returns,
            leading_lines=ctor.leading_lines,
        )

    def _statement(self, stmt: cst.BaseStatement, build: _Build, info: ModuleInfo, module: cst.Module) -> None:
        small = _single(stmt)
        target: Optional[str] = None
        if isinstance(small, cst.Assign):
            if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
                raise _Unsupported("assignment target")
            target = small.targets[0].target.value
            value = small.value
        else:
            value = small.value  # type: ignore[union-attr]
        if _ordering(stmt):
            # ``a >> b`` / ``a.runs_before(b)`` between nodes: the same statement in a functional
            # workflow, where the ordering codemod converts it.
            if target or not (_names(value) <= set(build.nodes)):
                raise _Unsupported("ordering of something other than nodes")
            build.body.append(stmt)
            return
        method = _builder_call(stmt, build.var)
        call: cst.Call = value  # type: ignore[assignment]
        args = list(call.args)
        leading = list(stmt.leading_lines)
        if build.pending and method != "add_workflow_input":
            leading = build.pending + [line for line in leading if line.comment is not None or build.body]
            build.pending = []
        if not build.body:
            # The first statement of the function body: blank lines above it belonged to module level.
            leading = [line for line in leading if line.comment is not None]
        if method == "add_workflow_input":
            if len(args) != 2 or any(a.keyword or a.star for a in args) or not isinstance(args[0].value, cst.SimpleString):
                raise _Unsupported("add_workflow_input arguments")
            name = args[0].value.evaluated_value
            if not isinstance(name, str) or not name.isidentifier():
                raise _Unsupported("input name")
            build.inputs.append((name, args[1].value))
            if target:
                build.input_vars[target] = name
            # No statement is left to carry comments: they move to the next one.
            build.pending.extend(line for line in leading if line.comment is not None)
            build.pending.extend(_trailing_comment(stmt))
            return
        if method in ADD_ENTITY:
            if not args or args[0].keyword or args[0].star or any(a.keyword is None or a.star for a in args[1:]):
                raise _Unsupported("add_entity arguments")
            entity = args[0].value
            inputs = [a.with_changes(value=self._value(a.value, build, info)) for a in args[1:]]
            if inputs:
                inputs[-1] = inputs[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            node_call = cst.Call(func=entity, args=inputs)
            if target:
                build.nodes[target] = _Node(entity=entity)
                line = cst.SimpleStatementLine(
                    [cst.Assign([cst.AssignTarget(cst.Name(target))], node_call)],
                    leading_lines=leading,
                    trailing_whitespace=stmt.trailing_whitespace,
                )
            else:
                line = cst.SimpleStatementLine([cst.Expr(node_call)], leading_lines=leading, trailing_whitespace=stmt.trailing_whitespace)
            build.body.append(line)
            return
        if method == "add_workflow_output":
            if target:
                raise _Unsupported("add_workflow_output form")
            build.output_comments.extend(line for line in leading if line.comment is not None)
            build.output_comments.extend(_trailing_comment(stmt))
            positional = [a for a in args if a.keyword is None and not a.star]
            keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
            if len(positional) != 2 or set(keywords) - {"python_type"}:
                raise _Unsupported("add_workflow_output arguments")
            output = self._value(positional[1].value, build, info)
            annotation = keywords.get("python_type") or self._type_of(positional[1].value, build, info, module)
            build.outputs.append((output, annotation))
            return
        raise _Unsupported(f"builder method {method}")

    # -- values ------------------------------------------------------------------------------------
    def _value(self, expr: cst.BaseExpression, build: _Build, info: ModuleInfo) -> cst.BaseExpression:
        """``wb.inputs["x"]`` -> ``x``, input promise variables -> their input, ``node.outputs["o"]`` -> the value."""
        return expr.visit(_ValueRewriter(self, build, info))  # type: ignore[return-value]

    def output_value(self, node_var: str, key: str, build: _Build, info: ModuleInfo) -> cst.BaseExpression:
        entity = self._entity(build.nodes[node_var], info)
        kind, names, _ = self._outputs(entity, info)
        if key not in names:
            raise _Unsupported("unknown output name")
        if kind == "single":
            return cst.Name(node_var)
        if kind == "namedtuple":
            return cst.Attribute(cst.Name(node_var), cst.Name(key))  # the workflow codemod indexes it
        return cst.Subscript(cst.Name(node_var), [cst.SubscriptElement(cst.Index(cst.Integer(str(names.index(key)))))])

    def _entity(self, node: _Node, info: ModuleInfo):
        name = dotted_name(node.entity)
        entity = info.entities.get(name) if name else None
        if entity is None and name in self._launch_plans:
            # a launch plan node has the outputs of its workflow
            entity = info.entities.get(self._launch_plans[name])
        if entity is None:
            raise _Unsupported("entity outputs unknown")
        return entity

    def _find_launch_plans(self, module: cst.Module) -> dict[str, str]:
        """``lp = LaunchPlan.get_or_create(wf, ...)`` / ``LaunchPlan.create("name", wf, ...)`` -> {lp: wf}."""
        found: dict[str, str] = {}
        for stmt in module.body:
            small = _single(stmt)
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                continue
            call = small.value
            if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
                continue
            method = call.func.attr.value
            if method not in ("get_or_create", "create") or not self.matches(call.func.value, "flytekit.LaunchPlan"):
                continue
            keyword = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "workflow"), None)
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            index = 0 if method == "get_or_create" else 1
            workflow = keyword if keyword is not None else (positional[index] if len(positional) > index else None)
            name = dotted_name(workflow) if workflow is not None else None
            if name:
                found[small.targets[0].target.value] = name
        return found

    def _outputs(self, entity, info: ModuleInfo) -> tuple[str, list[str], list[cst.BaseExpression]]:
        """(single | tuple | namedtuple, output names, output types) of an entity.

        For an entity of another project module only the output names are known (its annotation
        names a class of that module, maybe not bound here): output types then come from
        ``python_type=``, and a task without a plain-name annotation is not converted.
        """
        if entity.imported:
            if entity.nt_fields is not None:
                return "namedtuple", list(entity.nt_fields), []
            if entity.returns is None:
                raise _Unsupported("imported entity outputs unknown")
            return "single", ["o0"], []
        returns = entity.returns
        if returns is None or (isinstance(returns, cst.Name) and returns.value == "None"):
            return "none", [], []
        if isinstance(returns, cst.Name) and returns.value in info.namedtuples:
            return "namedtuple", info.namedtuples[returns.value], []
        if isinstance(returns, cst.Subscript) and (
            (isinstance(returns.value, cst.Name) and returns.value.value == "tuple") or self.matches(returns.value, "typing.Tuple")
        ):
            types = [element.slice.value for element in returns.slice if isinstance(element.slice, cst.Index)]
            return "tuple", [f"o{i}" for i in range(len(types))], types
        return "single", ["o0"], [returns]

    def _type_of(self, expr: cst.BaseExpression, build: _Build, info: ModuleInfo, module: cst.Module) -> cst.BaseExpression:
        """The type of a workflow output given without ``python_type``."""
        input_name = _input_ref(expr, build)
        if input_name is not None:
            return next(t for n, t in build.inputs if n == input_name).deep_clone()
        ref = _output_ref(expr)
        if ref is None or ref[0] not in build.nodes:
            raise _Unsupported("output type unknown")
        entity = self._entity(build.nodes[ref[0]], info)
        kind, names, types = self._outputs(entity, info)
        if ref[1] not in names:
            raise _Unsupported("unknown output name")
        if entity.imported:
            raise _Unsupported("output type of an imported entity")
        if kind == "namedtuple":
            field_type = _namedtuple_field_type(module, entity.returns.value, ref[1])
            if field_type is None:
                raise _Unsupported("NamedTuple field type")
            return field_type.deep_clone()
        return types[names.index(ref[1])].deep_clone()


class _ValueRewriter(cst.CSTTransformer):
    """Rewrites the references to the builder inside one argument/output expression."""

    def __init__(self, codemod: ImperativeWorkflowCodemod, build: _Build, info: ModuleInfo) -> None:
        super().__init__()
        self.codemod, self.build, self.info = codemod, build, info
        self._not_references: set[int] = set()  # ``.attr`` parts and keyword names are not variables

    def _reference(self, node: cst.Subscript) -> bool:
        ref = _output_ref(node)
        return _input_ref(node, self.build) is not None or (ref is not None and ref[0] in self.build.nodes)

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return not self._reference(node)  # replaced whole in leave_Subscript

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        name = _input_ref(original_node, self.build)
        if name is not None:
            return cst.Name(name)
        ref = _output_ref(original_node)
        if ref is not None and ref[0] in self.build.nodes:
            return self.codemod.output_value(ref[0], ref[1], self.build, self.info)
        return updated_node

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._not_references.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._not_references.add(id(node.keyword))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if id(original_node) in self._not_references:
            return updated_node
        if original_node.value in self.build.input_vars:
            return cst.Name(self.build.input_vars[original_node.value])
        if original_node.value == self.build.var or original_node.value in self.build.nodes:
            # A builder or node reference in any other shape (``node.outputs`` whole, ``wb.inputs``).
            raise _Unsupported("builder reference")
        return updated_node


def _input_ref(expr: cst.BaseExpression, build: _Build) -> Optional[str]:
    """``x`` for ``wb.inputs["x"]`` or a variable holding ``wb.add_workflow_input("x", T)``."""
    if isinstance(expr, cst.Name) and expr.value in build.input_vars:
        return build.input_vars[expr.value]
    key = _subscript_key(expr, "inputs")
    if key is not None and key[0] == build.var and any(n == key[1] for n, _ in build.inputs):
        return key[1]
    return None


def _output_ref(expr: cst.BaseExpression) -> Optional[tuple[str, str]]:
    """(node variable, output name) for ``node.outputs["o0"]``."""
    return _subscript_key(expr, "outputs")


def _subscript_key(expr: cst.BaseExpression, attribute: str) -> Optional[tuple[str, str]]:
    if not (isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index)):
        return None
    owner = expr.value
    key = expr.slice[0].slice.value
    if not (isinstance(owner, cst.Attribute) and owner.attr.value == attribute and isinstance(owner.value, cst.Name)):
        return None
    if not isinstance(key, cst.SimpleString) or not isinstance(key.evaluated_value, str):
        return None
    return owner.value.value, key.evaluated_value


def _builder_call(stmt: cst.BaseStatement, var: str) -> Optional[str]:
    """The method name for ``[x =] var.<method>(...)`` statements, else None."""
    small = _single(stmt)
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        value = small.value
    elif isinstance(small, cst.Expr):
        value = small.value
    else:
        return None
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
        return None
    func = value.func
    if isinstance(func.value, cst.Name) and func.value.value == var:
        return func.attr.value
    return None


def _ordering(stmt: cst.BaseStatement) -> bool:
    """``a >> b`` (chains too) or ``a.runs_before(b)`` as a statement."""
    small = _single(stmt)
    if not isinstance(small, cst.Expr):
        return False
    value = small.value
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.RightShift):
        return True
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "runs_before"
        and isinstance(value.func.value, cst.Name)
        and len(value.args) == 1
        and isinstance(value.args[0].value, cst.Name)
    )


def _names(expr: cst.BaseExpression) -> set[str]:
    """The operands of an ordering statement (``a >> b >> c``, ``a.runs_before(b)``)."""
    if isinstance(expr, cst.Name):
        return {expr.value}
    if isinstance(expr, cst.BinaryOperation):
        return _names(expr.left) | _names(expr.right)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return _names(expr.func.value) | _names(expr.args[0].value)
    return {"<other>"}


def _check_rest(rest: list[cst.BaseStatement], build: _Build) -> None:
    """Nothing at module level after the run may read a node or input variable or extend the builder."""
    local = set(build.nodes) | set(build.input_vars)
    for stmt in rest:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue  # their bodies have their own scopes (a module-level node name there is unusual)
        finder = _NameFinder(local, build.var)
        stmt.visit(finder)
        if finder.found:
            raise _Unsupported("node used later")


class _NameFinder(cst.CSTVisitor):
    """Finds reads of the given variables (not keyword names like ``wb(in1=...)`` or ``.attr`` parts)."""

    def __init__(self, names: set[str], builder: str) -> None:
        self.names, self.builder, self.found = names, builder, False
        self._skip: set[int] = set()

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names and id(node) not in self._skip:
            self.found = True

    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        self._skip.add(id(node.attr))
        # ``wb.add_entity(...)`` / ``wb.inputs`` later on: the builder is still being used as a builder.
        if isinstance(node.value, cst.Name) and node.value.value == self.builder and node.attr.value.startswith(("add_", "inputs", "outputs", "nodes")):
            self.found = True
        return None


def _namedtuple_field_type(module: cst.Module, cls: str, name: str) -> Optional[cst.BaseExpression]:
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == cls:
            for line in stmt.body.body:
                small = _single(line)
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == name:
                    return small.annotation.annotation
    return None


def _trailing_comment(stmt: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """The ``# comment`` at the end of a statement that disappears, as a line of its own."""
    comment = stmt.trailing_whitespace.comment
    return [cst.EmptyLine(comment=comment)] if comment is not None else []


def _blank_lines_above(stmt, count: int):
    """At least ``count`` blank lines above ``stmt`` (PEP 8 around a function it replaces or follows)."""
    lines = list(stmt.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    if blank >= count:
        return stmt
    return stmt.with_changes(leading_lines=[cst.EmptyLine()] * (count - blank) + lines)


def _single(stmt: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def _comma(index: int, count: int):
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if index < count - 1 else cst.MaybeSentinel.DEFAULT


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
