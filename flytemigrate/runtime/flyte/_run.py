"""Runs and the run-time helpers of the ``flyte`` API: init, run, with_runcontext, ctx, group, map, trace."""

from __future__ import annotations

import contextlib
import functools
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from flytemigrate.runtime import controller

_INIT: Dict[str, Any] = {"initialized": False}


def init(*args: Any, **kwargs: Any) -> None:
    """Initialise the SDK; locally this only records the options."""
    _INIT.update(kwargs, initialized=True)


def init_from_config(*args: Any, **kwargs: Any) -> None:
    """Initialise from a config file; locally nothing is read or contacted."""
    _INIT.update(kwargs, initialized=True)


class _Syncified:
    """A method that can be called directly or awaited through ``.aio``, like the SDK's syncify."""

    def __init__(self, func):
        self._func = func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._func(*args, **kwargs)

    async def aio(self, *args: Any, **kwargs: Any) -> Any:
        return self._func(*args, **kwargs)


class ActionOutputs(tuple):
    """Outputs of a run: a tuple ``(o0, o1, ...)`` with the names as attributes, like the SDK's."""

    def __new__(cls, data: tuple, fields: Optional[list] = None):
        obj = super().__new__(cls, data)
        obj._fields = fields or [f"o{i}" for i in range(len(data))]
        for name, value in zip(obj._fields, obj):
            setattr(obj, name, value)
        return obj

    @property
    def named_outputs(self) -> Dict[str, Any]:
        """Outputs by name."""
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        parts = [f'{n}="{v}"' if isinstance(v, str) else f"{n}={v}" for n, v in zip(self._fields, self)]
        return f"ActionOutputs({', '.join(parts)})"


class Run:
    """A finished local run: ``name``, ``url``, ``wait()``, ``outputs()``."""

    def __init__(self, name: str, url: str, outputs: ActionOutputs):
        self.name = name
        self.url = url
        self._outputs = outputs
        self.outputs = _Syncified(lambda: self._outputs)
        self.wait = _Syncified(lambda quiet=False, wait_for="terminal": None)

    @property
    def phase(self) -> str:
        return "SUCCEEDED"

    def __repr__(self) -> str:
        return f"Run(name={self.name!r}, url={self.url!r})"


class _Runner:
    """``flyte.run`` / ``flyte.with_runcontext(...).run``."""

    def __init__(self, **options: Any):
        self.options = options
        self.run = _Syncified(self._run)

    def _run(self, task: Any, *args: Any, **kwargs: Any) -> Run:
        from flytemigrate.runtime import execution

        return execution.run_from_user_code(task, args, kwargs, self.options)


def run(task: Any, *args: Any, **kwargs: Any) -> Run:
    """Run ``task`` locally with the given inputs; raises the task's error."""
    return _Runner()._run(task, *args, **kwargs)


async def _run_aio(task: Any, *args: Any, **kwargs: Any) -> Run:
    return _Runner()._run(task, *args, **kwargs)


run.aio = _run_aio  # type: ignore[attr-defined]


def with_runcontext(mode: Optional[str] = None, **options: Any) -> _Runner:
    """Run options (name, cache, env vars...); every mode runs locally here."""
    return _Runner(mode=mode, **options)


@dataclass(frozen=True)
class ActionID:
    """Identity of an action within a run."""

    name: str
    run_name: Optional[str] = None
    # Set on a cluster; None in a local run, as in the SDK's local mode.
    project: Optional[str] = None
    domain: Optional[str] = None
    org: Optional[str] = None


@dataclass
class TaskContext:
    """What ``flyte.ctx()`` returns inside a task."""

    action: ActionID
    version: str = ""
    raw_data_path: str = ""
    output_path: str = ""
    run_base_dir: str = ""
    report: Any = None
    group_data: Any = None
    data: Dict[str, Any] = field(default_factory=dict)
    mode: str = "local"
    custom_context: Dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return True


class _NullTaskContext:
    """Falsy stand-in returned outside a task; every field reads as None."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NullTaskContext()"


NULL_TASK_CONTEXT = _NullTaskContext()


@dataclass
class GroupData:
    """The current ``flyte.group``."""

    name: str


def ctx() -> Any:
    """The current task context, or a falsy NullTaskContext outside a task."""
    frame = controller.current_frame()
    if frame is None:
        return NULL_TASK_CONTEXT
    current_group = controller.GROUP.get()
    group_data = GroupData(current_group) if current_group else None
    if frame.context is not None:
        frame.context.group_data = group_data
        frame.context.custom_context = dict(_CUSTOM_CONTEXT.get())
        return frame.context
    run_dir = str(frame.run.run_dir)
    if frame.action is None:
        frame.action = ActionID(name=frame.record.name, run_name=frame.run.name)
    frame.context = TaskContext(
        action=frame.action,
        raw_data_path=f"{run_dir}/raw_data/{frame.run.name}",
        output_path=f"{run_dir}/metadata/{frame.run.name}",
        run_base_dir=f"{run_dir}/metadata/{frame.run.name}",
        report=_report_of(frame),
        group_data=group_data,
        custom_context=dict(_CUSTOM_CONTEXT.get()),
    )
    return frame.context


def _report_of(frame: Any) -> Any:
    from flytemigrate.runtime.flyte import report

    return report.current_report()


# A context variable, so concurrent coroutines each keep the context they set.
_CUSTOM_CONTEXT: ContextVar[Dict[str, str]] = ContextVar("flytemigrate_custom_context", default={})


@contextlib.contextmanager
def custom_context(**context: str):
    """Set context metadata for tasks called inside the block (read with ``get_custom_context``)."""
    token = _CUSTOM_CONTEXT.set({**_CUSTOM_CONTEXT.get(), **context})
    try:
        yield
    finally:
        _CUSTOM_CONTEXT.reset(token)


def get_custom_context() -> Dict[str, str]:
    """The custom context in force."""
    return dict(_CUSTOM_CONTEXT.get())


@contextlib.contextmanager
def group(name: str):
    """Group the calls made inside the block under ``name`` (recorded on each call)."""
    frame = controller.current_frame()
    if frame is None:
        yield
        return
    token = controller.GROUP.set(name)
    try:
        yield
    finally:
        controller.GROUP.reset(token)


def trace(func: Any) -> Any:
    """Record a helper function's calls inside a run (replayed on recovery); plain call outside."""
    from flytemigrate.runtime.flyte._task import is_async_function

    if is_async_function(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await controller.call_trace_async(func, args, kwargs)

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return controller.call_trace(func, args, kwargs)

    return wrapper
