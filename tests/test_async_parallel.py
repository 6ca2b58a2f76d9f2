"""``--async`` output really runs independent branches in parallel on the real flyte SDK.

A Flyte 1 workflow with two independent branches (no data flows between them) is rewritten in
async style and in the default sync style, both are run locally with the real ``flyte`` SDK in one
subprocess, and the tasks report when they started and finished. In async style both branches
must start before either finishes (they were gathered); in sync style the second starts after the
first finished, which shows the measurement can tell the two apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flytemigrate.codemods import RewriteOptions, transform_source

pytest.importorskip("flyte")

SOURCE = textwrap.dedent(
    '''
    import time
    import typing

    from flytekit import task, workflow


    @task
    def branch(name: str, seconds: float) -> typing.List[float]:
        start = time.time()
        time.sleep(seconds)
        return [start, time.time()]


    @task
    def join(a: typing.List[float], b: typing.List[float]) -> typing.List[float]:
        return a + b


    @workflow
    def main(seconds: float = 0.6) -> typing.List[float]:
        left = branch(name="left", seconds=seconds)
        right = branch(name="right", seconds=seconds)
        return join(a=left, b=right)
    '''
)

RUNNER = textwrap.dedent(
    """
    import importlib, json, sys
    import flyte

    sys.path.insert(0, sys.argv[1])
    flyte.init()
    out = {}
    for name in sys.argv[2:]:
        module = importlib.import_module(name)
        outputs = flyte.run(module.main).outputs()
        out[name] = list(outputs[0])
    print("TIMES" + json.dumps(out))
    """
)


def test_async_gathers_independent_branches(tmp_path: Path) -> None:
    async_code = transform_source(SOURCE, "pipeline.py", RewriteOptions(async_style=True)).code
    sync_code = transform_source(SOURCE, "pipeline.py", RewriteOptions()).code
    assert "asyncio.gather(branch.aio(" in async_code
    (tmp_path / "pipeline_async.py").write_text(async_code)
    (tmp_path / "pipeline_sync.py").write_text(sync_code)

    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tmp_path), "pipeline_async", "pipeline_sync"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("TIMES")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    times = json.loads(lines[0][len("TIMES") :])

    start_l, end_l, start_r, end_r = times["pipeline_async"]
    # both branches started before either finished: they ran concurrently
    assert max(start_l, start_r) < min(end_l, end_r), times

    start_l, end_l, start_r, end_r = times["pipeline_sync"]
    # the sync driver runs them one after the other
    assert start_r >= end_l, times
