"""Shared helpers of the FM3xx task-interface rules (not a rule module itself).

``TaskInterfaceRule`` visits every function that the shared module analysis says is a task and
hands it to ``check_task``. Annotation helpers resolve names through qualified names, so
``typing.Any``, ``from typing import Any as A`` and ``t.Any`` are all recognised, and a user
class called ``Any`` is not.
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from flytemigrate.lint.base import Rule

ANY_NAMES = frozenset({"typing.Any", "typing_extensions.Any"})
# Containers whose element types Flyte needs; unparameterised they fall back to pickle or fail.
BARE_CONTAINERS = frozenset(
    {
        "builtins.list", "builtins.dict", "builtins.set", "builtins.frozenset", "builtins.tuple",
        "typing.List", "typing.Dict", "typing.Set", "typing.FrozenSet", "typing.Tuple",
        "typing.Sequence", "typing.Mapping", "typing.MutableMapping", "typing.MutableSequence",
        "typing.Iterable", "typing.Iterator", "typing.Collection",
        "collections.abc.Sequence", "collections.abc.Mapping", "collections.abc.Iterable",
    }
)
TUPLE_NAMES = frozenset({"builtins.tuple", "typing.Tuple"})
# Wrappers whose first argument is the real type; the rest is metadata.
ANNOTATED_NAMES = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


class TaskInterfaceRule(Rule):
    """Base of the FM3xx rules: calls ``check_task`` for every task function of the module.

    What counts as a task (Flyte 2 ``@env.task`` of a ``flyte.TaskEnvironment``, flytekit
    ``@task``/``@dynamic``/``@eager``/``@workflow``) is decided once per file by the shared
    module analysis (``flytemigrate.lint.analysis``).
    """

    def visit_Module(self, node: cst.Module) -> None:
        self._task_nodes = {id(info.node) for info in self.context.analysis.tasks.values()}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if id(node) in self._task_nodes:
            self.check_task(node)

    def check_task(self, node: cst.FunctionDef) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# -- annotations ----------------------------------------------------------------------------------


def all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    """Every named parameter, including ``*args``/``**kwargs``."""
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def interface_annotations(node: cst.FunctionDef) -> Iterator[tuple[str, cst.BaseExpression]]:
    """``(what, annotation expression)`` for every annotated parameter and the return."""
    for param in all_params(node.params):
        if param.annotation is not None:
            yield f"parameter `{param.name.value}`", param.annotation.annotation
    if node.returns is not None:
        yield "return type", node.returns.annotation


def loose_types(rule: Rule, expr: cst.BaseExpression) -> Iterator[tuple[cst.BaseExpression, str]]:
    """``(node, description)`` for each ``Any`` or unparameterised container inside ``expr``."""
    if isinstance(expr, cst.Subscript):
        names = rule.qualified_names(expr.value)
        elements = [e.slice for e in expr.slice]
        if names & ANNOTATED_NAMES:
            elements = elements[:1]
        for element in elements:
            if isinstance(element, cst.Index):
                yield from loose_types(rule, element.value)
        return
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        yield from loose_types(rule, expr.left)
        yield from loose_types(rule, expr.right)
        return
    if isinstance(expr, (cst.List, cst.Tuple)):  # Callable[[...], X] argument lists
        for element in expr.elements:
            yield from loose_types(rule, element.value)
        return
    if isinstance(expr, (cst.Name, cst.Attribute)):
        names = rule.qualified_names(expr)
        if names & ANY_NAMES:
            yield expr, "`Any`"
        elif names & BARE_CONTAINERS:
            spelled = cst.Module([]).code_for_node(expr)
            yield expr, f"bare `{spelled}` without element types"


def variadic_tuple(rule: Rule, expr: cst.BaseExpression) -> bool:
    """Whether ``expr`` is ``Tuple[X, ...]`` / ``tuple[X, ...]``."""
    if not isinstance(expr, cst.Subscript) or not (rule.qualified_names(expr.value) & TUPLE_NAMES):
        return False
    elements = expr.slice
    return (
        len(elements) == 2
        and isinstance(elements[1].slice, cst.Index)
        and isinstance(elements[1].slice.value, cst.Ellipsis)
    )


class _ReturnsValue(cst.CSTVisitor):
    """Finds ``return <value>`` in a function body, not descending into nested scopes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: Optional[cst.Return] = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            return
        if self.found is None:
            self.found = node


def first_value_return(node: cst.FunctionDef) -> Optional[cst.Return]:
    """The first ``return <value>`` of ``node``'s own body, if any."""
    finder = _ReturnsValue()
    node.body.visit(finder)
    return finder.found
