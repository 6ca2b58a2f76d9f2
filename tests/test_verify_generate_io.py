"""``--generate`` for file, directory and dataset inputs, and the flytekit leg's handling of entities that
are not plain Python function tasks (ShellTask) or that fail to compile, and the skip reasons of dynamic
entries (judged by the tasks their code calls), launch plan inputs and human-input gates."""

from __future__ import annotations

import os
import typing
from datetime import timedelta

import pandas as pd
from flytekit import LaunchPlan, Secret, approve, dynamic, kwtypes, sleep, task, wait_for_input, workflow
from flytekit.extras.tasks.shell import OutputLocation, ShellTask
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset

from flytemigrate.verify.inputs import DATA_DIR_ENV, decode_inputs, encode_inputs, generate_inputs
from flytemigrate.verify.worker import (
    _entry_skip_reason,
    _file_cases,
    _launch_plan_inputs,
    _remote_inputs,
    _skip_reason,
)


def test_file_and_directory_inputs_are_generated_as_real_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    signature = {"report": FlyteFile, "shards": FlyteDirectory}
    cases = generate_inputs(signature, 5, seed=3)
    assert len(cases) >= 2
    for case in cases:
        assert os.path.isfile(case["report"].path)
        assert os.path.isdir(case["shards"].path)
        assert str(case["report"].path).startswith(str(tmp_path))
        encoded = encode_inputs(case)
        assert encoded["report"] == {"__type__": "path", "path": str(case["report"].path)}
        decoded = decode_inputs(encoded, signature)  # what the converted legs get: the same file
        with open(decoded["report"].path) as a, open(case["report"].path) as b:
            assert a.read() == b.read()
    # the same seed gives the same paths (the listing at collection and the later run agree)
    again = generate_inputs(signature, 5, seed=3)
    assert [encode_inputs(c) for c in again] == [encode_inputs(c) for c in cases]
    # a file's location is named by its content: different contents never share one
    contents = {}
    for case in cases:
        text = open(case["report"].path).read()
        assert contents.setdefault(str(case["report"].path), text) == text


def test_structured_dataset_inputs_are_generated_and_sent_as_their_frame() -> None:
    cases = generate_inputs({"sd": StructuredDataset}, 5, seed=1)
    assert any(len(c["sd"].dataframe) > 0 for c in cases)
    for case in cases:
        encoded = encode_inputs(case)["sd"]
        assert encoded["__type__"] == "dataframe"  # not the dataclass fields (uri=None)
        assert encoded["columns"] == ["a", "b", "c"]
        decoded = decode_inputs({"sd": encoded}, {"sd": StructuredDataset})["sd"]
        pd.testing.assert_frame_equal(decoded.dataframe.reset_index(drop=True),
                                      case["sd"].dataframe.reset_index(drop=True), check_dtype=False)


copy_file = ShellTask(
    name="copy_file",
    script="cp {inputs.src} {outputs.dst}",
    inputs=kwtypes(src=FlyteFile),
    output_locs=[OutputLocation(var="dst", var_type=FlyteFile, location="{inputs.src}.copy")],
)


@workflow
def copy_wf(src: FlyteFile) -> FlyteFile:
    return copy_file(src=src)


@task
def size(f: FlyteFile) -> int:
    return len(open(f).read())


@workflow
def does_not_compile(path: str = "missing.txt") -> int:
    # Flyte 1 code that only fails when the workflow compiles (on first use): FlyteFile(...) of a
    # promise is uploaded at compile time.
    return size(f=FlyteFile(path))


def test_shell_tasks_are_skipped_and_uncompilable_workflows_are_not_a_crash() -> None:
    assert "shell task 'copy_file'" in (_skip_reason(copy_wf) or "")
    assert _entry_skip_reason(does_not_compile, "workflow", []) is None  # run it; the error is compared


def test_inputs_file_keys_by_entry_name_or_dotted_module_tail() -> None:
    cases: dict[str, typing.Any] = {
        "etl": [{"n": 1}],
        "workflows.etl": [{"n": 2}],
        "pipelines.workflows.etl": [{"n": 3}],
    }
    assert _file_cases(cases, "acme.pipelines.workflows", "etl") == [{"n": 3}]  # longest tail wins
    assert _file_cases(cases, "acme.reports.workflows", "etl") == [{"n": 2}]
    assert _file_cases(cases, "acme.other", "etl") == [{"n": 1}]
    assert _file_cases(cases, "acme.other", "sweep") == []


@task(secret_requests=[Secret(group="api", key="token")])
def call_api(n: int) -> int:
    return n


@task
def plain(n: int) -> int:
    return n + 1


def _fetch_all(n: int) -> typing.List[int]:
    """A project helper that starts the secret-needing task."""
    return [call_api(n=i) for i in range(n)]


@dynamic
def fan_through_helper(n: int = 2) -> typing.List[int]:
    return _fetch_all(n)


@dynamic
def fan_plain(n: int = 2) -> typing.List[int]:
    return [plain(n=i) for i in range(n)]


def test_dynamic_entries_are_skipped_for_what_their_code_calls_not_for_their_module() -> None:
    module_tasks = [call_api, plain, fan_through_helper, fan_plain]
    assert "needs secrets" in (_entry_skip_reason(fan_through_helper, "dynamic", module_tasks) or "")
    assert _entry_skip_reason(fan_plain, "dynamic", module_tasks) is None  # call_api is in its module only


@workflow
def count_rows(data: FlyteFile, limit: int) -> int:
    return size(f=data)


def test_launch_plan_inputs_are_cases_unless_they_point_at_cloud_storage(tmp_path) -> None:
    local = tmp_path / "rows.txt"
    local.write_text("a\nb\n")
    LaunchPlan.get_or_create(workflow=count_rows, name="count_rows_local",
                             default_inputs={"data": FlyteFile(str(local)), "limit": 5})
    LaunchPlan.get_or_create(workflow=count_rows, name="count_rows_prod",
                             fixed_inputs={"data": FlyteFile("s3://acme-prod/rows.txt"), "limit": 5})
    cases = _launch_plan_inputs()[id(count_rows)]
    assert [(str(c["data"].path), c["limit"]) for c in cases] == [(str(local), 5)]  # no s3 download


@task
def make_report(total: float) -> str:
    return f"report: {total}"


@task
def publish(report: str, title: str) -> str:
    return f"{title}: {report}"


@workflow
def titled_report(total: float = 1.0) -> str:
    report = make_report(total=total)
    title = wait_for_input("title", timeout=timedelta(hours=1), expected_type=str)
    return publish(report=report, title=title)


@workflow
def approved_report(total: float = 1.0) -> str:
    return publish(report=approve(make_report(total=total), "approve-report", timeout=timedelta(hours=2)), title="ok")


@workflow
def paced_report(total: float = 1.0) -> str:
    pause = sleep(timedelta(seconds=1))
    report = make_report(total=total)
    pause >> report
    return report


def test_human_input_gates_are_skipped_and_sleeps_are_not() -> None:
    # both SDKs prompt on stdin for wait_for_input/approve in local runs (flytekit: Abort, flyte: EOFError)
    assert "human input at gate 'title'" in (_skip_reason(titled_report) or "")
    assert "human input at gate 'approve-report'" in (_skip_reason(approved_report) or "")
    assert _skip_reason(paced_report) is None


def test_only_file_typed_inputs_holding_urls_count_as_remote_data() -> None:
    # a str that holds a URL is text (a task may only format it); a FlyteFile URL is downloaded
    signature = {"url": str, "data": FlyteFile}
    assert _remote_inputs({"url": "https://example.com/index.html", "data": "gs://acme/rows.txt"}, signature) == ["data"]
    assert _remote_inputs({"url": "https://example.com/index.html", "data": "rows.txt"}, signature) == []
    assert _remote_inputs({"url": "x", "data": FlyteFile("s3://acme/rows.txt")}, {}) == ["data"]  # no hints
