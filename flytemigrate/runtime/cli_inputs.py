"""Parsing ``--name value`` command-line inputs from a task's type hints (like ``flyte run --local``).

ints, floats, bools and strings are parsed directly; enums by value; datetimes and dates as ISO 8601,
timedeltas as seconds; lists, dicts, tuples, dataclasses and pydantic models from JSON; ``File``/``Dir``
from paths; DataFrames from a CSV or parquet path.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import types
import typing
from typing import Any, Union

_NoneType = type(None)


class InputError(ValueError):
    """An input is missing, unknown or cannot be parsed."""


def split_args(args: list[str]) -> dict[str, str]:
    """``["--x", "1", "--name=a"]`` -> ``{"x": "1", "name": "a"}`` (dashes in names become underscores)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or arg == "--":
            raise InputError(f"unexpected argument {arg!r}; inputs are given as --name value")
        name = arg[2:]
        if "=" in name:
            name, value = name.split("=", 1)
        else:
            if i + 1 >= len(args):
                raise InputError(f"missing value for --{name}")
            value = args[i + 1]
            i += 1
        out[name.replace("-", "_")] = value
        i += 1
    return out


def parse_inputs(task: Any, raw: dict[str, str]) -> dict[str, Any]:
    """Convert raw strings to the task's input types; defaults fill what is not given."""
    iface = task.interface
    params = iface.signature.parameters
    unknown = sorted(set(raw) - set(params))
    if unknown:
        raise InputError(f"unknown input(s) {', '.join('--' + u for u in unknown)}; task inputs: {list(params)}")
    values: dict[str, Any] = {}
    for name, param in params.items():
        if name in raw:
            try:
                values[name] = parse_value(raw[name], iface.inputs.get(name, Any))
            except (ValueError, TypeError, json.JSONDecodeError) as e:
                raise InputError(f"--{name}: cannot parse {raw[name]!r} as {iface.inputs.get(name)}: {e}") from e
        elif param.default is param.empty:
            raise InputError(f"missing required input --{name}")
    return values


def parse_value(text: str, tp: Any) -> Any:
    """Parse one command-line value as type ``tp``."""
    if tp is Any or tp is str:
        return text
    origin = typing.get_origin(tp)
    if origin is Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        arms = [a for a in typing.get_args(tp) if a is not _NoneType]
        if text.lower() in ("none", "null") and len(arms) < len(typing.get_args(tp)):
            return None
        errors = []
        for arm in arms:
            try:
                return parse_value(text, arm)
            except (ValueError, TypeError) as e:
                errors.append(str(e))
        raise ValueError("; ".join(errors))
    if tp is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "y", "t"):
            return True
        if lowered in ("false", "0", "no", "n", "f"):
            return False
        raise ValueError(f"not a boolean: {text!r}")
    if tp is int:
        return int(text)
    if tp is float:
        return float(text)
    if tp is datetime.datetime:
        return datetime.datetime.fromisoformat(text)
    if tp is datetime.date:
        return datetime.date.fromisoformat(text)
    if tp is datetime.timedelta:
        return datetime.timedelta(seconds=float(text))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(text)
        except ValueError:
            return tp[text]
    name = getattr(tp, "__name__", "")
    if name in ("File", "Dir") and getattr(tp, "__module__", "") in ("flyte.io",):
        return tp(path=text)
    if name == "DataFrame":
        import pandas as pd

        frame = pd.read_parquet(text) if text.endswith(".parquet") else pd.read_csv(text)
        if getattr(tp, "__module__", "") == "flyte.io":
            return tp.from_df(frame)
        return frame
    from flytemigrate.runtime.typecheck import _rebuild

    data = json.loads(text)
    value = _rebuild(data, tp)
    if dataclasses.is_dataclass(tp) and not dataclasses.is_dataclass(value):
        raise TypeError(f"expected a JSON object for {tp.__name__}")
    return value
