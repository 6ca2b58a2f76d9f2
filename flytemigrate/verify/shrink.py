"""Shrink a failing generated input set to a minimal counterexample (``verify --generate``).

When a generated input set makes an entry non-equivalent, hypothesis searches again from the same
seed and shrinks (``inputs.find_counterexample``); each candidate is verified with the normal legs
(one flytekit and one converted subprocess). The search needs the entry's type hints, so it runs in
its own process (``python -m flytemigrate.verify.shrink JOB RESULT``) that imports the original module
under flytekit, keeping user code out of the CLI's (or pytest's) process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from flytemigrate.verify.project import Project
from flytemigrate.verify.runner import CaseResult, VerifyOptions, verify_project


def shrink_failures(projects: list[Project], results: list[CaseResult], options: VerifyOptions) -> None:
    """Attach a minimal counterexample to the first failing generated case of each entry."""
    by_label = {p.label: p for p in projects}
    done: set[tuple[str, str, str]] = set()
    for result in results:
        key = (result.project, result.module, result.entry)
        generated = result.legs.get("flytekit", {}).get("generated")
        if result.verdict not in ("different", "error") or not generated or key in done:
            continue
        done.add(key)
        project = by_label[result.project]
        job = {
            "project": dataclasses.asdict(project),
            "options": dataclasses.asdict(options),
            "module": result.module,
            "entry": result.entry,
        }
        with tempfile.TemporaryDirectory(prefix="flytemigrate-shrink-") as tmp:
            job_path, out_path = Path(tmp, "job.json"), Path(tmp, "out.json")
            job_path.write_text(json.dumps(job, default=str), encoding="utf-8")
            try:
                subprocess.run(
                    [sys.executable, "-m", "flytemigrate.verify.shrink", str(job_path), str(out_path)],
                    cwd=tmp, capture_output=True, text=True,
                    timeout=options.timeout * (options.shrink_examples + 2),
                )
            except subprocess.TimeoutExpired:
                result.diffs.append("shrink: timed out")
                continue
            if out_path.exists():
                found = json.loads(out_path.read_text(encoding="utf-8"))
                if found.get("inputs") is not None:
                    result.counterexample = found["inputs"]
                    result.diffs.append(f"minimal counterexample: {json.dumps(found['inputs'], sort_keys=True)}")


def _project_from(data: dict) -> Project:
    return Project(
        root=Path(data["root"]),
        modules=list(data["modules"]),
        converted_root=Path(data["converted_root"]),
        converted_modules=dict(data["converted_modules"]),
        inputs_file=Path(data["inputs_file"]) if data.get("inputs_file") else None,
        original_copy=Path(data["original_copy"]) if data.get("original_copy") else None,
    )


def main(argv: list[str]) -> int:
    import importlib

    from flytemigrate.verify import inputs as vin

    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    project = _project_from(job["project"])
    raw = dict(job["options"])
    raw["legs"] = tuple(raw["legs"]) if raw.get("legs") else None
    raw["entries"] = tuple(raw.get("entries") or ())
    options = VerifyOptions(**{**raw, "generate": 0, "shrink_examples": 0})
    sys.path.insert(0, str(project.run_root))
    entity = getattr(importlib.import_module(job["module"]), job["entry"])

    workers = _Workers(Path(argv[1]).parent)
    single = Project(project.root, [job["module"]], project.converted_root, project.converted_modules,
                     original_copy=project.original_copy)
    single_options = dataclasses.replace(options, legs=options.selected_legs()[:1])

    def fails(inputs: dict[str, Any]) -> bool:
        encoded = vin.encode_inputs(inputs)
        outcome = verify_project(single, single_options, explicit={job["entry"]: [encoded]}, leg_runner=workers.run)
        return any(r.entry == job["entry"] and r.verdict in ("different", "error") for r in outcome)

    try:
        found = vin.find_counterexample(entity, fails, seed=options.seed,
                                        max_examples=int(job["options"]["shrink_examples"]))
    finally:
        workers.close()
    Path(argv[2]).write_text(json.dumps({"inputs": vin.encode_inputs(found) if found is not None else None}))
    return 0


class _Workers:
    """One long-lived ``worker --serve`` process per leg: candidates reuse the imported modules."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.procs: dict[str, subprocess.Popen] = {}

    def run(self, leg: str, job: dict, timeout: float) -> dict:
        proc = self.procs.get(leg)
        if proc is None:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flytemigrate.verify.worker", "--serve"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=self.cwd,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "FLYTE_LOCAL_CACHE_ENABLED": "false"},
            )
            self.procs[leg] = proc
        assert proc.stdin is not None and proc.stdout is not None
        # the worker's per-case alarm bounds a candidate that hangs (no answer would block readline)
        proc.stdin.write(json.dumps({**job, "leg": leg, "cwd": str(self.cwd), "case_timeout": timeout}) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        return json.loads(line) if line else {"fatal": f"{leg} worker exited"}

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
