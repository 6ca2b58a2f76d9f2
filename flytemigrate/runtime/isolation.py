"""``isolate`` mode: every task call runs its function from a fresh import of its source file.

On a cluster each task runs in its own container, so module-level state (counters, caches, clients
mutated by one task) is not shared between tasks. Loading the task's module anew per call, together
with fresh copies of the project modules it imports (anything outside the Python installation and
flytemigrate), reproduces that: a task relying on state set by another task sees the initial state.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import sysconfig
import threading
from typing import Any

_LOCK = threading.Lock()
_ISOLATED_PREFIX = "_flytemigrate_isolated_"


def _installed_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(path)
    import flytemigrate

    roots.add(os.path.dirname(os.path.abspath(flytemigrate.__file__)))
    return tuple(os.path.abspath(r) + os.sep for r in roots)


_ROOTS: tuple[str, ...] | None = None


def _project_modules() -> list[str]:
    """Names of imported modules that belong to the user's project (not installed, not ours)."""
    global _ROOTS
    if _ROOTS is None:
        _ROOTS = _installed_roots()
    names = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not path or name.startswith(_ISOLATED_PREFIX) or name == "__main__":
            continue
        if not os.path.abspath(path).startswith(_ROOTS):
            names.append(name)
    return names


def fresh_function(task: Any, serial: int) -> Any:
    """Load ``task``'s defining file under a new module name and return its function by qualname."""
    func = task.func
    module = sys.modules.get(func.__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return func  # defined interactively: nothing to re-import
    name = f"{_ISOLATED_PREFIX}{serial}_{func.__module__.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return func
    with _LOCK:
        fresh = _load_fresh(spec, module)
    obj: Any = fresh
    for part in func.__qualname__.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return func
    return getattr(obj, "func", obj)


def _load_fresh(spec: Any, original: Any) -> Any:
    """Execute the module with project modules hidden, so its imports of them are fresh copies too."""
    hidden = {n: sys.modules.pop(n) for n in _project_modules()}
    fresh = importlib.util.module_from_spec(spec)
    # Relative imports in the fresh copy resolve against the original package (imported anew).
    fresh.__package__ = getattr(original, "__package__", None) or ""
    # Registered so dataclasses and pickling can find the module by name.
    sys.modules[spec.name] = fresh
    # Runs write nothing outside their run directory: no __pycache__ next to the user's source.
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(fresh)
    finally:
        sys.dont_write_bytecode = saved
        for n in _project_modules():
            if n not in hidden:
                sys.modules.pop(n, None)  # the fresh copies stay reachable from the fresh module only
        sys.modules.update(hidden)
    return fresh
