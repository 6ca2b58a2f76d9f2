"""``flytemigrate verify``: compare the Flyte 1 original with the converted code.

Two forms:

* ``flytemigrate verify OLD.py NEW.py [--entry NAME]...``: a hand- or tool-converted pair;
* ``flytemigrate verify --rewrite PATHS``: convert PATHS into a scratch copy (same package layout) and
  verify every ``@workflow``/``@dynamic``/``@eager`` entry found.

Each leg (flytekit original, bundled runtime, real flyte SDK) runs in its own subprocess. Exit 0 when
every case is equivalent or skipped, 1 when any case is different or failed in one leg only, 2 on
usage errors. Heavy imports stay inside the command function so CLI start-up stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from flytemigrate.commands import EXIT_FINDINGS, usage_error


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"


LEG_NAMES = ("runtime", "flyte")


def register(app: typer.Typer) -> None:
    """Add the ``verify`` command to the CLI."""

    @app.command("verify")
    def verify(
        paths: List[str] = typer.Argument(..., help="OLD.py NEW.py, or with --rewrite the files/directories to convert."),
        rewrite: bool = typer.Option(False, "--rewrite", help="Convert PATHS into a scratch copy and verify that."),
        entry: Optional[List[str]] = typer.Option(None, "--entry", help="Only these workflow/dynamic/eager entries (repeatable); OLD=NEW pairs an entry the conversion renamed."),
        leg: Optional[List[str]] = typer.Option(None, "--leg", help="Converted legs to run: runtime, flyte (repeatable). Default: runtime, plus flyte when installed."),
        inputs: Optional[Path] = typer.Option(None, "--inputs", help="Inputs file {entry: [{input: value}, ...]} (default: inputs.yaml beside the project)."),
        generate: int = typer.Option(0, "--generate", min=0, help="Also run N input sets generated from the type hints."),
        seed: int = typer.Option(0, "--seed", help="Seed for --generate (reproducible)."),
        replay: bool = typer.Option(False, "--replay", help="Replay each converted driver from its record and report non-determinism."),
        isolate: bool = typer.Option(False, "--isolate", help="Run each converted task call from a fresh import of its module."),
        float_tolerance: Optional[float] = typer.Option(None, "--float-tolerance", help="Relative tolerance for floats (config: float-tolerance)."),
        timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds per case (one entry run with one input set) and per module import (config: timeout)."),
        async_style: Optional[bool] = typer.Option(None, "--async/--sync", help="With --rewrite: emit async tasks (config: async)."),
        no_calls: bool = typer.Option(False, "--no-calls", help="Do not compare child task calls."),
        output_format: VerifyFormat = typer.Option(VerifyFormat.text, "--output-format", help="text, json or junit."),
        output_file: Optional[Path] = typer.Option(None, "--output-file", "-o", help="Write the report here instead of stdout."),
        jobs: int = typer.Option(2, "--jobs", "-j", min=1, help="Processes converting files with --rewrite."),
        config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml to read [tool.flytemigrate] from."),
    ) -> None:
        """Run the Flyte 1 original and the converted code with the same inputs and compare."""
        from flytemigrate.config import ConfigError, load_settings

        try:
            settings = load_settings(config, Path(paths[0]) if paths else None)
        except ConfigError as exc:
            usage_error(str(exc))
        legs = tuple(leg or ())
        for name in legs:
            if name not in LEG_NAMES:
                usage_error(f"unknown leg {name!r}; choose from {', '.join(LEG_NAMES)}")
        from flytemigrate.verify.runner import VerifyOptions, exit_code, real_flyte_available, verify_projects
        from flytemigrate.startup import resume_collector

        resume_collector()

        if "flyte" in legs and not real_flyte_available():
            usage_error("--leg flyte needs the real flyte SDK (pip install 'flytemigrate[conformance]')")
        if inputs is not None and not inputs.is_file():
            usage_error(f"no such inputs file: {inputs}")
        if inputs is not None:
            from flytemigrate.verify.inputs import InputsFileError, load_inputs_file

            try:
                load_inputs_file(inputs)
            except InputsFileError as exc:
                usage_error(str(exc))
        options = VerifyOptions(
            legs=legs or None,
            entries=tuple(entry or ()),
            generate=generate,
            seed=seed,
            float_tolerance=float_tolerance if float_tolerance is not None else settings.float_tolerance,
            timeout=timeout if timeout is not None else settings.timeout,
            replay=replay,
            isolate=isolate,
            compare_calls=not no_calls,
        )
        import tempfile

        from flytemigrate.files import PathError, discover
        from flytemigrate.verify.project import pair_projects, rewrite_projects

        with tempfile.TemporaryDirectory(prefix="flytemigrate-verify-") as scratch:
            if rewrite:
                try:
                    files = list(discover(paths, exclude=settings.all_excludes))
                except PathError as exc:
                    usage_error(str(exc))
                use_async = async_style if async_style is not None else settings.async_style
                projects = rewrite_projects(files, Path(scratch), use_async, inputs, settings.env_name, jobs=jobs)
            else:
                if len(paths) != 2:
                    usage_error("give OLD.py NEW.py, or --rewrite PATHS")
                old, new = Path(paths[0]), Path(paths[1])
                for path in (old, new):
                    if not path.is_file():
                        usage_error(f"no such file: {path}")
                projects = [pair_projects(old, new, inputs)]
            results = verify_projects(projects, options)

        from flytemigrate.verify.report import RENDERERS

        render = RENDERERS[output_format.value]
        if output_file is not None:
            with open(output_file, "w", encoding="utf-8") as stream:
                render(results, stream)
        else:
            render(results, sys.stdout)
        if exit_code(results):
            raise typer.Exit(EXIT_FINDINGS)
