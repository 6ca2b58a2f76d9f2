"""Inputs for verify: inputs files, workflow defaults, and values generated from type hints.

Verify runs the Flyte 1 original and the converted code with *the same* inputs, each leg in its
own subprocess, so every value here must survive a trip through JSON. Three sources:

* ``load_inputs_file(path)``: ``{<entry name>: [{<input name>: value, ...}, ...]}`` in YAML or JSON.
* ``default_inputs(func)``: the defaults from the signature of a workflow/task/plain function.
* ``generate_inputs(func, n, seed)``: ``n`` input sets drawn with hypothesis from the type hints,
  reproducible for a given seed; ``find_counterexample(func, fails, seed)`` lets hypothesis search
  and shrink to a minimal input set for which ``fails(inputs)`` is true.

JSON encoding (``encode_value`` / ``decode_value``). JSON-native values (``None``, bools, ints,
finite floats, strings, lists, dicts with string keys) are written as they are. Everything else is
a tagged object whose ``"__type__"`` key names the kind:

=============== =====================================================================
kind            form
=============== =====================================================================
``tuple``       ``{"__type__": "tuple", "items": [...]}``
``dict``        ``{"__type__": "dict", "items": [[key, value], ...]}`` (non-string keys,
                or a string-keyed dict that itself has a ``"__type__"`` key)
``enum``        ``{"__type__": "enum", "class": "mod:Qual", "name": "RED", "value": "red"}``
``dataclass``   ``{"__type__": "dataclass", "class": "mod:Qual", "fields": {...}}``
``namedtuple``  ``{"__type__": "namedtuple", "class": "mod:Qual", "fields": {...}}``
``dataframe``   ``{"__type__": "dataframe", "columns": [...], "dtypes": [...], "data": [[row], ...]}``
``datetime``    ``{"__type__": "datetime", "value": "<isoformat>"}`` (also ``date``, ``timedelta``
                with ``"seconds"``)
``path``        ``{"__type__": "path", "path": "..."}`` (files and directories: anything with
                ``__fspath__`` or a ``.path`` attribute such as FlyteFile)
=============== =====================================================================

``decode_value(value, type_hint)`` is driven by the type hint of the *receiving* function, so the
same JSON decodes into the flytekit leg's classes and into the converted module's classes (which
live in another module). It also accepts the plain forms people write in inputs files: a dataclass
or NamedTuple as a mapping of fields, an enum as its value or name, a DataFrame as a mapping of
column -> list or a list of row mappings. The ``class`` in a tag is only used when there is no hint.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import importlib
import inspect
import json
import os
import random
import typing
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

__all__ = [
    "InputsFileError",
    "UnsupportedInputType",
    "load_inputs_file",
    "input_types",
    "default_inputs",
    "required_inputs",
    "strategy_for",
    "inputs_strategy",
    "generate_inputs",
    "find_counterexample",
    "encode_value",
    "decode_value",
    "encode_inputs",
    "decode_inputs",
]

TAG = "__type__"

# Generated values are kept small: workflows often loop over an int input or fan out over a list,
# and every case runs twice (once per leg) in a subprocess.
INT_RANGE = (-1000, 1000)
FLOAT_RANGE = (-1e6, 1e6)
MAX_COLLECTION = 5
MAX_TEXT = 20
MAX_ROWS = 5


class InputsFileError(ValueError):
    """An inputs file is missing, unreadable, not YAML/JSON, or not of the documented shape."""


class UnsupportedInputType(TypeError):
    """No strategy can generate values of this type hint (e.g. FlyteFile): the case is skipped."""

    def __init__(self, name: str, hint: Any) -> None:
        self.name = name
        self.hint = hint
        super().__init__(f"cannot generate values for input {name!r} of type {_type_name(hint)}")


# --------------------------------------------------------------------------------------------
# inputs files


def load_inputs_file(path: Union[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """Read ``{entry: [ {input: value}, ... ]}`` from a ``.yaml``/``.yml``/``.json`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputsFileError(f"{path}: cannot read inputs file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputsFileError(f"{path}: inputs file is not valid UTF-8") from exc
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputsFileError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputsFileError(f"{where}: invalid YAML: {problem}") from exc
    return _validate_inputs_data(data, path)


def _validate_inputs_data(data: Any, path: Path) -> dict[str, list[dict[str, Any]]]:
    if data is None:
        return {}
    expected = "expected {<entry name>: [{<input name>: value, ...}, ...]}"
    if not isinstance(data, dict):
        raise InputsFileError(f"{path}: top level is a {type(data).__name__}; {expected}")
    result: dict[str, list[dict[str, Any]]] = {}
    for entry, cases in data.items():
        if not isinstance(entry, str):
            raise InputsFileError(f"{path}: entry name {entry!r} is not a string; {expected}")
        if not isinstance(cases, list):
            raise InputsFileError(
                f"{path}: entry {entry!r} must be a list of input mappings, got {type(cases).__name__}"
            )
        checked = []
        for index, case in enumerate(cases):
            if case is None:
                case = {}  # "- " / "- {}" both mean: run with the defaults
            if not isinstance(case, dict) or not all(isinstance(k, str) for k in case):
                raise InputsFileError(
                    f"{path}: entry {entry!r}, case {index}: expected a mapping of input name to value, "
                    f"got {type(case).__name__}"
                )
            checked.append(dict(case))
        result[entry] = checked
    return result


# --------------------------------------------------------------------------------------------
# signatures


def _python_function(func: Any) -> Optional[Callable[..., Any]]:
    """The user function behind a flytekit entity (workflow, task, dynamic, eager) or ``func``."""
    for attribute in ("function", "task_function", "_workflow_function"):
        inner = getattr(func, attribute, None)
        if inner is not None and callable(inner):
            return inner
    if inspect.isfunction(func) or inspect.ismethod(func):
        return func
    wrapped = getattr(func, "func", None)  # flyte 2 / runtime TaskTemplate keep the function as .func
    if wrapped is not None and callable(wrapped):
        return wrapped
    return func if callable(func) and not hasattr(func, "python_interface") else None


def _signature_and_hints(func: Any) -> tuple[inspect.Signature, dict[str, Any]]:
    if isinstance(func, inspect.Signature):
        return func, {n: p.annotation for n, p in func.parameters.items()}
    fn = _python_function(func)
    if fn is None:
        interface = getattr(func, "python_interface", None)
        if interface is None:
            raise TypeError(f"cannot find a signature for {func!r}")
        params = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=hint,
                default=inspect.Parameter.empty if default is None else default,
            )
            for name, (hint, default) in interface.inputs_with_defaults.items()
        ]
        return inspect.Signature(params), dict(interface.inputs)
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # noqa: BLE001 - unresolvable forward refs: fall back to raw annotations
        hints = {n: p.annotation for n, p in signature.parameters.items()}
    return signature, hints


def input_types(func_or_signature: Any) -> dict[str, Any]:
    """``{input name: type hint}`` in declaration order. Accepts a mapping of name -> hint too."""
    if isinstance(func_or_signature, Mapping):
        return dict(func_or_signature)
    signature, hints = _signature_and_hints(func_or_signature)
    return {
        name: hints.get(name, param.annotation)
        for name, param in signature.parameters.items()
        if param.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }


def default_inputs(func: Any) -> dict[str, Any]:
    """The inputs that have a default value in the signature, mapped to that value."""
    signature, _ = _signature_and_hints(func)
    return {
        name: param.default
        for name, param in signature.parameters.items()
        if param.default is not inspect.Parameter.empty
    }


def required_inputs(func: Any) -> list[str]:
    """Inputs without a default: running "with the defaults" needs values for these."""
    signature, _ = _signature_and_hints(func)
    return [
        name
        for name, param in signature.parameters.items()
        if param.default is inspect.Parameter.empty
        and param.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


# --------------------------------------------------------------------------------------------
# type-hint helpers


def _type_name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or getattr(hint, "__name__", None) or repr(hint)


def _class_ref(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_class(ref: str) -> Any:
    module_name, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _is_namedtuple_type(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields")


def _is_dataframe_type(hint: Any) -> bool:
    # By name so pandas / flytekit / flyte are only imported when such a type is actually used.
    return isinstance(hint, type) and hint.__name__ in {"DataFrame", "StructuredDataset"}


def _is_path_type(hint: Any) -> bool:
    return isinstance(hint, type) and (
        hint.__name__ in {"FlyteFile", "FlyteDirectory", "File", "Dir"} or issubclass(hint, Path)
    )


def _strip_annotated(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(hint) is typing.Annotated:
        base, *meta = typing.get_args(hint)
        return base, tuple(meta)
    return hint, ()


def _field_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:  # noqa: BLE001
        return dict(getattr(cls, "__annotations__", {}))


def _is_union(origin: Any) -> bool:
    import types

    return origin is Union or origin is getattr(types, "UnionType", Union)


# --------------------------------------------------------------------------------------------
# strategies


def strategy_for(hint: Any, name: str = "value") -> Any:
    """A hypothesis strategy for values of ``hint``; raises UnsupportedInputType otherwise."""
    from hypothesis import strategies as st

    hint, meta = _strip_annotated(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is inspect.Parameter.empty or hint is Any:
        raise UnsupportedInputType(name, hint)
    if hint is type(None) or hint is None:
        return st.none()
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(*INT_RANGE)
    if hint is float:
        return st.floats(*FLOAT_RANGE, allow_nan=False, allow_infinity=False)
    if hint is str:
        # Letters, digits, punctuation and spaces: real inputs, and no control characters that a
        # leg's logging or a file name would mangle differently.
        alphabet = st.characters(categories=("L", "N", "P", "Zs"))
        return st.text(alphabet=alphabet, max_size=MAX_TEXT)
    if hint is _dt.datetime:
        return st.datetimes(_dt.datetime(2000, 1, 1), _dt.datetime(2030, 12, 31))
    if hint is _dt.date:
        return st.dates(_dt.date(2000, 1, 1), _dt.date(2030, 12, 31))
    if hint is _dt.timedelta:
        return st.timedeltas(_dt.timedelta(0), _dt.timedelta(days=30))
    if _is_union(origin):
        return st.one_of(*[strategy_for(arg, name) for arg in args])
    if origin in (list, typing.List) or hint in (list, typing.List):
        item = strategy_for(args[0], name) if args else st.integers(*INT_RANGE)
        return st.lists(item, max_size=MAX_COLLECTION)
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):
        key = strategy_for(args[0], name) if args else strategy_for(str, name)
        value = strategy_for(args[1], name) if args else st.integers(*INT_RANGE)
        return st.dictionaries(key, value, max_size=MAX_COLLECTION)
    if origin in (tuple, typing.Tuple):
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for(args[0], name), max_size=MAX_COLLECTION).map(tuple)
        return st.tuples(*[strategy_for(arg, name) for arg in args])
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    # Before dataclasses: FlyteFile, FlyteDirectory and StructuredDataset are dataclasses whose
    # fields (a path, a uri) say nothing about the data a task reads.
    if _is_path_type(hint):
        return _path_strategy(hint)
    if _is_dataframe_type(hint):
        return _dataframe_strategy(hint, meta)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _field_hints(hint)
        fields = {f.name: strategy_for(hints.get(f.name, f.type), f.name) for f in dataclasses.fields(hint) if f.init}
        return st.builds(hint, **fields)
    if _is_namedtuple_type(hint):
        hints = _field_hints(hint)
        return st.builds(hint, **{f: strategy_for(hints.get(f, Any), f) for f in hint._fields})
    if _is_dataframe_type(hint):
        return _dataframe_strategy(hint, meta)
    raise UnsupportedInputType(name, hint)


DATA_DIR_ENV = "FLYTEMIGRATE_VERIFY_DATA"


def generated_data_dir() -> Path:
    """Where generated input files live: shared by every leg of a verify run (``$FLYTEMIGRATE_VERIFY_DATA``,
    set by the runner, which removes it at exit), so the converted legs read the files the flytekit
    leg generated after that leg's own directory is gone."""
    import tempfile

    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured) if configured else Path(tempfile.gettempdir(), "flytemigrate-verify-data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_generated(kind: str, files: list[list[str]]) -> Path:
    """Write generated text files; the location is named by their content, so the same seed gives the
    same paths in every leg and every listing."""
    import hashlib

    digest = hashlib.sha256(json.dumps([kind, files]).encode("utf-8")).hexdigest()[:16]
    folder = generated_data_dir() / f"{kind}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    for index, lines in enumerate(files):
        target = folder / f"part-{index}.txt"
        if not target.exists():
            target.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return folder


def _path_strategy(hint: type) -> Any:
    """Files and directories of a few short text lines (FlyteFile, FlyteDirectory, pathlib paths)."""
    from hypothesis import strategies as st

    line = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=MAX_TEXT)
    lines = st.lists(line, max_size=MAX_COLLECTION)
    is_directory = hint.__name__ in {"FlyteDirectory", "Dir"}

    def build(files: list[list[str]]) -> Any:
        folder = _write_generated("dir" if is_directory else "file", files)
        path = folder if is_directory else folder / "part-0.txt"
        return decode_value({TAG: "path", "path": str(path)}, hint)

    if is_directory:
        return st.lists(lines, max_size=3).map(build)
    return lines.map(lambda content: build([content]))


def _dataframe_strategy(hint: Any, meta: tuple[Any, ...]) -> Any:
    """Small pandas frames; columns from ``Annotated[..., kwtypes(a=int)]`` when declared."""
    from hypothesis import strategies as st

    columns: dict[str, Any] = {}
    for item in meta:
        if isinstance(item, Mapping):
            columns.update(item)
    if not columns:
        columns = {"a": int, "b": float, "c": str}
    cell = {c: strategy_for(t, c) for c, t in columns.items()}
    rows = st.lists(st.fixed_dictionaries(cell), max_size=MAX_ROWS)

    def build(records: list[dict[str, Any]]) -> Any:
        import pandas as pd

        frame = pd.DataFrame.from_records(records, columns=list(columns))
        if hint.__name__ == "StructuredDataset":
            return hint(dataframe=frame)
        return frame

    return rows.map(build)


def inputs_strategy(func_or_signature: Any) -> Any:
    """A strategy for a whole input set ``{name: value}`` of a function's signature."""
    from hypothesis import strategies as st

    return st.fixed_dictionaries({name: strategy_for(hint, name) for name, hint in input_types(func_or_signature).items()})


def _settings(max_examples: int, phases: tuple[Any, ...]) -> Any:
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        phases=phases,
        database=None,  # reproducible from the seed alone, never from a local example database
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def generate_inputs(func_or_signature: Any, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Up to ``n`` distinct input sets drawn from the type hints; same seed -> same sets.

    Fewer than ``n`` come back only when the input space is smaller (e.g. one ``bool`` input).
    Raises UnsupportedInputType when an input's type has no strategy.
    """
    from hypothesis import Phase, given
    from hypothesis import seed as hypothesis_seed

    strategy = inputs_strategy(func_or_signature)
    found: list[dict[str, Any]] = []
    seen: set[str] = set()

    @hypothesis_seed(seed)
    @_settings(max_examples=max(n * 3, n + 10), phases=(Phase.generate,))
    @given(strategy)
    def collect(inputs: dict[str, Any]) -> None:
        if len(found) >= n:
            return
        key = json.dumps(encode_inputs(inputs), sort_keys=True)
        if key not in seen:
            seen.add(key)
            found.append(inputs)

    collect()
    return found


def find_counterexample(
    func_or_signature: Any,
    fails: Callable[[dict[str, Any]], bool],
    seed: int = 0,
    max_examples: int = 50,
) -> Optional[dict[str, Any]]:
    """Search for inputs with ``fails(inputs)`` true and shrink them to a minimal one.

    Uses ``hypothesis.find``: generation then hypothesis's shrinker, reproducible for a seed.
    Returns ``None`` if no failing input is found within ``max_examples`` tries.
    """
    from hypothesis import Phase, find
    from hypothesis.errors import NoSuchExample

    strategy = inputs_strategy(func_or_signature)
    try:
        return find(
            strategy,
            fails,
            settings=_settings(max_examples=max_examples, phases=(Phase.generate, Phase.shrink)),
            random=random.Random(seed),
        )
    except NoSuchExample:
        return None


# --------------------------------------------------------------------------------------------
# JSON encoding


def encode_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Encode every value of an input set (see module docstring)."""
    return {name: encode_value(value) for name, value in inputs.items()}


def decode_inputs(data: Mapping[str, Any], func_or_signature: Any) -> dict[str, Any]:
    """Decode an input set against the receiving function's type hints."""
    hints = input_types(func_or_signature)
    return {name: decode_value(value, hints.get(name)) for name, value in data.items()}


def encode_value(value: Any) -> Any:
    """A JSON-serialisable form of ``value`` (tagged objects for non-JSON types)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):  # before int: IntEnum members are ints
        return {TAG: "enum", "class": _class_ref(type(value)), "name": value.name, "value": encode_value(value.value)}
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"cannot encode non-finite float {value!r} as JSON")
        return float(value)
    if _is_path_type(type(value)):  # before dataclasses: FlyteFile/FlyteDirectory are dataclasses
        return {TAG: "path", "path": _as_path(value)}
    if type(value).__name__ == "StructuredDataset":  # before dataclasses: its fields are a uri, not the data
        return _encode_frame(_as_dataframe(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: "dataclass", "class": _class_ref(type(value)), "fields": fields}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = {f: encode_value(getattr(value, f)) for f in value._fields}
        return {TAG: "namedtuple", "class": _class_ref(type(value)), "fields": fields}
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [encode_value(v) for v in value]}
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: encode_value(v) for k, v in value.items()}
        return {TAG: "dict", "items": [[encode_value(k), encode_value(v)] for k, v in value.items()]}
    if isinstance(value, _dt.datetime):
        return {TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, _dt.date):
        return {TAG: "date", "value": value.isoformat()}
    if isinstance(value, _dt.timedelta):
        return {TAG: "timedelta", "seconds": value.total_seconds()}
    frame = _as_dataframe(value)
    if frame is not None:
        return _encode_frame(frame)
    path = _as_path(value)
    if path is not None:
        return {TAG: "path", "path": path}
    raise TypeError(f"cannot encode a value of type {type(value).__qualname__} as JSON")


def _encode_frame(frame: Any) -> dict:
    return {
        TAG: "dataframe",
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "data": [[encode_value(_plain_scalar(cell)) for cell in row] for row in frame.itertuples(index=False)],
    }


def _as_dataframe(value: Any) -> Any:
    kind = type(value)
    if kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas"):
        return value
    if kind.__name__ == "StructuredDataset":
        frame = getattr(value, "dataframe", None)
        if frame is None:
            import pandas as pd

            frame = value.open(pd.DataFrame).all()
        return frame
    return None


def _plain_scalar(cell: Any) -> Any:
    # numpy scalars -> Python scalars, so they encode as JSON numbers/bools.
    item = getattr(cell, "item", None)
    return item() if callable(item) and type(cell).__module__ == "numpy" else cell


def _as_path(value: Any) -> Optional[str]:
    fspath = getattr(value, "__fspath__", None)
    if callable(fspath):
        return str(fspath())
    path = getattr(value, "path", None)
    return str(path) if isinstance(path, (str, Path)) else None


def decode_value(value: Any, type_hint: Any = None) -> Any:
    """Turn the JSON form (tagged or plain) back into a value of ``type_hint``."""
    hint, meta = _strip_annotated(type_hint)
    if hint is None or hint is Any or hint is inspect.Parameter.empty:
        return _decode_untyped(value)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if value is None:
        return None
    if _is_union(origin):
        return _decode_union(value, args)
    tag = value.get(TAG) if isinstance(value, dict) else None
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _decode_enum(value, hint)
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is str and not isinstance(value, (str, bool)) and isinstance(value, (int, float, _dt.date)):
        # YAML reads `version: 1.10` as a float and `day: 2024-01-31` as a date; the input is a string.
        return value.isoformat() if isinstance(value, _dt.date) else str(value)
    if hint in (_dt.datetime, _dt.date, _dt.timedelta):
        decoded = _decode_untyped(value)
        if isinstance(decoded, str):
            return hint.fromisoformat(decoded) if hint is not _dt.timedelta else _dt.timedelta(seconds=float(decoded))
        if hint is _dt.datetime and type(decoded) is _dt.date:
            return _dt.datetime(decoded.year, decoded.month, decoded.day)
        return decoded
    if origin in (list, typing.List) or hint in (list, typing.List):
        item_hint = args[0] if args else None
        return [decode_value(v, item_hint) for v in value]
    if origin in (dict, typing.Dict) or hint in (dict, typing.Dict):
        key_hint, value_hint = (args + (None, None))[:2] if args else (None, None)
        pairs = value["items"] if tag == "dict" else list(value.items())
        return {decode_value(k, key_hint): decode_value(v, value_hint) for k, v in pairs}
    if origin in (tuple, typing.Tuple):
        items = value["items"] if tag == "tuple" else list(value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode_value(v, args[0]) for v in items)
        return tuple(decode_value(v, a) for v, a in zip(items, args))
    if _is_path_type(hint):  # before dataclasses: FlyteFile/FlyteDirectory are dataclasses
        path = value["path"] if tag == "path" else str(value)
        if issubclass(hint, Path):
            return hint(path)
        if hint.__module__.startswith("flyte.") and hasattr(hint, "from_local_sync"):
            return hint.from_local_sync(path)
        return hint(path)
    if _is_dataframe_type(hint):  # before dataclasses: StructuredDataset is one
        frame = _decode_dataframe(value)
        if hint.__name__ == "StructuredDataset":
            return hint(dataframe=frame)
        if hint.__module__.startswith("flyte."):  # flyte.io.DataFrame in converted code
            return hint.from_df(frame)
        return frame
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = value["fields"] if tag == "dataclass" else value
        hints = _field_hints(hint)
        return hint(**{k: decode_value(v, hints.get(k)) for k, v in fields.items()})
    if _is_namedtuple_type(hint):
        hints = _field_hints(hint)
        if tag in ("namedtuple", "dataclass"):
            fields = value["fields"]
        elif isinstance(value, dict):
            fields = value
        else:  # a plain list/tuple: positional
            items = value["items"] if tag == "tuple" else value
            fields = dict(zip(hint._fields, items))
        return hint(**{k: decode_value(v, hints.get(k)) for k, v in fields.items()})
    if hint is tuple:
        return tuple(_decode_untyped(v) for v in (value["items"] if tag == "tuple" else value))
    return _decode_untyped(value)


def _decode_union(value: Any, args: tuple[Any, ...]) -> Any:
    non_none = [a for a in args if a is not type(None)]
    if len(non_none) == 1:
        return decode_value(value, non_none[0])
    # Several alternatives: the first one whose decoding succeeds and keeps the JSON kind.
    for arg in non_none:
        try:
            decoded = decode_value(value, arg)
        except Exception:  # noqa: BLE001
            continue
        base = typing.get_origin(arg) or arg
        if isinstance(base, type) and isinstance(decoded, base) and not (base is int and isinstance(value, float)):
            return decoded
    return _decode_untyped(value)


def _decode_enum(value: Any, hint: type) -> Any:
    if isinstance(value, dict) and value.get(TAG) == "enum":
        return hint[value["name"]] if value["name"] in hint.__members__ else hint(value["value"])
    try:
        return hint(value)
    except ValueError:
        if isinstance(value, str) and value in hint.__members__:
            return hint[value]
        raise


def _decode_dataframe(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, dict) and value.get(TAG) == "dataframe":
        frame = pd.DataFrame([[_decode_untyped(c) for c in row] for row in value["data"]], columns=value["columns"])
        for column, dtype in zip(value["columns"], value.get("dtypes", [])):
            try:
                frame[column] = frame[column].astype(dtype)
            except (TypeError, ValueError):
                pass  # an empty object column, or a dtype this pandas cannot name: keep inferred
        return frame
    if isinstance(value, dict):
        return pd.DataFrame(value)
    if isinstance(value, list):
        return pd.DataFrame.from_records(value)
    raise TypeError(f"cannot build a DataFrame from {type(value).__name__}")


def _decode_untyped(value: Any) -> Any:
    """Best effort without a type hint: tags name their class, everything else stays JSON."""
    if isinstance(value, list):
        return [_decode_untyped(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {k: _decode_untyped(v) for k, v in value.items()}
    if tag == "tuple":
        return tuple(_decode_untyped(v) for v in value["items"])
    if tag == "dict":
        return {_hashable(_decode_untyped(k)): _decode_untyped(v) for k, v in value["items"]}
    if tag in ("enum", "dataclass", "namedtuple"):
        return decode_value(value, _import_class(value["class"]))
    if tag == "datetime":
        return _dt.datetime.fromisoformat(value["value"])
    if tag == "date":
        return _dt.date.fromisoformat(value["value"])
    if tag == "timedelta":
        return _dt.timedelta(seconds=value["seconds"])
    if tag == "dataframe":
        return _decode_dataframe(value)
    if tag == "path":
        return value["path"]
    raise ValueError(f"unknown tagged value kind {tag!r}")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
