"""Unit tests of the bundled runtime's flyte API, in-process (the runtime package imported directly,
without the import hook, so the real SDK used by other tests in this process is never shadowed)."""

from __future__ import annotations

import asyncio
import enum
import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple, Optional

import pandas as pd
import pytest

import flytemigrate.runtime.flyte as flyte
from flytemigrate.runtime import CallRecord, execute
from flytemigrate.runtime.flyte import errors
from flytemigrate.runtime.flyte.io import File

env = flyte.TaskEnvironment(name="rt_tests")
NO_WAIT = flyte.RetryStrategy(count=2, backoff=flyte.Backoff(base=timedelta(0)))


class Pair(NamedTuple):
    n: int
    s: str


@dataclass
class Box:
    items: list


class MyError(ValueError):
    pass


@env.task
def pair(x: int) -> Pair:
    return Pair(x, str(x))


@env.task
def boom(x: int) -> int:
    raise MyError(f"bad {x}")


@env.task
def square(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x * x


@env.task
def add(x: int, y: int) -> int:
    return x + y


@env.task
def grow(b: Box) -> int:
    b.items.append(1)
    return len(b.items)


@env.task
def half(x: float) -> float:
    return x / 2


@env.task
def wrong_return(x: int) -> float:
    return x


@env.task
def driver(x: int) -> str:
    out = pair(x)
    parts = [type(out).__name__, repr(out)]
    try:
        boom(x)
    except errors.RuntimeUserError as e:
        parts.append(f"{type(e).__name__}:{e.code}:{e}")
    box = Box([0])
    parts.append(f"{grow(box)}/{len(box.items)}")
    try:
        half(1)
    except errors.RuntimeUserError as e:
        parts.append(f"input:{e.code}")
    try:
        wrong_return(1)
    except errors.RuntimeDataValidationError as e:
        parts.append(f"output:{e.code}")
    return "|".join(parts)


def test_child_results_errors_and_type_checks_like_the_real_sdk():
    ex = execute(driver, {"x": 3})
    assert ex.error is None
    assert ex.outputs[0] == "tuple|(3, '3')|RuntimeUserError:MyError:bad 3|2/1|input:TypeError|output:DataValidationError"
    names = [c.name for c in ex.record.children]
    assert names == ["rt_tests.pair", "rt_tests.boom", "rt_tests.grow", "rt_tests.half", "rt_tests.wrong_return"]
    assert ex.record.children[1].error_code == "MyError"


def test_outputs_are_flattened_action_outputs():
    out = execute(pair, {"x": 2}).outputs
    assert tuple(out) == (2, "2") and out.o0 == 2 and out.o1 == "2"
    assert repr(out) == 'ActionOutputs(o0=2, o1="2")'
    assert out.named_outputs == {"o0": 2, "o1": "2"}


def test_top_level_errors():
    ex = execute(boom, {"x": 1})
    assert type(ex.error) is errors.RuntimeUserError and ex.error.code == "MyError"
    assert type(ex.error).__module__ == "flyte.errors"
    bad_input = execute(pair, {"x": "s"})
    assert type(bad_input.error) is TypeError and "Type conversion failed for variable 'x'" in str(bad_input.error)
    assert type(execute(wrong_return, {"x": 1}).error) is errors.RuntimeDataValidationError


def test_direct_call_outside_a_run_is_a_plain_function_call():
    assert pair(5) == Pair(5, "5") and type(pair(5)) is Pair
    with pytest.raises(MyError):
        boom(1)


attempts = {"n": 0}


@env.task(retries=NO_WAIT)
def flaky(x: int) -> int:
    attempts["n"] += 1
    if attempts["n"] < 3:
        raise ValueError("flaky")
    return x


@env.task(retries=1)
def always_fails(x: int) -> int:
    raise KeyError("k")


@env.task
def calls_flaky(x: int) -> int:
    return flaky(x)


def test_retries_until_success_and_record_attempts():
    attempts["n"] = 0
    ex = execute(calls_flaky, {"x": 7})
    assert ex.outputs[0] == 7 and ex.record.children[0].attempts == 3


def test_retries_exhausted_with_default_backoff(monkeypatch):
    slept = []
    monkeypatch.setattr("flytemigrate.runtime.execution.time.sleep", slept.append)
    ex = execute(always_fails, {"x": 1})
    assert ex.error.code == "KeyError" and ex.record.attempts == 2 and slept == [0.5]


@env.task(timeout=1)
def sleepy(x: float) -> float:
    import time

    time.sleep(x)
    return x


def test_timeouts_are_not_enforced_by_default_like_real_local_runs_but_can_be():
    assert execute(sleepy, {"x": 0.05}).error is None
    ex = execute(sleepy.override(timeout=timedelta(seconds=0.05)), {"x": 0.3}, enforce_timeouts=True)
    assert ex.error is None  # the root body is not time-limited; children are


@env.task
def calls_sleepy(x: float) -> str:
    try:
        sleepy.override(timeout=timedelta(seconds=0.05))(x)
        return "ok"
    except errors.TaskTimeoutError as e:
        return e.code


def test_enforced_child_timeout_raises_task_timeout_error():
    assert execute(calls_sleepy, {"x": 0.5}, enforce_timeouts=True).outputs[0] == "TaskTimeoutError"
    assert execute(calls_sleepy, {"x": 0.01}).outputs[0] == "ok"


@env.task
async def double(x: int) -> int:
    return x * 2


@env.task
def sync_calls_async(x: int) -> int:
    return double(x)  # returns a coroutine: the output check fails, as in the real SDK


@env.task
async def async_calls_sync(x: int) -> int:
    return square(x)


@env.task
async def async_driver(x: int) -> list[int]:
    a = await square.aio(x)
    b = await double(x)
    c = await asyncio.gather(*(double(i) for i in range(3)))
    return [a, b, *c]


def test_sync_async_calls_and_misuse_errors():
    assert execute(async_driver, {"x": 2}).outputs[0] == [4, 4, 0, 2, 4]
    err = execute(async_calls_sync, {"x": 2}).error
    assert type(err) is errors.RuntimeUserError and err.code == "SyncTaskCallInAsyncContextError"
    err2 = execute(sync_calls_async, {"x": 2}).error
    assert type(err2) is errors.RuntimeDataValidationError


@env.task
def map_driver(n: int) -> list[str]:
    lazy = flyte.map(square, range(n))
    out = [type(lazy).__name__]
    out += [f"E:{v.code}" if isinstance(v, Exception) else str(v) for v in lazy]
    try:
        list(flyte.map(square, range(n), return_exceptions=False))
    except errors.RuntimeUserError as e:
        out.append("raised:" + e.code)
    out += [str(v) for v in flyte.map(functools.partial(add, y=10), [1, 2], concurrency=2)]
    return out


@env.task
async def map_aio_driver(n: int) -> list[str]:
    return [str(v) async for v in flyte.map.aio(double, range(n))] + [
        str(v) async for v in flyte.map.aio(square, [2])
    ]


def test_map_sync_and_async():
    ex = execute(map_driver, {"n": 4})
    assert ex.outputs[0] == ["generator", "0", "1", "4", "E:ValueError", "raised:ValueError", "11", "12"]
    assert ex.record.children[0].group == "rt_tests.square_map"
    assert execute(map_aio_driver, {"n": 3}).outputs[0] == ["0", "2", "4", "4"]
    with pytest.raises(TypeError):
        list(flyte.map(functools.partial(add), [1]))


@flyte.trace
def traced(x: int) -> int:
    return x + 1


@flyte.trace
async def atraced(x: int) -> int:
    return x + 2


@flyte.trace
def trace_calls_task(x: int) -> int:
    return square(x)


@env.task
async def trace_driver(x: int) -> list:
    with flyte.group("g1"):
        a = traced(x)
    b = await atraced(x)
    try:
        trace_calls_task(x)
        c = "no error"
    except errors.TraceDoesNotAllowNestedTasksError as e:
        c = e.code
    return [a, b, c]


def test_trace_and_group():
    ex = execute(trace_driver, {"x": 1})
    assert ex.outputs[0] == [2, 3, "TraceDoesNotAllowNestedTasksError"]
    kinds = [(c.name, c.kind, c.group) for c in ex.record.children]
    assert kinds[:2] == [("traced", "trace", "g1"), ("atraced", "trace", None)]
    assert traced(1) == 2


counter = {"n": 0}


@env.task(cache=flyte.Cache(behavior="auto", version_override="v1", ignored_inputs=("note",)))
def cached(x: int, note: str = "") -> int:
    counter["n"] += 1
    return x * 10


@env.task
def cache_driver(x: int, note: str) -> int:
    return cached(x, note) + cached(x, note + "!")


def test_cache_persists_across_runs_in_the_run_dir(tmp_path):
    counter["n"] = 0
    first = execute(cache_driver, {"x": 1, "note": "a"}, run_dir=tmp_path)
    assert first.outputs[0] == 20 and counter["n"] == 1  # ignored input: second call hits
    assert [c.cache_hit for c in first.record.children] == [False, True]
    second = execute(cache_driver, {"x": 1, "note": "b"}, run_dir=tmp_path)
    assert counter["n"] == 1 and (tmp_path / "cache.sqlite").exists()
    assert second.record.children[0].cache_hit
    execute(cache_driver, {"x": 1, "note": "b"}, run_dir=tmp_path / "other")
    assert counter["n"] == 2


def test_cache_override_writes_without_reading(tmp_path):
    counter["n"] = 0
    overriding = cached.override(cache=flyte.Cache(behavior="override", version_override="v1"))

    @env.task
    def drv(x: int) -> int:
        return overriding(x)

    execute(drv, {"x": 2}, run_dir=tmp_path)
    execute(drv, {"x": 2}, run_dir=tmp_path)
    assert counter["n"] == 2
    assert flyte.Cache("enable").behavior == "auto"
    with pytest.raises(ValueError):
        flyte.Cache("sometimes")


def test_environment_rules():
    for bad in ("Bad_Name", "has space", "CamelCase"):
        with pytest.raises(ValueError, match="snake_case or kebab-case"):
            flyte.TaskEnvironment(name=bad)
    for option in ("resources", "image", "env_vars", "secrets"):
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{option}'"):
            env.task(**{option: None})
    other = env.clone_with("rt-other", resources=flyte.Resources(cpu=2, memory="1Gi"))
    assert other.resources.memory == "1Gi" and other.name == "rt-other"
    other.add_dependency(env)
    assert other.depends_on == [env]
    t = env.task(retries=3, report=True, triggers=flyte.Trigger("nightly", flyte.Cron("0 0 * * *")))(lambda x: x)
    assert t.retries == 3 and t.triggers[0].name == "nightly"
    assert flyte.ctx().action is None and not flyte.ctx()


def test_secret_reads_environment(monkeypatch):
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    assert flyte.Secret(key="token", as_env_var="MY_TOKEN").get() == "s3cret"


def test_remote_task_is_a_lazy_reference_that_fails_clearly_when_used():
    from flytemigrate.runtime.flyte import remote

    ref = remote.Task.get("proj.task", auto_version="latest")
    assert ref.name == "proj.task" and repr(ref) == "Future for task with name proj.task"
    with pytest.raises(errors.InitializationError, match="remote tasks are not available locally") as info:
        ref.fetch()
    assert info.value.code == "ClientNotInitializedError"
    with pytest.raises(ValueError, match="can only be run in remote mode"):
        flyte.run(ref, epochs=3)
    with pytest.raises(TypeError, match="On Flyte tasks can be run"):
        flyte.run(lambda x: x, x=1)


@env.task
def branchy(x: int) -> int:
    total = add(x, 1)
    if x > 5:
        total += square(x)
    return total + traced(x)


def test_record_json_round_trip_and_replay_divergence():
    ex = execute(branchy, {"x": 2})
    rec = CallRecord.from_json(ex.record.to_json())
    assert rec.to_dict() == ex.record.to_dict()
    same = execute(branchy, {"x": 2}, replay=rec)
    assert same.divergences == [] and all(c.replayed for c in same.record.children)
    other = execute(branchy, {"x": 9}, replay=rec)
    assert len(other.divergences) == 3
    assert "rt_tests.add" in other.divergences[0] and "rt_tests.square" in other.divergences[1]


def test_replay_serves_recorded_outputs_without_running():
    attempts["n"] = 0
    first = execute(calls_flaky, {"x": 4})
    assert attempts["n"] == 3
    replay = execute(calls_flaky, {"x": 4}, replay=CallRecord.from_json(first.record.to_json()))
    assert attempts["n"] == 3 and replay.outputs[0] == 4 and replay.divergences == []


def test_run_object_like_the_real_one(tmp_path, monkeypatch):
    monkeypatch.setenv("FLYTEMIGRATE_RUN_DIR", str(tmp_path))
    flyte.init()
    r = flyte.run(pair, x=3)
    assert r.outputs() == (3, "3") and r.wait() is None and r.url.startswith(str(tmp_path))
    assert asyncio.run(r.outputs.aio()) == (3, "3")
    with pytest.raises(errors.RuntimeUserError):
        flyte.with_runcontext(mode="local").run(boom, x=1)


@env.task
def write_file(text: str) -> File:
    import os
    import tempfile

    from flytemigrate.runtime.flyte import report

    path = os.path.join(tempfile.mkdtemp(), "note.txt")
    with open(path, "w") as fh:
        fh.write(text)
    report.log("<p>wrote</p>", do_flush=True)
    return File.from_local_sync(path)


@env.task
def read_file(f: File) -> str:
    with f.open_sync("r") as fh:
        return fh.read() + ":" + flyte.ctx().action.name


@env.task
def io_driver(text: str) -> str:
    return read_file(write_file(text))



def test_local_files_stay_in_place_like_sdk_local_mode_and_reports_are_written(tmp_path):
    ex = execute(io_driver, {"text": "hello"}, run_dir=tmp_path)
    assert ex.outputs[0] == "hello:rt_tests.read_file"
    written = ex.record.children[0].outputs[0]["__file__"]
    assert written.endswith("note.txt") and not written.startswith(str(tmp_path))
    with pytest.raises(ValueError, match="File not found"):
        File.from_local_sync(tmp_path / "missing.txt")
    assert (tmp_path / "reports" / "rt_tests.write_file.html").read_text().count("wrote") == 1


@dataclass
class Point:
    x: int
    y: int = 0


@env.task
def norm(p: Point) -> int:
    return abs(p.x) + abs(p.y)


@env.task
def unannotated(x: int):
    return x


@env.task(report=True)
def reporting(x: int) -> int:
    from flytemigrate.runtime.flyte import report

    report.log(f"<p>x={x}</p>")
    return x + int(flyte.get_custom_context().get("bump", "0"))


@env.task
def binding_driver(x: int) -> list:
    out = []
    for label, call in (
        ("bool", lambda: add(True, 1)),
        ("dict", lambda: norm({"x": -2, "y": 3})),
        ("missing", lambda: add(1)),
        ("extra", lambda: add(1, 2, 3)),
        ("unannotated", lambda: unannotated(1)),
    ):
        try:
            out.append(f"{label}=ok:{call()}")
        except errors.RuntimeUserError as e:
            out.append(f"{label}={type(e).__name__}:{e.code}")
    with flyte.custom_context(bump="5"):
        out.append(reporting(x))
    return out


def test_argument_binding_and_conversions_like_the_sdk(tmp_path):
    ex = execute(binding_driver, {"x": 1}, run_dir=tmp_path)
    assert ex.outputs[0] == [
        "bool=RuntimeUserError:TypeError",
        "dict=ok:5",
        "missing=RuntimeUserError:ValueError",
        "extra=RuntimeUserError:ValueError",
        "unannotated=RuntimeDataValidationError:DataValidationError",
        6,
    ]
    assert "x=1" in (tmp_path / "reports" / "rt_tests.reporting.html").read_text()
    top = execute(add, {"x": 1})
    assert type(top.error) is ValueError and str(top.error) == "Missing required inputs: y"


bad_calls = {"n": 0}


@env.task(retries=NO_WAIT)
def bad_output_retried(x: int) -> int:
    bad_calls["n"] += 1
    return "not an int"


@env.task
def passes_bad_output_up(x: int) -> int:
    return bad_output_retried(x)


@env.task
def catches_grandchild(x: int) -> str:
    try:
        passes_bad_output_up(x)
    except errors.RuntimeUserError as e:
        return f"{type(e).__name__}:{e.code}"
    return "no error"


def test_output_validation_is_not_retried_and_converts_when_it_crosses_a_second_boundary():
    bad_calls["n"] = 0
    assert execute(catches_grandchild, {"x": 1}).outputs[0] == "RuntimeUserError:DataValidationError"
    assert bad_calls["n"] == 1
    err = execute(passes_bad_output_up, {"x": 1}).error
    assert type(err) is errors.RuntimeUserError and err.code == "DataValidationError"


def test_config_values_validate_like_the_sdk():
    assert flyte.Resources(cpu=(1, 2), memory=("1Gi", "2Gi"), gpu="T4:1").gpu == "T4:1"
    assert flyte.Resources(gpu="A100 80G:2").gpu == "A100_80G:2"
    for bad in (dict(cpu=(1, 2, 3)), dict(memory=1024), dict(cpu=-1), dict(gpu="NOPE:1"), dict(gpu=(1, 2))):
        with pytest.raises(ValueError):
            flyte.Resources(**bad)
    with pytest.raises(TypeError):
        flyte.Resources(mem="1Gi")
    with pytest.raises(ValueError, match="Invalid environment variable name"):
        flyte.Secret(key="k", as_env_var="bad-name")
    with pytest.raises(TypeError, match="Unexpected keyword arguments: \\['bogus'\\]"):
        env.clone_with("x", bogus=1)
    assert isinstance(flyte.TaskEnvironment(name="e", cache="auto").task(lambda x: x).cache, flyte.Cache)
    with pytest.raises(ValueError):
        flyte.RetryStrategy(count=-1)
    with pytest.raises(ValueError, match="cap is required"):
        flyte.Backoff(base=timedelta(seconds=1), factor=2)


def test_unresolvable_annotations_fail_at_declaration_like_the_sdk():
    def forward_refs(x: "NotDefinedAnywhere") -> int:  # noqa: F821 - unresolvable on purpose
        return 1

    with pytest.raises(NameError, match="NotDefinedAnywhere"):
        env.task(forward_refs)


@env.task
def frame_len(d: pd.DataFrame) -> int:
    return len(d)


@env.task
def wraps_frame(n: int) -> pd.DataFrame:
    from flytemigrate.runtime.flyte.io import DataFrame as FlyteFrame

    return FlyteFrame.from_df(pd.DataFrame({"a": list(range(n))}))


@env.task
def pair_sum(t: tuple[int, int]) -> int:
    return sum(t)


@env.task
def conversions(n: int) -> list:
    from flytemigrate.runtime.flyte.io import DataFrame as FlyteFrame

    out = [frame_len(FlyteFrame.from_df(pd.DataFrame({"a": [1, 2]}))), type(wraps_frame(n)).__name__]
    out.append(pair_sum([1, 2]))
    try:
        pair_sum(("a", "b"))
    except errors.RuntimeUserError as e:
        out.append(e.code)
    return out



def test_type_engine_conversions_measured_on_the_sdk():
    assert execute(conversions, {"n": 3}).outputs[0] == [2, "DataFrame", 3, "TypeError"]


@env.task
async def blocking_map_in_async(n: int) -> list:
    return [type(v).__name__ for v in flyte.map(square, range(n))]


def test_blocking_map_from_async_code_fails_each_item_like_the_sdk():
    assert execute(blocking_map_in_async, {"n": 2}).outputs[0] == ["AssertionError", "AssertionError"]


def test_execute_rejects_objects_that_are_not_runtime_tasks():
    with pytest.raises(TypeError, match="not a task of the flytemigrate runtime"):
        execute(lambda x: x, {"x": 1})


@env.task(cache=flyte.Cache(behavior="auto", version_override="v1", max_age=timedelta(seconds=60)))
def short_lived(x: int) -> int:
    counter["n"] += 1
    return x


@env.task
def short_lived_driver(x: int) -> int:
    return short_lived(x)


def test_cache_max_age_and_disable_run_cache(tmp_path, monkeypatch):
    import flytemigrate.runtime.cache as cache_module

    clock = [1000.0]
    monkeypatch.setattr(cache_module.time, "time", lambda: clock[0])
    counter["n"] = 0
    execute(short_lived_driver, {"x": 1}, run_dir=tmp_path)
    clock[0] += 59
    execute(short_lived_driver, {"x": 1}, run_dir=tmp_path)
    assert counter["n"] == 1
    clock[0] += 2  # now older than max_age
    execute(short_lived_driver, {"x": 1}, run_dir=tmp_path)
    assert counter["n"] == 2
    monkeypatch.setenv("FLYTEMIGRATE_RUN_DIR", str(tmp_path))
    counter["n"] = 0
    flyte.run(cache_driver, x=5, note="n")
    flyte.with_runcontext(disable_run_cache=True).run(cache_driver, x=5, note="n")
    assert counter["n"] == 3  # the second run neither read nor wrote the cache


def test_variadic_functions_are_rejected_at_decoration_like_the_sdk():
    def total(*xs: int) -> int:
        return sum(xs)

    with pytest.raises(ValueError, match="cannot have variable positional or keyword arguments"):
        env.task(total)

    def doubled(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs) * 2

        return wrapper

    @doubled
    def area(w: float, h: float) -> float:
        return w * h

    assert execute(env.task(area), {"w": 2.0, "h": 3.0}).outputs == (12.0,)  # signature of the wrapped
    err = execute(unannotated, {"x": 1}).error
    assert "Expected no outputs but got (1,),did you miss a return type annotation?" in str(err)


def test_record_form_of_dataframes_small_by_rows_large_by_hash():
    from flytemigrate.runtime.flyte.io import DataFrame as FlyteFrame
    from flytemigrate.runtime.record import jsonable

    assert jsonable(pd.DataFrame({"a": [1, 2]})) == {"__dataframe__": [{"a": 1}, {"a": 2}]}
    big = pd.DataFrame({"a": range(500)})
    form = jsonable(big)["__dataframe__"]
    assert form["rows"] == 500 and form["columns"] == ["a"]
    assert jsonable(FlyteFrame.from_df(big.copy())) == jsonable(big)
    assert jsonable(big.assign(a=big["a"] + 1)) != jsonable(big)


async def _grouped(name: str, x: int) -> int:
    with flyte.group(name):
        await asyncio.sleep(0)  # let the other coroutine enter its own group in between
        return await double(x)


@env.task
async def concurrent_groups(x: int) -> list:
    return list(await asyncio.gather(_grouped("left", x), _grouped("right", x + 1)))


def test_groups_are_per_coroutine_and_children_start_outside_any_group():
    ex = execute(concurrent_groups, {"x": 1})
    assert ex.outputs[0] == [2, 4]
    assert sorted((c.group, c.inputs["x"]) for c in ex.record.children) == [("left", 1), ("right", 2)]


class Level(enum.IntEnum):
    HIGH = 2


class Tag(str):
    pass


@env.task
def echo_types(x: int, s: str) -> str:
    return f"{type(x).__name__}/{type(s).__name__}"


@env.task
def counts(words: list[str]) -> dict[str, int]:
    from collections import Counter

    return Counter(words)


@env.task
def bool_for_int() -> int:
    return True


@env.task
def subclass_driver(x: int) -> list:
    out = [echo_types(Level.HIGH, Tag("t"))]
    for call in (lambda: counts(["a"]), bool_for_int, lambda: echo_types({"a": 1}, "s")):
        try:
            call()
        except errors.RuntimeUserError as e:
            out.append(f"{type(e).__name__}:{e.code}")
    return out


def test_subclass_values_cross_boundaries_like_the_sdk():
    assert execute(subclass_driver, {"x": 1}).outputs[0] == [
        "int/str",
        "RuntimeDataValidationError:DataValidationError",
        "RuntimeUserError:TypeError",
        "RuntimeUserError:TypeError",
    ]


def test_gpu_fault_and_apple_silicon_errors_keep_the_sdk_fields():
    """Mirrored error classes carry the SDK's codes, kinds, fault fields and per-class recoverability."""
    fault = errors.GPUFaultUserError("GpuXidError", "Xid 31", fault_kind="xid", fault_code=31, gpu_index=0)
    assert isinstance(fault, errors.RuntimeUserError) and isinstance(fault, errors.GPUFaultError)
    assert (fault.kind, fault.code, fault.xid, fault.sxid, fault.gpu_index) == ("user", "GpuXidError", 31, None, 0)
    system = errors.GPUFaultSystemError("GpuFallenOffBus", "gone", fault_kind="sxid", fault_code=12)
    assert isinstance(system, errors.RuntimeSystemError) and (system.kind, system.sxid) == ("system", 12)
    missing = errors.AppleSiliconNotAvailableError("no Metal GPU")
    assert (missing.code, missing.recoverable) == ("APPLE_SILICON_NOT_AVAILABLE", False)
    assert errors.APPLE_SILICON_ERRORS_BY_CODE["APPLE_SILICON_DAEMON_OOM"]("oom").recoverable is True
    assert issubclass(errors.ResourceExhaustedError, errors.SlowDownError)
    assert errors.ResourceExhaustedError("busy").code == "SlowDownError"
    package = errors.InvalidPackageError("libfoo", "E: Unable to locate package")
    assert package.package_name == "libfoo" and "libfoo" in str(package)
    assert errors.LogsNotYetAvailableError("later").kind == "system"


def test_arithmetic_on_an_error_value_raises_the_error():
    """Like the SDK: summing ``return_exceptions`` results surfaces the task error, not a TypeError."""
    err = errors.RuntimeUserError("ValueError", "bad item")
    with pytest.raises(errors.RuntimeUserError, match="bad item"):
        sum([1, err])
    with pytest.raises(errors.RuntimeUserError):
        err * 2


def test_tuple_return_annotations_rejected_at_declaration_like_the_sdk():
    def variadic(n: int) -> tuple[int, ...]:
        return tuple(range(n))

    def single(n: int) -> tuple[int]:
        return (n,)

    with pytest.raises(TypeError, match="Variable length tuples are not supported as return types."):
        env.task(variadic)
    with pytest.raises(TypeError, match="found only one return variable"):
        env.task(single)


@env.task
async def scaled(x: int, factor: float) -> float:
    if x < 0:
        raise MyError(f"negative {x}")
    return x * factor


@env.task
async def loose(x: int):
    return x  # no return annotation: a validation error in the caller, whichever path ran the call


@env.task
async def both_call_forms(x: int) -> list:
    """The same calls positionally (the runtime's fast path) and by keyword (the general path)."""
    out = []
    for call in (lambda: scaled(x, 1.5), lambda: scaled(x=x, factor=1.5), lambda: scaled(-x, 1.5),
                 lambda: scaled(x=-x, factor=1.5), lambda: scaled(x, float("nan")),
                 lambda: scaled(x=x, factor=float("nan")), lambda: loose(x), lambda: loose(x=x)):
        try:
            value = await call()
            out.append("nan" if value != value else value)
        except Exception as e:  # noqa: BLE001
            out.append(f"{type(e).__name__}:{e.code}")
    with flyte.group("g"):
        out.extend(await asyncio.gather(scaled(x, 2.0), scaled(x=x, factor=2.0)))
    return out


def test_positional_async_calls_behave_and_record_like_keyword_calls():
    """Positional scalar async calls take a shortcut; results, errors and records must not differ."""
    ex = execute(both_call_forms, {"x": 2})
    assert ex.error is None
    assert ex.outputs[0] == [
        3.0, 3.0, "RuntimeUserError:MyError", "RuntimeUserError:MyError", "nan", "nan",
        "RuntimeDataValidationError:DataValidationError", "RuntimeDataValidationError:DataValidationError",
        4.0, 4.0,
    ]
    records = [c.to_dict() for c in ex.record.children]
    for rec in records:
        rec.pop("duration_s")
    for positional, keyword in zip(records[0::2], records[1::2]):
        assert positional == keyword
    assert records[4]["outputs"] == [{"__float__": "nan"}]
    assert records[8]["group"] == "g" and records[2]["error_message"] == "negative -2"
