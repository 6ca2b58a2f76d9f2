"""What the body-level codemods need to know about a module before rewriting it.

``scan_module`` records the module-level Flyte 1 entities (function name -> kind and return
annotation) and the ``typing.NamedTuple`` classes (name -> field names, class or functional
``NamedTuple("Out", [...])`` form). Workflow, eager and ``__main__`` rewrites use it to tell a task
call from any other call and to know when an output is a NamedTuple (which Flyte 2 hands to a
driver as a plain tuple).

Entities of the project's own modules count too: imported by name (``from .tasks import clean``)
they are keyed by that name; reached through a module (``from . import tasks``, ``import
pkg.tasks as T``) they are keyed by the dotted spelling of the call (``tasks.clean``, ``T.clean``),
which ``called_name`` returns for such calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst


@dataclass
class Entity:
    name: str
    kind: str  # task / workflow / dynamic / eager
    is_async: bool
    returns: Optional[cst.BaseExpression]
    # Fields of the NamedTuple it returns, when that class is not bound in this module (a task
    # imported from a sibling module returning a class of its own module).
    nt_fields: Optional[list[str]] = None
    imported: bool = False
    # Calling it returned an awaitable already in Flyte 1 (``async def`` task, ``@eager``); False for
    # a workflow that only the async style makes ``async def``: Flyte 1 eager code called it unawaited.
    flyte1_async: bool = False


@dataclass
class ModuleInfo:
    entities: dict[str, Entity] = field(default_factory=dict)
    namedtuples: dict[str, list[str]] = field(default_factory=dict)
    # Plain sync functions of project modules that call tasks, by the name (or dotted name) they
    # are called with here: async code must not call them on the event loop (see ``eager.py``).
    imported_helpers: set[str] = field(default_factory=set)

    def namedtuple_fields(self, entity_name: str) -> Optional[list[str]]:
        """Field names when ``entity_name`` returns a module-level NamedTuple class."""
        entity = self.entities.get(entity_name)
        if entity is not None and entity.nt_fields is not None:
            return entity.nt_fields
        name = dotted_name(entity.returns) if entity is not None and entity.returns is not None else None
        return self.namedtuples.get(name) if name else None


def _functional_namedtuple(codemod, stmt: cst.BaseStatement) -> Optional[tuple[str, list[str]]]:
    """``Out = NamedTuple("Out", [("a", int), ("b", str)])`` or ``NamedTuple("Out", a=int, b=str)`` -> ("Out", ["a", "b"])."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return None
    assign = stmt.body[0]
    call = assign.value
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    if not isinstance(call, cst.Call) or not call.args or not codemod.matches(call.func, "typing.NamedTuple"):
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = [a.keyword.value for a in call.args if a.keyword is not None]
    if len(positional) == 1 and keywords and len(keywords) == len(call.args) - 1:
        # ``NamedTuple("Out", a=int, b=str)``
        return assign.targets[0].target.value, keywords
    if len(call.args) != 2 or len(positional) != 2:
        return None
    spec = call.args[1].value
    if not isinstance(spec, (cst.List, cst.Tuple)):
        return None
    fields = []
    for element in spec.elements:
        pair = element.value
        if not (isinstance(pair, (cst.Tuple, cst.List)) and pair.elements and isinstance(pair.elements[0].value, cst.SimpleString)):
            return None
        fields.append(pair.elements[0].value.evaluated_value)
    return assign.targets[0].target.value, fields


def scan_module(codemod, module: cst.Module) -> ModuleInfo:
    """Collect entities and NamedTuple classes of ``module`` (``codemod`` resolves qualified names)."""
    info = ModuleInfo()
    for stmt in module.body:
        functional = _functional_namedtuple(codemod, stmt)
        if functional is not None:
            info.namedtuples[functional[0]] = functional[1]
        elif isinstance(stmt, cst.ClassDef) and any(codemod.matches(b.value, "typing.NamedTuple") for b in stmt.bases):
            fields = []
            for line in stmt.body.body:
                if isinstance(line, cst.SimpleStatementLine):
                    for small in line.body:
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            fields.append(small.target.value)
            info.namedtuples[stmt.name.value] = fields
        elif isinstance(stmt, cst.FunctionDef):
            kind = codemod.function_kind(stmt)
            if kind:
                info.entities[stmt.name.value] = Entity(
                    name=stmt.name.value,
                    kind=kind,
                    is_async=_is_async(codemod, kind, stmt.asynchronous is not None),
                    returns=stmt.returns.annotation if stmt.returns else None,
                    # Flyte 1 workflows/dynamics are never async: an ``async def`` one was made so by
                    # the async style, which runs before the body codemods.
                    flyte1_async=kind == "eager" or (kind == "task" and stmt.asynchronous is not None),
                )
    _add_imported(codemod, module, info)
    return info


def _is_async(codemod, kind: str, async_def: bool) -> bool:
    """Whether calling the converted entity returns an awaitable: async defs, eager workflows, and
    workflow/dynamic drivers in the async style (which makes them ``async def``)."""
    if async_def or kind == "eager":
        return True
    return kind in ("workflow", "dynamic") and bool(getattr(codemod.options, "async_style", False))


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _add_imported(codemod, module: cst.Module, info: ModuleInfo) -> None:
    """Tasks and NamedTuple classes imported from the project's own modules (``from .mod import t``),
    and the tasks of project modules imported as modules (``from . import mod`` -> ``mod.t``)."""
    from flytemigrate.codemods.project_modules import imported_facts, imported_modules

    imports = []
    plain: list[tuple[str, str]] = []
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = _code(alias.name)
                    plain.append((dotted, alias.evaluated_alias or dotted))
                continue
            if not isinstance(small, cst.ImportFrom):
                continue
            module_name = _code(small.module) if small.module else None
            if isinstance(small.names, cst.ImportStar):
                names = [("*", "*")]  # every task and NamedTuple class of that module
            else:
                names = [(_code(alias.name), alias.evaluated_alias or _code(alias.name)) for alias in small.names]
            imports.append((module_name, len(small.relative), names))
    if not imports and not plain:
        return
    filename = getattr(codemod.context, "filename", None)
    facts = imported_facts(filename, imports)
    for name, fields in facts.namedtuples.items():
        info.namedtuples.setdefault(name, list(fields))
    for name, task in facts.tasks.items():
        if name not in info.entities:
            info.entities[name] = _imported_entity(codemod, name, task, None)
    info.imported_helpers |= facts.helpers
    for bound, module_facts in imported_modules(filename, imports, plain).items():
        info.imported_helpers |= {f"{bound}.{helper}" for helper in module_facts.helpers}
        for cls, fields in module_facts.namedtuples.items():
            info.namedtuples.setdefault(f"{bound}.{cls}", list(fields))
        for task_name, task in module_facts.tasks.items():
            key = f"{bound}.{task_name}"
            if key not in info.entities:
                info.entities[key] = _imported_entity(codemod, key, task, bound)


def _imported_entity(codemod, name: str, task, module: Optional[str]) -> Entity:
    """An entity of a project module; ``module`` is the bound module name when reached through it."""
    returns: Optional[cst.BaseExpression] = None
    if task.returns:
        returns = cst.parse_expression(f"{module}.{task.returns}" if module else task.returns)
    return Entity(
        name=name,
        kind=task.kind,
        is_async=_is_async(codemod, task.kind, task.is_async),
        returns=returns,
        nt_fields=list(task.namedtuple_fields) if task.namedtuple_fields is not None else None,
        imported=True,
        flyte1_async=task.is_async,
    )


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a`` / ``a.b.c`` for a name or an attribute chain of names; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def called_name(node: cst.Call) -> Optional[str]:
    """``f`` for a call ``f(...)``, ``mod.f`` for ``mod.f(...)``; None for other callees."""
    return dotted_name(node.func)
