"""Everyday task bodies: chatty logs, scratch files in the current directory, a slow step, a script-style
sys.exit, settings read at import time relative to where the pipeline is started, and an entry
without defaults."""
import json
import os
import sys
import time
import typing

from flytekit import task, workflow

SETTINGS = json.load(open("settings.json"))
FACTOR = int(os.environ.get("HOUSEKEEPING_FACTOR", SETTINGS["factor"]))


@task
def chatty(n: int) -> int:
    for i in range(n):
        print(f"processed record {i}: " + "." * 120)
    return n * FACTOR


@task
def write_report(name: str) -> str:
    with open(f"{name}.txt", "w") as handle:  # relative: lands in the task's working directory
        handle.write(f"report {name} x{FACTOR}")
    with open(f"{name}.txt") as handle:
        return handle.read()


@task
def wait_for_upstream(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task
def validate(rows: int) -> int:
    if rows <= 0:
        sys.exit(f"nothing to process: {rows} rows")
    return rows


@workflow
def validated(rows: int = 0) -> int:
    return validate(rows=rows)


@workflow
def noisy(n: int = 3000) -> int:
    return chatty(n=n)


@workflow
def report(name: str = "daily") -> str:
    return write_report(name=name)


@workflow
def slow(seconds: float = 120.0) -> float:
    return wait_for_upstream(seconds=seconds)


@workflow
def needs_inputs(names: typing.List[str], threshold: float) -> int:
    return chatty(n=len(names) + int(threshold))
