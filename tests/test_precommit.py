"""The hooks in ``.pre-commit-hooks.yaml`` work under the real ``pre-commit``, offline.

``pre-commit try-repo`` reads the manifest from this repository exactly as a user's
``.pre-commit-config.yaml`` entry would, and runs the hook on a temporary git repository. The
hooks use ``language: system``, so no environment is downloaded: the ``flytemigrate`` on PATH
(the one installed in the test's virtualenv) runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

BAD = 'import flyte\n\nenv = flyte.TaskEnvironment(name="hooks")\nLIMITS = flyte.Resources(mem="1Gi")\n\n\n@env.task\ndef t(x) -> int:\n    return 1\n'
GOOD = 'import flyte\n\nenv = flyte.TaskEnvironment(name="hooks")\n\n\n@env.task\ndef t(x: int) -> int:\n    return x\n'

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _pre_commit() -> list[str]:
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture()
def user_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "user"
    repo.mkdir()
    env = {
        **os.environ,
        # The flytemigrate console script of this interpreter's environment must be found first.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "PIP_NO_INDEX": "1",  # prove nothing is downloaded
    }
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    return repo, env


def _hooks_repo(tmp: Path, env: dict[str, str]) -> Path:
    """A git repository holding this project's hook manifest, committed (try-repo reads HEAD).

    Copying only the manifest keeps the test independent of the state of the surrounding
    checkout (uncommitted files are invisible to try-repo) and avoids cloning the whole project.
    """
    hooks = tmp / "hooks-repo"
    if not (hooks / ".git").exists():
        hooks.mkdir()
        shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
        subprocess.run(["git", "init", "-q"], cwd=hooks, check=True, env=env)
        subprocess.run(["git", "add", ".pre-commit-hooks.yaml"], cwd=hooks, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "-m", "hooks"], cwd=hooks, check=True, env=env)
    return hooks


def _try_repo(repo: Path, env: dict[str, str], hook: str) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    hooks = _hooks_repo(repo.parent, env)
    return subprocess.run(
        [*_pre_commit(), "try-repo", str(hooks), hook, "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_manifest_is_valid():
    proc = subprocess.run([*_pre_commit(), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_lint_hook_fails_on_findings_and_passes_when_clean(user_repo):
    repo, env = user_repo
    (repo / "bad.py").write_text(BAD)
    (repo / "notes.txt").write_text("not python\n")
    failed = _try_repo(repo, env, "flytemigrate-lint")
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert "flytemigrate lint" in out and "Failed" in out
    assert "bad.py:8:7: FM301" in out and "FM507" in out

    (repo / "bad.py").write_text(GOOD)
    passed = _try_repo(repo, env, "flytemigrate-lint")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_applies_safe_fixes(user_repo):
    repo, env = user_repo
    (repo / "bad.py").write_text(BAD)
    proc = _try_repo(repo, env, "flytemigrate-lint-fix")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "files were modified by this hook" in proc.stdout
    assert 'flyte.Resources(memory="1Gi")' in (repo / "bad.py").read_text()


FLYTE1 = (
    "import flytekit as fl\n\n\n"
    "@fl.task(cache=True, cache_version=\"1\")\n"
    "def double(x: int) -> int:\n"
    "    return 2 * x\n"
)


def test_rewrite_check_hook_fails_on_flyte1_code_and_writes_nothing(user_repo):
    repo, env = user_repo
    (repo / "legacy.py").write_text(FLYTE1)
    failed = _try_repo(repo, env, "flytemigrate-rewrite-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert (repo / "legacy.py").read_text() == FLYTE1

    (repo / "legacy.py").write_text(GOOD)
    passed = _try_repo(repo, env, "flytemigrate-rewrite-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_rewrite_check_hook_sees_notebooks(user_repo):
    """The hooks take Jupyter notebooks too (types_or: [python, jupyter]): a Flyte 1 notebook fails the check."""
    repo, env = user_repo
    notebook = REPO / "fixtures" / "notebooks" / "daily_sales.ipynb"
    (repo / "explore.ipynb").write_text(notebook.read_text())
    failed = _try_repo(repo, env, "flytemigrate-rewrite-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (repo / "explore.ipynb").read_text() == notebook.read_text()

    converted = REPO / "fixtures" / "notebooks" / "daily_sales.expected.ipynb"
    (repo / "explore.ipynb").write_text(converted.read_text())
    passed = _try_repo(repo, env, "flytemigrate-rewrite-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr
