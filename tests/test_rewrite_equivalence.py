"""Rewrite fixtures keep behaviour: every ``fixtures/rewrite/**/<case>.py`` whose entry ``main`` is a
workflow/dynamic/eager runnable with its default inputs runs under flytekit and, converted with
``transform_source`` in the default and in the async style, under the real ``flyte`` SDK; the results
(outputs, or error types) must match.

Runs through verify's own legs: per fixture directory one flytekit subprocess (shared by both styles)
and one real-flyte subprocess per style.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from flytemigrate.verify.project import rewrite_projects
from flytemigrate.verify.runner import VerifyOptions, original_job, real_flyte_available, run_leg, verify_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rewrite"
STYLES = ("default", "async")

# Known differences, each with the precise reason. Strict: a codemod fix that makes one pass must
# remove its entry. Empty while every fixture converts equivalently.
KNOWN: dict[tuple[str, str], str] = {}


def has_main_entry(path: Path) -> bool:
    """A module-level, decorated ``main`` (a workflow/dynamic/eager in these fixtures)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main" and node.decorator_list
        for node in tree.body
    )


CASES = sorted(
    p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".expected.py") and has_main_entry(p)
)


def case_id(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix()


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    if not real_flyte_available():
        pytest.skip("the real flyte SDK is not installed")
    options = VerifyOptions(legs=("flyte",), entries=("main",), compare_calls=False)
    files = [str(p) for p in CASES]
    converted = {
        style: rewrite_projects(files, tmp_path_factory.mktemp(style), style == "async", None, jobs=2)
        for style in STYLES
    }

    def verify_directory(index: int) -> dict:
        default_project = converted["default"][index]
        original = run_leg("flytekit", original_job(default_project, options), options.timeout)
        found = {}
        for style in STYLES:
            for result in verify_project(converted[style][index], options, original=original):
                path = default_project.root / (result.module.replace(".", "/") + ".py")
                found[(case_id(path), style)] = result
        return found

    results: dict = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(verify_directory, range(len(converted["default"]))):
            results.update(found)
    return results


def test_fixtures_found():
    assert len(CASES) >= 40


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", CASES, ids=case_id)
def test_converted_fixture_behaves_like_the_original(verdicts, path, style, request):
    key = (case_id(path), style)
    if key in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[key], strict=True))
    result = verdicts.get(key)
    assert result is not None, f"no verify result for {key}"
    assert result.verdict == "equivalent", f"{result.verdict}: {result.reason}\n" + "\n".join(result.diffs)
