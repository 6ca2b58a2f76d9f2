"""Benchmarks, run by hand (``python -m bench rewrite``, ``python -m bench lint``); never timed in tests.

``bench.corpus.ensure_corpus(path, n)`` provides the shared generated Flyte 1 corpus.
"""
