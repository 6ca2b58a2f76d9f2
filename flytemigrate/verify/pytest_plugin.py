"""pytest plugin (entry point ``pytest11``): ``pytest --flytemigrate-verify PATHS``."""

from __future__ import annotations


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    group = parser.getgroup("flytemigrate")
    group.addoption(
        "--flytemigrate-verify",
        action="append",
        default=[],
        metavar="PATH",
        help="Collect one equivalence test per Flyte 1 entry and input set found under PATH.",
    )
