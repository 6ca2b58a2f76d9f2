"""Start-up time of the ``flytemigrate`` process: the garbage collector during imports.

Starting ``flytemigrate lint FILE`` imports LibCST, pydantic, typer and the rules: some 10^5
long-lived objects (node classes, validators), and CPython's collector examined them again and
again while they were created, about 35 ms of a ~0.4 s run in pre-commit. ``pause_collector``
(the CLI entry point) switches the collector off for start-up; ``resume_collector`` (called by the
engine and the commands once their imports are done, before any real work) freezes what start-up
allocated, so later collections skip it, and switches the collector back on. Nothing else changes:
a process that never paused (tests, library use) is left alone.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
