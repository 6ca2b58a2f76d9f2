"""Task-output cache persisted in a SQLite file under the run directory.

Keys follow the real SDK's scheme in spirit: task name, cache version (``version_override`` or a hash
of the function source) and the inputs minus ``ignored_inputs``. Values are pickled outputs; a value
that cannot be pickled is simply not cached.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import pickle
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from flytemigrate.runtime.record import jsonable

_MISS = object()


def function_version(func: Any) -> str:
    """A version derived from the function body, like the SDK's default ``FunctionBodyPolicy``."""
    try:
        body = inspect.getsource(func)
    except (OSError, TypeError):
        code = getattr(func, "__code__", None)
        body = repr(code.co_code) if code is not None else repr(func)
    return hashlib.sha256(body.encode()).hexdigest()


def cache_key(task_name: str, version: str, inputs: dict, ignored: tuple[str, ...]) -> str:
    """Stable key for one call."""
    kept = {k: jsonable(v) for k, v in inputs.items() if k not in ignored}
    blob = json.dumps([task_name, version, kept], sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()


class TaskCache:
    """A SQLite table ``key -> pickled outputs``; opened lazily, safe across threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False)
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS task_cache (key TEXT PRIMARY KEY, task TEXT, value BLOB, created REAL)"
            )
        return self._conn

    def get(self, key: str, max_age_s: float | None = None) -> Any:
        """The cached value for ``key`` (no older than ``max_age_s`` when given), or ``MISS``."""
        with self._lock:
            row = self._connection().execute(
                "SELECT value, created FROM task_cache WHERE key = ?", (key,)
            ).fetchone()
        if row is None or (max_age_s is not None and time.time() - row[1] > max_age_s):
            return _MISS
        try:
            return pickle.loads(row[0])
        except Exception:  # a class that no longer exists: treat as a miss
            return _MISS

    def set(self, key: str, task_name: str, value: Any) -> None:
        """Store ``value`` for ``key`` (silently skipped when it cannot be pickled)."""
        try:
            blob = pickle.dumps(value)
        except Exception:
            return
        with self._lock:
            conn = self._connection()
            conn.execute(
                "INSERT OR REPLACE INTO task_cache VALUES (?, ?, ?, ?)", (key, task_name, blob, time.time())
            )
            conn.commit()

    def close(self) -> None:
        """Close the database."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


MISS = _MISS
