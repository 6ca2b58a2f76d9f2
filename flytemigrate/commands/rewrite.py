"""``flytemigrate rewrite``: apply the codemods to files, directories or stdin.

In-place by default; ``--diff`` prints a unified diff and writes nothing; ``--check`` writes
nothing and exits 1 when any file would change (pre-commit, CI). A file that fails to parse,
decode or transform is reported and left byte-for-byte untouched.
"""

from __future__ import annotations

import difflib
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from flytemigrate.commands import EXIT_FINDINGS, EXIT_OK, usage_error

# Show a progress bar only for runs long enough to want one.
_PROGRESS_THRESHOLD = 8


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def rewrite_worker(path: str, source: str, options: object):  # -> FileResult
    """Engine worker: rewrite one file's source. Module-level so process pools can pickle it."""
    import libcst as cst

    from flytemigrate.codemods import transform_source
    from flytemigrate.diagnostics import FileResult
    from flytemigrate.engine import failure

    if path.endswith(".ipynb"):
        return _rewrite_notebook(path, source, options)
    try:
        output = transform_source(source, path=path, options=options)  # type: ignore[arg-type]
    except cst.ParserSyntaxError as exc:
        return failure(path, f"syntax error, file left unchanged: {exc.message} (line {exc.raw_line}, column {exc.raw_column + 1})", code="FM002")
    status = "changed" if output.code != source else "unchanged"
    return FileResult(
        path=path,
        status=status,
        diagnostics=output.diagnostics,
        new_source=output.code if status == "changed" else None,
        old_source=source if status == "changed" else None,
    )


def _rewrite_notebook(path: str, source: str, options: object):  # -> FileResult
    """Rewrite the code cells of a notebook; an unreadable notebook or code is left untouched and reported."""
    import libcst as cst

    from flytemigrate.codemods.notebooks import NotebookRewriteError, rewrite_notebook
    from flytemigrate.diagnostics import FileResult
    from flytemigrate.engine import failure

    try:
        output = rewrite_notebook(source, path, options)  # type: ignore[arg-type]
    except cst.ParserSyntaxError as exc:
        return failure(path, f"syntax error in the notebook's code cells, file left unchanged: {exc.message}", code="FM002")
    except NotebookRewriteError as exc:
        return failure(path, f"{exc}; file left unchanged", code="FM002")
    return FileResult(
        path=path,
        status="changed" if output.changed else "unchanged",
        diagnostics=output.diagnostics,
        new_source=output.text if output.changed else None,
        old_source=source if output.changed else None,
    )


def unified_diff(path: str, old: str, new: str) -> str:
    # git-style a/ b/ prefixes keep `git apply`/`patch -p1` working for relative paths; an absolute
    # path is shown as it is (a//tmp/x.py would apply nowhere).
    before, after = (path, path) if path.startswith("/") else (f"a/{path}", f"b/{path}")
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=before, tofile=after)
    )


def register(app: typer.Typer) -> None:
    @app.command("rewrite")
    def rewrite(
        paths: List[str] = typer.Argument(..., help="Files or directories to rewrite; '-' reads stdin and writes stdout."),
        check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if any file would change."),
        diff: bool = typer.Option(False, "--diff", help="Print a unified diff; write nothing."),
        async_style: bool = typer.Option(False, "--async", help="Emit async tasks and asyncio.gather for parallel branches."),
        jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Files processed in parallel."),
        output_format: OutputFormat = typer.Option(OutputFormat.text, "--output-format", help="text or json report."),
        config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read [tool.flytemigrate] from."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
    ) -> None:
        """Rewrite Flyte 1 code to Flyte 2 in place (or --diff / --check)."""
        from flytemigrate.codemods.base import RewriteOptions
        from flytemigrate.config import ConfigError, load_settings
        from flytemigrate.diagnostics import Report, Summary
        from flytemigrate.engine import process, write_atomic
        from flytemigrate.files import SOURCE_SUFFIXES, STDIN, PathError, discover
        from flytemigrate.output.text import summary_line, write_diagnostics

        try:
            settings = load_settings(config, Path(paths[0]) if paths[0] != STDIN else None)
            files = list(discover(paths, exclude=settings.all_excludes, suffixes=SOURCE_SUFFIXES))
        except (ConfigError, PathError) as exc:
            usage_error(str(exc))
        options = RewriteOptions(async_style=async_style or settings.async_style, env_name=settings.env_name)
        to_stdout = STDIN in files
        if to_stdout and len(files) > 1:
            usage_error("'-' (stdin) cannot be combined with other paths")

        if to_stdout:
            results = [_rewrite_stdin(options)]
        else:
            progress = _Progress(len(files), enabled=not (quiet or output_format == OutputFormat.json))
            results = process(files, rewrite_worker, options, jobs=jobs, on_result=progress.advance)
            progress.close()

        for result in results:
            if to_stdout or result.status != "changed" or result.new_source is None:
                continue
            if diff:
                sys.stdout.write(unified_diff(result.path, result.old_source or "", result.new_source))
            elif not check:
                try:
                    write_atomic(result.path, result.new_source)
                except OSError as exc:
                    result.status = "failed"
                    result.error = f"cannot write file, left unchanged: {exc.strerror or exc}"

        summary = Summary.of(results)
        # Every codemod diagnostic marks a "# TODO(flytemigrate FM5xx)" left in the code (FM5xx band);
        # FM00x are read/parse failures, which are counted as failed files instead.
        todos = sum(1 for r in results for d in r.diagnostics if d.code.startswith("FM5"))
        if output_format == OutputFormat.json:
            sys.stdout.write(Report(command="rewrite", files=results, summary=summary).model_dump_json(indent=2) + "\n")
        else:
            stream = sys.stderr if (to_stdout or diff) else sys.stdout
            if not quiet:
                write_diagnostics(results, stream)
            else:
                write_diagnostics([r for r in results if r.status == "failed"], stream)
            if not quiet and not to_stdout:
                verb = "would change" if (check or diff) else "changed"
                for result in results:
                    if result.status == "changed" and not diff:
                        typer.echo(f"{verb}: {result.path}", err=True)
                typer.echo(summary_line("rewrite", summary, todos), err=True)

        failed = summary.failed > 0
        would_change = (check or diff) and summary.changed > 0
        raise typer.Exit(EXIT_FINDINGS if failed or would_change else EXIT_OK)


def _rewrite_stdin(options: object):  # -> FileResult
    """Rewrite stdin to stdout. On any failure the input is echoed unchanged, so an editor
    integration piping a buffer through us can never lose it."""
    from flytemigrate.engine import SourceError, failure, read_source

    try:
        source, _ = read_source("-")
    except SourceError as exc:
        return failure("-", str(exc))
    result = rewrite_worker("-", source, options)
    sys.stdout.write(result.new_source if result.new_source is not None else source)
    return result


class _Progress:
    """A rich progress bar on stderr, shown only for runs with more than a handful of files."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = None
        if enabled and total > _PROGRESS_THRESHOLD:
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=_stderr_console())
            self._bar.start()
            self._task = self._bar.add_task("rewriting", total=total)

    def advance(self, _result: object) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
