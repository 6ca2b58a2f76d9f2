"""Input/output checking against type hints, and the value transport between tasks.

The real SDK serialises every value that crosses a task boundary: types are checked strictly
(an ``int`` is not a ``float``), a child receives copies of its inputs, and a ``NamedTuple`` output
arrives in the caller as a plain tuple. This module reproduces those observable effects without
serialising, so a call stays cheap.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import types
import typing
from typing import Any, Optional, Union

_PRIMITIVES = (int, float, str, bool, type(None), bytes)
_SCALAR_HINTS = (int, float, str, bool)
_NoneType = type(None)


class Interface:
    """The resolved inputs and outputs of a task function."""

    __slots__ = (
        "inputs", "outputs", "output_names", "multi", "signature", "positional", "defaults", "typed_inputs",
        "scalar_inputs", "scalar_output", "output_frames",
    )

    def __init__(self, func: Any):
        import inspect

        self.signature = inspect.signature(func)  # follows __wrapped__, like the SDK
        for param in self.signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise ValueError(
                    f"Function {getattr(func, '__name__', func)} cannot have variable positional or keyword arguments."
                )
        # Resolved when the task is declared: an unresolvable annotation fails there (NameError), as in the SDK.
        hints = typing.get_type_hints(func)
        self.inputs = {name: hints.get(name, Any) for name in self.signature.parameters}
        self.positional = list(self.signature.parameters)
        # Inputs whose declared type holds a NamedTuple: they arrive rebuilt as that NamedTuple (the SDK
        # deserialises by the declared type); every other input is transported without looking at its type.
        self.typed_inputs = {n: tp for n, tp in self.inputs.items() if _holds_namedtuple(tp)}
        # ``get_type_hints`` drops ``Annotated``; a data frame declared with columns keeps only those
        # (the SDK's data-frame engine selects them when it writes an output or reads an input).
        extras = typing.get_type_hints(func, include_extras=True) if _mentions_annotated(func) else {}
        for name in self.signature.parameters:
            if frame_columns(extras.get(name)):
                self.typed_inputs[name] = extras[name]
        self.defaults = {
            n: p.default for n, p in self.signature.parameters.items() if p.default is not inspect.Parameter.empty
        }
        # No return annotation means no outputs, as in the SDK: returning a value is a validation error.
        ret = hints.get("return", _NoneType)
        if ret is None:
            ret = _NoneType
        self.multi = False
        if is_namedtuple_type(ret):
            self.outputs = [typing.get_type_hints(ret).get(f, Any) for f in ret._fields]
            self.multi = True
        elif typing.get_origin(ret) is tuple and typing.get_args(ret):
            # The SDK's output extraction rejects these when the task is declared (same messages).
            if len(typing.get_args(ret)) == 1:
                raise TypeError(
                    "Tuples should be used to indicate multiple return values, found only one return variable."
                )
            if ... in typing.get_args(ret):
                raise TypeError("Variable length tuples are not supported as return types.")
            self.outputs = list(typing.get_args(ret))
            self.multi = True
        else:
            self.outputs = [ret]
        self.output_names = [f"o{i}" for i in range(len(self.outputs))]
        self.output_frames = _output_frames(extras.get("return"), len(self.outputs))
        # Per-call fast paths, decided once per task: inputs that are all plain scalars need no conversion
        # or copy when their values have exactly the declared type; likewise a single scalar output.
        self.scalar_inputs = all(tp in _SCALAR_HINTS for tp in self.inputs.values())
        self.scalar_output = self.outputs[0] if not self.multi and self.outputs[0] in _SCALAR_HINTS else None


def _mentions_annotated(func: Any) -> bool:
    return any("Annotated" in (a if isinstance(a, str) else repr(a)) for a in getattr(func, "__annotations__", {}).values())


def _output_frames(ret: Any, count: int) -> list:
    """Per output, its ``Annotated`` hint when that declares data-frame columns, else None."""
    if ret is None:
        return [None] * count
    if is_namedtuple_type(ret):
        parts = list(typing.get_type_hints(ret, include_extras=True).values())
    elif typing.get_origin(ret) is tuple and typing.get_args(ret):
        parts = list(typing.get_args(ret))
    else:
        parts = [ret]
    frames = [tp if frame_columns(tp) else None for tp in parts]
    return frames if len(frames) == count else [None] * count


def is_namedtuple_type(tp: Any) -> bool:
    """True for a ``typing.NamedTuple`` class."""
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def _holds_namedtuple(tp: Any) -> bool:
    """Whether a type hint is, or contains (list/dict/Optional arms), a NamedTuple class."""
    if is_namedtuple_type(tp):
        return True
    return any(_holds_namedtuple(a) for a in typing.get_args(tp) if a is not Ellipsis)


def transport_inputs(inputs: dict, iface: Interface) -> dict:
    """The inputs as the called task's body receives them (copies, rebuilt by declared type)."""
    typed = iface.typed_inputs
    if iface.scalar_inputs:
        return inputs  # immutable values, and the body gets a fresh dict through **inputs
    if not typed:
        return {k: transport(v) for k, v in inputs.items()}
    return {k: transport_as(v, typed[k]) if k in typed else transport(v) for k, v in inputs.items()}


def frame_columns(tp: Any) -> Optional[list]:
    """The columns an ``Annotated[<data frame>, {"col": type, ...}]`` hint declares, else None."""
    if typing.get_origin(tp) is not typing.Annotated:
        return None
    for meta in typing.get_args(tp)[1:]:
        if isinstance(meta, dict) and meta and all(isinstance(k, str) for k in meta):
            return list(meta)
    return None


def select_columns(value: Any, tp: Any) -> Any:
    """A pandas frame declared with columns keeps only those, in that order, as the SDK's
    data-frame type engine reads and writes it; anything else is returned as it is."""
    columns = frame_columns(tp)
    if columns is None or type(value).__name__ != "DataFrame" or not hasattr(value, "loc"):
        return value
    return value[columns]


def transport_as(value: Any, tp: Any) -> Any:
    """Transport a value declared as ``tp``: tuples declared as a NamedTuple arrive as that NamedTuple,
    and a pandas frame declared with columns arrives with only those columns."""
    if frame_columns(tp) is not None:
        return select_columns(transport(value), tp)
    if is_namedtuple_type(tp):
        if isinstance(value, tuple) and len(value) == len(tp._fields):
            hints = _namedtuple_hints(tp)
            return tp(*(transport_as(v, hints.get(f, Any)) for v, f in zip(value, tp._fields)))
        return transport(value)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, typing.List) and args and type(value) is list:
        return [transport_as(v, args[0]) for v in value]
    if origin in (dict, typing.Dict) and len(args) == 2 and type(value) is dict:
        return {k: transport_as(v, args[1]) for k, v in value.items()}
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        for arm in args:
            if arm is not _NoneType and (conforms(value, arm) or is_namedtuple_type(arm)):
                return transport_as(value, arm)
    return transport(value)


_NT_HINTS: dict = {}
_NT_MODELS: dict = {}


def validate_namedtuple(value: Any, tp: Any) -> Any:
    """A tuple or list for a NamedTuple input, converted the way the SDK's type engine does.

    Measured on flyte 2.12.1: fields are validated by pydantic in lax mode (``"2"`` and ``2.0`` become
    ``2`` for an int field, a wrong or missing field raises pydantic's ``ValidationError``), a list works
    like a tuple, and more values than fields raise ``IndexError``.
    """
    fields = tp._fields
    if len(value) > len(fields):
        raise IndexError("tuple index out of range")
    model = _NT_MODELS.get(tp)
    if model is None:
        import pydantic  # only for NamedTuple inputs

        hints = _namedtuple_hints(tp)
        model = _NT_MODELS[tp] = pydantic.create_model(
            f"NamedTupleWrapper_{tp.__name__}",
            __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
            **{f: (hints.get(f, Any), ...) for f in fields},
        )
    validated = model.model_validate(dict(zip(fields, value)))
    return tp(*(getattr(validated, f) for f in fields))


def _namedtuple_hints(tp: Any) -> dict:
    hints = _NT_HINTS.get(tp)
    if hints is None:
        try:
            hints = typing.get_type_hints(tp)
        except Exception:  # unresolvable field annotations: rebuild without converting fields
            hints = {}
        _NT_HINTS[tp] = hints
    return hints


def type_repr(tp: Any) -> str:
    """Render a type like the real SDK's messages (``<class 'int'>``)."""
    return repr(tp)


def conforms(value: Any, tp: Any) -> bool:
    """Whether ``value`` is acceptable for type hint ``tp`` (strict, like the real type engine)."""
    # Fast paths for the common scalar hints (every task call checks its inputs and outputs).
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if tp is float:
        return isinstance(value, float)
    if tp is bool:
        return isinstance(value, bool)
    if tp is Any or tp is typing.Any or tp is None and value is None:
        return True
    if tp is None or tp is _NoneType:
        return value is None
    if isinstance(tp, typing.TypeVar):
        return True
    origin = typing.get_origin(tp)
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        return any(conforms(value, arm) for arm in typing.get_args(tp))
    if origin is typing.Annotated:
        return conforms(value, typing.get_args(tp)[0])
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    if origin in (list, typing.List):
        if not isinstance(value, list):
            return False
        args = typing.get_args(tp)
        return not args or all(conforms(v, args[0]) for v in value)
    if origin in (dict, typing.Dict):
        args = typing.get_args(tp)
        # The SDK's typed-dict conversion wants a plain dict: Counter, defaultdict... are rejected.
        if not (type(value) is dict if args else isinstance(value, dict)):
            return False
        return not args or all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(v, args[0]) for v in value)
        return not args or (len(args) == len(value) and all(conforms(v, a) for v, a in zip(value, args)))
    if origin is not None:
        return isinstance(value, origin) if isinstance(origin, type) else True
    if isinstance(tp, type):
        if isinstance(value, tp):
            return True
        # Under ``isolate`` every task module is a fresh copy: a class with the same qualified name
        # from another copy of the module is the same type on a cluster (it is serialised by name).
        vt = type(value)
        return vt.__qualname__ == tp.__qualname__ and (
            dataclasses.is_dataclass(tp) or issubclass(tp, enum.Enum) or hasattr(tp, "model_fields")
        )
    return True


def plain(value: Any, tp: Any) -> Any:
    """A conforming value as the SDK delivers it: an int or str subclass (IntEnum, str subclasses)
    declared as plain ``int``/``str`` arrives as the plain type."""
    if tp is int and type(value) is not int:
        return int(value)
    if tp is str and type(value) is not str:
        return str.__str__(value)
    return value


def input_error(var: str, value: Any, tp: Any) -> TypeError:
    """The real SDK's message for an input that does not match its declared type."""
    reason = f"Expected value of type {type_repr(tp)} but got '{value}' of type {type(value)}"
    return TypeError(
        f"Type conversion failed for variable '{var}'.\nExpected type: {type_repr(tp)}\n"
        f"Actual type: {type(value)}\nValue received: {value!r}\nReason: {reason}"
    )


def output_reason(value: Any, tp: Any) -> str:
    """The real SDK's reason text for an output that does not match its declared type."""
    return f"Expected value of type {type_repr(tp)} but got '{value}' of type {type(value)}"


def transport(value: Any) -> Any:
    """The value as the receiving task sees it after a round trip through serialisation."""
    if isinstance(value, _PRIMITIVES) or isinstance(value, enum.Enum):
        return value
    if type(value) is list:
        return [transport(v) for v in value]
    if type(value) is dict:
        return {k: transport(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return tuple(transport(v) for v in value)
    if type(value) is tuple:
        return tuple(transport(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _transport_dataclass(value)
    if type(value).__name__ == "datetime" and getattr(value, "tzinfo", False) is None:
        # The SDK's timestamp literal has no naive form: a naive datetime arrives as UTC-aware.
        import datetime as _dt

        if isinstance(value, _dt.datetime):
            return value.replace(tzinfo=_dt.timezone.utc)
    try:
        return copy.deepcopy(value)
    except Exception:  # uncopyable objects (locks, clients) cross as they are
        return value


_FIELD_HINTS: dict = {}


def _transport_dataclass(value: Any) -> Any:
    """Rebuild a dataclass the way the SDK's deserialisation does: from its init fields, with an
    ``int`` in a ``float`` field becoming a float (nested values transported too)."""
    cls = type(value)
    hints = _FIELD_HINTS.get(cls)
    if hints is None:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # unresolvable field annotations: keep values as they are
            hints = {}
        _FIELD_HINTS[cls] = hints
    kwargs = {}
    for f in dataclasses.fields(value):
        if not f.init:
            continue
        kwargs[f.name] = _float_fields(transport(getattr(value, f.name)), hints.get(f.name, Any))
    try:
        return cls(**kwargs)
    except Exception:  # a constructor that rejects its own fields: fall back to a plain copy
        return copy.deepcopy(value)


def _fields_conform(obj: Any) -> bool:
    """Whether every field of a dataclass instance matches its annotation (an int counts for a float)."""
    try:
        hints = typing.get_type_hints(type(obj))
    except Exception:
        return True
    for f in dataclasses.fields(obj):
        value, tp = getattr(obj, f.name), hints.get(f.name, Any)
        if not (conforms(value, tp) or (tp is float and type(value) is int)):
            return False
    return True


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def int64_error(value: Any) -> ValueError | None:
    """The protobuf error for an int the SDK's int64 literal cannot hold (None when it fits)."""
    if type(value) is int and not INT64_MIN <= value <= INT64_MAX:
        return ValueError(f"Value out of range: {value}")
    return None


def _float_fields(value: Any, tp: Any) -> Any:
    if type(value) is int and (tp is float or (_is_optional_of(tp, float))):
        return float(value)
    origin = typing.get_origin(tp)
    if origin in (list, typing.List) and type(value) is list:
        args = typing.get_args(tp)
        return [_float_fields(v, args[0]) for v in value] if args else value
    if origin in (dict, typing.Dict) and type(value) is dict:
        args = typing.get_args(tp)
        return {k: _float_fields(v, args[1]) for k, v in value.items()} if args else value
    return value


def _is_optional_of(tp: Any, inner: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        return inner in typing.get_args(tp)
    return False


def split_outputs(value: Any, iface: Interface) -> tuple:
    """The task's return value as the tuple of positional outputs ``o0, o1, ...``."""
    if iface.multi:
        if not isinstance(value, tuple):
            return (value,)
        return tuple(value)
    return (value,)


def from_jsonable(outputs: Any, iface: Any) -> Any:
    """Rebuild a call's return value from its recorded JSON outputs (``[o0, o1, ...]``)."""
    parts = outputs if isinstance(outputs, list) else [outputs]
    values = tuple(_rebuild(p, tp) for p, tp in zip(parts, iface.outputs))
    return values if iface.multi else (values[0] if values else None)


def _rebuild(value: Any, tp: Any) -> Any:
    if value is None or tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        for arm in typing.get_args(tp):
            if arm is _NoneType:
                continue
            try:
                candidate = _rebuild(value, arm)
            except Exception:
                continue
            if conforms(candidate, arm):
                return candidate
        return value
    if origin in (list, typing.List) and isinstance(value, list):
        args = typing.get_args(tp)
        return [_rebuild(v, args[0]) for v in value] if args else value
    if origin in (dict, typing.Dict) and isinstance(value, dict):
        args = typing.get_args(tp)
        return {k: _rebuild(v, args[1]) for k, v in value.items()} if args else value
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(tp)
        return tuple(_rebuild(v, a) for v, a in zip(value, args)) if args and ... not in args else tuple(value)
    if isinstance(value, dict) and "__float__" in value:
        return float(value["__float__"])
    if isinstance(tp, type):
        if is_namedtuple_type(tp) and isinstance(value, list):
            hints = typing.get_type_hints(tp)
            return tuple(_rebuild(v, hints.get(f, Any)) for v, f in zip(value, tp._fields))
        if dataclasses.is_dataclass(tp) and isinstance(value, dict):
            hints = typing.get_type_hints(tp)
            return tp(**{k: _rebuild(v, hints.get(k, Any)) for k, v in value.items()})
        if hasattr(tp, "model_validate") and isinstance(value, dict):
            return tp.model_validate(value)
        if issubclass(tp, enum.Enum):
            return tp(value)
        if tp is float and isinstance(value, int):
            return float(value)
        if tp.__name__ in ("File", "Dir") and isinstance(value, dict) and f"__{tp.__name__.lower()}__" in value:
            return tp(path=value[f"__{tp.__name__.lower()}__"])
        if tp.__name__ == "DataFrame" and isinstance(value, dict) and "__dataframe__" in value:
            import pandas as pd

            return pd.DataFrame(value["__dataframe__"])
    return value


NOT_COERCED = object()


def _coerce_items(value: Any, tp: Any) -> Any:
    """A list/dict whose items need the NamedTuple conversion (``[(1, 2)]`` for ``list[Span]``)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, typing.List) and args and type(value) is list:
        items = [v if conforms(v, args[0]) else coerce(v, args[0]) for v in value]
        return NOT_COERCED if any(v is NOT_COERCED for v in items) else items
    if origin in (dict, typing.Dict) and len(args) == 2 and type(value) is dict:
        if not all(conforms(k, args[0]) for k in value):
            return NOT_COERCED
        pairs = {k: v if conforms(v, args[1]) else coerce(v, args[1]) for k, v in value.items()}
        return NOT_COERCED if any(v is NOT_COERCED for v in pairs.values()) else pairs
    return NOT_COERCED


def coerce(value: Any, tp: Any) -> Any:
    """The conversions the SDK's type engine makes for a value that is not an instance of ``tp``.

    A dict for a dataclass or pydantic model, a list for a tuple, and a ``flyte.io.DataFrame`` for a
    pandas DataFrame are converted (measured on flyte 2.12.1); anything else returns NOT_COERCED.
    """
    candidates = [tp]
    origin = typing.get_origin(tp)
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        candidates = [a for a in typing.get_args(tp) if a is not _NoneType]
    for cand in candidates:
        if isinstance(value, dict) and isinstance(cand, type) and (
            dataclasses.is_dataclass(cand) or hasattr(cand, "model_validate")
        ):
            try:
                rebuilt = _rebuild(value, cand)
            except Exception:
                continue
            if dataclasses.is_dataclass(rebuilt) and not _fields_conform(rebuilt):
                continue  # e.g. {"workers": "two"} for an int field: the SDK's conversion fails
            return rebuilt
        if type(value) in (tuple, list) and is_namedtuple_type(cand) and len(value) == len(cand._fields):
            hints = _namedtuple_hints(cand)
            if all(conforms(v, hints.get(f, Any)) for v, f in zip(value, cand._fields)):
                return cand(*value)  # the SDK's type engine builds the NamedTuple from a plain tuple
        if type(value) in (list, dict) and _holds_namedtuple(cand):
            rebuilt = _coerce_items(value, cand)
            if rebuilt is not NOT_COERCED:
                return rebuilt
        if isinstance(value, list) and typing.get_origin(cand) is tuple:
            candidate = tuple(value)
            if conforms(candidate, cand):
                return candidate
        if (
            type(value).__name__ == "DataFrame"
            and getattr(type(value), "__module__", "") == "flyte.io"
            and getattr(cand, "__name__", "") == "DataFrame"
            and getattr(cand, "__module__", "").startswith("pandas")
        ):
            return value.open(cand).all_sync()
    return NOT_COERCED
