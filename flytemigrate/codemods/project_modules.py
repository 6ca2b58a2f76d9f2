"""What the project's own modules define: tasks and NamedTuple classes imported from siblings.

A workflow module often imports its tasks and output types from modules next to it
(``from tasks import train``, ``from .types import Metrics``, ``from pkg.steps import clean``).
The body codemods need two facts about such names: is it a task (and is it async), and is it a
NamedTuple class (and what are its fields). ``imported_facts`` resolves the ``from X import ...``
statements of the module being rewritten to files of the project (relative to that module's
directory, its package root and the directories above it that are packages), parses them with
``ast`` (no import, no execution) and answers for the imported names.

A sibling may already have been converted (``verify --rewrite`` and ``rewrite -j`` convert a project
file by file), so a task is recognised in both forms: a flytekit decorator (``@task``,
``@fl.workflow(...)``) or an ``env.task`` decorator of a Flyte 2 ``TaskEnvironment``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

FLYTE1_KINDS = ("task", "workflow", "dynamic", "eager")


@dataclass(frozen=True)
class ImportedTask:
    kind: str  # task / workflow / dynamic / eager
    is_async: bool  # defined as ``async def`` (or an eager workflow)
    returns: Optional[str]  # the return annotation when it is a plain name
    namedtuple_fields: Optional[tuple[str, ...]]  # fields when it returns a NamedTuple of its module


@dataclass
class ModuleFacts:
    """Tasks and NamedTuple classes a module defines or imports (by the name it binds)."""

    tasks: dict[str, ImportedTask] = field(default_factory=dict)
    namedtuples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # ``from X import a as b`` statements of the module itself: b -> (X, level, a). A package's
    # ``__init__.py`` re-exports its tasks this way (``from my_project import clean``).
    reexports: dict[str, tuple[Optional[str], int, str]] = field(default_factory=dict)
    # ``from X import *`` statements of the module (a package ``__init__`` re-exporting everything).
    star_imports: list[tuple[Optional[str], int]] = field(default_factory=list)
    # Undecorated sync functions -> the plain names they call (to tell helpers that call tasks).
    functions: dict[str, frozenset[str]] = field(default_factory=dict)
    # Functions of the module that call tasks (``helper_functions`` fills it for imported names).
    helpers: set[str] = field(default_factory=set)


def _decorator_kind(decorator: ast.expr, flytekit_module: bool, aliases: Optional[dict[str, str]] = None) -> Optional[str]:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        name = (aliases or {}).get(target.id, target.id)
    elif isinstance(target, ast.Attribute):
        name = target.attr
    else:
        return None
    if name not in FLYTE1_KINDS:
        return None
    # A bare ``@task`` is flytekit's only in a module that imports flytekit; ``@env.task`` is Flyte 2's.
    if isinstance(target, ast.Name) and not flytekit_module:
        return None
    return name


def _flytekit_aliases(tree: ast.Module) -> dict[str, str]:
    """``from flytekit import task as flyte_task`` (or a deep module) -> {"flyte_task": "task"}."""
    aliases = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flytekit":
            for alias in node.names:
                if alias.asname and alias.name in FLYTE1_KINDS:
                    aliases[alias.asname] = alias.name
    return aliases


def _namedtuple_fields(node: ast.ClassDef) -> Optional[tuple[str, ...]]:
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else None
        if name == "NamedTuple":
            return tuple(
                stmt.target.id
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            )
    return None


def _functional_namedtuple(node: ast.stmt) -> Optional[tuple[str, tuple[str, ...]]]:
    """``Out = NamedTuple("Out", [("a", int), ...])`` (flytekit's documented spelling) -> (Out, fields)."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return None
    call = node.value
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name != "NamedTuple":
        return None
    if len(call.args) == 1 and call.keywords and all(k.arg for k in call.keywords):
        return node.targets[0].id, tuple(k.arg for k in call.keywords)  # NamedTuple("Out", a=int)
    if len(call.args) != 2 or not isinstance(call.args[1], (ast.List, ast.Tuple)):
        return None
    fields = []
    for element in call.args[1].elts:
        if not (isinstance(element, (ast.Tuple, ast.List)) and element.elts and isinstance(element.elts[0], ast.Constant)):
            return None
        fields.append(str(element.elts[0].value))
    return node.targets[0].id, tuple(fields)


@lru_cache(maxsize=256)
def _parse_module(path: str, mtime: float) -> Optional[ModuleFacts]:
    """Facts defined in the module at ``path`` itself (cached per modification time)."""
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return None
    flytekit_module = "flytekit" in source
    facts = ModuleFacts()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            fields = _namedtuple_fields(node)
            if fields is not None:
                facts.namedtuples[node.name] = fields
        elif isinstance(node, ast.Assign):
            functional = _functional_namedtuple(node)
            if functional is not None:
                facts.namedtuples[functional[0]] = functional[1]
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    facts.reexports[alias.asname or alias.name] = (node.module, node.level, alias.name)
                else:
                    facts.star_imports.append((node.module, node.level))
    aliases = _flytekit_aliases(tree)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = next((k for k in (_decorator_kind(d, flytekit_module, aliases) for d in node.decorator_list) if k), None)
            if kind is None:
                if isinstance(node, ast.FunctionDef) and not node.decorator_list:
                    facts.functions[node.name] = frozenset(
                        call.func.id for call in ast.walk(node) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    )
                continue
            returns = _annotation_name(node.returns)
            facts.tasks[node.name] = ImportedTask(
                kind=kind,
                is_async=isinstance(node, ast.AsyncFunctionDef) or kind == "eager",
                returns=returns,
                namedtuple_fields=facts.namedtuples.get(returns) if returns else None,
            )
    return facts


def _annotation_name(node: Optional[ast.expr]) -> Optional[str]:
    """``Out`` or ``records.Out`` for a return annotation that is a (dotted) name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _search_roots(filename: str) -> list[Path]:
    """The module's directory, then each enclosing package directory's parent (the import roots)."""
    here = Path(filename).resolve().parent
    roots = [here]
    current = here
    while (current / "__init__.py").exists() and current.parent != current:
        current = current.parent
        roots.append(current)
    return roots


def resolve_module(filename: str, module: Optional[str], level: int) -> Optional[Path]:
    """The project file of ``from <.. * level><module> import ...`` seen from ``filename``, if any."""
    parts = module.split(".") if module else []
    if level:
        base = Path(filename).resolve().parent
        for _ in range(level - 1):
            base = base.parent
        candidates = [base]
    else:
        candidates = _search_roots(filename)
        # A namespace package (no ``__init__.py``, PEP 420) above the module: ``from my_project.tasks
        # import t`` in ``my_project/workflows.py`` resolves from the directory holding ``my_project``.
        if parts:
            ancestor = Path(filename).resolve().parent
            for _ in range(4):
                ancestor = ancestor.parent
                if ancestor not in candidates and (ancestor / parts[0]).is_dir():
                    candidates.append(ancestor)
    for root in candidates:
        target = root.joinpath(*parts) if parts else root
        for path in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
            if path is not None and path.is_file():
                return path
    return None


def module_facts(path: Path) -> Optional[ModuleFacts]:
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    return _parse_module(str(path), mtime)


def _skipped(module: Optional[str]) -> bool:
    return bool(module) and module.split(".")[0] in ("flytekit", "flyte", "typing", "asyncio")


def _lookup(path: Path, name: str, facts: ModuleFacts, bound: str, depth: int = 0) -> None:
    """Record in ``facts`` (as ``bound``) the task / NamedTuple ``name`` of the module at ``path``,
    following re-exports (``from .tasks import clean`` in a package ``__init__.py``) a few levels."""
    found = module_facts(path)
    if found is None:
        return
    if name in found.tasks:
        task = found.tasks[name]
        if task.namedtuple_fields is None and task.returns:
            # The output class comes from yet another module (``from .types import Metrics``, or
            # ``from . import types`` and ``-> types.Metrics``).
            fields = _reexported_namedtuple(path, found, task.returns)
            if fields is not None:
                task = ImportedTask(task.kind, task.is_async, task.returns, fields)
        facts.tasks[bound] = task
    if name in found.namedtuples:
        facts.namedtuples[bound] = found.namedtuples[name]
    if name in found.tasks or name in found.namedtuples or depth >= 3:
        return
    if name in found.reexports:
        sources = [found.reexports[name]]
    else:
        sources = [(module, level, name) for module, level in found.star_imports]
    for module, level, imported in sources:
        if _skipped(module):
            continue
        target = resolve_module(str(path), module, level)
        if target is not None and target.resolve() != path.resolve():
            _lookup(target, imported, facts, bound, depth + 1)
            if bound in facts.tasks or bound in facts.namedtuples:
                return


def _is_helper(path: Path, found: ModuleFacts, name: str) -> bool:
    """Is ``name`` a plain sync function of the module at ``path`` that calls a task (its own, or one
    it imports from a project module)?"""
    called = found.functions.get(name)
    if not called:
        return False
    if called & set(found.tasks):
        return True
    for callee in called & set(found.reexports):
        module, level, imported = found.reexports[callee]
        if _skipped(module):
            continue
        target = resolve_module(str(path), module, level)
        if target is None or target.resolve() == path.resolve():
            continue
        probe = ModuleFacts()
        _lookup(target, imported, probe, callee, 1)
        if callee in probe.tasks:
            return True
    return False


def _reexported_namedtuple(path: Path, found: ModuleFacts, name: str) -> Optional[tuple[str, ...]]:
    """Fields of the NamedTuple ``name`` (``Out`` or ``mod.Out``) that the module imports."""
    probe = ModuleFacts()
    head, _, tail = name.partition(".")
    if head not in found.reexports:
        return None
    module, level, imported = found.reexports[head]
    if _skipped(module):
        return None
    if tail:  # ``from . import records`` then ``records.Out``
        target = resolve_submodule(str(path), module, level, imported)
        facts = module_facts(target) if target is not None else None
        return facts.namedtuples.get(tail) if facts is not None else None
    target = resolve_module(str(path), module, level)
    if target is None or target.resolve() == path.resolve():
        return None
    _lookup(target, imported, probe, name, 1)
    return probe.namedtuples.get(name)


def imported_facts(filename: Optional[str], imports: list[tuple[Optional[str], int, list[tuple[str, str]]]]) -> ModuleFacts:
    """Facts for the names bound by ``imports``: (module, level, [(imported name, bound name)]);
    ``("*", "*")`` stands for ``from module import *``."""
    facts = ModuleFacts()
    if not filename or filename == "-":
        return facts
    for module, level, names in imports:
        if _skipped(module):
            continue
        path = resolve_module(filename, module, level)
        if path is None or path.resolve() == Path(filename).resolve():
            continue
        for imported, bound in names:
            if imported == "*":
                star = _resolved_module(path)
                if star is not None:
                    facts.tasks.update({k: v for k, v in star.tasks.items() if not k.startswith("_")})
                    facts.namedtuples.update({k: v for k, v in star.namedtuples.items() if not k.startswith("_")})
                    facts.helpers.update(h for h in star.helpers if not h.startswith("_"))
                continue
            _lookup(path, imported, facts, bound)
            found = module_facts(path)
            if found is not None and _is_helper(path, found, imported):
                facts.helpers.add(bound)
    return facts


def resolve_submodule(filename: str, module: Optional[str], level: int, name: str) -> Optional[Path]:
    """The project file of module ``name`` in ``from <module> import <name>`` (``from . import tasks``)."""
    dotted = f"{module}.{name}" if module else name
    return resolve_module(filename, dotted, level)


def _resolved_module(path: Path) -> Optional[ModuleFacts]:
    """The tasks and NamedTuple classes reachable as attributes of the module at ``path``: its own,
    the ones it imports from project modules, with output types resolved across modules."""
    found = module_facts(path)
    if found is None:
        return None
    facts = ModuleFacts()
    for name in [*found.tasks, *found.namedtuples, *found.reexports]:
        _lookup(path, name, facts, name)
    facts.helpers = {name for name in found.functions if _is_helper(path, found, name)}
    return facts if facts.tasks or facts.namedtuples or facts.helpers else None


def imported_modules(
    filename: Optional[str],
    from_imports: list[tuple[Optional[str], int, list[tuple[str, str]]]],
    plain_imports: list[tuple[str, str]],
) -> dict[str, ModuleFacts]:
    """Project modules bound to a name, by that name: ``from . import tasks``, ``from pkg import steps as s``,
    ``import pkg.tasks as T`` (bound ``T``) and ``import pkg.tasks`` (bound ``pkg.tasks``, used as an
    attribute chain). Workflows call their tasks through these (``tasks.clean(...)``)."""
    found: dict[str, ModuleFacts] = {}
    if not filename or filename == "-":
        return found
    this = Path(filename).resolve()
    for module, level, names in from_imports:
        if _skipped(module):
            continue
        for imported, bound in names:
            path = resolve_submodule(filename, module, level, imported)
            if path is not None and path.resolve() != this:
                facts = _resolved_module(path)
                if facts is not None:
                    found[bound] = facts
    for dotted, bound in plain_imports:
        if _skipped(dotted):
            continue
        path = resolve_module(filename, dotted, 0)
        if path is not None and path.resolve() != this:
            facts = _resolved_module(path)
            if facts is not None:
                found[bound] = facts
    return found
