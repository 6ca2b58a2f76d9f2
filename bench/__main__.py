"""``python -m bench <name> [options]``: run one benchmark (``rewrite``, ``lint``, ``corpus``, ``runtime``, ``verify``)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "rewrite": "bench.rewrite",
    "lint": "bench.lint",
    "corpus": "bench.corpus",
    "runtime": "bench.runtime",
    "verify": "bench.verify",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        module = importlib.import_module(BENCHMARKS[argv[0]])
    except ImportError as exc:
        print(f"benchmark {argv[0]!r} is not available: {exc}", file=sys.stderr)
        return 2
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
