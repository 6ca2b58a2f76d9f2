"""``flytemigrate lint``, ``rules`` and ``explain``.

``lint`` reports what breaks when the code runs on Flyte 2 (see ``docs/rules.md``). Exit codes:
0 no findings, 1 findings (or a file that could not be linted), 2 usage error (unknown rule code,
missing path, bad configuration). ``--exit-zero`` turns 1 into 0 for report-only CI jobs.

Start-up time matters (pre-commit runs this on every commit), so this module imports only typer;
libcst, pydantic and the rules are imported inside the command functions.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from flytemigrate.commands import EXIT_FINDINGS, EXIT_OK, usage_error


class LintFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _split(values: Optional[List[str]]) -> List[str]:
    """``--select FM1,FM2 --select FM5`` -> ``[FM1, FM2, FM5]``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def register(app: typer.Typer) -> None:
    @app.command("lint")
    def lint(
        paths: Optional[List[str]] = typer.Argument(None, help="Files or directories to lint ('-' reads stdin). Default: '.'."),
        select: Optional[List[str]] = typer.Option(None, "--select", help="Rule codes or prefixes to enable (FM1, FM10, FM101); comma-separated or repeated."),
        ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rule codes or prefixes to disable."),
        output_format: LintFormat = typer.Option(LintFormat.text, "--output-format", help="text, json, github (annotations) or sarif."),
        output_file: Optional[Path] = typer.Option(None, "--output-file", "-o", help="Write the report here instead of stdout."),
        fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place, then report what remains."),
        exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are findings."),
        jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Files linted in parallel."),
        config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read [tool.flytemigrate] from."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print findings only, no summary."),
    ) -> None:
        """Report code that breaks or behaves differently on Flyte 2."""
        from flytemigrate.config import ConfigError, load_settings
        from flytemigrate.files import SOURCE_SUFFIXES, STDIN, PathError, discover

        paths = paths or ["."]
        try:
            settings = load_settings(config, Path(paths[0]) if paths[0] != STDIN else None)
        except ConfigError as exc:
            usage_error(str(exc))

        from flytemigrate.lint.registry import SelectionError, check_selectors, select_codes
        from flytemigrate.lint.runner import LintOptions, lint_worker

        try:
            config_select = check_selectors(settings.select)
            config_ignore = check_selectors(settings.ignore)
            per_file = tuple(
                (pattern, tuple(check_selectors(codes))) for pattern, codes in settings.per_file_ignores.items()
            )
            cli_select = check_selectors(_split(select))
            cli_ignore = check_selectors(_split(ignore))
        except SelectionError as exc:
            where = f" (in {settings.source})" if settings.source else ""
            usage_error(f"{exc}{where}")
        codes = select_codes(cli_select or config_select, [*config_ignore, *cli_ignore])
        root = str(Path(settings.source).parent) if settings.source else None
        options = LintOptions(codes=codes, fix=fix, per_file_ignores=per_file, root=root)

        try:
            files = list(discover(paths, exclude=settings.all_excludes, suffixes=SOURCE_SUFFIXES))
        except PathError as exc:
            usage_error(str(exc))
        from_stdin = STDIN in files
        if from_stdin and len(files) > 1:
            usage_error("'-' (stdin) cannot be combined with other paths")

        from flytemigrate.engine import process, write_atomic

        fixed_files = 0
        if from_stdin:
            results = [_lint_stdin(options)]
            fixed_files = int(results[0].new_source is not None)
        else:
            results = process(files, lint_worker, options, jobs=jobs)
        for result in results:
            if result.new_source is None or result.path == STDIN:
                continue
            try:
                write_atomic(result.path, result.new_source)
                fixed_files += 1
            except OSError as exc:
                result.status = "failed"
                result.error = f"cannot write fixes, file left unchanged: {exc.strerror or exc}"

        report = _render(results, output_format)
        if output_file is not None:
            output_file.write_text(report, encoding="utf-8")
        else:
            stream = sys.stderr if (from_stdin and fix) else sys.stdout
            stream.write(report)

        findings = sum(len(r.diagnostics) for r in results)
        if output_format == LintFormat.text and not quiet:
            fixable = sum(1 for r in results for d in r.diagnostics if d.fix is not None)
            line = f"{findings} finding{'s' if findings != 1 else ''} in {len(results)} file{'s' if len(results) != 1 else ''}"
            if fix and fixed_files:
                line += f"; fixed {fixed_files} file{'s' if fixed_files != 1 else ''}"
            elif fixable:
                line += f" ({fixable} fixable with --fix)"
            typer.echo(line, err=True)
        failed = any(r.status == "failed" for r in results)
        raise typer.Exit(EXIT_OK if exit_zero or not (findings or failed) else EXIT_FINDINGS)

    @app.command("rules")
    def rules(
        output_format: str = typer.Option("text", "--output-format", help="text or json."),
    ) -> None:
        """List the lint rules: code, name, severity, summary."""
        from flytemigrate.lint.registry import ALL_RULES

        if output_format == "json":
            import json

            data = [
                {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary()} for r in ALL_RULES
            ]
            typer.echo(json.dumps(data, indent=2))
            return
        if output_format != "text":
            usage_error(f"unknown output format {output_format!r} (text or json)")
        width = max((len(r.name) for r in ALL_RULES), default=0)
        for rule in ALL_RULES:
            typer.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary()}")

    @app.command("explain")
    def explain(code: str = typer.Argument(..., help="Rule code, e.g. FM101, or rule name.")) -> None:
        """Print the documentation of one rule (or of a rewrite TODO code such as FM525)."""
        from flytemigrate.lint.docs import explain_code, rule_markdown
        from flytemigrate.lint.registry import ALL_RULES

        wanted = code.strip()
        for rule in ALL_RULES:
            if wanted.upper() == rule.code or wanted.lower() == rule.name:
                typer.echo(rule_markdown(rule, heading="#").rstrip())
                return
        # Not a rule: an engine code (FM000-FM002) or a rewrite TODO code (FM520+).
        other = explain_code(wanted)
        if other is not None:
            typer.echo(other.rstrip())
            return
        usage_error(f"unknown rule {code!r} (see `flytemigrate rules`)")


def _lint_stdin(options):  # -> FileResult
    """Lint stdin. With ``--fix`` the (fixed or unchanged) code is echoed to stdout, so an editor
    piping a buffer through ``lint --fix -`` always gets its code back; the report goes to stderr."""
    from flytemigrate.engine import SourceError, failure, read_source
    from flytemigrate.lint.runner import lint_worker

    try:
        source, _ = read_source("-")
    except SourceError as exc:
        return failure("-", str(exc))
    result = lint_worker("-", source, options)
    if options.fix:
        sys.stdout.write(result.new_source if result.new_source is not None else source)
    return result


def _render(results: list, output_format: LintFormat) -> str:
    from flytemigrate import __version__

    if output_format == LintFormat.json:
        from flytemigrate.output.json_output import render

        return render(results, command="lint")
    if output_format == LintFormat.github:
        from flytemigrate.lint.registry import ALL_RULES
        from flytemigrate.output.github import render as render_github

        return render_github(results, names={r.code: r.name for r in ALL_RULES})
    if output_format == LintFormat.sarif:
        from flytemigrate.lint.docs import catalogue
        from flytemigrate.output.sarif import render as render_sarif

        return render_sarif(results, catalogue(), __version__)
    import io

    from flytemigrate.output.text import write_diagnostics

    buffer = io.StringIO()
    write_diagnostics(results, buffer)
    return buffer.getvalue()
