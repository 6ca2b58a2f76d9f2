"""Canonical form of task outputs, and a tolerant structural comparison with a readable diff.

Each leg runs in its own process with its own classes (flytekit's ``FlyteFile``, the runtime's
``flyte.io.File``, two copies of a user dataclass), so values are reduced *inside the leg* to a
JSON-safe canonical form and compared in the parent:

* dataclasses and pydantic models become dicts of their fields; enums their value;
* tuples, NamedTuples and lists become lists (Flyte 2 flattens NamedTuple outputs to positions);
* sets become ``{"__set__": [...]}`` with items sorted, so order does not matter;
* DataFrames become ``{"__dataframe__": {"columns", "dtypes", "data"}}``;
* files and directories become a content hash (``{"__file__": sha256}``, ``{"__dir__": {rel: sha256}}``);
* plain objects (pickled by flytekit) become their class name and ``vars()``;
* NaN/inf, bytes, datetimes and anything else get tagged strings.

``compare(a, b, rel_tol)`` walks two canonical values and returns human-readable differences,
comparing numbers with a relative tolerance when either side is a float.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

__all__ = ["canonical", "compare", "flatten_outputs", "short"]

MAX_DIFFS = 20
_PATH_TYPES = ("FlyteFile", "FlyteDirectory", "File", "Dir")


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _dir_digest(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for base, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(base, name)
            out[os.path.relpath(full, path).replace(os.sep, "/")] = _file_digest(full)
    return dict(sorted(out.items()))


def _local_path(value: Any) -> str | None:
    """The local path of a file-like value (FlyteFile/FlyteDirectory, flyte.io.File/Dir, Path)."""
    if isinstance(value, (str, bytes)):
        return None
    for attribute in ("download",):  # flytekit: remote-backed files fetch on demand
        method = getattr(value, attribute, None)
        if callable(method) and type(value).__name__ in ("FlyteFile", "FlyteDirectory"):
            try:
                return str(method())
            except Exception:  # noqa: BLE001 - fall back to the recorded path
                break
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    path = getattr(value, "path", None)
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    return None


def _path_form(value: Any) -> Any:
    path = _local_path(value)
    if path is None:
        return None
    if path.startswith("file://"):
        path = path[len("file://") :]
    if os.path.isdir(path):
        return {"__dir__": _dir_digest(path)}
    if os.path.isfile(path):
        return {"__file__": _file_digest(path)}
    return {"__missing_path__": Path(path).name}


def _dataframe_form(frame: Any) -> Any:
    columns = [str(c) for c in frame.columns]
    dtypes = [str(t) for t in frame.dtypes]
    data = [[canonical(cell) for cell in row] for row in frame.itertuples(index=False, name=None)]
    return {"__dataframe__": {"columns": columns, "dtypes": dtypes, "data": data}}


def _open_as_pandas(value: Any) -> Any:
    """A flytekit StructuredDataset or flyte.io.DataFrame opened as pandas, or None."""
    try:
        import pandas as pd
    except ImportError:
        return None
    for attribute in ("dataframe", "_raw_df", "val"):
        inner = getattr(value, attribute, None)
        if isinstance(inner, pd.DataFrame):
            return inner
    opener = getattr(value, "open", None)
    if callable(opener):
        try:
            handle = opener(pd.DataFrame)
            result = handle.all()
            if hasattr(result, "__await__"):
                import asyncio

                async def wait() -> Any:
                    return await result

                result = asyncio.run(wait())
            if isinstance(result, pd.DataFrame):
                return result
        except Exception:  # noqa: BLE001 - not openable here: fall through to repr
            return None
    return None


def canonical(value: Any) -> Any:
    """Reduce ``value`` to the canonical JSON-safe form described in the module docstring."""
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, enum.Enum):
            return canonical(value.value)
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return {"__float__": "nan"}
        if math.isinf(value):
            return {"__float__": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, BaseException):
        return {"__error__": error_type(value)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: canonical(v) for k, v in value.items()}
        pairs = [[canonical(k), canonical(v)] for k, v in value.items()]
        return {"__pairs__": sorted(pairs, key=lambda p: json.dumps(p, sort_keys=True))}
    if isinstance(value, (set, frozenset)):
        items = [canonical(v) for v in value]
        return {"__set__": sorted(items, key=lambda v: json.dumps(v, sort_keys=True))}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if type(value).__name__ in _PATH_TYPES or isinstance(value, os.PathLike):
        # Before the dataclass branch: FlyteFile/FlyteDirectory are dataclasses around a temp path.
        path_form = _path_form(value)
        if path_form is not None:
            return path_form
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:
            return canonical(dump())
        except Exception:  # noqa: BLE001 - odd models fall through
            pass
    if type(value).__name__ == "DataFrame" and hasattr(value, "itertuples"):
        return _dataframe_form(value)
    if type(value).__name__ in ("StructuredDataset", "DataFrame"):
        frame = _open_as_pandas(value)
        if frame is not None:
            return _dataframe_form(frame)
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": bytes(value).hex()}
    path_form = _path_form(value) if type(value).__name__ != "str" else None
    if path_form is not None:
        return path_form
    if hasattr(value, "isoformat"):
        return {"__datetime__": value.isoformat()}
    if hasattr(value, "total_seconds"):
        return {"__timedelta__": value.total_seconds()}
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return canonical(value.tolist())
    if type(value).__repr__ is object.__repr__ and isinstance(getattr(value, "__dict__", None), dict):
        # A pickled plain object: its default repr carries a memory address that differs per run.
        return {"__object__": type(value).__qualname__, "state": canonical(vars(value))}
    return {"__repr__": repr(value)}


def error_type(error: BaseException) -> str:
    """The user-facing error class: Flyte 2 wraps child errors and keeps the original name in ``.code``."""
    code = getattr(error, "code", None)
    if isinstance(code, str) and code and type(error).__module__.split(".")[0] in ("flyte", "flytemigrate"):
        return code
    name = type(error).__name__
    if name.startswith("Flyte") and error.__cause__ is not None:  # flytekit scoped wrappers
        return error_type(error.__cause__)
    return name


def flatten_outputs(outputs: Any) -> Any:
    """Outputs as Flyte 2 returns them: a NamedTuple/tuple of several values is positional, one value is itself."""
    fields = getattr(outputs, "_fields", None)
    if isinstance(outputs, tuple) and fields is not None:
        # flytekit's DefaultNamedTupleOutput, Flyte 2's ActionOutputs, user NamedTuples: all positional.
        if len(outputs) == 1 and type(outputs).__name__ in ("ActionOutputs", "DefaultNamedTupleOutput"):
            return outputs[0]
        return tuple(outputs)
    return outputs


def _numbers(a: Any, b: Any) -> bool:
    return (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    )


def short(value: Any, limit: int = 80) -> str:
    """Compact one-line rendering of a canonical value."""
    text = json.dumps(value, sort_keys=True, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare(a: Any, b: Any, rel_tol: float = 1e-9, path: str = "output") -> list[str]:
    """Differences between two canonical values (empty when equivalent)."""
    diffs: list[str] = []
    _compare(a, b, rel_tol, path, diffs)
    return diffs[:MAX_DIFFS] + ([f"... {len(diffs) - MAX_DIFFS} more"] if len(diffs) > MAX_DIFFS else [])


def _compare(a: Any, b: Any, tol: float, path: str, diffs: list[str]) -> None:
    if _numbers(a, b):
        if isinstance(a, float) or isinstance(b, float):
            if not math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3 if tol else 0.0):
                diffs.append(f"{path}: {a!r} != {b!r}")
        elif a != b:
            diffs.append(f"{path}: {a!r} != {b!r}")
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: length {len(a)} != {len(b)} ({short(a)} vs {short(b)})")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, tol, f"{path}[{i}]", diffs)
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if "__set__" in a and "__set__" in b:
            _compare_sets(a["__set__"], b["__set__"], tol, path, diffs)
            return
        # dict order, not set order: the diff must read the same on every run (hash seeds vary)
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in b:
                diffs.append(f"{path}.{key}: only in original ({short(a[key])})")
            elif key not in a:
                diffs.append(f"{path}.{key}: only in converted ({short(b[key])})")
        for key in a:
            if key in b:
                _compare(a[key], b[key], tol, f"{path}.{key}" if not key.startswith("__") else path, diffs)
        return
    if a != b or type(a) is not type(b):
        diffs.append(f"{path}: {short(a)} != {short(b)}")


def _compare_sets(a: list, b: list, tol: float, path: str, diffs: list[str]) -> None:
    remaining = list(b)
    for item in a:
        match = next((i for i, other in enumerate(remaining) if not compare(item, other, tol)), None)
        if match is None:
            diffs.append(f"{path}: {short(item)} only in original set")
        else:
            remaining.pop(match)
    for item in remaining:
        diffs.append(f"{path}: {short(item)} only in converted set")
