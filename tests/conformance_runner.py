"""Run the runtime conformance programs on one leg (real ``flyte`` SDK or the bundled runtime).

A *leg* is one subprocess that runs a batch of programs from ``fixtures/runtime/`` one after the
other, each loaded as a fresh module from its file and run from its own fresh working directory;
the subprocess gets its own HOME and TMPDIR, so neither SDK writes anything (cache databases,
config, reports) into the repository or the user's home (the real SDK's local mode still puts
run data under the hard-coded ``/tmp/flyte``). Batching matters: importing and
initialising the real SDK costs ~0.5 s, a local run after that a few milliseconds.

The ``runtime`` leg calls ``flytemigrate.runtime.activate()`` before anything imports ``flyte``.

What a program may declare at module level (all optional):

* ``INPUTS = {...}`` keyword inputs for ``main`` (default: none, so ``main``'s defaults apply);
* ``RUNS = 2`` run ``main`` that many times in the same process and cache (cache hits across runs);
* ``INIT = False`` do not call ``flyte.init()`` first; such a program runs alone in its own
  subprocess so that nothing else initialised the SDK before it;
* ``def scenario()``: a plain function the runner calls instead of ``flyte.run(main, **INPUTS)``
  (for API misuse that is not a run: ``flyte.remote``, running before ``init`` ...).

A program's result is canonical JSON: ``{"load": null | error, "runs": [{"outputs": ...} |
{"error": ...}]}``. Canonical values keep type names (dataclass, pydantic model, NamedTuple,
enum) so a runtime that returns a plain dict where the SDK returns a dataclass does not pass;
files and directories are compared by content, DataFrames by columns, dtypes, index and values, floats
rounded to 9 significant digits. Errors are the exception class name, its public module (the
runtime's ``flytemigrate.runtime.flyte`` is shown as ``flyte``; classes exported by
``flyte.errors`` as ``flyte.errors``) and ``.code`` when present.

Parent side: :func:`run_legs` runs both legs concurrently and returns ``{leg: {program: result}}``;
a program that crashes or hangs its process becomes ``{"crash": ...}`` and the rest still run.
Child side: ``python tests/conformance_runner.py --leg real|runtime --out FILE PROGRAM...``.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import hashlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS_DIR = ROOT / "fixtures" / "runtime"
LEGS = ("real", "runtime")
RUNTIME_PREFIX = "flytemigrate.runtime.flyte"


# ---------------------------------------------------------------- discovery (parent side)


def discover(directory: Path = PROGRAMS_DIR) -> list[Path]:
    """All conformance programs, sorted by name."""
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def _declares_no_init(path: Path) -> bool:
    """Whether the program sets ``INIT = False`` (read statically: the parent never imports flyte)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "INIT" for t in node.targets):
            return isinstance(node.value, ast.Constant) and node.value.value is False
    return False


def batches(programs: list[Path]) -> list[list[Path]]:
    """One batch for ordinary programs; each ``INIT = False`` program alone (a never-initialised SDK)."""
    shared = [p for p in programs if not _declares_no_init(p)]
    alone = [[p] for p in programs if _declares_no_init(p)]
    return ([shared] if shared else []) + alone


# ---------------------------------------------------------------- running legs (parent side)


def _child_env(scratch: Path) -> dict[str, str]:
    """Environment of a leg process: its own HOME and TMPDIR, no Flyte/Union configuration."""
    home = scratch / "home"
    tmp = scratch / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "UNION"))}
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        PYTHONDONTWRITEBYTECODE="1",
        # The real SDK does not keep a dict's key order across a task boundary: the order it hands
        # back depends on the hash seed. Programs compare dicts order-insensitively; a fixed seed
        # keeps any order that still leaks reproducible from run to run.
        PYTHONHASHSEED="0",
        # The real SDK draws its rich log panels to the terminal width; keep the logs readable.
        COLUMNS="160",
    )
    return env


def _run_batch(leg: str, batch: list[Path], scratch: Path, timeout: float, program_timeout: float) -> dict[str, Any]:
    """Run ``batch`` on ``leg``; after a crash or a hung program, continue with the programs after it.

    Each attempt is one child process over the programs still without a result; the program that
    was running when a child died is reported as ``{"crash": ...}`` and skipped on the next attempt.
    """
    results: dict[str, Any] = {}
    remaining = list(batch)
    attempt = 0
    while remaining:
        attempt += 1
        workdir = scratch / f"attempt-{attempt}"
        workdir.mkdir(parents=True)
        out = workdir / "results.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--leg", leg, "--out", str(out)]
        command += ["--program-timeout", str(program_timeout), *map(str, remaining)]
        with open(workdir / "child.log", "wb") as log:
            proc = subprocess.Popen(command, cwd=workdir, env=_child_env(workdir), stdout=log, stderr=subprocess.STDOUT)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        found = json.loads(out.read_text()) if out.exists() else {}
        results.update(found)
        remaining = [p for p in remaining if p.stem not in found]
        if remaining:
            # The first program without a result is the one the child died on (or never started).
            culprit = remaining.pop(0)
            results[culprit.stem] = {
                "crash": f"leg {leg} exited with {proc.returncode} while running {culprit.stem}",
                "log": (workdir / "child.log").read_text(errors="replace")[-3000:],
            }
    return results


def run_legs(
    programs: list[Path],
    legs: tuple[str, ...] = LEGS,
    timeout: float = 600,
    scratch: Path | None = None,
    program_timeout: float = 60,
) -> dict[str, dict[str, Any]]:
    """Run every program on every leg (leg processes run concurrently); ``{leg: {name: result}}``.

    ``timeout`` bounds one leg process, ``program_timeout`` one program inside it; a program that
    crashes or hangs its process yields ``{"crash": ...}`` and the others still run.
    """
    from concurrent.futures import ThreadPoolExecutor

    base = Path(tempfile.mkdtemp(prefix="conformance-")) if scratch is None else scratch
    jobs = [(leg, batch, base / f"{leg}-{i}") for leg in legs for i, batch in enumerate(batches(programs))]
    results: dict[str, dict[str, Any]] = {leg: {} for leg in legs}
    # Threads only wait on child processes; the two legs' children share the 2 CPUs.
    with ThreadPoolExecutor(max_workers=len(legs)) as pool:
        futures = [(leg, pool.submit(_run_batch, leg, batch, path, timeout, program_timeout)) for leg, batch, path in jobs]
        for leg, future in futures:
            results[leg].update(future.result())
    return results


# ---------------------------------------------------------------- canonical form (child side)


def _sha(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _path_of(value: Any) -> str | None:
    path = getattr(value, "path", None)
    if not isinstance(path, (str, os.PathLike)):
        return None
    path = os.fspath(path)
    return path[len("file://") :] if path.startswith("file://") else path


def _file_form(value: Any) -> Any:
    path = _path_of(value)
    if path is None or not os.path.isfile(path):
        return {"__file__": None, "missing": True}
    return {"__file__": _sha(path)}


def _dir_form(value: Any) -> Any:
    path = _path_of(value)
    if path is None or not os.path.isdir(path):
        return {"__dir__": None, "missing": True}
    entries = {}
    for base, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(base, name)
            entries[os.path.relpath(full, path).replace(os.sep, "/")] = _sha(full)
    return {"__dir__": dict(sorted(entries.items()))}


def _frame_form(frame: Any) -> Any:
    return {
        "__dataframe__": {
            "columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "index": [canonical(i) for i in frame.index],
            "values": [[canonical(cell) for cell in row] for row in frame.itertuples(index=False, name=None)],
        }
    }


def _flyte_dataframe_form(value: Any) -> Any:
    """A ``flyte.io.DataFrame`` opened as pandas (through the SDK's own reader)."""
    import asyncio

    import pandas as pd

    inner = getattr(value, "_raw_df", None)
    if isinstance(inner, pd.DataFrame):
        return _frame_form(inner)
    # Outside a task the SDK has no raw-data context to open through; a local parquet uri is read
    # directly (the same bytes the SDK would read).
    uri = getattr(value, "uri", None)
    if isinstance(uri, str) and os.path.exists(uri.removeprefix("file://")):
        return _frame_form(pd.read_parquet(uri.removeprefix("file://")))
    result = value.open(pd.DataFrame).all()
    if hasattr(result, "__await__"):

        async def wait() -> Any:
            return await result

        result = asyncio.run(wait())
    return _frame_form(result)


def _is_flyte_io(value: Any, name: str) -> bool:
    cls = type(value)
    module = cls.__module__
    return cls.__name__ == name and (module.startswith("flyte.") or module.startswith(RUNTIME_PREFIX))


def _round(value: float) -> Any:
    if math.isnan(value):
        return {"__float__": "nan"}
    if math.isinf(value):
        return {"__float__": "inf" if value > 0 else "-inf"}
    return float(f"{value:.9g}")


def canonical(value: Any) -> Any:
    """Reduce ``value`` to tagged JSON that two processes (two SDKs) can compare."""
    if isinstance(value, enum.Enum):
        return {"__enum__": type(value).__name__, "value": canonical(value.value)}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _round(value)
    if isinstance(value, BaseException):
        return {"__exception__": error_form(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {
            "__tuple__": type(value).__name__,
            "fields": list(value._fields),
            "items": [canonical(v) for v in value],
        }
    if isinstance(value, tuple):
        return {"__tuple__": type(value).__name__, "items": [canonical(v) for v in value]}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__dict__": {k: canonical(v) for k, v in value.items()}}
        pairs = [[canonical(k), canonical(v)] for k, v in value.items()]
        return {"__dict__": sorted(pairs, key=lambda p: json.dumps(p, sort_keys=True))}
    if isinstance(value, (set, frozenset)):
        return {"__set__": sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))}
    # flyte.io types are pydantic models in the SDK: compare them by content, not by fields.
    if _is_flyte_io(value, "File"):
        return _file_form(value)
    if _is_flyte_io(value, "Dir"):
        return _dir_form(value)
    if _is_flyte_io(value, "DataFrame"):
        return _flyte_dataframe_form(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": type(value).__name__, "fields": fields}
    if hasattr(type(value), "model_fields") and not isinstance(value, type):
        fields = {name: canonical(getattr(value, name)) for name in type(value).model_fields}
        return {"__pydantic__": type(value).__name__, "fields": fields}
    if type(value).__name__ == "DataFrame" and hasattr(value, "itertuples"):
        return _frame_form(value)
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": bytes(value).hex()}
    if hasattr(value, "isoformat"):
        return {"__datetime__": value.isoformat()}
    if hasattr(value, "total_seconds"):
        return {"__timedelta__": value.total_seconds()}
    # Anything else: its type only (reprs carry addresses and SDK internals).
    return {"__object__": public_module(type(value)) + "." + type(value).__qualname__}


def public_module(cls: type) -> str:
    """The module users know a class by: the runtime's package shows as ``flyte``."""
    module = cls.__module__
    if module.startswith(RUNTIME_PREFIX):
        module = "flyte" + module[len(RUNTIME_PREFIX) :]
    errors = sys.modules.get("flyte.errors")
    if errors is not None and getattr(errors, cls.__name__, None) is cls:
        return "flyte.errors"
    return module


def error_form(error: BaseException) -> dict[str, Any]:
    """Class name, public module and ``.code`` (Flyte 2 keeps the original class name there)."""
    form: dict[str, Any] = {"type": type(error).__name__, "module": public_module(type(error))}
    code = getattr(error, "code", None)
    if code is not None:
        form["code"] = code if isinstance(code, (str, int)) else repr(code)
    return form


# ---------------------------------------------------------------- running programs (child side)


def _load(path: Path) -> Any:
    """Import ``path`` as a brand-new module (registered so dataclasses and pickling resolve)."""
    name = f"conformance_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _outputs(run: Any) -> Any:
    outputs = run.outputs()
    return {
        "type": type(outputs).__name__,
        "values": [canonical(v) for v in outputs],
        "names": list(getattr(outputs, "named_outputs", {}) or {}),
    }


def run_program(path: Path, workdir: Path) -> dict[str, Any]:
    """Load and run one program from a fresh working directory; never raises."""
    import flyte

    result: dict[str, Any] = {"load": None, "runs": []}
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    try:
        module = _load(path)
    except Exception as exc:  # noqa: BLE001 - a failing import is a result (misuse programs)
        result["load"] = error_form(exc)
        result["traceback"] = traceback.format_exc()[-2000:]
        return result
    if getattr(module, "INIT", True):
        flyte.init()
    runs = int(getattr(module, "RUNS", 1))
    inputs = dict(getattr(module, "INPUTS", {}))
    scenario = getattr(module, "scenario", None)
    for _ in range(runs):
        try:
            if scenario is not None:
                value = {"scenario": canonical(scenario())}
            else:
                value = {"outputs": _outputs(flyte.run(module.main, **inputs))}
        except Exception as exc:  # noqa: BLE001 - the error is the observable result
            value = {"error": error_form(exc), "traceback": traceback.format_exc()[-2000:]}
        result["runs"].append(value)
    return result


def child_main(argv: list[str]) -> int:
    """Entry point of a leg subprocess."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=LEGS, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--program-timeout", type=float, default=60)
    parser.add_argument("programs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.leg == "runtime":
        import flytemigrate.runtime

        flytemigrate.runtime.activate()
    import flyte

    assert getattr(flyte, "FLYTEMIGRATE_RUNTIME", False) is (args.leg == "runtime"), "wrong flyte for this leg"
    scratch = Path.cwd()
    results: dict[str, Any] = {}
    for path in args.programs:
        # A hung program (a deadlock in an SDK) must not hang the leg: the watchdog ends the process
        # and the parent continues with the next program in a new one.
        watchdog = threading.Timer(args.program_timeout, os._exit, args=(124,))
        watchdog.daemon = True
        watchdog.start()
        results[path.stem] = run_program(path.resolve(), scratch / "work" / path.stem)
        watchdog.cancel()
        # Written after every program so a crash still reports everything before it.
        args.out.write_text(json.dumps(results, indent=1, sort_keys=True))
        os.chdir(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
