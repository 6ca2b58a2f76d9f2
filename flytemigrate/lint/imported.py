"""Which names a module imports from *project* files are tasks there (cross-file, best effort).

A driver module often imports its tasks (``from pipeline.tasks import train``) and calls them
like functions, so nothing in the module itself says ``train`` is a task. Given the linted file's
path, ``imported_tasks`` resolves module-level ``from X import name`` statements to files of the
same project (relative imports from the file's package, absolute ones from the file's directory
and its ancestors, and their ``src/`` directories), reads those with the standard ``ast``
parser (cheap, cached per file) and reports the imported names that are functions decorated with ``@<something>.task``,
``@task``, ``@workflow``, ``@dynamic`` or ``@eager`` there (or registered as
``name = env.task(fn)``). Files that cannot be found or parsed contribute nothing.

``imported_envs`` does the same for ``TaskEnvironment`` objects: monorepos keep one
``env = flyte.TaskEnvironment(...)`` in ``env.py``/``config.py`` and every task module does
``from .env import env`` then ``@env.task``, so without it no task of such a module is seen.
An environment re-exported by the imported module (``from .base import env`` in ``env.py``) is
followed a few levels.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator, Optional

import libcst as cst

__all__ = ["imported_envs", "imported_tasks"]

# Libraries, not project files: never looked up on disk.
_SKIPPED_MODULES = frozenset({"flyte", "flytekit", "typing", "os", "asyncio"})
_TASK_DECORATORS = frozenset({"task", "workflow", "dynamic", "eager"})
# How many parent directories are tried as import roots for absolute imports.
_MAX_ROOT_DEPTH = 6
# path -> (mtime, {function name: (is_async, is_flytekit)}) of task definitions in that file.
_CACHE: dict[str, tuple[float, dict[str, tuple[bool, bool]]]] = {}
# path -> (mtime, facts) of the TaskEnvironments of that file: (names defined there,
# {local name: (import level, module, imported name)} of its module-level from-imports).
_ENV_CACHE: dict[str, tuple[float, tuple[set[str], dict[str, tuple[int, str, str]]]]] = {}
# How many re-exports (`from .base import env` in the imported module) are followed.
_MAX_REEXPORT_DEPTH = 3


def _decorator_name(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _uses_flytekit(tree: ast.Module, package: str = "flytekit") -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and (statement.module or "").split(".")[0] == package:
            return True
        if isinstance(statement, ast.Import) and any(a.name.split(".")[0] == package for a in statement.names):
            return True
    return False


def _is_task_decorator(path: str, decorator: ast.expr, flyte_module: bool) -> bool:
    """``@task``/``@workflow``/... in a flytekit or flyte module, or ``@env.task`` of an
    environment (defined or imported there): a Celery ``@app.task`` or Prefect ``@task`` in a
    module without Flyte is not a Flyte task."""
    if _decorator_name(decorator) not in _TASK_DECORATORS:
        return False
    if flyte_module:
        return True
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and _defines_env(path, target.value.id)


def _tasks_in(path: str) -> dict[str, tuple[bool, bool]]:
    """``{name: (is_async, is_flytekit)}`` of the task functions defined at top level of ``path``."""
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return {}
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    found: dict[str, tuple[bool, bool]] = {}
    tree = _parse(path)
    functions: dict[str, bool] = {}
    flytekit = _uses_flytekit(tree)
    flyte_module = flytekit or _uses_flytekit(tree, "flyte")
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            is_async = isinstance(statement, ast.AsyncFunctionDef)
            functions[statement.name] = is_async
            if any(_is_task_decorator(path, d, flyte_module) for d in statement.decorator_list):
                found[statement.name] = (is_async, flytekit)
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            # train = env.task(_train) / env.task(cache="auto")(_train)
            call = statement.value
            if (
                _is_task_decorator(path, call.func, flyte_module)
                and _decorator_name(call.func) == "task"
                and len(call.args) == 1
                and isinstance(call.args[0], ast.Name)
            ):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = (functions.get(call.args[0].id, False), flytekit)
    _CACHE[path] = (mtime, found)
    return found


def _parse(path: str) -> ast.Module:
    try:
        with open(path, encoding="utf-8") as fh:
            return ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return ast.Module(body=[], type_ignores=[])


def _is_env_call(value: Optional[ast.expr], envs: set[str]) -> bool:
    """``TaskEnvironment(...)`` under any spelling, or ``<env>.clone_with(...)`` of a known env."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if _decorator_name(func) == "TaskEnvironment":
        return True
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "clone_with"
        and isinstance(func.value, ast.Name)
        and func.value.id in envs
    )


def _env_facts(path: str) -> tuple[set[str], dict[str, tuple[int, str, str]]]:
    """The environments ``path`` defines at top level and what it imports from where."""
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return set(), {}
    cached = _ENV_CACHE.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    envs: set[str] = set()
    imports: dict[str, tuple[int, str, str]] = {}
    factories: set[str] = set()  # functions returning a TaskEnvironment (`def make_env(...)`)
    for statement in _parse(path).body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(node, ast.Return) and _is_env_call(node.value, set()) for node in ast.walk(statement)
        ):
            factories.add(statement.name)
        if isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                imports[alias.asname or alias.name] = (statement.level, statement.module or "", alias.name)
        targets: list[ast.expr] = []
        value: Optional[ast.expr] = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        factory_call = isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in factories
        if targets and (factory_call or _is_env_call(value, envs | {n for n in imports if n not in envs})):
            envs.update(t.id for t in targets if isinstance(t, ast.Name))
    facts = (envs, imports)
    _ENV_CACHE[path] = (mtime, facts)
    return facts


def _defines_env(path: str, name: str, depth: int = 0) -> bool:
    """Whether ``name`` in the module at ``path`` is a TaskEnvironment (re-exports followed)."""
    envs, imports = _env_facts(path)
    if name in envs:
        return True
    source = imports.get(name)
    if source is None or depth >= _MAX_REEXPORT_DEPTH:
        return False
    level, module, imported = source
    if module.split(".")[0] in _SKIPPED_MODULES:
        return False
    files = _module_files(path, level, module)
    return bool(files) and _defines_env(files[0], imported, depth + 1)


def _candidates(base: str, module: str) -> list[str]:
    rel = module.replace(".", os.sep) if module else ""
    stem = os.path.join(base, rel) if rel else base
    return [stem + ".py", os.path.join(stem, "__init__.py")]


# directory -> whether it has a `src/` subdirectory (asked once per directory and process).
_SRC_DIRS: dict[str, bool] = {}


def _has_src(directory: str) -> bool:
    known = _SRC_DIRS.get(directory)
    if known is None:
        known = _SRC_DIRS[directory] = os.path.isdir(os.path.join(directory, "src"))
    return known


def _module_files(path: str, level: int, module: str) -> list[str]:
    directory = os.path.dirname(os.path.abspath(path))
    if level:
        for _ in range(level - 1):
            directory = os.path.dirname(directory)
        return [c for c in _candidates(directory, module) if os.path.isfile(c)]
    for _ in range(_MAX_ROOT_DEPTH):
        found = [c for c in _candidates(directory, module) if os.path.isfile(c)]
        if not found and _has_src(directory):
            # src layout: `from mypkg.env import env` in scripts/ or tests/ next to src/mypkg.
            found = [c for c in _candidates(os.path.join(directory, "src"), module) if os.path.isfile(c)]
        if found:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return []


def _dotted(expr: Optional[cst.BaseExpression]) -> str:
    if expr is None:
        return ""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""


def _local(alias: cst.ImportAlias, default: str) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return default


def _project_imports(module: cst.Module, path: str) -> Iterator[tuple[str, str, Optional[str]]]:
    """``(local name, file, imported name)`` for module-level imports of project files.

    ``from pkg.tasks import train as t`` gives ``("t", ".../pkg/tasks.py", "train")``; a module
    imported as a whole (``from pkg import tasks``, ``import pkg.tasks as tasks``) gives
    ``(local name, its file, None)``, its tasks then being used as ``tasks.train(...)``.
    """
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                # `import pkg.tasks as tasks` / `import pkg.tasks` (used as `pkg.tasks.train`).
                for alias in small.names:
                    name = _dotted(alias.name)
                    if name.split(".")[0] in _SKIPPED_MODULES:
                        continue
                    files = _module_files(path, 0, name)
                    if files:
                        yield _local(alias, name), files[0], None
                continue
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            name = _dotted(small.module)
            if name.split(".")[0] in _SKIPPED_MODULES:
                continue
            level = len(small.relative)
            files = _module_files(path, level, name)
            if not files and not level:
                continue
            for alias in small.names:
                imported = _dotted(alias.name)
                local = _local(alias, imported)
                if files:
                    yield local, files[0], imported
                # `from pkg import tasks` / `from . import tasks`: a submodule.
                submodule = _module_files(path, level, f"{name}.{imported}" if name else imported)
                if submodule:
                    yield local, submodule[0], None


def imported_tasks(module: cst.Module, path: Optional[str]) -> dict[str, tuple[bool, bool]]:
    """``{local name: (is_async, is_flytekit)}`` for names imported from project files where
    they are tasks; tasks of a module imported whole are keyed ``module.task``."""
    if not path or path == "-" or not os.path.isfile(path):
        return {}
    result: dict[str, tuple[bool, bool]] = {}
    for local, file, imported in _project_imports(module, path):
        tasks = _tasks_in(file)
        if imported is None:
            result.update({f"{local}.{name}": kind for name, kind in tasks.items()})
        elif imported in tasks:
            result[local] = tasks[imported]
    return result


def imported_envs(module: cst.Module, path: Optional[str]) -> set[str]:
    """Local names of TaskEnvironments imported from project files (``from .env import env``;
    ``envs.default`` for ``from . import envs``)."""
    if not path or path == "-" or not os.path.isfile(path):
        return set()
    result: set[str] = set()
    for local, file, imported in _project_imports(module, path):
        if imported is None:
            defined, reexported = _env_facts(file)
            names = defined | {name for name in reexported if _defines_env(file, name)}
            result.update(f"{local}.{name}" for name in names)
        elif _defines_env(file, imported):
            result.add(local)
    return result
