"""The work behind ``flytemigrate run``: load the file under the runtime, parse inputs, execute, print."""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional

from flytemigrate.runtime.cli_inputs import InputError, parse_inputs, split_args


class UsageError(ValueError):
    """A problem with the command line or the file (exit 2)."""


@dataclass
class RunOptions:
    """Options of one ``flytemigrate run``."""

    file: Path
    task: str
    raw_inputs: List[str] = field(default_factory=list)
    record: Optional[Path] = None
    run_dir: Optional[Path] = None
    keep: bool = False
    isolate: bool = False
    enforce_timeouts: bool = False
    json_output: bool = False


def module_name_for(path: Path) -> tuple[str, Path]:
    """The dotted module name of ``path`` and the directory to import it from.

    A file inside packages (directories with ``__init__.py``) is imported under its package path so
    that its relative imports work; a loose file is imported by its stem from its own directory.
    """
    path = path.resolve()
    parts = [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def load_file(path: Path) -> Any:
    """Import ``path`` as a module, the way ``python -m`` would from its project root."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    name, root = module_name_for(path)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    if all(part.isidentifier() for part in name.split(".")):
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location("flytemigrate_user_module", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _user_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` without the runtime's own frames."""
    runtime_dir = str(Path(__file__).resolve().parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(runtime_dir)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    return "".join(lines + traceback.format_exception_only(type(exc), exc))


def _original_exception(err: BaseException) -> BaseException:
    """The exception user code raised, at the end of the runtime's wrapping chain."""
    seen = set()
    while err.__cause__ is not None and id(err) not in seen:
        seen.add(id(err))
        err = err.__cause__
    return err


def run_file(options: RunOptions) -> int:
    """Run the task; returns 0 on success and 1 when the task failed. Raises UsageError for exit 2."""
    from flytemigrate import runtime
    from flytemigrate.runtime.record import jsonable

    # A run writes nothing outside its run directory, not even __pycache__ beside the user's files.
    sys.dont_write_bytecode = True

    try:
        runtime.activate()
    except RuntimeError as e:
        raise UsageError(str(e)) from e
    try:
        module = load_file(options.file)
    except UsageError:
        raise
    except Exception:
        sys.stderr.write(f"flytemigrate: error: loading {options.file} failed:\n{traceback.format_exc()}")
        return 1
    task = getattr(module, options.task, None)
    if task is None or not hasattr(task, "interface"):
        tasks = sorted(n for n, v in vars(module).items() if hasattr(v, "interface") and hasattr(v, "func"))
        raise UsageError(f"{options.task!r} is not a task in {options.file}; tasks: {', '.join(tasks) or 'none'}")
    try:
        inputs = parse_inputs(task, split_args(options.raw_inputs))
    except InputError as e:
        raise UsageError(str(e)) from e

    temp = options.run_dir is None
    run_dir = options.run_dir or Path(tempfile.mkdtemp(prefix="flytemigrate-run-"))
    try:
        result = runtime.execute(
            task, inputs, isolate=options.isolate, run_dir=run_dir, enforce_timeouts=options.enforce_timeouts
        )
    finally:
        if temp and not options.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    if temp and options.keep:
        sys.stderr.write(f"run directory: {run_dir}\n")
    if options.record is not None:
        options.record.write_text(result.record.to_json())
    if result.error is not None:
        err = result.error
        code = getattr(err, "code", None)
        label = f"{type(err).__module__}.{type(err).__name__}" + (f" [{code}]" if code else "")
        origin = _original_exception(err)
        if origin is not err and origin.__traceback__ is not None:
            # The user's own traceback first: that is where the bug is.
            sys.stderr.write(_user_traceback(origin))
        sys.stderr.write(f"task {task.name} failed: {label}: {err}\n")
        return 1
    outputs = result.outputs
    if options.json_output:
        print(json.dumps(jsonable(list(outputs))))
    elif len(outputs) == 1:
        print(repr(outputs[0]))
    else:
        for name, value in zip(outputs._fields, outputs):
            print(f"{name}: {value!r}")
    return 0
