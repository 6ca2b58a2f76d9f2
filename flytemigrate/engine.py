"""The per-file pipeline shared by rewrite and lint.

Each file is handled by a *worker* function ``(path, source, options) -> FileResult`` that never
raises: any exception inside it becomes a ``failed`` result for that file only, so one bad file
never stops the rest. With ``jobs > 1`` files are spread over a process pool (LibCST is
CPU-bound and holds the GIL). Writing happens in the parent, through a temporary file in the
same directory followed by ``os.replace``, so a crash can never leave a half-written file.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from flytemigrate.diagnostics import Diagnostic, FileResult, Severity
from flytemigrate.files import STDIN

Worker = Callable[[str, str, Any], FileResult]

# Below this many files a pool costs more to start than it saves.
_MIN_FILES_FOR_POOL = 8


class SourceError(Exception):
    """A file could not be read or decoded; it is reported and left untouched."""


def read_source(path: str) -> tuple[str, bytes]:
    """Return ``(text, raw_bytes)`` of a file (or stdin for ``-``). Raises SourceError."""
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    encoding = declared_encoding(raw)
    try:
        # newline="" semantics: keep \r\n exactly as it is so untouched lines stay byte-identical.
        return raw.decode(encoding), raw
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            why = "files are read as UTF-8 unless a coding line (PEP 263) declares another encoding"
            raise SourceError(f"not valid UTF-8 (byte {exc.start}): {why}") from exc
        raise SourceError(f"not valid {encoding} (byte {exc.start}), the encoding its coding line declares") from exc


# PEP 263: a ``coding`` comment on one of the first two lines names the file's encoding.
_CODING_RE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def declared_encoding(data: bytes | str) -> str:
    """The encoding a Python source declares (PEP 263), ``utf-8`` when it declares none.

    Python reads such files in that encoding, so flytemigrate reads and writes them in it too
    (a latin-1 module stays latin-1). A byte-order mark means UTF-8, as it does for Python.
    Raises SourceError for an encoding Python does not know.
    """
    head = data[:1024]
    text = head.decode("latin-1") if isinstance(head, bytes) else head
    for line in text.splitlines()[:2]:
        match = _CODING_RE.match(line)
        if match:
            try:
                name = codecs.lookup(match.group(1)).name
            except LookupError as exc:
                raise SourceError(f"unknown encoding declared in the coding line: {match.group(1)}") from exc
            return "utf-8" if name.startswith("utf-8") else name
        if line.strip() and not line.lstrip().startswith("#"):
            break  # only comment lines can carry it, and only before any code
    return "utf-8"


def failure(path: str, message: str, code: str = "FM000") -> FileResult:
    """A result for a file that could not be processed; the file itself is not touched."""
    return FileResult(
        path=path,
        status="failed",
        error=message,
        diagnostics=[Diagnostic(code=code, message=message, path=path, severity=Severity.ERROR)],
    )


def _run_one(worker: Worker, path: str, options: Any, source: Optional[str] = None) -> FileResult:
    try:
        if source is None:
            source, _ = read_source(path)
        return worker(path, source, options)
    except SourceError as exc:
        return failure(path, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in one codemod must not lose other files
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if os.environ.get("FLYTEMIGRATE_DEBUG"):
            detail += "\n" + traceback.format_exc()
        return failure(path, f"internal error, file left unchanged: {detail}", code="FM001")


def _run_chunk(args: tuple[Worker, list[str], Any]) -> list[FileResult]:
    worker, paths, options = args
    return [_run_one(worker, path, options) for path in paths]


def process(
    paths: Iterable[str],
    worker: Worker,
    options: Any,
    jobs: int = 1,
    on_result: Optional[Callable[[FileResult], None]] = None,
) -> list[FileResult]:
    """Run ``worker`` over every path and return results in input order."""
    from flytemigrate.startup import resume_collector

    resume_collector()
    paths = list(paths)
    results: list[FileResult] = []
    for result in _iter_results(paths, worker, options, jobs):
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _iter_results(paths: list[str], worker: Worker, options: Any, jobs: int) -> Iterator[FileResult]:
    stdin_paths = [p for p in paths if p == STDIN]
    file_paths = [p for p in paths if p != STDIN]
    for path in stdin_paths:
        yield _run_one(worker, path, options)
    jobs = max(1, min(jobs, os.cpu_count() or 1, len(file_paths) or 1))
    if jobs == 1 or len(file_paths) < _MIN_FILES_FOR_POOL:
        for path in file_paths:
            yield _run_one(worker, path, options)
        return
    # Chunks amortise the pickling round-trip; several chunks per worker keep the progress bar moving.
    chunk_size = max(1, min(64, len(file_paths) // (jobs * 4)))
    chunks = [file_paths[i : i + chunk_size] for i in range(0, len(file_paths), chunk_size)]
    # Imported here: a one-file run (pre-commit) never needs the multiprocessing machinery.
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for chunk_results in pool.map(_run_chunk, [(worker, chunk, options) for chunk in chunks]):
            yield from chunk_results


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` via a temp file + rename, keeping the file's permissions."""
    target = Path(path)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".flytemigrate.tmp", dir=target.parent)
    try:
        # Written in the encoding the new text declares, as Python will read it (PEP 263).
        encoding = declared_encoding(text)
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            try:
                handle.write(text)
            except UnicodeEncodeError as exc:
                raise OSError(f"the new code cannot be written as {encoding}, the file's encoding: {exc.reason}") from exc
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
