"""Top-level runs: ``flyte.run`` from user code and :func:`flytemigrate.runtime.execute`.

The root call differs from a child call the way the real SDK's does: an input that does not match
its type raises a plain ``TypeError`` before anything runs, the task's own error is converted as it
crosses the run boundary, and outputs are flattened into ``ActionOutputs(o0, o1, ...)``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flytemigrate.runtime import controller, typecheck
from flytemigrate.runtime.flyte import errors
from flytemigrate.runtime.record import CallRecord, jsonable

RUN_DIR_ENV = "FLYTEMIGRATE_RUN_DIR"
_DEFAULT_DIR: list[Path] = []


@dataclass
class Execution:
    """Result of :func:`execute`: outputs shaped like ``flyte.run(...).outputs()``, or the error."""

    outputs: Any
    error: BaseException | None
    record: CallRecord
    divergences: list[str] = field(default_factory=list)
    run_name: str = ""
    url: str = ""


def default_run_dir() -> Path:
    """Run directory for ``flyte.run`` in user code: ``$FLYTEMIGRATE_RUN_DIR`` or a temp dir removed at exit."""
    configured = os.environ.get(RUN_DIR_ENV)
    if configured:
        return Path(configured)
    if not _DEFAULT_DIR:
        path = Path(tempfile.mkdtemp(prefix="flytemigrate-run-"))
        atexit.register(shutil.rmtree, path, True)
        _DEFAULT_DIR.append(path)
    return _DEFAULT_DIR[0]


def _run_body(frame: controller.Frame, task: Any, inputs: dict) -> Any:
    """Run the root body once in ``frame`` and check its outputs."""
    token = controller.FRAME.set(frame)
    group_token = controller.GROUP.set(None)
    try:
        func = frame.run.isolated_function(task) if frame.run.isolate else task.func
        args = typecheck.transport_inputs(inputs, task.interface)
        if task.is_async:
            value = _run_coroutine(func(**args))
        else:
            value = func(**args)
        return value
    finally:
        controller.GROUP.reset(group_token)
        controller.FRAME.reset(token)


def _run_coroutine(coro: Any) -> Any:
    import asyncio

    if controller.in_event_loop():
        import concurrent.futures
        import contextvars

        ctx = contextvars.copy_context()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(ctx.run, asyncio.run, coro).result()
    return asyncio.run(coro)


def run_root(task: Any, inputs: dict, state: controller.RunState) -> tuple[Any, BaseException | None, CallRecord]:
    """Run ``task`` as the root of a run; returns ``(ActionOutputs | None, error | None, record)``."""
    from flytemigrate.runtime.flyte._run import ActionOutputs

    record = CallRecord(name=getattr(task, "name", repr(task)), inputs=jsonable(inputs), kind="task")
    started = time.perf_counter()
    try:
        inputs = controller.bind_inputs(task, (), inputs)
    except (TypeError, ValueError, IndexError) as e:  # raised before the run starts, unwrapped, like the SDK
        name = type(e).__name__
        record.error, record.error_code, record.error_message = name, name, str(e)
        return None, e, record
    record.inputs = jsonable(inputs)
    replay_children = state.replay.children if state.replay is not None else None
    err: errors.BaseRuntimeError | None = None
    for attempt in range(1, task.retries + 2):
        record.attempts = attempt
        frame = controller.Frame(state, record, task, replay_children=replay_children)
        if attempt > 1:
            record.children.clear()  # the record shows the calls of the final attempt
        try:
            value = _run_body(frame, task, inputs)
            err = None
            break
        except Exception as e:
            err = controller._as_runtime_error(e)
        if not err.recoverable or attempt == task.retries + 1:
            break
        time.sleep(controller._backoff(task, attempt))
    invalid_output: errors.RuntimeUserError | None = None
    if err is None:
        try:
            value = controller._check_outputs(task, value)
        except errors.RuntimeUserError as e:  # not retried, and raised as it is, like the SDK
            err = invalid_output = e
    record.duration_s = time.perf_counter() - started
    if err is not None:
        out = invalid_output if invalid_output is not None else controller.cross_boundary(err)
        out = getattr(out, "plain_error", None) or out
        record.error, record.error_code = type(out).__name__, getattr(out, "code", type(out).__name__)
        record.error_message = str(out)
        if replay_children is not None:
            _note_unreplayed(state, record, replay_children, frame)
        return None, out, record
    parts = tuple(typecheck.transport(p) for p in typecheck.split_outputs(value, task.interface))
    record.outputs = jsonable(list(parts))
    record.live_outputs, record.has_live_outputs = value, True
    if replay_children is not None:
        _note_unreplayed(state, record, replay_children, frame)
    return ActionOutputs(parts), None, record


def _note_unreplayed(state: controller.RunState, record: CallRecord, recorded: list, frame: Any) -> None:
    """Recorded calls the replayed driver did not make are divergences too."""
    for index in range(frame.next_child, len(recorded)):
        rec = recorded[index]
        state.divergences.append(
            f"call #{index + 1} in {record.name}: the recorded run called {rec.name}"
            f"({controller._short(rec.inputs)}), the replay did not"
        )


def execute(
    task: Any,
    inputs: dict,
    *,
    replay: CallRecord | None = None,
    isolate: bool = False,
    run_dir: str | Path | None = None,
    enforce_timeouts: bool = False,
) -> Execution:
    """Run a runtime task object like ``flyte.run`` would; task errors are returned, never raised."""
    from flytemigrate.runtime.flyte._task import TaskTemplate

    if not isinstance(task, TaskTemplate):
        raise TypeError(
            f"{task!r} is not a task of the flytemigrate runtime: activate() it before importing the code"
        )
    load_run_submodules()
    cleanup = run_dir is None
    path = Path(run_dir) if run_dir is not None else Path(tempfile.mkdtemp(prefix="flytemigrate-run-"))
    path.mkdir(parents=True, exist_ok=True)
    state = controller.RunState(path, replay=replay, isolate=isolate, enforce_timeouts=enforce_timeouts)
    try:
        outputs, error, record = run_root(task, dict(inputs), state)
    finally:
        state.close()
        if cleanup:
            shutil.rmtree(path, ignore_errors=True)
    return Execution(
        outputs=outputs,
        error=error,
        record=record,
        divergences=list(state.divergences),
        run_name=state.name,
        url=f"{path}/metadata/{state.name}",
    )


def load_run_submodules() -> None:
    """Import flyte.io, flyte.report and flyte.remote, as the SDK's first ``flyte.run`` does.

    After a run they are attributes of ``flyte`` on the SDK even without ``import flyte.report``; before it
    they are not. Tasks that use ``flyte.report`` without importing it work the same way on both.
    """
    from flytemigrate.runtime.flyte import io, remote, report  # noqa: F401

def run_from_user_code(task: Any, args: tuple, kwargs: dict, options: dict) -> Any:
    """``flyte.run(task, ...)`` in user code: raises the task's error, returns a Run."""
    load_run_submodules()
    from flytemigrate.runtime.flyte._run import Run
    from flytemigrate.runtime.flyte._task import TaskTemplate
    from flytemigrate.runtime.flyte.remote import LazyEntity

    if isinstance(task, LazyEntity):
        raise ValueError("Remote tasks and triggers can only be run in remote mode.")
    if not isinstance(task, TaskTemplate):
        raise TypeError(f"On Flyte tasks can be run, not generic functions or methods '{type(task)}'.")
    if args:
        names = task.interface.positional
        kwargs = {**dict(zip(names, args)), **kwargs}
    frame = controller.current_frame()
    path = frame.run.run_dir if frame is not None else default_run_dir()
    state = controller.RunState(path, name=options.get("name"), disable_cache=bool(options.get("disable_run_cache")))
    from flytemigrate.runtime.flyte._run import custom_context

    try:
        with custom_context(**(options.get("custom_context") or {})):
            outputs, error, record = run_root(task, kwargs, state)
    finally:
        state.close()
    if error is not None:
        raise error
    # The real SDK names every local run "dry-run" (with_runcontext(name=...) included).
    return Run("dry-run", f"{path}/metadata/{state.name}", outputs)

