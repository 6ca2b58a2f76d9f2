"""The pytest plugin: ``pytest --flytemigrate-verify PATHS`` collects one item per entry and input set."""

from __future__ import annotations

pytest_plugins = ["pytester"]

PROJECT = '''\
"""A small Flyte 1 project: a plain pipeline, tasks sharing module state, and a task needing a secret."""

import typing

import flytekit as fl
from flytekit import Secret

SEEN: typing.List[str] = []


@fl.task
def shout(word: str) -> str:
    return word.upper() + "!"


@fl.workflow
def greet(word: str = "hello") -> str:
    return shout(word=word)


@fl.task
def remember(name: str) -> int:
    SEEN.append(name)
    return len(SEEN)


@fl.task
def how_many(after: int) -> int:
    return len(SEEN)


@fl.workflow
def shared_state(name: str = "a") -> int:
    return how_many(after=remember(name=name))


@fl.task(secret_requests=[Secret(group="db", key="password")])
def connect(host: str) -> str:
    return host


@fl.workflow
def uses_secret(host: str = "db.internal") -> str:
    return connect(host=host)
'''

INPUTS = """\
greet:
  - {word: hello}
  - {word: flyte}
"""


def test_one_item_per_entry_and_input_set(pytester):
    project = pytester.mkdir("proj")
    (project / "pipeline.py").write_text(PROJECT)
    (project / "inputs.yaml").write_text(INPUTS)
    result = pytester.runpytest_inprocess(
        "--flytemigrate-verify", str(project), "--flytemigrate-verify-leg", "runtime",
        "--flytemigrate-verify-isolate", "-p", "no:cacheprovider", "-v", "-rs",
    )
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "*verify?proj/pipeline.greet-0? PASSED*",
        "*verify?proj/pipeline.greet-1? PASSED*",
        "*verify?proj/pipeline.shared_state-0? FAILED*",
        "*verify?proj/pipeline.uses_secret-0? SKIPPED*",
    ])
    # the failing item shows the diff; the skipped one says why
    result.stdout.fnmatch_lines(["?runtime? output: 1 != 0"])
    result.stdout.fnmatch_lines(["*needs secrets*"])


def test_without_the_option_nothing_is_collected(pytester):
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


OPTIONAL_DEPENDENCY = '''\
"""A module of the project whose optional dependency is not installed here."""

import flytemigrate_absent_optional_dependency  # noqa: F401
from flytekit import task, workflow


@task
def fit(x: int) -> int:
    return x


@workflow
def training(x: int = 1) -> int:
    return fit(x=x)
'''

SLOW = '''\
"""One quick entry and one that takes longer than the configured timeout."""

import time

from flytekit import task, workflow


@task
def wait(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@workflow
def quick(seconds: float = 0.0) -> float:
    return wait(seconds=seconds)


@workflow
def slow(seconds: float = 60.0) -> float:
    return wait(seconds=seconds)
'''


def test_module_problems_and_slow_entries_are_items_that_skip_with_a_reason(pytester):
    project = pytester.mkdir("proj")
    (project / "training.py").write_text(OPTIONAL_DEPENDENCY)
    (project / "steps.py").write_text(SLOW)
    pytester.makefile(".toml", pyproject="[tool.flytemigrate]\ntimeout = 30\n")  # the option wins
    result = pytester.runpytest_inprocess(
        "--flytemigrate-verify", str(project), "--flytemigrate-verify-leg", "runtime",
        "--flytemigrate-verify-timeout", "3", "-p", "no:cacheprovider", "-v", "-rs",
    )
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([
        "*verify?proj/training? SKIPPED*",
        "*verify?proj/steps.quick-0? PASSED*",
        "*verify?proj/steps.slow-0? SKIPPED*",
    ])
    # skips point at the user's module, with the reason
    result.stdout.fnmatch_lines(["*training.py*missing optional package 'flytemigrate_absent_optional_dependency'*"])
    result.stdout.fnmatch_lines(["*steps.py:*the original took longer than 3s*"])
