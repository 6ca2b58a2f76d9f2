"""Discovery of the files a command works on.

Directories are walked recursively for ``.py`` files (and ``.ipynb`` notebooks where the caller
asks for them), honouring ``.gitignore`` files on the way down and the ``exclude`` setting, the
way ruff does. A path given explicitly on the command line is always used, even if excluded by
.gitignore, because the user asked for it. ``-`` means standard input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

if TYPE_CHECKING:
    import pathspec

STDIN = "-"

# What rewrite and lint walk directories for: Python modules and Jupyter notebooks (their code cells).
SOURCE_SUFFIXES = (".py", ".ipynb")

# Never worth descending into: virtualenvs, caches, VCS metadata, build output.
_ALWAYS_SKIPPED_DIRS = {
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist", ".eggs", "site-packages",
}


class PathError(Exception):
    """A path given on the command line does not exist or cannot be read."""


@dataclass
class _IgnoreStack:
    """The .gitignore specs in force for a directory, each anchored at the directory it came from."""

    specs: list[tuple[Path, "pathspec.PathSpec"]] = field(default_factory=list)

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self.specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if is_dir:
                rel += "/"
            if spec.match_file(rel):
                return True
        return False

    def entering(self, directory: Path) -> "_IgnoreStack":
        gitignore = directory / ".gitignore"
        if not gitignore.is_file():
            return self
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return self
        return _IgnoreStack([*self.specs, (directory, _spec(lines))])


def _gitignores_above(directory: Path) -> _IgnoreStack:
    """Collect .gitignore files from the enclosing repository root down to ``directory``."""
    directory = directory.resolve()
    chain: list[Path] = []
    for parent in (directory, *directory.parents):
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        chain = [directory]
    stack = _IgnoreStack()
    for parent in reversed(chain):
        stack = stack.entering(parent)
    return stack


def _spec(lines: Iterable[str]) -> "pathspec.PathSpec":
    # Imported when a directory is walked: linting one file (pre-commit) never pays for it.
    import pathspec

    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def _exclude_spec(patterns: Iterable[str]) -> Optional["pathspec.PathSpec"]:
    patterns = list(patterns)
    return _spec(patterns) if patterns else None


def discover(
    paths: Iterable[str],
    exclude: Iterable[str] = (),
    suffixes: tuple[str, ...] = (".py",),
) -> Iterator[str]:
    """Yield the files to process, in a stable order, each once. Raises PathError for a missing path."""
    exclude = list(exclude)
    exclude_spec = None  # built at the first directory: explicit files ignore it
    seen: set[Path] = set()
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        path = Path(raw)
        if not path.exists():
            raise PathError(f"{raw}: no such file or directory")
        if path.is_file():
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield str(path)
            continue
        root = path.resolve()
        if exclude_spec is None:
            exclude_spec = _exclude_spec(exclude)
        yield from _walk(path, root, _gitignores_above(root), exclude_spec, suffixes, seen)


def _walk(
    shown: Path,
    directory: Path,
    ignores: _IgnoreStack,
    exclude_spec: Optional["pathspec.PathSpec"],
    suffixes: tuple[str, ...],
    seen: set[Path],
) -> Iterator[str]:
    ignores = ignores.entering(directory)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise PathError(f"{shown}: cannot list directory: {exc.strerror}") from exc
    for entry in entries:
        full = Path(entry.path)
        is_dir = entry.is_dir(follow_symlinks=False)
        if is_dir and entry.name in _ALWAYS_SKIPPED_DIRS:
            continue
        if ignores.ignored(full, is_dir):
            continue
        rel_shown = shown / entry.name
        if exclude_spec is not None and (
            exclude_spec.match_file(rel_shown.as_posix() + ("/" if is_dir else ""))
            or exclude_spec.match_file(entry.name + ("/" if is_dir else ""))
        ):
            continue
        if is_dir:
            yield from _walk(rel_shown, full, ignores, exclude_spec, suffixes, seen)
        elif entry.is_file() and full.suffix in suffixes and full not in seen:
            seen.add(full)
            yield str(rel_shown)
