"""Benchmark: per-child-task overhead and ``import flyte`` time, bundled runtime vs the real SDK.

``python -m bench.runtime [--children N] [--real-children M] [--repeats R] [--json]``

Each leg runs in its own subprocess (the runtime leg calls ``flytemigrate.runtime.activate()``
before importing ``flyte``; the real leg imports the installed ``flyte`` SDK), with its own HOME and
working directory so nothing is written into the repository. In each leg three drivers call a
trivial leaf task ``N`` times:

* ``sync``   a sync driver calling a sync child in a loop;
* ``gather`` an async driver awaiting ``asyncio.gather`` over ``N`` async children;
* ``map``    a sync driver consuming ``flyte.map`` over ``N`` items.

Per-child overhead = (wall time of the run with N children - wall time of the same driver with 0
children) / N, the median over ``R`` repeats. For the sync driver the median of the individually
timed child calls (timed inside the driver) is reported too. The real SDK's local mode costs
milliseconds per child, so it runs fewer children by default (``--real-children``).

Import time: the median over several fresh interpreters of ``activate(); import flyte`` (runtime)
or ``import flyte`` (real), timed inside the interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LEGS = ("runtime", "real")
DRIVERS = ("sync", "gather", "map")
TARGET_SYNC_US = 20.0
TARGET_RATIO = 50.0
TARGET_IMPORT_MS = 50.0


# ---------------------------------------------------------------- inside a leg subprocess


def _activate(leg: str) -> None:
    if leg == "runtime":
        import flytemigrate.runtime

        flytemigrate.runtime.activate()


def _worker(leg: str, children: int, repeats: int) -> dict[str, Any]:
    """Time the three drivers on one leg; returns per-child microseconds."""
    _activate(leg)
    import asyncio

    import flyte

    assert bool(getattr(flyte, "FLYTEMIGRATE_RUNTIME", False)) == (leg == "runtime")
    env = flyte.TaskEnvironment(name="bench_runtime")
    call_times: list[float] = []

    @env.task
    def leaf(x: int) -> int:
        return x

    @env.task
    async def aleaf(x: int) -> int:
        return x

    @env.task
    def sync_driver(n: int) -> int:
        clock = time.perf_counter
        for i in range(n):
            start = clock()
            leaf(i)
            call_times.append(clock() - start)
        return n

    @env.task
    async def gather_driver(n: int) -> int:
        return len(await asyncio.gather(*(aleaf(i) for i in range(n))))

    @env.task
    def map_driver(n: int) -> int:
        return len(list(flyte.map(leaf, range(n))))

    drivers = {"sync": sync_driver, "gather": gather_driver, "map": map_driver}
    flyte.init()
    flyte.run(sync_driver, n=10)  # warm-up: first-run set-up cost is not per-child overhead
    call_times.clear()
    out: dict[str, Any] = {"children": children, "repeats": repeats}
    for name, driver in drivers.items():
        per_child = []
        for _ in range(repeats):
            start = time.perf_counter()
            flyte.run(driver, n=0)
            empty = time.perf_counter() - start
            start = time.perf_counter()
            flyte.run(driver, n=children)
            full = time.perf_counter() - start
            per_child.append((full - empty) / children * 1e6)
        out[name] = statistics.median(per_child)
        out[name + "_best"] = min(per_child)
    out["sync_call_median"] = statistics.median(call_times) * 1e6
    return out


def _import_probe(leg: str) -> float:
    """Milliseconds to make ``import flyte`` work in this (fresh) interpreter."""
    start = time.perf_counter()
    _activate(leg)
    import flyte  # noqa: F401

    return (time.perf_counter() - start) * 1e3


# ---------------------------------------------------------------- parent


def _leg_env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "UNION"))}
    env.update(HOME=str(scratch), TMPDIR=str(scratch), PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")]))
    return env


def _child(args: list[str], scratch: Path, timeout: float) -> Any:
    """Run this module in a subprocess with ``args``; parse the JSON on its last stdout line."""
    command = [sys.executable, "-m", "bench.runtime", *args]
    done = subprocess.run(command, cwd=scratch, env=_leg_env(scratch), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(children: int, real_children: int, repeats: int, imports: int, legs: tuple[str, ...] = LEGS) -> dict:
    """All numbers of the benchmark as a dict."""
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp:
        for leg in legs:
            scratch = Path(tmp) / leg
            scratch.mkdir()
            n = children if leg == "runtime" else real_children
            result[leg] = _child(["--worker", leg, "--children", str(n), "--repeats", str(repeats)], scratch, 3600)
            samples = [_child(["--import-probe", leg], scratch, 600) for _ in range(imports)]
            result[leg]["import_ms"] = statistics.median(samples)
            result[leg]["import_ms_best"] = min(samples)
    result["loadavg_1min"] = os.getloadavg()[0]
    result["cpus"] = os.cpu_count()
    if "real" in result and "runtime" in result:
        result["ratio"] = {d: result["real"][d] / result["runtime"][d] for d in DRIVERS if result["runtime"][d] > 0}
        result["ratio"]["import"] = result["real"]["import_ms"] / result["runtime"]["import_ms"]
    return result


def render(result: dict) -> str:
    """A markdown table of the measurements and the targets."""
    rt, real, ratio = result.get("runtime", {}), result.get("real", {}), result.get("ratio", {})
    lines = [
        "| per child task (us) | bundled runtime | real flyte (local) | real / runtime |",
        "| --- | ---: | ---: | ---: |",
    ]
    for driver, label in (("sync", "sync loop driver"), ("gather", "async `gather` driver"), ("map", "`flyte.map`")):
        lines.append(
            f"| {label} | {rt.get(driver, float('nan')):.1f} | {real.get(driver, float('nan')):.1f} | "
            f"{ratio.get(driver, float('nan')):.0f}x |"
        )
    lines.append(
        f"| sync child, median single call | {rt.get('sync_call_median', float('nan')):.1f} | "
        f"{real.get('sync_call_median', float('nan')):.1f} | |"
    )
    lines.append(
        f"| `import flyte` (ms) | {rt.get('import_ms', float('nan')):.1f} | {real.get('import_ms', float('nan')):.1f} | "
        f"{ratio.get('import', float('nan')):.1f}x |"
    )
    lines.append("")
    lines.append(
        f"children per driver: runtime {rt.get('children')}, real {real.get('children')}; "
        f"median of {rt.get('repeats')} repeats (best: runtime "
        + ", ".join(f"{d} {rt.get(d + '_best', float('nan')):.1f}" for d in DRIVERS)
        + f" us, import {rt.get('import_ms_best', float('nan')):.1f} ms); "
        f"{result.get('cpus')} CPUs, 1-min load average {result.get('loadavg_1min', float('nan')):.1f}"
    )
    checks = [
        ("sync child <= 20 us", rt.get("sync", 1e9) <= TARGET_SYNC_US),
        (">= 50x less overhead than real (every driver)", bool(ratio) and min(ratio[d] for d in DRIVERS) >= TARGET_RATIO),
        ("runtime import < 50 ms", rt.get("import_ms", 1e9) < TARGET_IMPORT_MS),
    ]
    lines += [f"- {name}: {'met' if ok else 'NOT met'}" for name, ok in checks]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000, help="children per driver on the runtime")
    parser.add_argument("--real-children", type=int, default=1_000, help="children per driver on the real SDK")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per import timing")
    parser.add_argument("--legs", default=",".join(LEGS), help="comma-separated subset of runtime,real")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    parser.add_argument("--worker", choices=LEGS, help=argparse.SUPPRESS)
    parser.add_argument("--import-probe", choices=LEGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.children, args.repeats)))
        return 0
    if args.import_probe:
        print(json.dumps(_import_probe(args.import_probe)))
        return 0
    result = measure(args.children, args.real_children, args.repeats, args.imports, tuple(args.legs.split(",")))
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
