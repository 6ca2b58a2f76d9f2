"""The local controller: runs task and trace calls inside a run, with records, cache, retries and replay.

One :class:`RunState` per run; one :class:`Frame` per executing task or trace, held in a context
variable so that nested calls (sync, async, threads started by ``.aio``) find their parent.
Behaviour follows flyte 2.12's local controller (measured): strict type checks at each boundary,
errors crossing a task boundary become ``RuntimeUserError`` with ``code`` = original class name,
retries with the SDK's default backoff (0.5 s doubling) unless a ``Backoff`` is given, cache lookups
only for ``behavior="auto"``, and timeouts not enforced (unless the run asks for it).
"""

from __future__ import annotations

import os
import sys
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flytemigrate.runtime import typecheck
from flytemigrate.runtime.flyte import errors
from flytemigrate.runtime.record import CallRecord, jsonable

_DEFAULT_BACKOFF_S = 0.5
_BACKOFF_MULTIPLIER = 2.0
_NO_REPLAY = object()
_clock = time.perf_counter


class RunState:
    """Everything shared by the calls of one run."""

    def __init__(
        self,
        run_dir: Path,
        *,
        replay: CallRecord | None = None,
        isolate: bool = False,
        enforce_timeouts: bool = False,
        name: str | None = None,
        disable_cache: bool = False,
    ):
        self.run_dir = Path(run_dir)
        self.name = name or os.urandom(10).hex()
        self.replay = replay
        self.isolate = isolate
        self.enforce_timeouts = enforce_timeouts
        self.divergences: list[str] = []
        # with_runcontext(disable_run_cache=True): the cache is neither read nor written.
        self.disable_cache = disable_cache
        self._cache: Any = None
        self._isolated = 0

    @property
    def cache(self) -> Any:
        """The run's cache database (``<run_dir>/cache.sqlite``), opened on first use."""
        if self._cache is None:
            from flytemigrate.runtime.cache import TaskCache  # sqlite3 only when a task caches

            self._cache = TaskCache(self.run_dir / "cache.sqlite")
        return self._cache

    def close(self) -> None:
        """Release the cache database."""
        if self._cache is not None:
            self._cache.close()

    def isolated_function(self, task: Any) -> Any:
        """The task's function from a fresh import of its source file (``isolate`` mode)."""
        from flytemigrate.runtime import isolation

        self._isolated += 1
        return isolation.fresh_function(task, self._isolated)


class Frame:
    """One executing task or trace call."""

    __slots__ = (
        "run", "record", "replay_children", "next_child", "in_trace", "task", "report", "action", "context"
    )

    def __init__(self, run: RunState, record: CallRecord, task: Any = None, replay_children=None, in_trace=False):
        self.run = run
        self.record = record
        self.task = task
        self.replay_children = replay_children
        self.next_child = 0
        self.in_trace = in_trace
        self.report = None
        self.action = None
        self.context = None  # the TaskContext flyte.ctx() hands out, so its .data persists in the call


FRAME: ContextVar[Frame | None] = ContextVar("flytemigrate_runtime_frame", default=None)
# The current flyte.group: a context variable (not a frame attribute) so that concurrent coroutines of one
# driver each keep their own group, as with the SDK's context; a child task starts outside any group.
GROUP: ContextVar[str | None] = ContextVar("flytemigrate_runtime_group", default=None)


def current_frame() -> Frame | None:
    """The innermost executing call, or None outside a run."""
    return FRAME.get()


def in_event_loop() -> bool:
    """Whether this thread is running an asyncio event loop (without importing asyncio)."""
    asyncio = sys.modules.get("asyncio")
    return asyncio is not None and asyncio.events._get_running_loop() is not None


# ---------------------------------------------------------------------------------------------
# Entry points used by task objects
# ---------------------------------------------------------------------------------------------


def call(task: Any, args: tuple, kwargs: dict) -> Any:
    """``task(...)``: plain function call outside a run; a recorded child call inside one."""
    frame = FRAME.get()
    if frame is None:
        return task.func(*args, **kwargs)
    if frame.in_trace:
        raise errors.TraceDoesNotAllowNestedTasksError(
            f"Task {task.name} is invoked from inside a `flyte.trace`. You can continue using the task "
            "function, as a regularpython function using `task`.forward(...) facade."
        )
    if task.is_async:
        return start_async(frame, task, args, kwargs)
    if in_event_loop():
        raise errors.SyncTaskCallInAsyncContextError(
            f"Sync task '{task.name}' was called in a blocking way from async code. This blocks the event "
            f"loop and can hang the run. Use `await {task.func.__name__}.aio(...)` instead."
        )
    return call_sync(frame, task, args, kwargs)


async def call_aio(task: Any, args: tuple, kwargs: dict) -> Any:
    """``await task.aio(...)``: like a call, but a sync task runs in a worker thread."""
    frame = FRAME.get()
    if frame is None:
        if task.is_async:
            return await task.func(*args, **kwargs)
        return task.func(*args, **kwargs)
    if frame.in_trace:
        return call(task, args, kwargs)  # raises the nested-task error
    if task.is_async:
        return await start_async(frame, task, args, kwargs)
    import asyncio

    return await asyncio.to_thread(call_sync, frame, task, args, kwargs, False)


# ---------------------------------------------------------------------------------------------
# One child call
# ---------------------------------------------------------------------------------------------


class _Call:
    """State of one child call between preparation and completion."""

    __slots__ = ("frame", "task", "inputs", "record", "cache_key", "started", "child")

    def __init__(self, frame, task, inputs, record):
        self.frame = frame
        self.task = task
        self.inputs = inputs
        self.record = record
        self.cache_key = None
        self.started = _clock()
        self.child: Frame | None = None


def bind_inputs(task: Any, args: tuple, kwargs: dict, check: bool = True) -> dict:
    """Map arguments to named inputs like the SDK (positional first, then counts, then missing names).

    Raises ``ValueError`` with the SDK's messages for too many or missing arguments; defaults fill the
    rest. With ``check``, types are checked (and dicts converted to dataclasses/models) too.
    """
    iface = task.interface
    names = iface.positional
    if not kwargs and len(args) == len(names):
        inputs = dict(zip(names, args))
    else:
        if len(args) > len(names):
            raise ValueError(
                f"Too many positional arguments provided, expected inputs {dict.fromkeys(names).keys()}, "
                f"args {len(args)}"
            )
        given = dict(kwargs)
        for value, name in zip(args, names):
            given[name] = value
        if len(given) > len(names):
            raise ValueError(
                f"Too many keyword arguments provided, expected inputs {dict.fromkeys(names).keys()}, "
                f"args {given.keys()}"
            )
        defaults = iface.defaults
        missing = [n for n in names if n not in given and n not in defaults]
        if missing:
            raise ValueError(f"Missing required inputs: {', '.join(missing)}")
        inputs = {n: given[n] if n in given else defaults[n] for n in names}
    if check:
        inputs = check_inputs(task, inputs)
    return inputs


def check_inputs(task: Any, inputs: dict) -> dict:
    """Check inputs against their declared types (the SDK's TypeError on the first mismatch).

    Like the SDK's type engine, a dict is accepted for a dataclass or pydantic model and converted.
    """
    iface = task.interface
    declared = iface.inputs
    if iface.scalar_inputs:
        # Fast path: every value has exactly its declared scalar type (ints within int64).
        for name, value in inputs.items():
            tp = declared[name]
            if type(value) is not tp or (tp is int and not typecheck.INT64_MIN <= value <= typecheck.INT64_MAX):
                break
        else:
            return inputs
    converted = None
    for name, value in inputs.items():
        tp = declared.get(name)
        if tp is None:
            continue
        if isinstance(value, (tuple, list)) and name in iface.typed_inputs and typecheck.is_namedtuple_type(tp):
            converted = dict(inputs) if converted is None else converted
            converted[name] = typecheck.validate_namedtuple(value, tp)
            continue
        if typecheck.conforms(value, tp):
            if tp is int:
                overflow = typecheck.int64_error(value)
                if overflow is not None:
                    raise overflow
            if (tp is int or tp is str) and type(value) is not tp:
                converted = dict(inputs) if converted is None else converted
                converted[name] = typecheck.plain(value, tp)
            continue
        rebuilt = typecheck.coerce(value, tp)
        if rebuilt is typecheck.NOT_COERCED:
            raise typecheck.input_error(name, value, tp)
        if converted is None:
            converted = dict(inputs)
        converted[name] = rebuilt
    return inputs if converted is None else converted


def _prepare(frame: Frame, task: Any, args: tuple, kwargs: dict, wrap: bool = True):
    """Bind and check inputs, append the record, and serve replay or cache hits.

    ``wrap``: a blocking call wraps an input error in RuntimeUserError (the SDK's ``__call__`` does);
    awaited calls (async tasks, ``.aio``) raise the plain TypeError/ValueError, as the SDK's submit does.
    """
    try:
        inputs = bind_inputs(task, args, kwargs, check=False)
    except (TypeError, ValueError) as e:
        if not wrap:
            raise
        raise errors.RuntimeUserError(type(e).__name__, str(e)) from e
    iface = task.interface
    if iface.scalar_inputs and _exact_scalars(inputs, iface.inputs):
        # Already checked and JSON-safe: the record shares the (never mutated) inputs dict.
        record = CallRecord.start(task.name, inputs, "task", GROUP.get())
        frame.record.children.append(record)
        c = _Call(frame, task, inputs, record)
        if frame.replay_children is None and task.cache_policy is None:
            return c, _NO_REPLAY
        return _serve_recorded(frame, task, c, record, inputs)
    record = CallRecord.start(task.name, jsonable(inputs), "task", GROUP.get())
    frame.record.children.append(record)
    c = _Call(frame, task, inputs, record)
    try:
        c.inputs = inputs = check_inputs(task, inputs)
    except (TypeError, ValueError, IndexError) as e:
        if not wrap:
            _fail(c, e)
            raise
        err = errors.RuntimeUserError(type(e).__name__, str(e))
        _fail(c, err)
        raise err from e
    return _serve_recorded(frame, task, c, record, inputs)


_INF = float("inf")


def _exact_scalars(inputs: dict, declared: dict) -> bool:
    """Whether every input has exactly its declared scalar type, ints within int64 and floats finite."""
    for name, value in inputs.items():
        tp = declared[name]
        if type(value) is not tp:
            return False
        if tp is int:
            if not typecheck.INT64_MIN <= value <= typecheck.INT64_MAX:
                return False
        elif tp is float and not -_INF < value < _INF:
            return False  # nan/inf have a special JSON form in records
    return True


def _serve_recorded(frame: Frame, task: Any, c: _Call, record: CallRecord, inputs: dict):
    """Serve a replayed or cached result for a prepared call (``_NO_REPLAY`` when the call must run)."""
    hit = _replay(frame, record, task.interface)
    if hit is not _NO_REPLAY:
        return c, hit
    cache = task.cache_policy
    if cache is not None and cache.behavior in ("auto", "override") and not frame.run.disable_cache:
        from flytemigrate.runtime.cache import MISS, cache_key

        version = cache.version_override or task.cache_version()
        c.cache_key = cache_key(task.name, version, inputs, cache.ignored)
        if cache.behavior == "auto":
            max_age = cache.max_age.total_seconds() if cache.max_age else None
            value = frame.run.cache.get(c.cache_key, max_age)
            if value is not MISS:
                record.cache_hit = True
                _succeed(c, value)
                return c, _shape(value, task.interface)
    return c, _NO_REPLAY


def _replay(frame: Frame, record: CallRecord, iface) -> Any:
    """On replay, serve the recorded result of the matching call, or note a divergence."""
    recorded_list = frame.replay_children
    if recorded_list is None:
        return _NO_REPLAY
    index = frame.next_child
    frame.next_child += 1
    recorded = recorded_list[index] if index < len(recorded_list) else None
    if recorded is not None and recorded.name == record.name and recorded.inputs == record.inputs:
        record.replayed = True
        record.outputs = recorded.outputs
        record.error, record.error_code, record.error_message = (
            recorded.error,
            recorded.error_code,
            recorded.error_message,
        )
        record.attempts = recorded.attempts
        if recorded.error:
            raise _error_from_record(recorded)
        if recorded.has_live_outputs:
            value = typecheck.transport(recorded.live_outputs)
        else:
            value = typecheck.from_jsonable(recorded.outputs, iface)
        record.live_outputs, record.has_live_outputs = value, True
        return value
    expected = f"{recorded.name}({_short(recorded.inputs)})" if recorded else "nothing"
    frame.run.divergences.append(
        f"call #{index + 1} in {frame.record.name}: {record.name}({_short(record.inputs)}) was called, "
        f"the recorded run called {expected}"
    )
    return _NO_REPLAY


def _short(inputs: Any) -> str:
    import json

    text = json.dumps(inputs, sort_keys=True, default=repr)
    return text if len(text) <= 200 else text[:197] + "..."


def _error_from_record(rec: CallRecord) -> BaseException:
    """Rebuild the error a recorded call raised, as its caller saw it."""
    if rec.error == "RuntimeDataValidationError":
        err = errors.RuntimeDataValidationError("o0", "", rec.name)
        err.args = (rec.error_message or "",)
        return err
    return cross_boundary(errors.RuntimeUserError(rec.error_code or rec.error or "Unknown", rec.error_message or ""))


def _body_function(c: _Call) -> Any:
    run = c.frame.run
    return run.isolated_function(c.task) if run.isolate else c.task.func


def _enter(c: _Call) -> Frame:
    child = Frame(c.frame.run, c.record, c.task)
    c.child = child
    return child


def _check_outputs(task: Any, value: Any) -> Any:
    """Validate the return value against the declared outputs, the way the SDK's conversion does.

    Returns the value the caller receives (after the type engine's conversions). Raises
    ``RuntimeDataValidationError`` for a wrong type, ``RuntimeUserError(code="AssertionError")`` for a
    wrong number of outputs (the SDK counts outputs first: any returned tuple is that many outputs).
    """
    iface = task.interface
    tp = iface.scalar_output
    if tp is not None and type(value) is tp and (tp is not int or typecheck.INT64_MIN <= value <= typecheck.INT64_MAX):
        return value  # fast path: one scalar output of exactly the declared type
    returned = value if isinstance(value, tuple) else (value,)
    if iface.outputs == [type(None)]:  # no outputs declared
        if len(returned) == 1 and returned[0] is not None:
            raise errors.RuntimeDataValidationError(
                "o0", f"Expected no outputs but got {returned},did you miss a return type annotation?", task.name
            )
        return value
    if len(returned) != len(iface.outputs):
        raise errors.RuntimeUserError(
            "AssertionError",
            f"Received {len(returned)} outputs but return annotation has {len(iface.outputs)} outputs specified. ",
        )
    parts = typecheck.split_outputs(value, iface)
    converted = None
    for index, (name, part, tp) in enumerate(zip(iface.output_names, parts, iface.outputs)):
        if typecheck.conforms(part, tp):
            if tp is int:
                overflow = typecheck.int64_error(part)
                if overflow is not None:
                    # Crosses to the caller as RuntimeUserError(ValueError); a run raises the plain error.
                    err = errors.RuntimeUserError("ValueError", str(overflow))
                    err.plain_error = overflow  # type: ignore[attr-defined]
                    raise err
            if (tp is int or tp is str) and type(part) is not tp:
                converted = list(parts) if converted is None else converted
                converted[index] = typecheck.plain(part, tp)
            elif iface.output_frames[index] is not None:
                converted = list(parts) if converted is None else converted
                converted[index] = typecheck.select_columns(part, iface.output_frames[index])
            continue
        if tp is int and isinstance(part, bool):
            # The SDK's int transformer raises a TypeError here (not a validation error).
            raise errors.RuntimeUserError("TypeError", str(typecheck.input_error(name, part, tp)))
        rebuilt = typecheck.coerce(part, tp)
        if rebuilt is typecheck.NOT_COERCED:
            close = getattr(part, "close", None)
            if type(part).__name__ == "coroutine" and close is not None:
                close()  # an un-awaited async child call: silence "never awaited" after reporting it
            raise errors.RuntimeDataValidationError(name, typecheck.output_reason(part, tp), task.name)
        if converted is None:
            converted = list(parts)
        converted[index] = rebuilt
    if converted is None:
        return value
    return tuple(converted) if iface.multi else converted[0]


def _as_runtime_error(e: BaseException) -> errors.BaseRuntimeError:
    if isinstance(e, errors.BaseRuntimeError):
        return e
    return errors.CustomError.from_exception(e)  # type: ignore[arg-type]


def cross_boundary(err: errors.BaseRuntimeError) -> BaseException:
    """The error as the caller sees it after the SDK's error conversion (class by code).

    A task's own output-validation error is raised to its caller directly (not through here); one that
    escapes a task body came from a grandchild and crosses the boundary as RuntimeUserError.
    """
    code, message = err.code, str(err)
    if err.kind == "system":
        new: BaseException = errors.RuntimeSystemError(code, message, err.worker)
    elif err.kind == "unknown":
        new = errors.RuntimeUnknownError(code, message, err.worker)
    elif code in errors.TIMEOUT_ERRORS_BY_CODE:
        cls = errors.TIMEOUT_ERRORS_BY_CODE[code]
        new = cls(message) if cls is not errors.TaskTimeoutError else cls(message, code)
    elif "OOM" in code.upper():
        new = errors.OOMError(code, message, err.worker)
    elif "RetriesExhausted" in code:
        new = errors.RetriesExhaustedError(code, message, err.worker)
    elif "Unknown" in code:
        new = errors.RuntimeUnknownError(code, message, err.worker)
    else:
        new = errors.RuntimeUserError(code, message, err.worker)
    new.__cause__ = err.__cause__ or err
    return new


def _backoff(task: Any, attempt: int) -> float:
    strategy = task.retry_strategy
    backoff = getattr(strategy, "backoff", None) if strategy is not None else None
    if backoff is not None:
        return backoff.compute_delay(attempt - 1).total_seconds()
    return _DEFAULT_BACKOFF_S * (_BACKOFF_MULTIPLIER ** (attempt - 1))


def _succeed(c: _Call, value: Any) -> None:
    rec = c.record
    rec.live_outputs, rec.has_live_outputs = value, True
    iface = c.task.interface
    if iface.scalar_output is not None and type(value) is iface.scalar_output and iface.scalar_output is not float:
        rec.outputs = [value]  # already JSON-safe (floats go the long way for nan/inf)
    else:
        rec.outputs = jsonable(list(typecheck.split_outputs(value, iface)))
    rec.duration_s = time.perf_counter() - c.started


def _fail(c: _Call, err: BaseException) -> None:
    rec = c.record
    rec.error = type(err).__name__
    rec.error_code = getattr(err, "code", type(err).__name__)
    rec.error_message = str(err)
    rec.duration_s = time.perf_counter() - c.started


def _shape(value: Any, iface) -> Any:
    """What the caller receives: a transported copy; NamedTuples become plain tuples, and a
    NamedTuple with a single field arrives as that field's bare value (one output, as in the SDK)."""
    if iface.scalar_output is not None and type(value) is iface.scalar_output:
        return value  # immutable: nothing to copy
    if iface.multi and len(iface.outputs) == 1 and isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    return typecheck.transport(value)


def _flush_report(c: _Call) -> None:
    """Tasks declared with ``report=True`` get their report written when they finish."""
    if c.task.report and c.child is not None and c.child.report is not None:
        out = c.frame.run.run_dir / "reports"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{c.task.name}.html").write_text(c.child.report.get_final_report())


def _finish_checked(c: _Call, value: Any) -> Any:
    """Validate outputs after the attempts: like the SDK, a validation failure is not retried."""
    try:
        value = _check_outputs(c.task, value)
    except errors.RuntimeUserError as e:
        _fail(c, e)
        raise
    return _finish_ok(c, value)


def _exact_scalar_output(value: Any, tp: Any) -> bool:
    """Whether ``value`` is one output of exactly the declared scalar type ``tp`` and already JSON-safe."""
    if tp is None or type(value) is not tp:
        return False
    if tp is int:
        return typecheck.INT64_MIN <= value <= typecheck.INT64_MAX
    return tp is not float or -_INF < value < _INF


def _finish_fast(c: _Call, value: Any) -> Any:
    """``_finish_checked`` with a shortcut for one scalar output of exactly its type (no report, no cache)."""
    task = c.task
    if c.cache_key is None and not task.report and _exact_scalar_output(value, task.interface.scalar_output):
        rec = c.record
        rec.live_outputs, rec.has_live_outputs = value, True
        rec.outputs = [value]
        rec.duration_s = _clock() - c.started
        return value
    return _finish_checked(c, value)


def _finish_ok(c: _Call, value: Any) -> Any:
    _flush_report(c)
    _succeed(c, value)
    if c.cache_key is not None:
        c.frame.run.cache.set(c.cache_key, c.task.name, value)
    return _shape(value, c.task.interface)


def call_sync(frame: Frame, task: Any, args: tuple, kwargs: dict, wrap_input_errors: bool = True) -> Any:
    """Run a sync child task to completion (retries, cache, record)."""
    c, hit = _prepare(frame, task, args, kwargs, wrap_input_errors)
    if hit is not _NO_REPLAY:
        return hit
    attempts = task.retries + 1
    err: errors.BaseRuntimeError | None = None
    for attempt in range(1, attempts + 1):
        c.record.attempts = attempt
        token = FRAME.set(_enter(c))
        group_token = GROUP.set(None)
        try:
            inputs = typecheck.transport_inputs(c.inputs, task.interface)
            func = _body_function(c)
            if frame.run.enforce_timeouts and task.timeout_s:
                value = _with_thread_timeout(func, inputs, task)
            else:
                value = func(**inputs)
            err = None
        except Exception as e:
            err = _as_runtime_error(e)
        finally:
            GROUP.reset(group_token)
            FRAME.reset(token)
        if err is None:
            return _finish_checked(c, value)
        if not err.recoverable or attempt == attempts:
            break
        time.sleep(_backoff(task, attempt))
    assert err is not None
    out = cross_boundary(err)
    _fail(c, out)
    raise out


def start_async(frame: Frame, task: Any, args: tuple, kwargs: dict) -> Any:
    """The coroutine of an async child call (what ``task(...)`` returns; nothing runs until awaited).

    Positional scalar inputs of their exact types, with no retries, cache, replay, isolation or enforced
    timeout, take the straight-line :func:`_call_async_plain` (deciding here reads only immutable
    arguments and fixed settings); everything else the general :func:`call_async`.
    """
    iface = task.interface
    run = frame.run
    if (
        iface.scalar_inputs
        and not kwargs
        and len(args) == len(iface.positional)
        and not task.retries
        and task.cache_policy is None
        and frame.replay_children is None
        and not run.isolate
        and not run.enforce_timeouts
    ):
        inputs = dict(zip(iface.positional, args))
        if _exact_scalars(inputs, iface.inputs):
            return _call_async_plain(frame, task, inputs)
    return call_async(frame, task, args, kwargs)


async def call_async(frame: Frame, task: Any, args: tuple, kwargs: dict) -> Any:
    """Run an async child task to completion (retries, cache, record)."""
    import asyncio

    c, hit = _prepare(frame, task, args, kwargs, wrap=False)
    if hit is not _NO_REPLAY:
        return hit
    run = frame.run
    if not task.retries and not run.isolate and not (run.enforce_timeouts and task.timeout_s):
        # The common case, straight-line (a driver may gather thousands of these): one attempt, no
        # isolation, no enforced timeout; the same steps as the loop below.
        c.record.attempts = 1
        child = c.child = Frame(run, c.record, task)
        token = FRAME.set(child)
        # A child starts outside any group; most calls are made outside one, so skip the set/reset then.
        group_token = GROUP.set(None) if GROUP.get() is not None else None
        try:
            value = await task.func(**typecheck.transport_inputs(c.inputs, task.interface))
        except Exception as e:
            err = _as_runtime_error(e)
        else:
            err = None
        finally:
            if group_token is not None:
                GROUP.reset(group_token)
            FRAME.reset(token)
        if err is None:
            return _finish_fast(c, value)
        out = cross_boundary(err)
        _fail(c, out)
        raise out
    attempts = task.retries + 1
    err: errors.BaseRuntimeError | None = None
    for attempt in range(1, attempts + 1):
        c.record.attempts = attempt
        token = FRAME.set(_enter(c))
        group_token = GROUP.set(None)
        try:
            inputs = typecheck.transport_inputs(c.inputs, task.interface)
            coro = _body_function(c)(**inputs)
            if frame.run.enforce_timeouts and task.timeout_s:
                try:
                    value = await asyncio.wait_for(coro, task.timeout_s)
                except asyncio.TimeoutError:
                    raise errors.TaskTimeoutError(f"Task {task.name} exceeded its timeout of {task.timeout_s}s")
            else:
                value = await coro
            err = None
        except Exception as e:
            err = _as_runtime_error(e)
        finally:
            GROUP.reset(group_token)
            FRAME.reset(token)
        if err is None:
            return _finish_checked(c, value)
        if not err.recoverable or attempt == attempts:
            break
        await asyncio.sleep(_backoff(task, attempt))
    assert err is not None
    out = cross_boundary(err)
    _fail(c, out)
    raise out


async def _call_async_plain(frame: Frame, task: Any, inputs: dict) -> Any:
    """The commonest async child call, straight-line (a driver may gather thousands of these).

    Same observable steps as ``_prepare`` + the attempt loop of :func:`call_async`; the general helpers
    take over for anything but a scalar output of its exact type.
    """
    started = _clock()
    group = GROUP.get()
    record = CallRecord.start(task.name, inputs, "task", group)
    frame.record.children.append(record)
    record.attempts = 1
    child = Frame(frame.run, record, task)
    token = FRAME.set(child)
    # A child starts outside any group; most calls are made outside one, so skip the set/reset then.
    group_token = GROUP.set(None) if group is not None else None
    try:
        value = await task.func(**inputs)
    except Exception as e:
        err = _as_runtime_error(e)
    else:
        err = None
    finally:
        if group_token is not None:
            GROUP.reset(group_token)
        FRAME.reset(token)
    if err is None and not task.report and _exact_scalar_output(value, task.interface.scalar_output):
        record.live_outputs, record.has_live_outputs = value, True
        record.outputs = [value]
        record.duration_s = _clock() - started
        return value
    c = _Call(frame, task, inputs, record)
    c.started, c.child = started, child
    if err is None:
        return _finish_checked(c, value)
    out = cross_boundary(err)
    _fail(c, out)
    raise out


def _with_thread_timeout(func: Any, inputs: dict, task: Any) -> Any:
    """Run a sync body in a thread and give up after the task's timeout (the thread is abandoned)."""
    import contextvars
    import threading

    result: dict = {}
    ctx = contextvars.copy_context()

    def target():
        try:
            result["value"] = ctx.run(func, **inputs)
        except BaseException as e:  # handed back to the caller below
            result["error"] = e

    thread = threading.Thread(target=target, daemon=True, name=f"flytemigrate-{task.name}")
    thread.start()
    thread.join(task.timeout_s)
    if thread.is_alive():
        raise errors.TaskTimeoutError(f"Task {task.name} exceeded its timeout of {task.timeout_s}s")
    if "error" in result:
        raise result["error"]
    return result["value"]


# ---------------------------------------------------------------------------------------------
# Traces
# ---------------------------------------------------------------------------------------------


_TRACE_PARAMS: dict = {}


def _trace_inputs(func: Any, args: tuple, kwargs: dict) -> dict:
    """Name a traced call's arguments (positional-only fast path; signatures computed once)."""
    names = _TRACE_PARAMS.get(func)
    if names is None:
        import inspect

        sig = inspect.signature(func)
        simple = all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY) for p in sig.parameters.values())
        names = _TRACE_PARAMS[func] = (sig, list(sig.parameters) if simple else None)
    sig, positional = names
    if not kwargs and positional is not None and len(args) == len(positional):
        return dict(zip(positional, args))
    try:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)
    except TypeError:
        return {"args": list(args), "kwargs": kwargs}


def _trace_prepare(frame: Frame, func: Any, args: tuple, kwargs: dict):
    inputs = _trace_inputs(func, args, kwargs)
    record = CallRecord.start(func.__name__, jsonable(inputs), "trace", GROUP.get())
    frame.record.children.append(record)
    return record


class _TraceIface:
    """Minimal interface for replaying a trace from JSON: a single output of unknown type."""

    multi = False
    outputs = [Any]
    output_names = ["o0"]


def call_trace(func: Any, args: tuple, kwargs: dict) -> Any:
    """A sync ``@flyte.trace`` call: recorded (and replayable) inside a run, plain outside."""
    frame = FRAME.get()
    if frame is None or frame.in_trace:
        return func(*args, **kwargs)
    record = _trace_prepare(frame, func, args, kwargs)
    hit = _replay(frame, record, _TraceIface)
    if hit is not _NO_REPLAY:
        return hit
    started = time.perf_counter()
    token = FRAME.set(Frame(frame.run, record, in_trace=True))
    record.attempts = 1
    try:
        value = func(*args, **kwargs)
    except Exception as e:
        _trace_fail(record, e, started)
        raise
    finally:
        FRAME.reset(token)
    _trace_ok(record, value, started)
    return value


async def call_trace_async(func: Any, args: tuple, kwargs: dict) -> Any:
    """An async ``@flyte.trace`` call."""
    frame = FRAME.get()
    if frame is None or frame.in_trace:
        return await func(*args, **kwargs)
    record = _trace_prepare(frame, func, args, kwargs)
    hit = _replay(frame, record, _TraceIface)
    if hit is not _NO_REPLAY:
        return hit
    started = time.perf_counter()
    token = FRAME.set(Frame(frame.run, record, in_trace=True))
    record.attempts = 1
    try:
        value = await func(*args, **kwargs)
    except Exception as e:
        _trace_fail(record, e, started)
        raise
    finally:
        FRAME.reset(token)
    _trace_ok(record, value, started)
    return value


def _trace_ok(record: CallRecord, value: Any, started: float) -> None:
    record.live_outputs, record.has_live_outputs = value, True
    record.outputs = jsonable([value])
    record.duration_s = time.perf_counter() - started


def _trace_fail(record: CallRecord, e: BaseException, started: float) -> None:
    record.error = type(e).__name__
    record.error_code = getattr(e, "code", type(e).__name__)
    record.error_message = str(e)
    record.duration_s = time.perf_counter() - started
