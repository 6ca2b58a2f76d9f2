"""Per-case time limits and progress beats inside a verify leg process.

``--timeout`` is a limit per case (one entry run with one input set) and per module import, not per
leg: one slow workflow must not cost the verdicts of every other entry in the project. The limit is
an ``ITIMER_REAL`` alarm in the worker's main thread that raises :class:`CaseTimeout`, a
``BaseException`` so that a user's ``except Exception:`` around a task call cannot swallow it.

The parent cannot know how many cases a leg will run, so instead of a total limit it watches a
progress file that the worker touches after every import and case (:func:`beat`): a leg that makes
no progress for longer than a case may take (an alarm that could not fire because the process is
stuck in C code) is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Iterator, Optional

PROGRESS_ENV = "FLYTEMIGRATE_VERIFY_PROGRESS"


class CaseTimeout(BaseException):
    """A case or an import ran longer than the verify timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g}s (raise --timeout to allow more)")
        self.seconds = seconds


@contextlib.contextmanager
def deadline(seconds: Optional[float]) -> Iterator[None]:
    """Raise :class:`CaseTimeout` in the main thread when the block runs longer than ``seconds``.

    Without ``SIGALRM`` (Windows) or off the main thread the block runs unlimited; the parent's
    progress watchdog still bounds it.
    """
    usable = (
        seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    assert seconds is not None

    def expire(signum: int, frame: object) -> None:
        raise CaseTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def beat() -> None:
    """Tell the parent the leg is still making progress (touch the progress file, if any)."""
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8"):
            pass
        os.utime(path)
    except OSError:  # the watchdog then falls back to its own clock; never fail a case for this
        pass
