"""What verify runs: projects (import roots), their modules, and the rewritten scratch copy.

A *project* is an import root: the directory that goes first on ``sys.path`` so the user's modules
import as they do in production (``python workflows.py`` or ``pyflyte run``). For a file in a package
(``proj/pkg/mod.py`` with ``proj/pkg/__init__.py``) the root is ``proj`` and the module ``pkg.mod``, so
relative and sibling imports work. ``--rewrite`` copies each root into a scratch directory with the
same layout and converts every ``.py`` file there with ``transform_source``; the originals are never
touched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

INPUT_FILE_NAMES = ("inputs.yaml", "inputs.yml", "inputs.json")
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv", "venv", "node_modules", ".mypy_cache")


@dataclass
class Project:
    """One import root with the original modules to verify and where the converted code lives."""

    root: Path
    modules: list[str]
    converted_root: Path
    converted_modules: dict[str, str]
    inputs_file: Optional[Path] = None
    rewrite_notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.root.name or str(self.root)

    def project_names(self) -> list[str]:
        """Top-level names importable from the roots (so a missing one is a project bug, not a package)."""
        names = set()
        for base in {self.root, self.converted_root}:
            for child in base.iterdir():
                if child.suffix == ".py":
                    names.add(child.stem)
                elif child.is_dir() and (child / "__init__.py").exists():
                    names.add(child.name)
        return sorted(names)


def import_root(path: Path) -> tuple[Path, str]:
    """The directory to put on ``sys.path`` for ``path`` and the dotted module name under it."""
    path = path.resolve()
    parts = [path.stem] if path.name != "__init__.py" else []
    directory = path.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return directory, ".".join(parts)


def find_inputs_file(root: Path, explicit: Optional[Path]) -> Optional[Path]:
    """The ``--inputs`` file, else an ``inputs.yaml`` beside the project."""
    if explicit is not None:
        return explicit
    for name in INPUT_FILE_NAMES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def pair_projects(old: Path, new: Path, inputs: Optional[Path]) -> Project:
    """``verify OLD.py NEW.py``: one original module against one converted module."""
    old_root, old_module = import_root(old)
    new_root, new_module = import_root(new)
    return Project(
        root=old_root,
        modules=[old_module],
        converted_root=new_root,
        converted_modules={old_module: new_module},
        inputs_file=find_inputs_file(old.resolve().parent, inputs),
    )


def group_by_root(files: Iterable[str]) -> dict[Path, list[str]]:
    """Discovered files grouped by import root, modules in a stable order."""
    groups: dict[Path, list[str]] = {}
    for file in files:
        root, module = import_root(Path(file))
        if module:
            groups.setdefault(root, []).append(module)
    return {root: sorted(set(mods)) for root, mods in sorted(groups.items())}


def rewrite_projects(
    files: Iterable[str],
    scratch: Path,
    async_style: bool,
    inputs: Optional[Path],
    env_name: Optional[str] = None,
) -> list[Project]:
    """Copy every import root of ``files`` under ``scratch`` and convert its ``.py`` files there."""
    from flytemigrate.codemods import transform_source
    from flytemigrate.codemods.base import RewriteOptions

    options = RewriteOptions(async_style=async_style, env_name=env_name)
    projects = []
    for index, (root, modules) in enumerate(group_by_root(files).items()):
        target = scratch / f"{index:03d}-{root.name or 'root'}"
        shutil.copytree(root, target, ignore=COPY_IGNORE, symlinks=True)
        notes: list[str] = []
        for py in sorted(target.rglob("*.py")):
            source = py.read_text(encoding="utf-8", errors="replace")
            try:
                output = transform_source(source, str(py), options)
            except Exception as exc:  # noqa: BLE001 - the converted leg then reports the original module
                notes.append(f"{py.relative_to(target)}: rewrite failed: {exc}")
                continue
            if output.code != source:
                py.write_text(output.code, encoding="utf-8")
        projects.append(
            Project(
                root=root,
                modules=modules,
                converted_root=target,
                converted_modules={m: m for m in modules},
                inputs_file=find_inputs_file(root, inputs),
                rewrite_notes=notes,
            )
        )
    return projects
