"""Rewrite benchmark: ``flytemigrate rewrite --check`` against a bare LibCST floor, same run, same files.

Run from the repository root::

    python -m bench rewrite                    # 2,000-file corpus, prints a Markdown table
    python -m bench rewrite -n 500 --write-docs docs/benchmarks.md

What is measured on the corpus of ``bench/corpus.py`` (files read from disk every time):

* **floor**: ``libcst.parse_module(source).code`` per file: parse + code generation, the least a
  LibCST codemod tool can do. With 1 process, and with 2 processes (a pool with the engine's
  chunking, so both pay the same inter-process cost).
* **engine**: ``flytemigrate.engine.process`` with the rewrite worker and every registered codemod,
  in this process (``jobs=1`` and ``jobs=2``). Nothing is written, as with ``--check``.
* **CLI**: ``python -m flytemigrate rewrite --check -j N FILES...`` as a fresh process: adds start-up
  and the text report. Files are passed explicitly because the default corpus directory is gitignored
  (discovery would skip it); the run is rejected unless the CLI's summary counts every file.

Ratios (engine or CLI CPU seconds / floor CPU seconds at the same parallelism, counting this process
and every child it waited for) are what to compare across machines; wall-clock files/s depend on the
machine and on whatever else runs on it. Target: ratio <= 2.0.

The codemods are slow on large corpora while they are being written; ``--sample K`` measures the
first K files of the corpus (file i never depends on the corpus size, so the subset is fixed).

Memory: the peak of the summed resident set of the whole process tree (this process or the CLI
process, plus pool workers), sampled from /proc every 50 ms, and ``getrusage`` max RSS (largest
single process) as a cross-check. Target: < 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import DEFAULT_PATH, DEFAULT_SIZE, ensure_corpus  # noqa: E402

SECTION_START = "<!-- bench:rewrite:start -->"
SECTION_END = "<!-- bench:rewrite:end -->"
TARGET_RATIO = 2.0
TARGET_MB = 300


# --------------------------------------------------------------------------------------------
# memory sampling


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def tree_rss_kb(pid: int) -> int:
    """Resident set of ``pid`` plus all its descendants, in KiB (0 where /proc is unavailable)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss_kb(current)
        stack += _children(current)
    return total


class PeakSampler:
    """Samples the summed RSS of a process tree in a background thread; ``peak_mb`` after stop."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


# --------------------------------------------------------------------------------------------
# measured operations


def floor_one(path: str) -> int:
    """Parse and regenerate one file: the LibCST floor. Module-level so pools can pickle it."""
    import libcst as cst

    source = Path(path).read_text(encoding="utf-8")
    return len(cst.parse_module(source).code)


def _floor_chunk(paths: list[str]) -> int:
    return sum(floor_one(p) for p in paths)


def floor_run(paths: list[str], jobs: int) -> None:
    if jobs == 1:
        for path in paths:
            floor_one(path)
        return
    # Same chunking rule as flytemigrate.engine, so both sides pay the same pool overhead.
    chunk = max(1, min(64, len(paths) // (jobs * 4)))
    chunks = [paths[i : i + chunk] for i in range(0, len(paths), chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_floor_chunk, chunks))


def engine_run(paths: list[str], jobs: int) -> dict[str, int]:
    from flytemigrate.codemods.base import RewriteOptions
    from flytemigrate.commands.rewrite import rewrite_worker
    from flytemigrate.engine import process

    results = process(paths, rewrite_worker, RewriteOptions(), jobs=jobs)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


def cpu_seconds() -> float:
    """User + system CPU of this process and every child it has waited for (pool workers, CLI)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def codemod_breakdown(paths: list[str]) -> list[tuple[str, float]]:
    """CPU seconds spent in each registered codemod over ``paths`` (what to optimise first).

    Measured inside ``transform_source`` (the pipeline as the engine runs it: skipped codemods
    cost nothing, no-op passes generate no code); "parse, line maps, final check" is the rest of it.
    """
    from flytemigrate.codemods import transform_source

    totals: dict[str, float] = {}
    rest = 0.0
    for path in paths:
        source = Path(path).read_text(encoding="utf-8")
        before = sum(totals.values())
        start = time.process_time()
        transform_source(source, path, timings=totals)
        rest += time.process_time() - start - (sum(totals.values()) - before)
    totals["parse, line maps, final check"] = rest
    return sorted(totals.items(), key=lambda item: -item[1])


def one_pass_one(path: str) -> int:
    """Parse, run one codemod pass that changes nothing, regenerate: the least a one-pass design pays."""
    import libcst as cst
    from libcst.codemod import CodemodContext

    from flytemigrate.codemods.base import FlyteCodemod

    class NoOp(FlyteCodemod):
        """Dispatches every node like a real codemod and has no hooks."""

    tree = cst.parse_module(Path(path).read_text(encoding="utf-8"))
    return len(NoOp(CodemodContext()).transform_module_impl(tree).code)


def passes_per_file(paths: list[str]) -> tuple[float, float]:
    """(codemod passes run, passes that changed the code) per file, averaged over ``paths``."""
    from flytemigrate.codemods import pipeline, transform_source

    ran = changed = 0
    original = pipeline.Runner.run_command

    def counting(self, codemod, tree, code):  # type: ignore[no-untyped-def]
        nonlocal ran, changed
        result = original(self, codemod, tree, code)
        ran += 1
        changed += self.changed
        return result

    pipeline.Runner.run_command = counting  # type: ignore[method-assign]
    try:
        for path in paths:
            transform_source(Path(path).read_text(encoding="utf-8"), path)
    finally:
        pipeline.Runner.run_command = original  # type: ignore[method-assign]
    return ran / max(len(paths), 1), changed / max(len(paths), 1)


@dataclass
class Measurement:
    label: str
    jobs: int
    seconds: float
    files: int
    peak_mb: float
    cpu: float = 0.0
    note: str = ""

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds if self.seconds else float("inf")


def measure_in_process(label: str, jobs: int, files: int, action: Callable[[], object]) -> tuple[Measurement, object]:
    with PeakSampler(os.getpid()) as sampler:
        cpu, start = cpu_seconds(), time.perf_counter()
        outcome = action()
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return Measurement(label, jobs, seconds, files, sampler.peak_mb, cpu), outcome


def measure_cli(targets: list[str], jobs: int, files: int) -> Measurement:
    command = [sys.executable, "-m", "flytemigrate", "rewrite", "--check", "-j", str(jobs), *targets]
    cpu, start = cpu_seconds(), time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    with PeakSampler(proc.pid) as sampler:
        out, err = proc.communicate()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    # --check exits 1 when files would change; 2 is a usage/internal error and invalidates the run.
    if proc.returncode not in (0, 1):
        raise SystemExit(f"CLI run failed with exit {proc.returncode}:\n{err[-2000:]}")
    # A CLI that silently skipped files (e.g. a gitignored directory) would look fast: check the count.
    summary = re.search(r"(\d+) files?: .*", out + err)
    if summary is None or int(summary.group(1)) != files:
        raise SystemExit(f"CLI did not process the {files} files: {summary.group(0) if summary else (out + err)[-500:]}")
    return Measurement("CLI", jobs, seconds, files, sampler.peak_mb, cpu, note=summary.group(0))


def best_of(repeat: int, run: Callable[[], Measurement]) -> Measurement:
    """Fastest of ``repeat`` runs (the machine is shared: the minimum is the least disturbed)."""
    runs = [run() for _ in range(max(1, repeat))]
    best = min(runs, key=lambda m: m.cpu)
    best.peak_mb = max(m.peak_mb for m in runs)
    return best


# --------------------------------------------------------------------------------------------
# report


def codemod_names() -> list[str]:
    from flytemigrate.codemods import codemod_classes

    return [c.__name__ for c in codemod_classes()]


def render(
    command: str,
    n: int,
    floor: dict[int, Measurement],
    engine: dict[int, Measurement],
    cli: dict[int, Measurement],
    counts: dict[str, int],
    maxrss_mb: float,
    breakdown: Optional[list[tuple[str, float]]] = None,
    one_pass: Optional[Measurement] = None,
    passes: Optional[tuple[float, float]] = None,
) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION_START,
        "## Rewrite",
        "",
        f"`python -m bench rewrite {command}` on {now}; {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (shared with other work while measured, so absolute numbers are noisy; "
        "ratios are measured in the same run on the same files).",
        "",
        f"Files measured: {n} generated Flyte 1 files (`bench/corpus.py`); rewrite outcome: "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        + f". Codemods registered: {len(codemod_names())}.",
        "",
        "| run | jobs | wall s | files/s (wall) | CPU s | ratio to floor, CPU | ratio to floor, wall | peak RSS, process tree |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(label: str, m: Measurement, base: Measurement) -> str:
        return (
            f"| {label} | {m.jobs} | {m.seconds:.2f} | {m.files_per_second:.1f} | {m.cpu:.2f} | "
            f"**{m.cpu / base.cpu:.2f}x** | {m.seconds / base.seconds:.2f}x | {m.peak_mb:.0f} MB |"
        )

    for jobs in sorted(floor):
        lines.append(row("floor: LibCST parse + codegen", floor[jobs], floor[jobs]))
    if one_pass is not None and one_pass.jobs in floor:
        lines.append(row("reference: parse + one no-op codemod pass + codegen", one_pass, floor[one_pass.jobs]))
    for label, table in (("engine (in-process)", engine), ("CLI `rewrite --check`", cli)):
        for jobs in sorted(table):
            lines.append(row(label, table[jobs], floor[jobs]))
    worst_ratio = max(t[j].cpu / floor[j].cpu for t in (engine, cli) for j in t)
    peak = max(m.peak_mb for t in (engine, cli) for m in t.values())
    lines += [
        "",
        f"Targets: rewrite at most {TARGET_RATIO:.1f}x the floor (worst measured, CPU: {worst_ratio:.2f}x, "
        f"{'met' if worst_ratio <= TARGET_RATIO else 'NOT met'}); peak memory under {TARGET_MB} MB "
        f"(worst process-tree peak: {peak:.0f} MB, {'met' if peak < TARGET_MB else 'NOT met'}; "
        f"largest single process by getrusage: {maxrss_mb:.0f} MB).",
        "",
        "Ratios use CPU seconds (this process and its waited-for children): on a shared machine wall time mostly",
        "measures the neighbours. The floor is the minimum any LibCST-based rewrite pays (parse + regenerate every",
        "file). The engine adds the flytekit pre-filter, every codemod pass, import edits and diagnostics; the CLI",
        "adds interpreter start-up and the text report.",
    ]
    if one_pass is not None and passes is not None and one_pass.jobs in floor:
        per_pass = one_pass.cpu / floor[one_pass.jobs].cpu - 1
        lines += [
            "",
            f"Structure: one codemod traversal of a file costs {per_pass:.2f}x the floor by itself (the reference row "
            f"minus the floor); the pipeline ran {passes[0]:.1f} codemod passes per file on average (first 200 files) ({passes[1]:.1f} of "
            f"them changed the code), plus the import edits. At that cost per pass, a {TARGET_RATIO:.0f}x budget leaves room "
            f"for {int((TARGET_RATIO - 1) // per_pass) if per_pass > 0 else 0} traversal(s) in all: the codemods would have "
            "to run together in a single traversal.",
        ]
    if breakdown:
        total = sum(seconds for _, seconds in breakdown) or 1.0
        lines += ["", "CPU per codemod over the same files (`--breakdown`, 1 job, in-process):", "", "| step | CPU s | share |", "|---|---|---|"]
        lines += [f"| {name} | {seconds:.2f} | {100 * seconds / total:.1f}% |" for name, seconds in breakdown]
    lines.append(SECTION_END)
    return "\n".join(lines) + "\n"


def write_section(doc: Path, section: str) -> None:
    """Replace the rewrite section of ``doc`` (between its markers) or append it; other sections stay."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rewrite", description="Benchmark flytemigrate rewrite --check.")
    parser.add_argument("-n", type=int, default=DEFAULT_SIZE, help="corpus size (default %(default)s)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_PATH, help="corpus directory (default bench/_corpus)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="parallelism levels (default 1 2)")
    parser.add_argument(
        "--sample",
        type=int,
        metavar="K",
        help="measure only the first K corpus files (file i never depends on n, so this is a fixed subset)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is kept")
    parser.add_argument("--breakdown", action="store_true", help="also print CPU per codemod (in-process, 1 job)")
    parser.add_argument("--write-docs", type=Path, metavar="MD", help="replace the rewrite section of this Markdown file")
    args = parser.parse_args(argv)

    files = [str(p) for p in ensure_corpus(args.corpus, args.n)]
    if args.sample:
        files = files[: args.sample]
    n = len(files)
    # Import everything and warm the page cache once, so no run pays first-touch costs alone.
    floor_run(files[:5], 1)
    engine_run(files[:5], 1)

    floor: dict[int, Measurement] = {}
    engine: dict[int, Measurement] = {}
    cli: dict[int, Measurement] = {}
    counts: dict[str, int] = {}
    for jobs in args.jobs:
        floor[jobs] = best_of(args.repeat, lambda: measure_in_process("floor", jobs, n, lambda: floor_run(files, jobs))[0])
        print(f"floor  j{jobs}: {floor[jobs].seconds:7.2f}s wall {floor[jobs].cpu:7.2f}s CPU", file=sys.stderr)

        def engine_once() -> Measurement:
            measurement, outcome = measure_in_process("engine", jobs, n, lambda: engine_run(files, jobs))
            counts.clear()
            counts.update(outcome)  # type: ignore[arg-type]
            return measurement

        engine[jobs] = best_of(args.repeat, engine_once)
        print(f"engine j{jobs}: {engine[jobs].seconds:7.2f}s wall {engine[jobs].cpu:7.2f}s CPU", file=sys.stderr)
        # Explicit files: the default corpus lives in a gitignored directory, which discovery skips.
        cli[jobs] = best_of(args.repeat, lambda: measure_cli(files, jobs, n))
        print(f"CLI    j{jobs}: {cli[jobs].seconds:7.2f}s wall {cli[jobs].cpu:7.2f}s CPU  [{cli[jobs].note}]", file=sys.stderr)

    # ru_maxrss is KiB on Linux: the largest single process among this one and every waited-for child.
    maxrss_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    breakdown = None
    if args.breakdown:
        breakdown = codemod_breakdown(files)
        total = sum(seconds for _, seconds in breakdown) or 1.0
        print("CPU per codemod over the measured files:", file=sys.stderr)
        for name, seconds in breakdown:
            print(f"  {name:32s} {seconds:8.2f}s {100 * seconds / total:5.1f}%", file=sys.stderr)
    one_pass = None
    if 1 in floor:
        one_pass = best_of(args.repeat, lambda: measure_in_process("one pass", 1, n, lambda: [one_pass_one(p) for p in files])[0])
        print(f"1-pass j1: {one_pass.seconds:7.2f}s wall {one_pass.cpu:7.2f}s CPU", file=sys.stderr)
    passes = passes_per_file(files[:200])  # a fixed subset: the count is a property of the corpus shape
    section = render(
        " ".join(argv if argv is not None else sys.argv[1:]), n, floor, engine, cli, counts, maxrss_mb, breakdown, one_pass, passes
    )
    print(section)
    if args.write_docs:
        write_section(args.write_docs, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
