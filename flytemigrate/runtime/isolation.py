"""``isolate`` mode: every task call runs its function from a fresh import of its source file.

On a cluster each task runs in its own container, so module-level state (counters, caches, clients
mutated by one task) is not shared between tasks. Loading the module anew per call reproduces that:
a task that relies on state set by another task sees the module's initial state instead.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def fresh_function(task: Any, serial: int) -> Any:
    """Load ``task``'s defining file under a new module name and return its function by qualname."""
    func = task.func
    module = sys.modules.get(func.__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return func  # defined interactively: nothing to re-import
    name = f"_flytemigrate_isolated_{serial}_{func.__module__.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return func
    fresh = importlib.util.module_from_spec(spec)
    # Registered so dataclasses, pickling and relative lookups in the fresh module work.
    sys.modules[name] = fresh
    # Runs write nothing outside their run directory: no __pycache__ next to the user's source.
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(fresh)
    finally:
        sys.dont_write_bytecode = saved
    obj: Any = fresh
    for part in func.__qualname__.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return func
    return getattr(obj, "func", obj)
