"""A ``sys.meta_path`` finder that makes ``import flyte`` (and ``flyte.*``) resolve to the runtime.

Installed only by :func:`flytemigrate.runtime.activate` inside ``flytemigrate run``/``verify``
processes, so installing flytemigrate never shadows a real ``flyte`` package anywhere else.
``sys.modules['flyte']`` becomes the very module object ``flytemigrate.runtime.flyte``, so classes
and state are shared whichever name code imports them by.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from typing import Any

TARGET = "flytemigrate.runtime.flyte"


class RealFlyteAlreadyImported(RuntimeError):
    """The real ``flyte`` SDK was imported before the runtime could be activated."""


class _AliasLoader:
    """Hands out the already-imported runtime module for a ``flyte`` name."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        module = importlib.import_module(self.target)
        # importlib overwrites __spec__ on the module it gets; keep the runtime module's own spec.
        self._spec = module.__spec__
        return module

    def exec_module(self, module: Any) -> None:
        module.__spec__ = self._spec


class FlyteFinder:
    """Maps ``flyte`` and ``flyte.X`` to ``flytemigrate.runtime.flyte`` and its submodules."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname != "flyte" and not fullname.startswith("flyte."):
            return None
        mapped = TARGET + fullname[len("flyte"):]
        if importlib.util.find_spec(mapped) is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} on the flytemigrate runtime (it implements flyte, flyte.io, "
                "flyte.errors, flyte.remote and flyte.report)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(mapped), is_package=fullname == "flyte")


_FINDER = FlyteFinder()


def is_runtime_module(module: Any) -> bool:
    """Whether ``module`` is the runtime's ``flyte`` (and not the real SDK)."""
    return getattr(module, "FLYTEMIGRATE_RUNTIME", False) is True


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (idempotent)."""
    existing = sys.modules.get("flyte")
    if existing is not None and not is_runtime_module(existing):
        raise RealFlyteAlreadyImported(
            "the real `flyte` SDK is already imported in this process; the flytemigrate runtime must be "
            "activated before anything imports flyte (run the code through `flytemigrate run`)"
        )
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Remove the finder and forget runtime modules registered under ``flyte`` names."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if n == "flyte" or n.startswith("flyte.")]:
        if is_runtime_module(sys.modules[name]) or sys.modules[name].__name__.startswith(TARGET):
            del sys.modules[name]
