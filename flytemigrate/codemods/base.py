"""The shared base of every flytemigrate codemod.

A codemod is a LibCST ``VisitorBasedCodemodCommand`` that matches Flyte 1 constructs by qualified
name, never by spelling. Qualified names come from the module's import statements
(``names.ImportTable``), not from LibCST's ``QualifiedNameProvider``: every codemod sees a new
version of the tree, and a scope analysis per version was most of the cost of a rewrite.
This base adds the two things every codemod needs on top of LibCST:

* ``self.report(node, code, message)``: record a diagnostic (collected by the pipeline), and
* ``self.qualified_names(node)``: the set of fully qualified names a node may refer to, with
  flytekit's deep module paths folded onto their public names (``flytekit.core.task.task`` ->
  ``flytekit.task``) so codemods only list the public spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand
from libcst.matchers._decorators import (
    CONSTRUCTED_LEAVE_MATCHER_ATTR,
    CONSTRUCTED_VISIT_MATCHER_ATTR,
    VISIT_NEGATIVE_MATCHER_ATTR,
    VISIT_POSITIVE_MATCHER_ATTR,
)
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from flytemigrate.codemods.names import (
    FUNCTION_SCOPES,
    NOT_ACCESS_SLOTS,
    STATEMENT_TYPES,
    ImportTable,
    base_name,
    collect_not_accesses,
    local_bindings,
)

from flytemigrate.diagnostics import Diagnostic, Severity

DIAGNOSTICS_KEY = "flytemigrate.diagnostics"
OPTIONS_KEY = "flytemigrate.options"
CODE_KEY = "flytemigrate.code"  # the current module source, kept up to date by the pipeline


# Flyte 1 decorators that turn a function into something Flyte 2 spells ``@env.task``.
FLYTE1_DECORATORS = {
    "flytekit.task": "task",
    "flytekit.workflow": "workflow",
    "flytekit.dynamic": "dynamic",
    "flytekit.eager": "eager",
}

TODO_PREFIX = "# TODO(flytemigrate "


def todo_comment(code: str, message: str) -> str:
    """The marker line a codemod leaves above code it could not convert (the linter keeps reporting it)."""
    return f"{TODO_PREFIX}{code}): {message}"


@dataclass(frozen=True)
class RewriteOptions:
    """Options that change what the codemods emit; picklable so workers can receive it."""

    async_style: bool = False
    env_name: Optional[str] = None


def public_name(qualified: str) -> str:
    """Fold a deep flytekit path onto the public name users import: flytekit.core.task.task -> flytekit.task."""
    if not qualified.startswith("flytekit."):
        return qualified
    parts = qualified.split(".")
    # flytekit.core.<module>.<name>, flytekit.types.<pkg>.<module>.<name> ... -> flytekit.<name>
    # Only the *last* component identifies the public API object for the modules users import from.
    if len(parts) > 2 and parts[1] in {"core", "types", "models", "extend", "deck", "experimental"}:
        return f"flytekit.{parts[-1]}"
    return qualified


_MATCHER_ATTRS = (
    VISIT_POSITIVE_MATCHER_ATTR,
    VISIT_NEGATIVE_MATCHER_ATTR,
    CONSTRUCTED_VISIT_MATCHER_ATTR,
    CONSTRUCTED_LEAVE_MATCHER_ATTR,
)


@dataclass(frozen=True)
class _Dispatch:
    """The visit/leave methods a codemod class defines itself, by node type name (see ``FlyteCodemod``)."""

    visit: dict
    leave: dict
    visit_attribute: dict  # (node type name, attribute) -> function
    leave_attribute: dict
    uses_matcher_decorators: bool


def _build_dispatch(cls: type) -> _Dispatch:
    methods: dict = {}
    for klass in reversed(cls.__mro__):  # subclasses override their bases
        if isinstance(klass, type) and issubclass(klass, FlyteCodemod):
            methods.update(vars(klass))
    decorated = any(getattr(value, attr, None) for value in methods.values() for attr in _MATCHER_ATTRS)
    tables: dict[str, dict] = {"visit": {}, "leave": {}, "visit_attribute": {}, "leave_attribute": {}}
    for name, value in methods.items():
        if not callable(value):
            continue
        for prefix in ("visit", "leave"):
            if name.startswith(prefix + "_") and name not in ("visit_", "leave_"):
                rest = name[len(prefix) + 1 :]
                # Node class names are CamelCase without underscores: visit_<Type>_<attribute>.
                if "_" in rest:
                    node_type, attribute = rest.split("_", 1)
                    tables[prefix + "_attribute"][(node_type, attribute)] = value
                else:
                    tables[prefix][rest] = value
    return _Dispatch(uses_matcher_decorators=decorated, **tables)


class FlyteCodemod(VisitorBasedCodemodCommand):
    """Base class: qualified-name matching and diagnostics for flytemigrate codemods.

    Dispatch is LibCST's ``CSTTransformer`` dispatch (``visit_<Type>``, ``leave_<Type>``,
    ``visit_<Type>_<attribute>`` ...) restricted to the methods flytemigrate classes define.
    Looking every node type up on an instance whose MRO carries LibCST's ~900 no-op stubs, and
    the matcher-decorator bookkeeping of ``MatcherDecoratableTransformer`` (gathering decorated
    methods with ``dir()`` per instance, evaluating gates per node and attribute), made a
    traversal several times the cost of a parse. A codemod that uses matcher decorators
    (``@m.visit``, ``@m.call_if_inside`` ...) gets LibCST's full machinery as before.
    """

    # No LibCST metadata: names come from ``ImportTable`` and positions are resolved on demand in
    # ``report`` (most passes report nothing; a position pass costs about 1.5x a parse).
    METADATA_DEPENDENCIES = ()

    # Words at least one of which must appear in the module for this codemod to have anything to
    # do. Sound because a qualified name always comes from an import or attribute that spells
    # the imported name (``from flytekit import Deck as D`` still spells "Deck"). Skipping saves
    # a full traversal of the tree per codemod per file. Empty = always run.
    TRIGGERS: tuple[str, ...] = ()

    # A ``RewriteOptions`` field that must be true for this codemod to do anything (e.g. "async_style").
    REQUIRES_OPTION: Optional[str] = None

    def transform_module(self, tree: cst.Module) -> cst.Module:
        if self.REQUIRES_OPTION and not getattr(self.options, self.REQUIRES_OPTION):
            return tree
        if self.TRIGGERS:
            code = self.context.scratch.get(CODE_KEY)
            if code is None:
                code = tree.code
            if not any(word in code for word in self.TRIGGERS):
                return tree
        return super().transform_module(tree)

    @classmethod
    def _dispatch(cls) -> _Dispatch:
        table = cls.__dict__.get("_dispatch_table")
        if table is None:
            table = _build_dispatch(cls)
            cls._dispatch_table = table
        return table

    def __init__(self, context: CodemodContext) -> None:
        self._fast = self._dispatch()
        if self._fast.uses_matcher_decorators:
            self._fast = None
            super().__init__(context)
        else:
            # What VisitorBasedCodemodCommand.__init__ does, minus gathering matcher decorators.
            Codemod.__init__(self, context)
            cst.CSTTransformer.__init__(self)
            self._matchers = {}
            self._extra_visit_funcs = {}
            self._extra_leave_funcs = {}
        context.scratch.setdefault(DIAGNOSTICS_KEY, [])
        # One list of pending TODO comments per statement being visited; a TODO lands above the
        # innermost statement that contains the construct (for a decorator: above the function).
        self._todo_stack: list[list[str]] = []
        # The TODO comments already above each statement being visited (left by earlier codemods).
        self._existing_todos: list[list[str]] = []
        self._reset_names(None)

    def _reset_names(self, module: Optional[cst.Module]) -> None:
        """Forget what was known about the previous tree (a codemod instance may transform several)."""
        self._module = module
        self._imports: Optional[ImportTable] = None
        self._positions_map = None
        # Names the traversal met in a position that is not an access (``x.attr``'s attr, keyword
        # and parameter names, definition names, assignment targets): they refer to no import.
        self._not_accesses: set[int] = set()
        # Functions whose body the traversal is inside (innermost last), for shadowing; and the
        # names each binds locally, computed only when a name inside it resolves to an import.
        self._function_stack: list[cst.CSTNode] = []
        self._locals: dict[int, set[str]] = {}

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._reset_names(tree)
        # False while every leave hook has handed back the node it was given (and no TODO comment
        # was added): the output then generates the same code as ``tree``, and the pipeline can
        # keep ``tree`` without generating code to compare.
        self.modified = False
        return super().transform_module_impl(tree)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if type(node) in STATEMENT_TYPES:
            self._todo_stack.append([])
            self._existing_todos.append(
                [line.comment.value for line in node.leading_lines if line.comment is not None and line.comment.value.startswith(TODO_PREFIX)]
            )
        slots = NOT_ACCESS_SLOTS.get(type(node))
        if slots is not None:
            collect_not_accesses(node, slots, self._not_accesses)
        fast = self._fast
        if fast is None:
            return super().on_visit(node)
        visit = fast.visit.get(type(node).__name__)
        return visit is None or visit(self, node) is not False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if attribute == "body" and type(node) in FUNCTION_SCOPES:
            self._function_stack.append(node)
        fast = self._fast
        if fast is None:
            return super().on_visit_attribute(node, attribute)
        if fast.visit_attribute:
            visit = fast.visit_attribute.get((type(node).__name__, attribute))
            if visit is not None:
                visit(self, node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if attribute == "body" and type(original_node) in FUNCTION_SCOPES and self._function_stack:
            self._function_stack.pop()
        fast = self._fast
        if fast is None:
            return super().on_leave_attribute(original_node, attribute)
        if fast.leave_attribute:
            leave = fast.leave_attribute.get((type(original_node).__name__, attribute))
            if leave is not None:
                leave(self, original_node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        fast = self._fast
        if fast is None:
            result = super().on_leave(original_node, updated_node)
            self.modified = True  # LibCST's matcher machinery: no bookkeeping, assume a change
        else:
            leave = fast.leave.get(type(original_node).__name__)
            if leave is None:
                result = updated_node
            else:
                result = leave(self, original_node, updated_node)
                if result is not updated_node:
                    self.modified = True
        if type(original_node) in STATEMENT_TYPES and self._todo_stack:
            self._existing_todos.pop()
            pending = self._todo_stack.pop()
            if pending and isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                commented = add_leading_comments(result, pending)
                if commented is not result:
                    self.modified = True
                    result = commented
        return result

    def todo(self, node: cst.CSTNode, code: str, message: str, help: Optional[str] = None) -> None:
        """Leave ``# TODO(flytemigrate CODE): message`` above the statement holding ``node`` and report it."""
        self.report(node, code, message, help=help)
        if self._todo_stack:
            comment = todo_comment(code, message)
            if comment not in self._todo_stack[-1]:
                self._todo_stack[-1].append(comment)

    def statement_todos(self) -> list[str]:
        """The ``# TODO(flytemigrate ...)`` comments already above the innermost statement being visited."""
        return self._existing_todos[-1] if self._existing_todos else []

    def decorator_kind(self, decorator: cst.Decorator) -> Optional[str]:
        """'task' / 'workflow' / 'dynamic' / 'eager' for a Flyte 1 decorator, else None."""
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        for name in self.qualified_names(target):
            if name in FLYTE1_DECORATORS:
                return FLYTE1_DECORATORS[name]
        return None

    def function_kind(self, node: cst.FunctionDef) -> Optional[str]:
        """The Flyte 1 kind of a function from its decorators (see ``decorator_kind``)."""
        for decorator in node.decorators:
            kind = self.decorator_kind(decorator)
            if kind:
                return kind
        return None

    @property
    def options(self) -> RewriteOptions:
        return self.context.scratch.get(OPTIONS_KEY) or RewriteOptions()

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Qualified names ``node`` may refer to through the module's imports (deep flytekit paths folded).

        Like ``QualifiedNameProvider`` for imported names: empty for a name that is not an access
        (see ``on_visit``) or that a function enclosing the traversal's position binds itself.
        """
        if self._module is None:
            return set()
        if id(node) in self._not_accesses:
            return set()
        if self._imports is None:
            self._imports = ImportTable(self._module, self.context.scratch.get(AddImportsVisitor.CONTEXT_KEY, ()))
        names = self._imports.resolve(node)
        if not names:
            return set()
        if self._function_stack and self._shadowed(node):
            return set()
        return {public_name(name) for name in names}

    def _shadowed(self, node: cst.CSTNode) -> bool:
        """True when a function the traversal is inside binds the name ``node`` starts from."""
        name = base_name(node)
        for function in self._function_stack:
            bound = self._locals.get(id(function))
            if bound is None:
                bound = self._locals[id(function)] = local_bindings(function)
            if name in bound:
                return True
        return False

    def matches(self, node: cst.CSTNode, *names: str) -> bool:
        return bool(self.qualified_names(node) & set(names))

    def _positions(self):
        """Positions of the tree being transformed, computed at the first report of this pass.

        No copy of the tree: a node a transform placed twice keeps one of its positions, which
        is all a diagnostic needs.
        """
        if self._positions_map is None:
            module = self._module if self._module is not None else cst.Module([])
            self._positions_map = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions_map

    def report(
        self,
        node: cst.CSTNode,
        code: str,
        message: str,
        help: Optional[str] = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        try:
            pos = self._positions()[node].start
            line, column = pos.line, pos.column + 1
        except KeyError:  # a node this codemod built itself has no position
            line, column = 1, 1
        self.context.scratch[DIAGNOSTICS_KEY].append(
            Diagnostic(
                code=code,
                message=message,
                help=help,
                severity=severity,
                path=self.context.filename or "-",
                line=line,
                column=column,
            )
        )


def add_leading_comments(statement, comments: list[str]):
    """Insert comment lines above a statement, skipping ones already there (idempotent)."""
    existing = {line.comment.value for line in statement.leading_lines if line.comment is not None}
    new = [c for c in comments if c not in existing]
    if not new:
        return statement
    lines = list(statement.leading_lines) + [cst.EmptyLine(comment=cst.Comment(c)) for c in new]
    return statement.with_changes(leading_lines=lines)
