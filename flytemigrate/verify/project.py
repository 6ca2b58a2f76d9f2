"""What verify runs: projects (import roots), their modules, and the rewritten scratch copy.

A *project* is an import root: the directory that goes first on ``sys.path`` so the user's modules
import as they do in production (``python workflows.py`` or ``pyflyte run``). For a file in a package
(``proj/pkg/mod.py`` with ``proj/pkg/__init__.py``) the root is ``proj`` and the module ``pkg.mod``, so
relative and sibling imports work. ``--rewrite`` copies each root into a scratch directory with the
same layout and converts every ``.py`` file there with ``transform_source``; the originals are never
touched.
"""

from __future__ import annotations

import re
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
    # A scratch copy of ``root`` the flytekit leg imports from instead, when the original modules
    # are not importable as they are (notebooks given on the command line become modules there).
    original_copy: Optional[Path] = None
    # Every entry the flytekit leg found (selected or not), to tell a misspelt --entry apart.
    entry_names: list[str] = field(default_factory=list)
    # The label when the root's own name is not unique (two services' src/ directories).
    name: Optional[str] = None

    @property
    def run_root(self) -> Path:
        """Where the flytekit leg imports the original modules from."""
        return self.original_copy or self.root

    @property
    def label(self) -> str:
        return self.name or self.root.name or str(self.root)

    def project_names(self) -> list[str]:
        """Top-level names importable from the roots (so a missing one is a project bug, not a package)."""
        names = set()
        for base in {self.run_root, self.converted_root}:
            for child in base.iterdir():
                if child.suffix == ".py":
                    names.add(child.stem)
                elif child.is_dir() and (child / "__init__.py").exists():
                    names.add(child.name)
        return sorted(names)


def import_root(path: Path) -> tuple[Path, str]:
    """The directory to put on ``sys.path`` for ``path`` and the dotted module name under it."""
    path = path.resolve()
    # a notebook verifies as the module of the same stem (its code cells; see _notebook_modules)
    parts = [path.stem] if path.name != "__init__.py" else []
    directory = path.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return _namespace_root(path, directory, parts)


_ABSOLUTE_IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import|import[ \t]+([A-Za-z_]\w*))", re.M)


def _namespace_root(path: Path, directory: Path, parts: list[str]) -> tuple[Path, str]:
    """Move the root above namespace packages (directories without ``__init__.py``) that the module
    imports itself through: ``src/acme/flows/wf.py`` doing ``from acme.flows.tasks import t`` is
    ``acme.flows.wf`` under ``src``, as its deployment imports it, not ``wf`` under ``src/acme/flows``
    (where ``acme`` would look like a missing package)."""
    if path.suffix != ".py":
        return directory, ".".join(parts)
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return directory, ".".join(parts)
    imported = {a or b for a, b in _ABSOLUTE_IMPORT_RE.findall(source)}
    candidate = directory
    for _ in range(4):  # as far up as the rewrite resolves namespace packages
        if candidate.parent == candidate:
            break
        if candidate.name in imported and not (candidate.parent / candidate.name / "__init__.py").exists():
            prefix = list(directory.relative_to(candidate.parent).parts)
            return candidate.parent, ".".join(prefix + parts)
        candidate = candidate.parent
    return directory, ".".join(parts)


PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def find_inputs_file(root: Path, explicit: Optional[Path]) -> Optional[Path]:
    """The ``--inputs`` file, else an ``inputs.yaml`` beside the project.

    "Beside the project" is the import root or a directory above it up to the repository top (the
    first one holding ``pyproject.toml``/``setup.py``/``setup.cfg``/``.git``): a ``src/`` layout keeps
    its import root one level below the file people put at the top.
    """
    if explicit is not None:
        return explicit
    directory = root
    for _ in range(4):
        for name in INPUT_FILE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        if any((directory / marker).exists() for marker in PROJECT_MARKERS) or directory.parent == directory:
            break
        directory = directory.parent
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


def _imported_names(source: str) -> set[str]:
    """Module names a file imports (absolute and relative), by a cheap scan; used to pick helpers."""
    names: set[str] = set()
    for match in _IMPORT_RE.finditer(source):
        for part in re.split(r"[\s,()]+", (match.group(1) or "") + " " + (match.group(2) or "")):
            part = part.strip(".")
            if part and part not in ("import", "as"):
                names.update(part.split("."))
    return names


_IMPORT_RE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w\s,().]+)|import\s+([\w.]+))", re.M)


def _convert_one(args: tuple[str, bool, Optional[str]]) -> tuple[str, Optional[str]]:
    """Convert one scratch file in place; returns (path, error or None). Runs in a worker process."""
    from flytemigrate.codemods import transform_source
    from flytemigrate.codemods.base import RewriteOptions

    path, async_style, env_name = args
    source = Path(path).read_text(encoding="utf-8", errors="replace")
    try:
        output = transform_source(source, path, RewriteOptions(async_style=async_style, env_name=env_name))
    except Exception as exc:  # noqa: BLE001 - the converted leg then runs the original module
        return path, f"rewrite failed: {exc}"
    if output.code != source:
        # Atomic: another worker converting a sibling module reads this file meanwhile (to follow
        # tasks, NamedTuples and File fields across modules); a half-written file read as empty
        # made that sibling's conversion miss them.
        from flytemigrate.engine import write_atomic

        write_atomic(path, output.code)
    return path, None


def _notebook_modules(project: Project, notebooks: list[str], original_copy: Path) -> None:
    """Make notebooks given on the command line importable: their code cells (IPython magics and
    shell escapes commented out) become ``<stem>.py`` in a scratch copy of the original root and in
    the converted copy, which is then rewritten like any module. The user's directory is not touched.
    """
    from flytemigrate.lint.notebook import NotebookError, notebook_script

    shutil.copytree(project.root, original_copy, ignore=COPY_IGNORE, symlinks=True)
    project.original_copy = original_copy
    for notebook in notebooks:
        relative = Path(notebook).relative_to(project.root).with_suffix(".py")
        if (project.root / relative).exists():  # a jupytext pair: the .py twin is the module
            continue
        try:
            script = notebook_script(Path(notebook).read_text(encoding="utf-8", errors="replace")).source
        except NotebookError as exc:
            project.rewrite_notes.append(f"{Path(notebook).name}: {exc}")
            continue
        for base in (original_copy, project.converted_root):
            (base / relative).write_text(script, encoding="utf-8")


def rewrite_projects(
    files: Iterable[str],
    scratch: Path,
    async_style: bool,
    inputs: Optional[Path],
    env_name: Optional[str] = None,
    jobs: int = 1,
) -> list[Project]:
    """Copy every import root of ``files`` under ``scratch`` and convert the Flyte 1 code there.

    Converted: the given files, and the other modules of the root that they import (helper modules
    with tasks); other files in the root (unrelated scripts, golden outputs) are copied unchanged.
    ``jobs`` > 1 converts in a process pool (LibCST is CPU-bound).
    """
    from flytemigrate.codemods import needs_rewrite

    files = [str(Path(f).resolve()) for f in files]
    notebooks = {f for f in files if f.endswith(".ipynb")}
    projects = []
    work: list[tuple[str, bool, Optional[str]]] = []
    owner: dict[str, Project] = {}
    for index, (root, modules) in enumerate(group_by_root(files).items()):
        target = scratch / f"{index:03d}-{root.name or 'root'}"
        shutil.copytree(root, target, ignore=COPY_IGNORE, symlinks=True)
        project = Project(
            root=root,
            modules=modules,
            converted_root=target,
            converted_modules={m: m for m in modules},
            inputs_file=find_inputs_file(root, inputs),
        )
        projects.append(project)
        root_notebooks = sorted(n for n in notebooks if import_root(Path(n))[0] == root)
        if root_notebooks:
            _notebook_modules(project, root_notebooks, scratch / f"{index:03d}-{root.name or 'root'}-original")
        wanted = {m.replace(".", "/") + ".py" for m in modules}
        imported: set[str] = set()
        for module in modules:
            original = project.run_root / (module.replace(".", "/") + ".py")
            if not original.exists():
                original = project.run_root / module.replace(".", "/") / "__init__.py"
            if original.exists():
                imported |= _imported_names(original.read_text(encoding="utf-8", errors="replace"))
        for py in sorted(target.rglob("*.py")):
            relative = py.relative_to(target).as_posix()
            helper = py.stem in imported or (py.name == "__init__.py" and py.parent.name in imported)
            if relative not in wanted and not helper:
                continue
            if needs_rewrite(py.read_text(encoding="utf-8", errors="replace")):
                work.append((str(py), async_style, env_name))
                owner[str(py)] = project
    if jobs > 1 and len(work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(_convert_one, work))
    else:
        outcomes = [_convert_one(item) for item in work]
    for path, error in outcomes:
        if error:
            project = owner[path]
            project.rewrite_notes.append(f"{Path(path).relative_to(project.converted_root)}: {error}")
    _unique_labels(projects)
    return projects


def _unique_labels(projects: list[Project]) -> None:
    """Projects are told apart by label (reports, pytest ids, result lookups): roots with the same
    directory name (``services/billing/src``, ``services/search/src``) get their path below the
    common parent as label."""
    import collections
    import os

    counts = collections.Counter(p.label for p in projects)
    clashing = [p for p in projects if counts[p.label] > 1]
    if not clashing:
        return
    common = Path(os.path.commonpath([str(p.root) for p in clashing]))
    for project in clashing:
        relative = project.root.relative_to(common).as_posix() if project.root != common else project.root.name
        project.name = relative or project.root.name
