"""The bundled Flyte 2-compatible runtime (public API used by ``run`` and ``verify``).

- :func:`activate` makes ``import flyte`` resolve to the runtime in this process.
- :func:`execute` runs a task like ``flyte.run`` and returns an :class:`Execution` (outputs shaped like
  ``flyte.run(...).outputs()``, the error, the :class:`CallRecord` tree, replay divergences).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flytemigrate.runtime.record import CallRecord

__all__ = ["CallRecord", "Execution", "activate", "deactivate", "execute"]


def activate() -> None:
    """Install the import hook: afterwards ``import flyte`` (flyte.io, flyte.errors...) is the runtime.

    Idempotent. Raises ``RealFlyteAlreadyImported`` if the real SDK was already imported here.
    """
    from flytemigrate.runtime import importhook

    importhook.install()


def deactivate() -> None:
    """Remove the import hook (tests and embedding)."""
    from flytemigrate.runtime import importhook

    importhook.uninstall()


def execute(
    task: Any,
    inputs: dict,
    *,
    replay: CallRecord | None = None,
    isolate: bool = False,
    run_dir: str | Path | None = None,
    enforce_timeouts: bool = False,
) -> Any:
    """Run ``task`` (a runtime task object) with ``inputs`` inside a fresh run; never raises task errors.

    ``replay``: child calls matching the recorded sequence (name + inputs, in order) return their
    recorded outputs instead of running; mismatches are reported in ``Execution.divergences``.
    ``isolate``: each task call runs from a fresh import of its module (module state is not shared).
    ``run_dir``: where the cache database and files go (default: a temp dir, removed afterwards).
    ``enforce_timeouts``: fail calls that exceed ``timeout`` (the real SDK does not, locally).
    """
    from flytemigrate.runtime.execution import execute as _execute

    return _execute(
        task, inputs, replay=replay, isolate=isolate, run_dir=run_dir, enforce_timeouts=enforce_timeouts
    )


def __getattr__(name: str) -> Any:
    if name == "Execution":
        from flytemigrate.runtime.execution import Execution

        return Execution
    raise AttributeError(name)
