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


@dataclass
class ModuleInfo:
    entities: dict[str, Entity] = field(default_factory=dict)
    namedtuples: dict[str, list[str]] = field(default_factory=dict)

    def namedtuple_fields(self, entity_name: str) -> Optional[list[str]]:
        """Field names when ``entity_name`` returns a module-level NamedTuple class."""
        entity = self.entities.get(entity_name)
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
                    is_async=stmt.asynchronous is not None or kind == "eager",
                    returns=stmt.returns.annotation if stmt.returns else None,
                )
    return info


def called_name(node: cst.Call) -> Optional[str]:
    """``f`` for a call ``f(...)``; None for attribute or other calls."""
    return node.func.value if isinstance(node.func, cst.Name) else None
