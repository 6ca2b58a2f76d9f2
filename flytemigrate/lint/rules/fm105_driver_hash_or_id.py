"""FM105 driver-hash-or-id."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Severity
from flytemigrate.lint.rules.fm1_common import ReplayedCallRule

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef shard(name: str, bucket: int) -> int:\n    return bucket\n\n'


class DriverHashOrId(ReplayedCallRule):
    """Flags `hash()` and `id()` in driver code (not in values that only go into log lines).

    Why it breaks in Flyte 2:
        `hash()` of a `str` or `bytes` is salted per process (`PYTHONHASHSEED`), and `id()` is a
        memory address. A replayed driver runs in a new process, so bucket numbers, cache keys
        or file names computed from them differ from the first attempt, and the replay starts
        tasks with inputs that were never recorded.

    Example:
        @env.task
        def fan_out(names: list[str]) -> list[int]:
            return [shard(n, hash(n) % 8) for n in names]

    Use instead:
        import zlib

        @env.task
        def fan_out(names: list[str]) -> list[int]:
            return [shard(n, zlib.crc32(n.encode()) % 8) for n in names]
    """

    code: ClassVar[str] = "FM105"
    name: ClassVar[str] = "driver-hash-or-id"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("hash(", "id(")
    SKIP_TASK_ARGUMENTS = False
    SKIP_LOG_ARGUMENTS = True
    VALID: ClassVar[list[str]] = [
        _HEAD + "import zlib\n\n@env.task\ndef main(names: list[str]) -> list[int]:\n    return [shard(n, zlib.crc32(n.encode()) % 8) for n in names]\n",
        _HEAD + "@env.task\ndef leaf(name: str) -> int:\n    return hash(name) % 8\n",
        _HEAD + "import hashlib\n\n@env.task\ndef main(name: str) -> int:\n    return shard(name, int(hashlib.sha256(name.encode()).hexdigest(), 16) % 8)\n",
        _HEAD + "@env.task\ndef main(name: str) -> int:\n    print('object', id(name))\n    return shard(name, 1)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(names: list[str]) -> list[int]:\n    return [shard(n, hash(n) % 8) for n in names]\n",
        _HEAD + "@env.task\ndef main(name: str) -> int:\n    key = id(name)\n    return shard(name, key)\n",
    ]

    def check_call(self, analysis, info, site, names) -> None:
        which = "hash" if "builtins.hash" in names else "id" if "builtins.id" in names else None
        if which is None:
            return
        why = "is salted per process" if which == "hash" else "is a memory address"
        self.report(
            site.node,
            f"{analysis.describe(info.qualname)} uses `{which}()`, which {why}; a replayed driver computes other values",
            help="derive stable keys with `hashlib`/`zlib.crc32` on the value's bytes, or compute them in a task",
        )
