"""Lint benchmark: throughput against a bare LibCST baseline, and fresh-process start-up time.

Run from the repository root::

    python -m bench.lint                 # default corpus size, prints a Markdown section
    python -m bench.lint -n 400 --append docs/benchmarks.md

What is measured, in one process and on the same files:

* **baseline**: ``libcst.parse_module`` + ``MetadataWrapper`` + resolving ``QualifiedNameProvider``
  and ``ScopeProvider`` for every file: the least any qualified-name-based linter must do;
* **lint**: ``flytemigrate.lint.runner.lint_source`` with every registered rule (one batched
  pass per file, prefilters, suppressions, building diagnostics);
* **start-up**: wall time of ``flytemigrate lint ONE_FILE`` as a fresh process (what pre-commit
  pays per invocation), median of several runs.

Targets (from the lint issue): lint <= 1.5x the baseline, start-up < 0.4 s. The corpus comes from
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
        base = Path(result) if isinstance(result, (str, Path)) else directory
        files = sorted(base.rglob("*.py"))[:n] if base.is_dir() else []
        if files:
            return files, f"bench.corpus.ensure_corpus ({len(files)} generated files)"
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

    start = time.perf_counter()
    for source in sources:
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError:
            continue
        MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([QualifiedNameProvider, ScopeProvider])
    return time.perf_counter() - start


def lint_all(sources: list[str], paths: list[str]) -> tuple[float, int]:
    from flytemigrate.lint.runner import lint_source

    findings = 0
    start = time.perf_counter()
    for source, path in zip(sources, paths):
        findings += len(lint_source(source, path).diagnostics)
    return time.perf_counter() - start, findings


def startup(one_file: Path, runs: int) -> list[float]:
    exe = Path(sys.executable).parent / "flytemigrate"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "flytemigrate"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*command, "lint", "--exit-zero", str(one_file)], capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


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
        # Warm up imports and caches so neither side pays one-off costs in the timed runs.
        baseline(sources[:5])
        lint_all(sources[:5], paths[:5])
        base_times, lint_times = [], []
        findings = 0
        for _ in range(args.repeat):
            base_times.append(baseline(sources))
            elapsed, findings = lint_all(sources, paths)
            lint_times.append(elapsed)
        flyte_file = next((f for f, s in zip(files, sources) if "flyte" in s), files[0])
        starts = startup(flyte_file, args.startup_runs)

    base, lint = min(base_times), min(lint_times)
    ratio = lint / base
    median_start = statistics.median(starts)
    from flytemigrate.lint.registry import ALL_RULES

    section = "\n".join(
        [
            "## Lint",
            "",
            f"Measured by `python -m bench.lint -n {args.n}` on {time.strftime('%Y-%m-%d', time.gmtime())}, "
            f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, one process.",
            f"Corpus: {len(files)} files, {lines} lines, from {origin}; {len(ALL_RULES)} rules, {findings} findings.",
            "",
            "| measurement | result | target |",
            "| --- | --- | --- |",
            f"| baseline: parse + QualifiedNameProvider + ScopeProvider | {base:.2f} s ({len(files) / base:.0f} files/s) | |",
            f"| lint, all rules | {lint:.2f} s ({len(files) / lint:.0f} files/s) | |",
            f"| lint / baseline | {ratio:.2f}x | <= 1.5x |",
            f"| `flytemigrate lint ONE_FILE`, fresh process (median of {len(starts)}) | {median_start:.3f} s (min {min(starts):.3f}, max {max(starts):.3f}) | < 0.4 s |",
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
