"""Orchestration: run the legs of each project in subprocesses, pair cases, and decide verdicts.

For every project the flytekit leg runs first (it discovers the entries and fixes the input sets),
then the converted legs (bundled runtime, real flyte) run concurrently with those exact inputs. Each
leg is one subprocess per project with a timeout and a clean temporary working directory.

A case (entry x input set) gets one verdict:

* ``equivalent``: outputs (or error types) and child task calls match on every converted leg;
* ``different``: a readable diff (outputs, error types, call record, replay divergences);
* ``error``: an error in one leg only (the other returned outputs), with the error;
* ``skipped``: with the reason (secrets, reference/remote entities, container tasks, missing package).
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from flytemigrate.verify.canonical import compare, short
from flytemigrate.verify.deadline import PROGRESS_ENV
from flytemigrate.verify.inputs import DATA_DIR_ENV
from flytemigrate.verify.project import Project

LEGS = ("runtime", "flyte")
VERDICT_ORDER = {"equivalent": 0, "skipped": 1, "error": 2, "different": 3}


@dataclass
class VerifyOptions:
    """What to run and how to compare."""

    legs: Optional[tuple[str, ...]] = None  # None: runtime, plus flyte when the real SDK is installed
    entries: tuple[str, ...] = ()
    generate: int = 0
    seed: int = 0
    float_tolerance: float = 1e-9
    timeout: float = 120.0
    replay: bool = False
    isolate: bool = False
    compare_calls: bool = True
    shrink_examples: int = 12

    def selected_names(self) -> list[str]:
        """The original entry names to verify (``--entry OLD=NEW`` selects OLD)."""
        return [e.split("=", 1)[0].strip() for e in self.entries]

    def renamed(self, entry: str) -> str:
        """The converted name of an original entry: ``--entry OLD=NEW`` when the conversion renamed it."""
        for item in self.entries:
            old, sep, new = item.partition("=")
            if sep and old.strip() == entry and new.strip():
                return new.strip()
        return entry

    def selected_legs(self) -> tuple[str, ...]:
        if self.legs:
            return self.legs
        return ("runtime", "flyte") if real_flyte_available() else ("runtime",)


@dataclass
class CaseResult:
    """The verdict of one entry and input set."""

    project: str
    module: str
    entry: str
    index: int
    inputs: dict
    verdict: str
    diffs: list[str] = field(default_factory=list)
    reason: str = ""
    legs: dict[str, dict] = field(default_factory=dict)
    counterexample: Optional[dict] = None

    @property
    def case_id(self) -> str:
        return f"{self.module}.{self.entry}[{self.index}]"

    def to_dict(self) -> dict:
        return {
            "project": self.project,
            "module": self.module,
            "entry": self.entry,
            "case": self.index,
            "inputs": self.inputs,
            "verdict": self.verdict,
            "diffs": self.diffs,
            "reason": self.reason,
            "counterexample": self.counterexample,
            "legs": {leg: {k: v for k, v in data.items() if k in ("status", "output", "error_type", "error_message")}
                     for leg, data in self.legs.items()},
        }


def real_flyte_available() -> bool:
    """The real Flyte 2 SDK is importable (our runtime is only ever an import hook, never on sys.path)."""
    try:
        return importlib.util.find_spec("flyte") is not None
    except (ImportError, ValueError):
        return False


# Seconds a leg may go without progress beyond one case's timeout before it is killed: covers
# interpreter start-up, importing flytekit/flyte/pandas and writing the result.
STARTUP_GRACE = 60.0


def run_leg(leg: str, job: dict, timeout: float) -> dict:
    """Run one leg job in a subprocess in a fresh working directory.

    ``timeout`` limits each case and each module import inside the leg (the worker's alarm); the
    subprocess itself is killed only when it makes no progress for longer than that (a hang the alarm
    could not break). User output goes to files, so a task printing megabytes never blocks a pipe.
    The working directory mirrors the one verify was started from (:func:`mirror_workdir`), and the
    worker's own files (job, result, output) sit beside it, where user code never sees them.
    """
    with tempfile.TemporaryDirectory(prefix=f"flytemigrate-verify-{leg}-") as tmp:
        workdir = Path(tmp, "cwd")
        mirror_workdir(Path.cwd(), workdir)
        job = {**job, "leg": leg, "cwd": str(workdir), "case_timeout": timeout}
        job_path, result_path = Path(tmp, "job.json"), Path(tmp, "result.json")
        progress = Path(tmp, "progress")
        job_path.write_text(json.dumps(job), encoding="utf-8")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "FLYTE_SDK_LOGGING_LEVEL": "40"}
        env["FLYTEMIGRATE_RUN_DIR"] = str(Path(tmp, "run"))
        env[PROGRESS_ENV] = str(progress)
        env[DATA_DIR_ENV] = shared_data_dir()
        # flytekit's local cache persists in ~/.flyte across runs: a stale hit would hide the
        # current code's behaviour and the call it skips. Every call runs (the runtime records
        # its per-run cache hits as calls too, so counts stay comparable).
        env["FLYTE_LOCAL_CACHE_ENABLED"] = "false"
        stdout_path, stderr_path = Path(tmp, "stdout"), Path(tmp, "stderr")
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flytemigrate.verify.worker", str(job_path), str(result_path)],
                cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
            )
            if not _wait_with_progress(proc, progress, timeout + STARTUP_GRACE):
                return {"fatal": f"{leg} leg made no progress for {timeout + STARTUP_GRACE:g}s and was stopped"}
        if not result_path.exists():
            tail = stderr_path.read_bytes()[-2000:].decode("utf-8", "replace")
            return {"fatal": f"{leg} leg exited with code {proc.returncode}: {tail}"}
        return json.loads(result_path.read_text(encoding="utf-8"))


# What a mirrored working directory leaves out, and its limits: a home directory or a data lake
# as the current directory must not be copied.
MIRROR_SKIP = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache",
               ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox"}
MIRROR_MAX_ENTRIES = 500
MIRROR_MAX_FILE_BYTES = 16 * 1024 * 1024


def mirror_workdir(source: Path, target: Path) -> None:
    """A working directory that reads like ``source`` but never writes into it.

    User code resolves relative paths against the directory it is started from (``pyflyte run``
    from the project), e.g. ``json.load(open("settings.json"))`` at import. Top-level files of
    ``source`` are copied (so a task overwriting one changes only the copy) and directories are
    linked (read-only use, like input data). Files a task creates land in ``target`` only.
    """
    target.mkdir()
    try:
        entries = [e for e in os.scandir(source) if e.name not in MIRROR_SKIP]
    except OSError:
        return
    if len(entries) > MIRROR_MAX_ENTRIES:
        return
    import shutil

    for entry in entries:
        destination = target / entry.name
        try:
            if entry.is_dir():
                destination.symlink_to(entry.path, target_is_directory=True)
            elif entry.is_file() and entry.stat().st_size <= MIRROR_MAX_FILE_BYTES:
                shutil.copy2(entry.path, destination)
        except OSError:  # unreadable or special entries are left out; user code then sees them missing
            continue


def shared_data_dir() -> str:
    """One directory for generated input files per verify process, removed at exit; exported so the
    shrinking workers (which inherit the environment) find the same files."""
    if DATA_DIR_ENV not in os.environ:
        import atexit
        import shutil

        path = tempfile.mkdtemp(prefix="flytemigrate-verify-data-")
        atexit.register(shutil.rmtree, path, True)
        os.environ[DATA_DIR_ENV] = path
    return os.environ[DATA_DIR_ENV]


def _wait_with_progress(proc: subprocess.Popen, progress: Path, idle_limit: float) -> bool:
    """Wait for ``proc``; kill it when ``progress`` was not touched for ``idle_limit`` seconds."""
    import time

    last = time.monotonic()
    seen = 0.0
    while True:
        try:
            proc.wait(timeout=0.5)
            return True
        except subprocess.TimeoutExpired:
            pass
        try:
            mtime = progress.stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime != seen:
            seen, last = mtime, time.monotonic()
        elif time.monotonic() - last > idle_limit:
            proc.kill()
            proc.wait()
            return False


def _base_job(project: Project, options: VerifyOptions) -> dict:
    return {"project_names": project.project_names(), "isolate": options.isolate, "replay": options.replay}


def original_job(project: Project, options: VerifyOptions, run: bool = True,
                 explicit: Optional[dict] = None) -> dict:
    """The flytekit leg's job; ``explicit`` ({entry: [encoded inputs]}) replaces the input discovery."""
    return {
        "explicit": explicit,
        **_base_job(project, options),
        "root": str(project.run_root),
        "modules": project.modules,
        "select": options.selected_names(),
        "inputs_file": str(project.inputs_file) if project.inputs_file else None,
        "generate": options.generate,
        "seed": options.seed,
        "run": run,
    }


def converted_job(project: Project, options: VerifyOptions, cases: list[dict]) -> dict:
    return {
        **_base_job(project, options),
        "root": str(project.converted_root),
        "cases": [
            {"module": project.converted_modules.get(c["module"], c["module"]),
             "entry": options.renamed(c["entry"]), "original_entry": c["entry"],
             "index": c["index"], "inputs": c["inputs"], "original_module": c["module"]}
            for c in cases
        ],
    }


def verify_project(project: Project, options: VerifyOptions, pool: Optional[ThreadPoolExecutor] = None,
                   explicit: Optional[dict] = None, original: Optional[dict] = None,
                   leg_runner: Any = None) -> list[CaseResult]:
    """All verdicts of one project; ``original`` reuses a flytekit leg result (same modules and inputs).

    ``leg_runner(leg, job, timeout) -> dict`` replaces :func:`run_leg` (shrinking uses long-lived workers).
    """
    run = leg_runner or run_leg
    if original is None:
        original = run("flytekit", original_job(project, options, explicit=explicit), options.timeout)
    if "fatal" in original:
        return [CaseResult(project.label, m, "<module>", 0, {}, "error", reason=f"original: {original['fatal']}")
                for m in project.modules]
    project.entry_names = list(original.get("all_entries", []))
    results = [
        CaseResult(project.label, e["module"], "<module>", 0, {}, "skipped" if e["kind"] == "missing-package" else "error",
                   reason=f"original: {e['error']}{_import_hint(e['error'])}")
        for e in original["module_errors"]
    ]
    runnable = [c for c in original["cases"] if c.get("status") in ("ok", "error")]
    legs = options.selected_legs()
    converted: dict[str, dict] = {}
    if runnable:
        job = converted_job(project, options, runnable)
        if pool is not None and len(legs) > 1:
            futures = {leg: pool.submit(run, leg, job, options.timeout) for leg in legs}
            converted = {leg: f.result() for leg, f in futures.items()}
        else:
            converted = {leg: run(leg, job, options.timeout) for leg in legs}
    task_names = set(original.get("task_names", []))
    for case in original["cases"]:
        result = decide(project, case, converted, task_names, options)
        for note in project.rewrite_notes:
            result.diffs.append(f"note: {note}")
        results.append(result)
    return results


def _import_hint(error: str) -> str:
    """Module-level code that opens a relative path reads the directory verify was started from."""
    if error.startswith(("FileNotFoundError", "IsADirectoryError")) and "No such file" in error:
        return (f" (module-level code reads a path relative to the current directory {os.getcwd()}: "
                "run verify from the directory you run pyflyte from)")
    return ""


def _converted_case(leg_result: dict, case: dict) -> dict:
    if "fatal" in leg_result:
        return {"status": "error", "error_type": "LegFailure", "error_message": leg_result["fatal"], "leg_failure": True}
    for item in leg_result.get("cases", []):
        same_module = item.get("original_module", item["module"]) == case["module"]
        same_entry = item.get("original_entry", item["entry"]) == case["entry"]
        if same_module and same_entry and item["index"] == case["index"]:
            return item
    return {"status": "error", "error_type": "Missing", "error_message": "no result for this case", "leg_failure": True}


TODO_MARK = re.compile(r"TODO\(flytemigrate (FM\d+)\)")


def todo_hint(project: Project, module: str) -> str:
    """When converted code fails to load, the rewrite TODOs left in its module are the likely cause."""
    converted = project.converted_modules.get(module, module).replace(".", "/")
    for candidate in (Path(project.converted_root, converted + ".py"), Path(project.converted_root, converted, "__init__.py")):
        if candidate.is_file():
            codes = TODO_MARK.findall(candidate.read_text(encoding="utf-8", errors="replace"))
            if codes:
                listed = ", ".join(sorted(set(codes)))
                return (f" (the converted module {candidate.name} still has {len(codes)} rewrite TODO(s): {listed};"
                        " resolve them, then verify OLD NEW)")
    return ""


def compare_calls(original: list, converted: list, task_names: set[str]) -> list[str]:
    """Same Flyte 1 tasks called the same number of times with the same inputs (order-insensitive)."""
    def key(call: list) -> str:
        return json.dumps(call, sort_keys=True)

    ours = collections.Counter(key(c) for c in original)
    theirs = collections.Counter(key(c) for c in converted if c[0] in task_names)
    diffs = []
    for call, count in sorted((ours - theirs).items()):
        name, inputs = json.loads(call)
        diffs.append(f"calls: {name}({short(inputs, 60)}) called {count} fewer time(s) in the converted code")
    for call, count in sorted((theirs - ours).items()):
        name, inputs = json.loads(call)
        diffs.append(f"calls: {name}({short(inputs, 60)}) called {count} more time(s) in the converted code")
    return diffs


def decide(project: Project, case: dict, converted: dict[str, dict], task_names: set[str],
           options: VerifyOptions) -> CaseResult:
    """Compare the original case with every converted leg and pick the verdict."""
    result = CaseResult(project.label, case["module"], case["entry"], case["index"], case.get("inputs", {}),
                        "equivalent", legs={"flytekit": case})
    if case.get("status") == "skipped":
        result.verdict, result.reason = "skipped", case.get("reason", "")
        return result
    verdicts = []
    reasons: dict[str, list[str]] = {}  # the same reason on several legs is said once
    for leg, leg_result in converted.items():
        other = _converted_case(leg_result, case)
        if other.get("leg_failure"):
            other = {**other, "hint": todo_hint(project, case["module"])}
        result.legs[leg] = other
        verdict, diffs, reason = _compare_leg(case, other, leg, task_names, options)
        verdicts.append(verdict)
        result.diffs += [f"[{leg}] {d}" for d in diffs]
        if reason:
            reasons.setdefault(reason, []).append(leg)
    result.reason = "; ".join(f"[{', '.join(legs)}] {reason}" for reason, legs in reasons.items())
    if verdicts:
        non_skipped = [v for v in verdicts if v != "skipped"]
        result.verdict = max(non_skipped, key=VERDICT_ORDER.__getitem__) if non_skipped else "skipped"
    return result


def _compare_leg(case: dict, other: dict, leg: str, task_names: set[str],
                 options: VerifyOptions) -> tuple[str, list[str], str]:
    if other.get("status") == "skipped":
        return "skipped", [], other.get("reason", "")
    diffs: list[str] = []
    if other.get("leg_failure"):  # the converted module did not import or lacks the entry
        return "error", [], f"converted code unusable: {other.get('error_message', '')[:400]}{other.get('hint', '')}"
    if case["status"] == "ok" and other["status"] == "ok":
        diffs += compare(case.get("output"), other.get("output"), options.float_tolerance)
    elif case["status"] == "error" and other["status"] == "error":
        if case["error_type"] != other["error_type"]:
            diffs.append(f"error: original raised {case['error_type']}, converted raised {other['error_type']}"
                         f" ({other.get('error_message', '')[:200]})")
    elif case["status"] == "error":
        return "error", [], (f"only the original failed: {case['error_type']}: {case.get('error_message', '')[:300]}"
                             f"; converted returned {short(other.get('output'))}")
    else:
        return "error", [], (f"only the converted code failed: {other.get('error_type')}: "
                             f"{other.get('error_message', '')[:300]}; original returned {short(case.get('output'))}")
    # Call records are compared for successful runs only: on failure, flytekit stops a map or a
    # workflow at the first error while Flyte 2 may already have started sibling calls.
    if options.compare_calls and case["status"] == "ok" and "calls" in case and "calls" in other:
        diffs += compare_calls(case["calls"], other["calls"], task_names)
    for divergence in other.get("divergences") or []:
        diffs.append(f"replay: the driver is not deterministic: {divergence}")
    if diffs and options.isolate and leg == "runtime":
        diffs.append("note: with --isolate every task call imports its module afresh; a difference here often "
                     "means tasks share module-level state, which breaks on a cluster")
    return ("different" if diffs else "equivalent"), diffs, ""


def verify_projects(projects: list[Project], options: VerifyOptions, on_result: Any = None) -> list[CaseResult]:
    """Verify every project; projects run two at a time (flytekit first, then the converted legs)."""
    results: list[CaseResult] = []
    with ThreadPoolExecutor(max_workers=2) as pool, ThreadPoolExecutor(max_workers=2) as leg_pool:
        for project_results in pool.map(lambda p: verify_project(p, options, leg_pool), projects):
            for result in project_results:
                results.append(result)
                if on_result is not None:
                    on_result(result)
    found = {name for project in projects for name in project.entry_names}
    for name in options.selected_names():
        if name not in found and all(r.entry != "<module>" for r in results):
            # a misspelt --entry would otherwise verify nothing and pass
            known = ", ".join(sorted(found)[:20]) or "none"
            results.append(CaseResult(projects[0].label if projects else "", "<entries>", name, 0, {}, "error",
                                      reason=f"no @workflow/@dynamic/@eager entry named {name!r} (entries: {known})"))
    if options.generate and options.shrink_examples:
        from flytemigrate.verify.shrink import shrink_failures

        shrink_failures(projects, results, options)
    return results


def exit_code(results: list[CaseResult]) -> int:
    """0 when everything verified is equivalent (or skipped), else 1."""
    return 0 if all(r.verdict in ("equivalent", "skipped") for r in results) else 1
