"""Lint benchmark: throughput against a bare LibCST baseline, and fresh-process start-up time.

Run from the repository root::

    python -m bench.lint                 # default corpus size, prints a Markdown section
    python -m bench.lint -n 400 --append docs/benchmarks.md

What is measured, in one process and on the same files:

* **baseline**: ``libcst.parse_module`` + ``MetadataWrapper`` + resolving ``QualifiedNameProvider``
  and ``ScopeProvider`` for every file: the least any qualified-name-based linter must do;
* **lint**: ``flytemigrate.lint.runner.lint_source`` with every registered rule (one batched
  pass per file, prefilters, suppressions, building diagnostics);
* **start-up**: wall and CPU time of ``flytemigrate lint ONE_FILE`` as a fresh process (what
  pre-commit pays per invocation), median of several runs.

Both throughput measurements run twice: on the generated Flyte 1 corpus, and on the same files
after ``flytemigrate rewrite`` (Flyte 2 code with tasks and drivers, what lint mostly sees).

Throughput is measured in CPU time of this process (both sides are single-threaded and
CPU-bound), so the ratio stays meaningful on a shared machine. Targets (from the lint issue): lint <= 1.5x the baseline, start-up < 0.4 s. The corpus comes from
``bench/corpus.py::ensure_corpus`` when it exists, else from the repository's fixture files.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def corpus_files(directory: Path, n: int) -> tuple[list[Path], str]:
    """``n`` Python files to lint, and a description of where they came from."""
    try:
        from bench.corpus import ensure_corpus  # written by the corpus work; optional here
    except ImportError:
        ensure_corpus = None
    if ensure_corpus is not None:
        result = ensure_corpus(directory, n)
        if isinstance(result, (list, tuple)):
            files = [Path(f) for f in result]
        else:
            base = Path(result) if isinstance(result, (str, Path)) else directory
            files = sorted(base.rglob("*.py"))[:n]
        if files:
            return files, "`bench.corpus.ensure_corpus` (generated Flyte 1 modules, ~1 in 7 without Flyte)"
    sources = sorted(p for p in (ROOT / "fixtures").rglob("*.py"))
    if not sources:
        raise SystemExit("no corpus: neither bench/corpus.py nor fixtures/**/*.py exist")
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        src = sources[i % len(sources)]
        target = directory / f"f{i:05d}_{src.name}"
        shutil.copyfile(src, target)
        files.append(target)
    return files, f"repository fixtures replicated ({len(sources)} distinct files)"


def baseline(sources: list[str]) -> float:
    import libcst as cst
    from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider

    start = time.process_time()
    for source in sources:
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([QualifiedNameProvider, ScopeProvider])
    return time.process_time() - start


def lint_all(sources: list[str], paths: list[str]) -> tuple[float, int]:
    from flytemigrate.lint.runner import lint_source

    findings = 0
    start = time.process_time()
    for source, path in zip(sources, paths):
        findings += len(lint_source(source, path).diagnostics)
    return time.process_time() - start, findings


def rewritten(sources: list[str], paths: list[str]) -> list[str]:
    """The corpus after ``flytemigrate rewrite``: the Flyte 2 code lint mostly runs on."""
    from flytemigrate.codemods import transform_source

    out = []
    for source, path in zip(sources, paths):
        try:
            out.append(transform_source(source, path).code)
        except Exception:  # noqa: BLE001 - a file the rewrite cannot handle is linted as it is
            out.append(source)
    return out


def startup(one_file: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user+sys of the child) of ``flytemigrate lint ONE_FILE``.

    CPU time is reported besides wall time because on a shared machine the wall time mostly
    measures the other processes.
    """
    import resource

    exe = Path(sys.executable).parent / "flytemigrate"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "flytemigrate"]
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*command, "lint", "--exit-zero", str(one_file)], capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return walls, cpus


def measure(sources: list[str], paths: list[str], repeat: int) -> tuple[float, float, int]:
    """Best-of-``repeat`` seconds for the baseline and for lint, and the number of findings."""
    baseline(sources[:5])  # warm up imports and caches so neither side pays one-off costs
    lint_all(sources[:5], paths[:5])
    base_times, lint_times = [], []
    findings = 0
    for _ in range(repeat):
        base_times.append(baseline(sources))
        elapsed, findings = lint_all(sources, paths)
        lint_times.append(elapsed)
    return min(base_times), min(lint_times), findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=300, help="number of corpus files")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is reported)")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--append", type=Path, help="append the Markdown section to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="flytemigrate-bench-") as tmp:
        files, origin = corpus_files(Path(tmp) / "corpus", args.n)
        sources = [f.read_text(encoding="utf-8") for f in files]
        paths = [str(f) for f in files]
        lines = sum(s.count("\n") for s in sources)
        flyte1 = measure(sources, paths, args.repeat)
        migrated_sources = rewritten(sources, paths)
        flyte2 = measure(migrated_sources, paths, args.repeat)
        one = Path(tmp) / "one_file.py"
        one.write_text(next((s for s in migrated_sources if "flyte" in s), migrated_sources[0]), encoding="utf-8")
        walls, cpus = startup(one, args.startup_runs)

    from flytemigrate.lint.registry import ALL_RULES

    rows = []
    for label, (base, lint, findings) in (("Flyte 1 corpus", flyte1), ("same corpus after `rewrite`", flyte2)):
        rows += [
            f"| {label}: baseline parse + QualifiedNameProvider + ScopeProvider | {base:.2f} s ({len(files) / base:.0f} files/s) | |",
            f"| {label}: lint, all {len(ALL_RULES)} rules ({findings} findings) | {lint:.2f} s ({len(files) / lint:.0f} files/s) | |",
            f"| {label}: lint / baseline | **{lint / base:.2f}x** | <= 1.5x |",
        ]
    section = "\n".join(
        [
            "## Lint",
            "",
            f"Measured by `python -m bench.lint -n {args.n}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with "
            f"other work (load average {os.getloadavg()[0]:.1f}); throughput is single-process CPU time "
            f"(`time.process_time`, so other processes on the machine do not inflate it), best of {args.repeat}.",
            f"Corpus: {len(files)} files, {lines} lines, from {origin}; then the same files after "
            "`flytemigrate rewrite` (Flyte 2 code, where the driver/task analysis has the most to do).",
            "",
            "| measurement | result | target |",
            "| --- | --- | --- |",
            *rows,
            f"| `flytemigrate lint ONE_FILE`, fresh process, wall (median of {len(walls)}) | {statistics.median(walls):.3f} s "
            f"(min {min(walls):.3f}) | < 0.4 s |",
            f"| same, CPU time of the process (median) | {statistics.median(cpus):.3f} s (min {min(cpus):.3f}) | |",
            "",
        ]
    )
    print(section)
    if args.append:
        with args.append.open("a", encoding="utf-8") as handle:
            handle.write("\n" + section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
