"""What the body-level codemods need to know about a module before rewriting it.

``scan_module`` records the module-level Flyte 1 entities (function name -> kind and return
annotation) and the ``typing.NamedTuple`` classes (name -> field names). Workflow, eager and
``__main__`` rewrites use it to tell a task call from any other call and to know when an output
is a NamedTuple (which Flyte 2 hands to a driver as a plain tuple).
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


@dataclass
class ModuleInfo:
    entities: dict[str, Entity] = field(default_factory=dict)
    namedtuples: dict[str, list[str]] = field(default_factory=dict)

    def namedtuple_fields(self, entity_name: str) -> Optional[list[str]]:
        """Field names when ``entity_name`` returns a module-level NamedTuple class."""
        entity = self.entities.get(entity_name)
        if entity is not None and entity.nt_fields is not None:
            return entity.nt_fields
        if entity is None or not isinstance(entity.returns, cst.Name):
            return None
        return self.namedtuples.get(entity.returns.value)


def scan_module(codemod, module: cst.Module) -> ModuleInfo:
    """Collect entities and NamedTuple classes of ``module`` (``codemod`` resolves qualified names)."""
    info = ModuleInfo()
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and any(codemod.matches(b.value, "typing.NamedTuple") for b in stmt.bases):
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
                )
    _add_imported(codemod, module, info)
    return info


def _is_async(codemod, kind: str, async_def: bool) -> bool:
    """Whether calling the converted entity returns an awaitable: async defs, eager workflows, and
    workflow/dynamic drivers in the async style (which makes them ``async def``)."""
    if async_def or kind == "eager":
        return True
    return kind in ("workflow", "dynamic") and bool(getattr(codemod.options, "async_style", False))


def _add_imported(codemod, module: cst.Module, info: ModuleInfo) -> None:
    """Tasks and NamedTuple classes imported from the project's own modules (``from .mod import t``)."""
    from flytemigrate.codemods.project_modules import imported_facts

    imports = []
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            module_name = cst.Module([]).code_for_node(small.module) if small.module else None
            names = [
                (cst.Module([]).code_for_node(alias.name), alias.evaluated_alias or cst.Module([]).code_for_node(alias.name))
                for alias in small.names
            ]
            imports.append((module_name, len(small.relative), names))
    if not imports:
        return
    facts = imported_facts(getattr(codemod.context, "filename", None), imports)
    for name, fields in facts.namedtuples.items():
        info.namedtuples.setdefault(name, list(fields))
    for name, task in facts.tasks.items():
        if name in info.entities:
            continue
        info.entities[name] = Entity(
            name=name,
            kind=task.kind,
            is_async=_is_async(codemod, task.kind, task.is_async),
            returns=cst.Name(task.returns) if task.returns else None,
            nt_fields=list(task.namedtuple_fields) if task.namedtuple_fields is not None else None,
            imported=True,
        )


def called_name(node: cst.Call) -> Optional[str]:
    """``f`` for a call ``f(...)``; None for attribute or other calls."""
    return node.func.value if isinstance(node.func, cst.Name) else None
