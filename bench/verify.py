"""Verify benchmark: wall time of verifying the equivalence fixtures vs only running the originals.

Run from the repository root::

    python -m bench.verify                       # prints a Markdown section
    python -m bench.verify --legs runtime        # converted leg on the bundled runtime only

What is measured, in the same run, on every project under ``fixtures/equivalence``:

* **originals only**: the flytekit leg (one subprocess per project, every entry and input set,
  child calls recorded) -- what running the Flyte 1 code under flytekit locally costs;
* **verify**: ``rewrite_projects`` into a scratch copy plus ``verify_projects`` (flytekit leg, then the
  converted legs concurrently), i.e. ``flytemigrate verify --rewrite fixtures/equivalence``; the
  rewrite time is reported separately because it is the codemods' cost, not verify's.

Both sides run projects two at a time (the machine has 2 cores). Target (from the verify issue):
verify <= 2x the originals-only time. Wall time on a shared machine is noisy: the load average is
printed with the numbers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flytemigrate.files import discover
from flytemigrate.verify.project import rewrite_projects
from flytemigrate.verify.runner import VerifyOptions, original_job, run_leg, verify_projects

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "equivalence"


def project_files() -> list[str]:
    """Python files of the equivalence projects (the fixtures' own helper script excluded)."""
    return [f for f in discover([str(FIXTURES)]) if Path(f).parent != FIXTURES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", nargs="*", default=None, help="converted legs (default: runtime + flyte if installed)")
    parser.add_argument("--async", dest="async_style", action="store_true", help="rewrite in async style")
    args = parser.parse_args(argv)
    options = VerifyOptions(legs=tuple(args.legs) if args.legs else None)
    files = project_files()
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        projects = rewrite_projects(files, Path(scratch), args.async_style, None, jobs=2)
        rewrite_s = time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            originals = list(pool.map(lambda p: run_leg("flytekit", original_job(p, options), options.timeout), projects))
        originals_s = time.perf_counter() - started

        started = time.perf_counter()
        results = verify_projects(projects, options)
        verify_s = time.perf_counter() - started

    cases = sum(len(o.get("cases", [])) for o in originals)
    equivalent = sum(r.verdict == "equivalent" for r in results)
    ratio = verify_s / originals_s if originals_s else float("inf")
    load = os.getloadavg()[0]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    legs = ", ".join(options.selected_legs())
    style = "async" if args.async_style else "default"
    print(f"Measured {now}, {os.cpu_count()} CPUs, 1-min load average {load:.1f}; legs: flytekit + {legs}; "
          f"rewrite style: {style}\n")
    print("| step | wall (s) |")
    print("| --- | ---: |")
    print(f"| originals only (flytekit leg, {len(projects)} projects, {cases} cases) | {originals_s:.1f} |")
    print(f"| verify (all legs, compare) | {verify_s:.1f} |")
    print(f"| rewrite into scratch copy (codemods, reported apart) | {rewrite_s:.1f} |")
    print(f"\nverify / originals = {ratio:.2f}x (target <= 2x: {'met' if ratio <= 2 else 'NOT met'}); "
          f"{equivalent}/{len(results)} cases equivalent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
