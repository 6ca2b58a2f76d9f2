"""Qualified names read off a module's import statements, without LibCST's scope analysis.

Codemods only ever ask "does this expression refer to ``flytekit.task`` / ``typing.Annotated`` /
``functools.partial`` ...": names that can only reach a module through an import. LibCST's
``QualifiedNameProvider`` answers that by building the scopes of the whole module first, which
costs about seven parses of the module, and the pipeline needs the answer for every version of
the tree (each codemod that changes the code makes a new one). ``ImportTable`` gets the same
answers for imported names from the import statements alone:

* it walks statements only (never expressions: no import lives inside one), collecting what each
  ``import``/``from ... import`` binds, wherever it is (module level, ``try``/``except
  ImportError`` fallbacks, ``if TYPE_CHECKING:``, function bodies); a name bound by several
  imports resolves to all of them, as it does in the scope analysis;
* ``resolve`` follows an expression the way ``QualifiedNameProvider`` does: a ``Name`` through the
  table, ``a.b`` as the names of ``a`` plus ``.b``, a call as its callee and a subscript as its
  value (``fl.current_context().secrets`` -> ``flytekit.current_context.secrets``); relative
  imports keep their leading dots (``from . import tasks`` -> ``.tasks``).

What it does not model, and how the codemod base makes up for it: names that are not accesses
(``x.attr``'s ``attr``, keyword names, parameter and definition names, assignment targets) are
excluded by the traversal (``FlyteCodemod.qualified_names``), and a parameter or local variable
of an enclosing function that shadows an import is found by ``local_bindings``, evaluated only
when a name resolves to something.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

import libcst as cst

_EMPTY: frozenset[str] = frozenset()


def _dotted(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _module_name(node: cst.ImportFrom) -> str:
    module = _dotted(node.module) if node.module is not None else None
    return "." * len(node.relative) + (module or "")


def _blocks(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nested statements and clauses of a compound statement (``elif`` as an ``If``)."""
    body = getattr(statement, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield from body.body
    for case in getattr(statement, "cases", ()):  # match
        yield from case.body.body
    yield from getattr(statement, "handlers", ())  # try: ExceptHandler / ExceptStarHandler
    for attr in ("orelse", "finalbody"):
        clause = getattr(statement, attr, None)
        if isinstance(clause, cst.If):
            yield clause
        elif clause is not None:
            yield from clause.body.body


def _walk(statements, *, into_definitions: bool) -> Iterator[cst.CSTNode]:
    """Small and compound statements (and except clauses) under ``statements``, never expressions.

    Plain attribute access by node type: ``CSTNode.children`` rebuilds a node per call.
    """
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
            continue
        yield statement
        if isinstance(statement, cst.BaseSmallStatement):
            continue
        if not into_definitions and isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        yield from _walk(_blocks(statement), into_definitions=into_definitions)


def statements(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Every statement of a module, including those inside functions and classes."""
    return _walk(module.body, into_definitions=True)


# Node fields holding names that are bound or spelled, not read (and so refer to no import).
NOT_ACCESS_SLOTS: dict[type, tuple[str, ...]] = {
    cst.Attribute: ("attr",),
    cst.Arg: ("keyword",),
    cst.Param: ("name",),
    cst.FunctionDef: ("name",),
    cst.ClassDef: ("name",),
    cst.AssignTarget: ("target",),
    cst.AnnAssign: ("target",),
    cst.AugAssign: ("target",),
    cst.For: ("target",),
    cst.CompFor: ("target",),
    cst.AsName: ("name",),
    cst.NamedExpr: ("target",),
    cst.NameItem: ("name",),
    # Import statements spell module paths (``flytekit.core.task``) and bind aliases: no access.
    cst.ImportAlias: ("name",),
    cst.ImportFrom: ("module",),
}

FUNCTION_SCOPES = (cst.FunctionDef, cst.Lambda)


def _concrete_subclasses(base: type) -> frozenset[type]:
    return frozenset(
        value for value in vars(cst).values() if isinstance(value, type) and issubclass(value, base) and value is not base
    )


# ``isinstance`` against LibCST's abstract bases goes through ``ABCMeta`` and showed up as a
# tenth of a rewrite's time (it runs for every node of every pass); a type lookup in a set is
# the same test for LibCST's own node classes.
STATEMENT_TYPES = _concrete_subclasses(cst.BaseStatement)
EXPRESSION_TYPES = _concrete_subclasses(cst.BaseExpression)


def _collect_binding_names(node: cst.CSTNode, into: set[int]) -> None:
    """Add the ids of the Names a target spells (``a``, ``a, (b, *c)``; not ``a.b`` or ``a[i]``'s parts)."""
    if isinstance(node, cst.Name):
        into.add(id(node))
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            _collect_binding_names(element.value, into)
    elif isinstance(node, cst.StarredElement):
        _collect_binding_names(node.value, into)
    elif isinstance(node, cst.AsName):
        _collect_binding_names(node.name, into)


def _collect_dotted(node: cst.CSTNode, into: set[int]) -> None:
    """Add the ids of a dotted path and of every part of it (``a.b.c``, ``a.b``, ``a``, ``b``, ``c``)."""
    into.add(id(node))
    if isinstance(node, cst.Attribute):
        into.add(id(node.attr))
        _collect_dotted(node.value, into)


def collect_not_accesses(node: cst.CSTNode, slots: tuple[str, ...], into: set[int]) -> None:
    """Record the ids of the names in ``node``'s non-access ``slots`` (see ``NOT_ACCESS_SLOTS``)."""
    for slot in slots:
        child = getattr(node, slot)
        if child is None:
            continue
        if slot == "module" or type(node) is cst.ImportAlias:
            _collect_dotted(child, into)
        else:
            _collect_binding_names(child, into)


class ImportTable:
    """What every imported name of one module (version) refers to."""

    def __init__(self, module: cst.Module, pending: Iterable = ()) -> None:
        """``pending``: LibCST ``ImportItem``s requested by earlier codemods but not yet inserted
        (the pipeline adds them all at once later); they count as imports already."""
        self.bindings: dict[str, set[str]] = {}
        for item in pending:
            if item.relative:
                continue
            if item.obj_name:
                self._bind(item.alias or item.obj_name, f"{item.module_name}.{item.obj_name}")
            elif item.alias:
                self._bind(item.alias, item.module_name)
            else:
                top = item.module_name.split(".")[0]
                self._bind(top, top)
        for statement in statements(module):
            if isinstance(statement, cst.Import):
                for alias in statement.names:
                    full = _dotted(alias.name) or ""
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        self._bind(alias.asname.name.value, full)
                    else:
                        # ``import a.b.c`` binds ``a``; ``a.b.c.d`` then spells its own path.
                        top = full.split(".")[0]
                        self._bind(top, top)
            elif isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
                module_name = _module_name(statement)
                prefix = module_name if module_name.endswith(".") else module_name + "."
                for alias in statement.names:
                    name = _dotted(alias.name) or ""
                    bound = name
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        bound = alias.asname.name.value
                    self._bind(bound, prefix + name)

    def _bind(self, name: str, qualified: str) -> None:
        self.bindings.setdefault(name, set()).add(qualified)

    def resolve(self, node: cst.CSTNode) -> frozenset[str] | set[str]:
        """The qualified names an expression may refer to through the module's imports."""
        if isinstance(node, cst.Name):
            return self.bindings.get(node.value, _EMPTY)
        if isinstance(node, cst.Attribute):
            base = self.resolve(node.value)
            if not base:
                return _EMPTY
            attr = node.attr.value
            return {f"{name}.{attr}" for name in base}
        if isinstance(node, cst.Call):
            return self.resolve(node.func)
        if isinstance(node, cst.Subscript):
            return self.resolve(node.value)
        return _EMPTY


def base_name(node: cst.CSTNode) -> Optional[str]:
    """The Name an expression's qualified name starts from (``fl`` in ``fl.map_task(t)(...)``)."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    """Names bound by an assignment target (``a``, ``a, (b, *c)``); attributes and subscripts bind none."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def local_bindings(function: cst.FunctionDef | cst.Lambda) -> set[str]:
    """Names a function binds in its own scope (parameters, assignments, loop and ``with`` targets,
    nested definitions), minus those it declares ``global``/``nonlocal``.

    Statements only: names bound inside expressions (walrus) are not seen. Imports inside the
    function are not counted: they are in the ``ImportTable`` and resolve to what they import.
    """
    params = function.params
    names = {
        p.name.value
        for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    }
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    if isinstance(function, cst.Lambda):
        return names
    declared: set[str] = set()
    for statement in _own_statements(function.body):
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                names.update(_target_names(target.target))
        elif isinstance(statement, (cst.AnnAssign, cst.AugAssign)):
            names.update(_target_names(statement.target))
        elif isinstance(statement, cst.For):
            names.update(_target_names(statement.target))
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    names.update(_target_names(item.asname.name))
        elif isinstance(statement, cst.ExceptHandler) and statement.name is not None:
            names.update(_target_names(statement.name.name))
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, (cst.Global, cst.Nonlocal)):
            declared.update(item.name.value for item in statement.names)
    return names - declared


def _own_statements(body: cst.BaseSuite) -> Iterator[cst.CSTNode]:
    """Statements of one function scope: not those inside nested functions and classes."""
    return _walk(body.body, into_definitions=False)
