"""One verify leg in its own process: ``python -m flytemigrate.verify.worker JOB.json RESULT.json``.

A job runs every entry and input set of one project (one import root) on one leg, so a project costs
one interpreter start per leg:

* ``flytekit``: imports the original modules, finds the ``@workflow``/``@dynamic``/``@eager`` entries,
  decides the input sets (defaults, inputs file, generated) and, unless ``run`` is false, calls each
  entry under flytekit local execution while recording child task calls (by wrapping
  ``PythonFunctionTask.execute``, which flytekit's local execution calls once per task run, map items
  included).
* ``runtime``: activates the bundled runtime (``import flyte`` is the runtime), imports the converted
  modules and runs each entry with ``flytemigrate.runtime.execute`` (optionally ``isolate``, and a
  second ``replay`` run from the first run's record to detect non-deterministic drivers).
* ``flyte``: the converted modules under the real ``flyte`` SDK's local mode (``flyte.init()`` +
  ``flyte.run``); no call record.

Values leave the process in canonical form (see :mod:`flytemigrate.verify.canonical`); user ``print``
output goes to the job's stdout and never mixes with the result file.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import re
import sys
import time
import traceback
from typing import Any, Callable

from flytemigrate.verify.canonical import canonical, error_type, flatten_outputs
from flytemigrate.verify.deadline import CaseTimeout, beat, deadline


def _short_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _call_form(value: Any) -> Any:
    """Call-record inputs of both legs in one form: floats rounded, file paths (which differ per run) masked."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [_call_form(v) for v in value]
    if isinstance(value, dict):
        if value.keys() & {"__file__", "__dir__"}:
            return "<path>"
        if "__repr__" in value and any(k in str(value["__repr__"]) for k in ("FlyteFile", "FlyteDirectory")):
            return "<path>"
        return {k: _call_form(v) for k, v in value.items()}
    return value


def _with_defaults(task: Any, kwargs: dict) -> dict:
    """flytekit passes only the given inputs to ``execute``; Flyte 2 records defaults too."""
    function = getattr(task, "task_function", None)
    try:
        bound = inspect.signature(function).bind_partial(**kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)
    except (TypeError, ValueError):
        return kwargs


def _mask_paths(value: Any) -> Any:
    """flytekit files/directories are dataclasses with a temp path: mask them like the runtime's paths.

    A StructuredDataset is recorded by its frame, the form the runtime records a ``flyte.io.DataFrame``
    in; its dataclass fields (format, a temp uri) say nothing about the data the task received.
    """
    if type(value).__name__ in ("FlyteFile", "FlyteDirectory"):
        return {"__file__": ""}
    if type(value).__name__ == "StructuredDataset":
        return _dataset_frame(value)
    if isinstance(value, dict):
        return {k: _mask_paths(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_paths(v) for v in value]
    return value


def _dataset_frame(dataset: Any) -> Any:
    """The pandas frame behind a flytekit StructuredDataset (in memory, or read back from its uri)."""
    frame = getattr(dataset, "dataframe", None)
    if frame is not None:
        return frame
    try:
        import pandas as pd

        return dataset.open(pd.DataFrame).all()
    except Exception:  # noqa: BLE001 - an unreadable dataset is recorded by its fields, as before
        return dataset


def _call_key(name: str, inputs: dict) -> list:
    """One recorded child call: short task name and inputs in the runtime record's JSON form."""
    from flytemigrate.runtime.record import jsonable

    return [_short_name(name), _call_form(jsonable(_mask_paths(inputs)))]


def _import(module: str, project: set[str], seconds: float | None = None) -> tuple[Any, dict | None]:
    """Import ``module``; an ImportError of a package outside the project becomes a skip reason.

    Module-level code runs here (reading files, environment variables, the network): an import that
    hangs is stopped after ``seconds`` and reported as the module's error.
    """
    try:
        with deadline(seconds):
            return importlib.import_module(module), None
    except CaseTimeout as exc:
        return None, {"module": module, "kind": "import-error", "error": f"importing {module} {exc}"}
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing == "flyte" and _bundled_runtime_active():
            # A part of the flyte API the bundled runtime does not implement (flyte.extras, plugins):
            # not the converted code's fault; the real flyte leg still judges the module.
            return None, {"module": module, "kind": "missing-package",
                          "error": f"the bundled runtime has no module {exc.name!r} (only the real flyte leg can run it)"}
        if missing and missing not in project:
            return None, {"module": module, "kind": "missing-package", "error": f"missing optional package {missing!r}"}
        return None, {"module": module, "kind": "import-error", "error": _format(exc)}
    except BaseException as exc:  # noqa: BLE001 - a module that fails to import is a leg error
        return None, {"module": module, "kind": "import-error", "error": _format(exc)}


def _bundled_runtime_active() -> bool:
    """``import flyte`` resolves to flytemigrate's runtime in this process (the runtime leg)."""
    flyte = sys.modules.get("flyte")
    return "flytemigrate" in (getattr(flyte, "__file__", None) or "")


def _format(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return "".join(lines).strip()[-2000:]


def _error_case(exc: BaseException) -> dict:
    return {"status": "error", "error_type": error_type(exc), "error_message": str(exc)[:500]}


# ------------------------------------------------------------------------------------------------
# flytekit leg


def _flytekit_kinds() -> tuple[Callable[[Any], str | None], Any]:
    from flytekit.core.python_function_task import EagerAsyncPythonFunctionTask, PythonFunctionTask
    from flytekit.core.workflow import ImperativeWorkflow, PythonFunctionWorkflow

    def kind(obj: Any) -> str | None:
        # an imperative Workflow(...) built with add_entity runs like a @workflow (the rewrite turns
        # it into one, named after its variable)
        if isinstance(obj, (PythonFunctionWorkflow, ImperativeWorkflow)):
            return "workflow"
        if isinstance(obj, EagerAsyncPythonFunctionTask):
            return "eager"
        if isinstance(obj, PythonFunctionTask):
            dynamic = obj.execution_mode == PythonFunctionTask.ExecutionBehavior.DYNAMIC
            return "dynamic" if dynamic else "task"
        return None

    return kind, PythonFunctionTask


def _skip_reason(entity: Any, seen: set[int] | None = None) -> str | None:
    """Why an entity cannot run locally: secrets, reference/remote entities, container tasks."""
    seen = seen if seen is not None else set()
    if id(entity) in seen:
        return None
    seen.add(id(entity))
    cls_names = {c.__name__ for c in type(entity).__mro__}
    if cls_names & {"ReferenceEntity", "ReferenceTask", "ReferenceWorkflow", "ReferenceLaunchPlan", "FlyteRemoteEntity"}:
        return f"calls remote entity/reference task {getattr(entity, 'name', entity)!r}"
    if "ContainerTask" in cls_names:
        return f"calls container task {getattr(entity, 'name', entity)!r}"
    if "Gate" in cls_names and getattr(entity, "_sleep_duration", None) is None:
        # wait_for_input / approve: both SDKs prompt on stdin locally; nobody is there to answer
        return f"waits for human input at gate {getattr(entity, 'name', entity)!r} (wait_for_input/approve)"
    special = _special_task_kind(entity, cls_names)
    if special:
        return f"calls {special} {getattr(entity, 'name', entity)!r}, which the converted code cannot run locally"
    security = getattr(entity, "security_context", None)
    if security is not None and getattr(security, "secrets", None):
        return f"task {getattr(entity, 'name', entity)!r} needs secrets"
    inner = getattr(entity, "python_function_task", None) or getattr(entity, "_run_task", None)
    if inner is not None:
        reason = _skip_reason(inner, seen)
        if reason:
            return reason
    workflow = getattr(entity, "workflow", None) if "LaunchPlan" in cls_names else None
    if workflow is not None:
        return _skip_reason(workflow, seen)
    try:
        # A workflow compiles on first access to .nodes; one that does not compile is reported by
        # running it (an error outcome), not by crashing the listing of every entry.
        nodes = list(getattr(entity, "nodes", None) or [])
    except Exception:  # noqa: BLE001
        nodes = []
    for node in nodes:
        for sub in _node_entities(node):
            reason = _skip_reason(sub, seen)
            if reason:
                return reason
    return None


# Task classes that run something other than a Python function. The rewrite leaves each with a TODO
# (or converts it to a container-backed Flyte 2 task), so the converted leg cannot run them locally.
SPECIAL_TASKS = {
    "ShellTask": "shell task",
    "RawShellTask": "shell task",
    "SQLTask": "SQL task",
    "PythonCustomizedContainerTask": "prebuilt-container task",
    "NotebookTask": "notebook task",
    "Echo": "echo task",
}


def _special_task_kind(entity: Any, cls_names: set[str]) -> str | None:
    """A readable kind for tasks that are not plain Python function tasks (shell, SQL, plugins)."""
    for cls_name, kind in SPECIAL_TASKS.items():
        if cls_name in cls_names:
            return kind
    if "PythonTask" in cls_names and not cls_names & {"PythonFunctionTask", "ArrayNodeMapTask", "MapPythonTask"}:
        module = type(entity).__module__ or ""
        if not module.startswith("flytekit.core"):
            return f"{type(entity).__name__} (plugin task)"
    return None


def _node_entities(node: Any) -> list:
    entities = []
    entity = getattr(node, "flyte_entity", None)
    if entity is not None:
        entities.append(entity)
    for case in getattr(getattr(entity, "cases", None) or (), "__iter__", lambda: iter(()))():
        output = getattr(case, "output_node", None)
        if output is not None:
            entities.extend(_node_entities(output))
    return entities


def _file_cases(file_cases: dict, module: str, name: str) -> list:
    """The inputs-file cases of an entry: keyed by its name, or by a dotted tail of ``module.name``
    (``workflows.etl``, ``pipelines.workflows.etl``) when several modules of a monorepo define entries
    of the same name; the longest matching key wins."""
    qualified = f"{module}.{name}"
    dotted = [k for k in file_cases if "." in k and (qualified == k or qualified.endswith("." + k))]
    if dotted:
        return file_cases[max(dotted, key=len)]
    return file_cases.get(name, [])


def _missing_inputs_reason(missing: list[str], module: str, name: str, job: dict, file_cases: dict) -> str:
    """Why an entry with required inputs was not run, and how to give it inputs."""
    import difflib

    reason = f"no value for required input(s) {', '.join(missing)}: "
    path = job.get("inputs_file")
    if not path:
        return reason + (f"add '{name}: [{{...}}]' to an inputs.yaml beside the project (or pass --inputs FILE), "
                         "or use --generate N")
    reason += f"{os.path.basename(path)} has no cases for {name!r}"
    close = difflib.get_close_matches(name, [k.rsplit(".", 1)[-1] for k in file_cases if k != name], n=1)
    if close:
        reason += f" (it has cases for {close[0]!r}: a misspelt entry name?)"
    return reason + "; add them there or use --generate N"


def _assigned_in(module: Any, name: str) -> bool:
    """``name = ...`` at the top level of ``module``'s source: where an entity without a function
    (an imperative workflow) is defined, as opposed to modules that import it."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return False
    return re.search(rf"^{re.escape(name)}\s*(?::[^=]+)?=(?!=)", source, re.M) is not None


def _launch_plan_inputs() -> dict[int, list[dict]]:
    """The inputs of every launch plan created so far (default and fixed inputs), by workflow.

    Production runs a workflow through its launch plans, so their inputs are real cases; many
    workflows declare no defaults and get their inputs only there. Read from flytekit's registry of
    launch plans, which also holds plans made in loops or helper functions, not only module names.
    """
    from flytekit.core.launch_plan import LaunchPlan

    found: dict[int, list[dict]] = {}
    for plan in list(getattr(LaunchPlan, "CACHE", {}).values()):
        try:
            inputs = plan.saved_inputs
            workflow = plan.workflow
        except Exception:  # noqa: BLE001 - reference or half-built plans carry no local inputs
            continue
        # a plan over cloud data would download production data: not a local case
        if not inputs or "Reference" in type(plan).__name__ or _remote_inputs(inputs, workflow):
            continue
        cases = found.setdefault(id(workflow), [])
        if inputs not in cases:
            cases.append(inputs)
    return found


_REMOTE_URI = re.compile(r"^(?:s3|gs|gcs|abfss?|wasbs?|https?|flyte)://", re.I)
# Inputs of these types are downloaded by flytekit before the task runs (a URL given for one is
# fetched); a plain ``str`` holding a URL is only text unless the task itself goes to the network.
_DATA_TYPE_NAMES = ("FlyteFile", "FlyteDirectory", "StructuredDataset", "FlyteSchema", "PathLike")


def _remote_inputs(inputs: dict, entity: Any) -> list[str]:
    """Names of file/directory/dataset inputs whose value is a URL or a cloud-storage location."""
    from flytemigrate.verify import inputs as vin

    try:
        hints = vin.input_types(entity)
    except Exception:  # noqa: BLE001 - without hints only flytekit data objects are judged
        hints = {}
    remote = []
    for name, value in inputs.items():
        typed_as_data = any(n in repr(hints.get(name)) for n in _DATA_TYPE_NAMES)
        if _points_at_remote_data(value, typed_as_data):
            remote.append(name)
    return remote


def _points_at_remote_data(value: Any, typed_as_data: bool) -> bool:
    if isinstance(value, str):
        return typed_as_data and bool(_REMOTE_URI.match(value))
    kind = type(value).__name__
    if kind in ("FlyteFile", "FlyteDirectory"):
        return bool(_REMOTE_URI.match(str(getattr(value, "path", "") or "")))
    if kind == "StructuredDataset":
        return bool(_REMOTE_URI.match(str(getattr(value, "uri", "") or "")))
    if isinstance(value, dict):
        return any(_points_at_remote_data(v, typed_as_data) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(_points_at_remote_data(v, typed_as_data) for v in value)
    return False


def _entry_skip_reason(entity: Any, kind: str, module_tasks: list) -> str | None:
    """Why an entry cannot be verified locally. A dynamic/eager entry's tasks are only known when it
    runs: it is judged by the entities its code refers to (through project helpers too), or, when
    its code cannot be read, by every task of its module."""
    try:
        reason = _skip_reason(entity)
        if reason is None and kind != "workflow":
            function = getattr(entity, "task_function", None)
            candidates = list(_referenced_entities(function)) if function is not None else module_tasks
            for task in candidates:
                reason = _skip_reason(task)
                if reason:
                    break
        return reason
    except Exception:  # noqa: BLE001 - an entity we cannot inspect is run, and its outcome compared
        return None


def _code_names(code: Any) -> set[str]:
    """Global and attribute names a code object uses, nested code (comprehensions, lambdas) included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _code_names(const)
    return names


def _is_entity(obj: Any) -> bool:
    return hasattr(obj, "python_interface") or "LaunchPlan" in type(obj).__name__


def _referenced_entities(function: Any, depth: int = 3, seen: set[int] | None = None) -> Any:
    """Flyte entities a function can call: globals it names (``call_api``), attributes of modules it
    names (``tasks.call_api``), and the same inside project helper functions it calls."""
    import types

    seen = seen if seen is not None else set()
    code = getattr(function, "__code__", None)
    if code is None or id(function) in seen or depth < 0:
        return
    seen.add(id(function))
    names = _code_names(code)
    scope = getattr(function, "__globals__", {})
    for name in names:
        value = scope.get(name)
        if value is None:
            continue
        if isinstance(value, types.ModuleType):
            for attribute in names:
                member = getattr(value, attribute, None)
                if member is not None and _is_entity(member):
                    yield member
        elif _is_entity(value):
            yield value
        elif inspect.isfunction(value) and "site-packages" not in value.__code__.co_filename:
            yield from _referenced_entities(value, depth - 1, seen)


def run_flytekit(job: dict) -> dict:
    """Discover entries, choose input sets, and (if ``job['run']``) run them under flytekit."""
    from flytemigrate.verify import inputs as vin

    kind_of, PythonFunctionTask = _flytekit_kinds()
    project = set(job.get("project_names", []))
    select = set(job.get("select") or [])
    file_cases: dict = {}
    if job.get("inputs_file"):
        file_cases = vin.load_inputs_file(job["inputs_file"])
    result: dict = {"cases": [], "task_names": [], "module_errors": [], "entries": []}
    entries: list[tuple[str, str, Any, str]] = []
    task_names: set[str] = set()
    module_tasks: dict[str, list] = {}
    for module_name in job["modules"]:
        module, problem = _import(module_name, project, job.get("case_timeout"))
        beat()
        if problem is not None:
            result["module_errors"].append(problem)
            continue
        for name, obj in vars(module).items():
            kind = kind_of(obj)
            if kind is None:
                continue
            function = getattr(obj, "task_function", None) or getattr(obj, "_workflow_function", None)
            if kind in ("task", "dynamic", "eager"):
                task_names.add(_short_name(obj.name))
                module_tasks.setdefault(module_name, []).append(obj)
            defined_here = (getattr(function, "__module__", None) == module_name if function is not None
                            else _assigned_in(module, name))
            if kind != "task" and defined_here:
                result.setdefault("all_entries", []).append(name)
                if not select or name in select:
                    entries.append((module_name, name, obj, kind))
    result["task_names"] = sorted(task_names)
    plans = _launch_plan_inputs()

    from flytekit.core.python_function_task import AsyncPythonFunctionTask

    calls: list[list] = []
    depth = [0]
    original_execute = PythonFunctionTask.execute
    original_async_execute = AsyncPythonFunctionTask.async_execute
    original_async_sync = AsyncPythonFunctionTask.execute

    def record(task: Any, kwargs: dict) -> None:
        if depth[0] > 0 or recording_root[0]:
            calls.append(_call_key(task.name, _with_defaults(task, kwargs)))

    def recording_execute(self: Any, **kwargs: Any) -> Any:
        record(self, kwargs)
        depth[0] += 1
        try:
            return original_execute(self, **kwargs)
        finally:
            depth[0] -= 1

    # Async tasks bypass PythonFunctionTask.execute: inside @eager they are awaited via async_execute,
    # in a workflow via their own synced execute (which wraps the unpatched async_execute).
    async def recording_async_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        record(self, kwargs)
        return await original_async_execute(self, *args, **kwargs)

    def recording_async_sync(self: Any, *args: Any, **kwargs: Any) -> Any:
        record(self, kwargs)
        depth[0] += 1
        try:
            return original_async_sync(self, *args, **kwargs)
        finally:
            depth[0] -= 1

    # A workflow entry is not a task: every task execution is a child call. A dynamic/eager entry
    # is itself a task run at depth 0, which is the root, not a child.
    recording_root = [True]
    PythonFunctionTask.execute = recording_execute  # type: ignore[method-assign]
    AsyncPythonFunctionTask.async_execute = recording_async_execute  # type: ignore[method-assign]
    AsyncPythonFunctionTask.execute = recording_async_sync  # type: ignore[method-assign]

    for module_name, name, entity, kind in entries:
        base = {"module": module_name, "entry": name, "kind": kind}
        result["entries"].append(base)
        reason = _entry_skip_reason(entity, kind, module_tasks.get(module_name, []))
        generated_from = None
        try:
            defaults = vin.default_inputs(entity)
            if job.get("explicit") is not None:
                cases = [{**defaults, **vin.decode_inputs(c, entity)} for c in job["explicit"].get(name, [])]
                if not cases:
                    continue
            else:
                given = _file_cases(file_cases, module_name, name)
                cases = [{**defaults, **vin.decode_inputs(c or {}, entity)} for c in given]
                if not given and plans.get(id(entity)):
                    # No cases written for it: the inputs its launch plans run it with, and its
                    # defaults when they are complete (what a plain run uses).
                    complete = all(n in defaults for n in vin.required_inputs(entity))
                    cases = [defaults] if complete else []
                    for inputs in plans[id(entity)]:
                        if {**defaults, **inputs} not in cases:
                            cases.append({**defaults, **inputs})
                if job.get("generate"):
                    generated_from = len(cases)
                    cases += vin.generate_inputs(entity, int(job["generate"]), int(job.get("seed", 0)))
            if not cases:
                missing = [n for n in vin.required_inputs(entity) if n not in defaults]
                if missing:
                    reason = reason or _missing_inputs_reason(missing, module_name, name, job, file_cases)
                cases = [defaults]
        except vin.UnsupportedInputType as exc:
            result["cases"].append({**base, "index": 0, "inputs": {}, "status": "skipped", "reason": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - bad inputs file values are reported per entry
            result["cases"].append({**base, "index": 0, "inputs": {}, "status": "error", **_error_case(exc),
                                    "error_message": f"cannot prepare inputs: {exc}"})
            continue
        for index, kwargs in enumerate(cases):
            case = {**base, "index": index, "inputs": vin.encode_inputs(kwargs),
                    "generated": generated_from is not None and index >= generated_from}
            remote = _remote_inputs(kwargs, entity)
            if reason:
                case.update(status="skipped", reason=reason)
            elif remote:
                case.update(status="skipped", reason=(
                    f"input(s) {', '.join(remote)} point at remote data (a URL or cloud storage): verify runs "
                    "without network; give local copies in inputs.yaml"))
            elif job.get("run", True):
                calls.clear()
                recording_root[0] = kind in ("workflow", "eager")  # the eager root bypasses the patches
                started = time.perf_counter()
                try:
                    with deadline(job.get("case_timeout")):
                        value = entity(**kwargs)
                        if inspect.iscoroutine(value):
                            value = asyncio.run(value)
                    case.update(status="ok", output=canonical(flatten_outputs(value)))
                except CaseTimeout as exc:
                    # Nothing to compare against: the converted legs do not run this case.
                    case.update(status="skipped", reason=f"the original {exc}")
                except (Exception, SystemExit) as exc:  # noqa: BLE001 - an error is a compared outcome
                    case.update(_error_case(exc))
                case["calls"] = list(calls)
                case["duration_s"] = round(time.perf_counter() - started, 3)
                beat()
            result["cases"].append(case)
    PythonFunctionTask.execute = original_execute  # type: ignore[method-assign]
    AsyncPythonFunctionTask.async_execute = original_async_execute  # type: ignore[method-assign]
    AsyncPythonFunctionTask.execute = original_async_sync  # type: ignore[method-assign]
    return result


# ------------------------------------------------------------------------------------------------
# converted legs


def _load_converted(job: dict, project: set[str]) -> tuple[dict, dict]:
    modules: dict = {}
    errors: dict = {}
    for module_name in sorted({c["module"] for c in job["cases"]}):
        module, problem = _import(module_name, project, job.get("case_timeout"))
        beat()
        if problem is not None:
            errors[module_name] = problem
        else:
            modules[module_name] = module
    return modules, errors


def _entry_not_found(module: Any, case: dict) -> str:
    """Say which tasks the converted module has, and how to pair a renamed entry."""
    tasks = sorted(name for name, obj in vars(module).items()
                   if hasattr(obj, "func") and hasattr(obj, "name") and not name.startswith("_"))
    message = f"{case['module']} has no task named {case['entry']!r}"
    if tasks:
        shown = ", ".join(tasks[:12]) + (", ..." if len(tasks) > 12 else "")
        message += (f" (its tasks: {shown}; if the conversion renamed it, pair them with "
                    f"--entry {case.get('original_entry', case['entry'])}=NEW_NAME)")
    return message


def _runtime_calls(record: Any) -> list[list]:
    calls = []
    for child in list(record.walk())[1:]:
        if child.kind == "task":
            calls.append([_short_name(child.name), _call_form(child.inputs)])
    return calls


def run_converted(job: dict) -> dict:
    """Run the converted entries on the bundled runtime or on the real flyte SDK."""
    leg = job["leg"]
    if leg == "runtime":
        from flytemigrate import runtime

        runtime.activate()
    else:
        import flyte

        flyte.init()
    from flytemigrate.verify import inputs as vin

    project = set(job.get("project_names", []))
    modules, errors = _load_converted(job, project)
    out: list[dict] = []
    for case in job["cases"]:
        base = {"module": case["module"], "entry": case["entry"], "index": case["index"],
                "original_module": case.get("original_module", case["module"]),
                "original_entry": case.get("original_entry", case["entry"])}
        if case["module"] in errors:
            problem = errors[case["module"]]
            status = "skipped" if problem["kind"] == "missing-package" else "error"
            out.append({**base, "status": status, "reason": problem["error"], "error_type": "ImportError",
                        "error_message": problem["error"], "leg_failure": True})
            continue
        task = getattr(modules[case["module"]], case["entry"], None)
        if task is None or not hasattr(task, "func"):
            out.append({**base, "status": "error", "error_type": "EntryNotFound", "leg_failure": True,
                        "error_message": _entry_not_found(modules[case["module"]], case)})
            continue
        try:
            kwargs = vin.decode_inputs(case["inputs"], task)
        except Exception as exc:  # noqa: BLE001
            out.append({**base, **_error_case(exc), "error_message": f"cannot decode inputs: {exc}"})
            continue
        started = time.perf_counter()
        try:
            with deadline(job.get("case_timeout")):
                outcome = _run_runtime(task, kwargs, job) if leg == "runtime" else _run_flyte(task, kwargs)
        except CaseTimeout as exc:
            outcome = {"status": "error", "error_type": "Timeout", "error_message": f"the converted code {exc}"}
        except SystemExit as exc:  # sys.exit() in a task: an outcome of this case, not the end of the leg
            outcome = _error_case(exc)
        out.append({**base, **outcome, "duration_s": round(time.perf_counter() - started, 3)})
        beat()
    return {"cases": out}


def _run_runtime(task: Any, kwargs: dict, job: dict) -> dict:
    from flytemigrate import runtime

    execution = runtime.execute(task, kwargs, isolate=bool(job.get("isolate")))
    case: dict = {"calls": _runtime_calls(execution.record)}
    if execution.error is not None:
        case.update(_error_case(execution.error))
    else:
        case.update(status="ok", output=canonical(flatten_outputs(execution.outputs)))
    if job.get("replay"):
        again = runtime.execute(task, kwargs, replay=execution.record, isolate=bool(job.get("isolate")))
        case["divergences"] = list(again.divergences)
    return case


def _run_flyte(task: Any, kwargs: dict) -> dict:
    import flyte

    try:
        run = flyte.run(task, **kwargs)
        return {"status": "ok", "output": canonical(flatten_outputs(run.outputs()))}
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - sys.exit in a task is an outcome
        return _error_case(exc)


def main(argv: list[str]) -> int:
    job_path, result_path = argv[1], argv[2]
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    _drop_working_directory_from_path()
    sys.path.insert(0, job["root"])
    os.chdir(job["cwd"])
    try:
        result = run_flytekit(job) if job["leg"] == "flytekit" else run_converted(job)
    except BaseException as exc:  # noqa: BLE001 - report, never hang the parent
        result = {"fatal": _format(exc) + "\n" + traceback.format_exc()[-3000:]}
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, default=repr)
    # A case stopped by its deadline may leave a task thread running (a sleeping or stuck task):
    # the result is written, so leave without waiting for it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _drop_working_directory_from_path() -> None:
    """``python -m`` puts the working directory first on ``sys.path``; a leg's working directory
    mirrors the user's (links to their packages), so a converted leg could import an original
    module from there. Modules come from the job's import root only."""
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", here)]


def serve() -> int:
    """Run many jobs in one process (used by shrinking): one JSON job per stdin line, one result per line.

    User output goes to stderr so the protocol stream (the original stdout) stays clean. Modules are
    imported once and reused, which is what makes trying dozens of candidate inputs affordable.
    """
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    _drop_working_directory_from_path()
    roots: set[str] = set()
    for line in sys.stdin:
        job = json.loads(line)
        if job["root"] not in roots:
            sys.path.insert(0, job["root"])
            roots.add(job["root"])
        os.chdir(job["cwd"])
        try:
            result = run_flytekit(job) if job["leg"] == "flytekit" else run_converted(job)
        except BaseException as exc:  # noqa: BLE001
            result = {"fatal": _format(exc)}
        protocol.write(json.dumps(result, default=repr) + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main(sys.argv))
