"""pytest plugin (entry point ``pytest11``): ``pytest --flytemigrate-verify PATHS``.

Teams keep equivalence tests in their suites: every ``@workflow``/``@dynamic``/``@eager`` entry and
input set found under PATHS becomes one test item. At collection the Flyte 1 code is rewritten into
a scratch copy (``transform_source``) and the flytekit leg lists the entries and input sets without
running them; the first item of a project then verifies the whole project at once (one subprocess
per leg) and every item reports its own verdict: a failing item shows the diff, a skipped one the
reason.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    group = parser.getgroup("flytemigrate")
    group.addoption(
        "--flytemigrate-verify",
        action="append",
        default=[],
        metavar="PATH",
        help="Collect one equivalence test per Flyte 1 entry and input set found under PATH.",
    )
    group.addoption("--flytemigrate-verify-async", action="store_true", default=False,
                    help="Rewrite in async style before verifying.")
    group.addoption("--flytemigrate-verify-leg", action="append", default=[], metavar="LEG",
                    help="Converted legs to run: runtime, flyte (default: runtime, plus flyte when installed).")
    group.addoption("--flytemigrate-verify-replay", action="store_true", default=False,
                    help="Also replay each converted driver and fail non-deterministic ones.")
    group.addoption("--flytemigrate-verify-isolate", action="store_true", default=False,
                    help="Run each converted task call from a fresh import of its module.")
    group.addoption("--flytemigrate-verify-generate", type=int, default=0, metavar="N",
                    help="Also verify N input sets generated from the type hints.")
    group.addoption("--flytemigrate-verify-timeout", type=float, default=None, metavar="SECONDS",
                    help="Seconds per case and per module import (default: [tool.flytemigrate] timeout).")


class VerifyFailure(Exception):
    """A non-equivalent case; the message is the diff."""


class _Session:
    """Per-pytest-session state: scratch directory, projects, and verified results (lazily)."""

    def __init__(self, config: Any) -> None:
        from flytemigrate.config import load_settings
        from flytemigrate.verify.runner import VerifyOptions

        self.config = config
        self.tmp = tempfile.TemporaryDirectory(prefix="flytemigrate-pytest-verify-")
        settings = load_settings(None, Path(str(config.rootpath)))
        self.options = VerifyOptions(
            legs=tuple(config.getoption("flytemigrate_verify_leg")) or None,
            generate=config.getoption("flytemigrate_verify_generate"),
            float_tolerance=settings.float_tolerance,
            timeout=config.getoption("flytemigrate_verify_timeout") or settings.timeout,
            replay=config.getoption("flytemigrate_verify_replay"),
            isolate=config.getoption("flytemigrate_verify_isolate"),
            shrink_examples=0,
        )
        self.async_style = config.getoption("flytemigrate_verify_async") or settings.async_style
        self.env_name = settings.env_name
        self.results: dict[str, dict[tuple[str, str, int], Any]] = {}

    def projects(self, paths: list[str]) -> list[Any]:
        from flytemigrate.files import discover
        from flytemigrate.verify.project import rewrite_projects

        files = list(discover(paths))
        return rewrite_projects(files, Path(self.tmp.name), self.async_style, None, self.env_name)

    def result_for(self, project: Any, module: str, entry: str, index: int) -> Any:
        from flytemigrate.verify.runner import verify_project

        if project.label not in self.results:
            self.results[project.label] = {(r.module, r.entry, r.index): r for r in verify_project(project, self.options)}
        return self.results[project.label].get((module, entry, index))


def _definition_line(path: Path, name: str) -> int:
    """0-based line of ``def name`` in ``path`` (0 when not found), where skips and failures point."""
    import re

    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    match = re.search(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b", source, re.M)
    return source.count("\n", 0, match.start()) if match else 0


def _skip(reason: str) -> None:
    """Skip, reported at the user's module (``reportinfo``) rather than at this plugin's line."""
    try:
        raise pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:  # a pytest without the keyword: the plugin's line then
        pytest.skip(reason)


class ModuleProblemItem(pytest.Item):
    """An original module that cannot be imported: skipped (missing optional package) or failing."""

    def __init__(self, *, project: Any, problem: dict, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project = project
        self.problem = problem

    def runtest(self) -> None:
        if self.problem.get("kind") == "missing-package":
            _skip(self.problem["error"])
        raise VerifyFailure(f"the original module {self.problem['module']} does not import:\n{self.problem['error']}")

    def repr_failure(self, excinfo: Any, style: Optional[str] = None) -> Any:
        if isinstance(excinfo.value, VerifyFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, Optional[int], str]:
        return self.project.root / (self.problem["module"].replace(".", "/") + ".py"), 0, self.name


class VerifyItem(pytest.Item):
    """One entry and input set of one project."""

    def __init__(self, *, project: Any, case: dict, state: _Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project = project
        self.case = case
        self.state = state

    def runtest(self) -> None:
        from flytemigrate.verify.report import details

        if self.case.get("status") == "skipped":
            _skip(self.case.get("reason", "skipped"))
        result = self.state.result_for(self.project, self.case["module"], self.case["entry"], self.case["index"])
        if result is None:
            raise VerifyFailure("no verify result for this case (entries changed during the run?)")
        if result.verdict == "skipped":
            _skip(result.reason)
        if result.verdict != "equivalent":
            raise VerifyFailure(f"{result.verdict}: inputs {result.inputs}\n{details(result)}")

    def repr_failure(self, excinfo: Any, style: Optional[str] = None) -> Any:
        if isinstance(excinfo.value, VerifyFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, Optional[int], str]:
        path = self.project.root / (self.case["module"].replace(".", "/") + ".py")
        return path, _definition_line(path, self.case["entry"]), self.name


def pytest_collection_modifyitems(session: Any, config: Any, items: list) -> None:
    paths = config.getoption("flytemigrate_verify")
    if not paths:
        return
    from flytemigrate.verify.runner import original_job, run_leg

    state = _Session(config)
    config._flytemigrate_verify_state = state  # keeps the scratch directory alive for the session
    for project in state.projects(paths):
        listing = run_leg("flytekit", original_job(project, state.options, run=False), state.options.timeout)
        if "fatal" in listing:
            raise pytest.UsageError(f"flytemigrate verify: cannot list entries of {project.root}: {listing['fatal']}")
        for problem in listing.get("module_errors", []):
            name = f"verify[{project.label}/{problem['module']}]"
            items.append(ModuleProblemItem.from_parent(session, name=name, project=project, problem=problem))
        for case in listing["cases"]:
            name = f"verify[{project.label}/{case['module']}.{case['entry']}-{case['index']}]"
            items.append(VerifyItem.from_parent(session, name=name, project=project, case=case, state=state))


def pytest_unconfigure(config: Any) -> None:
    state = getattr(config, "_flytemigrate_verify_state", None)
    if state is not None:
        state.tmp.cleanup()
