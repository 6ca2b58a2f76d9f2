"""The call record: one node per task or trace call, with inputs, outputs, error and timing.

``verify`` compares call records between legs and replays drivers from them, so values are kept in a
JSON-safe canonical form (dataclasses and pydantic models as dicts, tuples as lists, DataFrames as
records, files by path) next to the live Python values (not serialised) used for in-process replay.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from typing import Any


def jsonable(value: Any) -> Any:
    """Return ``value`` in a canonical JSON-safe form (stable across runs of the same program)."""
    t = type(value)
    if t is int or t is str or t is bool or value is None:  # exact types first: the per-call common case
        return value
    if t is dict:
        return {k if type(k) is str else str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"__float__": repr(value)}
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseException):
        return {"__error__": type(value).__name__, "code": getattr(value, "code", None), "message": str(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # pydantic v2 model
        return jsonable(dump(mode="json"))
    path = getattr(value, "path", None)
    if isinstance(path, str) and type(value).__name__ in ("File", "Dir"):
        return {"__" + type(value).__name__.lower() + "__": path}
    if type(value).__name__ == "DataFrame" and hasattr(value, "to_dict"):
        return _frame_form(value)
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": bytes(value).hex()}
    if hasattr(value, "isoformat"):
        return {"__datetime__": value.isoformat()}
    return {"__repr__": repr(value)}


_FRAME_ROWS_INLINE = 100


def _frame_form(frame: Any) -> dict:
    """Small frames by their rows; large ones by shape, columns and a content hash (records stay small)."""
    try:
        rows = len(frame)
        if rows <= _FRAME_ROWS_INLINE:
            return {"__dataframe__": jsonable(frame.to_dict(orient="records"))}
        import hashlib

        import pandas as pd

        pandas_frame = frame if isinstance(frame, pd.DataFrame) else frame._frame()
        digest = hashlib.sha256(pd.util.hash_pandas_object(pandas_frame, index=True).values.tobytes())
        return {
            "__dataframe__": {
                "rows": rows,
                "columns": [str(c) for c in pandas_frame.columns],
                "sha256": digest.hexdigest(),
            }
        }
    except Exception:  # a frame with exotic dtypes still gets a stable record
        return {"__dataframe__": repr(frame)}


@dataclasses.dataclass(slots=True)
class CallRecord:
    """One task (or trace) call; ``children`` are the calls it made, in call order."""

    name: str
    inputs: dict = dataclasses.field(default_factory=dict)
    outputs: Any = None
    error: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 0
    cache_hit: bool = False
    duration_s: float = 0.0
    kind: str = "task"
    replayed: bool = False
    group: str | None = None
    children: list[CallRecord] = dataclasses.field(default_factory=list)
    # Live Python outputs of this call, used to replay in-process; never serialised.
    live_outputs: Any = dataclasses.field(default=None, repr=False, compare=False)
    has_live_outputs: bool = dataclasses.field(default=False, repr=False, compare=False)

    @classmethod
    def start(cls, name: str, inputs: dict, kind: str, group: str | None) -> CallRecord:
        """A new record for a call that starts now (the per-call fast path: no generated ``__init__``)."""
        # Slots and no generated __init__ (keyword defaults, factories): one object per call, few stores.
        rec = _new(cls)
        rec.name, rec.inputs, rec.kind, rec.group, rec.children = name, inputs, kind, group, []
        rec.outputs = rec.error = rec.error_code = rec.error_message = rec.live_outputs = None
        rec.attempts, rec.duration_s = 0, 0.0
        rec.cache_hit = rec.replayed = rec.has_live_outputs = False
        return rec

    def to_dict(self) -> dict:
        """The record as plain data (without live values)."""
        return {
            "name": self.name,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "attempts": self.attempts,
            "cache_hit": self.cache_hit,
            "duration_s": self.duration_s,
            "kind": self.kind,
            "replayed": self.replayed,
            "group": self.group,
            "children": [c.to_dict() for c in self.children],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise the record tree to JSON."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> CallRecord:
        """Rebuild a record tree from :meth:`to_dict` output."""
        known = {f.name for f in dataclasses.fields(cls)} - {"children", "live_outputs", "has_live_outputs"}
        fields = {k: v for k, v in data.items() if k in known}
        return cls(**fields, children=[cls.from_dict(c) for c in data.get("children", [])])

    @classmethod
    def from_json(cls, text: str) -> CallRecord:
        """Rebuild a record tree from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    def walk(self):
        """Yield this record and all descendants, depth first in call order."""
        yield self
        for child in self.children:
            yield from child.walk()


_new = object.__new__
