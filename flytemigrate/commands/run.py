"""``flytemigrate run FILE TASK --name value ...``: execute Flyte 2 code on the bundled runtime.

Loads FILE with the runtime activated (``import flyte`` resolves to the runtime), finds TASK, parses
inputs from its type hints, runs it and prints the outputs. ``--record`` writes the call record as
JSON. Exit 0 on success, 1 when the task fails, 2 on usage errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from flytemigrate.commands import EXIT_FINDINGS, usage_error


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the CLI."""

    @app.command(
        "run",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Run TASK from FILE on the bundled Flyte 2 runtime; task inputs are given as --name value.",
    )
    def run(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="Python file defining the task."),
        task: str = typer.Argument(..., help="Name of the task object in FILE."),
        record: Optional[Path] = typer.Option(None, "--record", help="Write the call record (JSON) here."),
        run_dir: Optional[Path] = typer.Option(
            None, "--run-dir", help="Directory for the cache database and files (default: a temp dir)."
        ),
        keep: bool = typer.Option(False, "--keep", help="Keep the temporary run directory and print its path."),
        isolate: bool = typer.Option(
            False, "--isolate", help="Run every task call from a fresh import of its module, as on a cluster."
        ),
        enforce_timeouts: bool = typer.Option(
            False, "--enforce-timeouts", help="Fail task calls that exceed their timeout (real local runs do not)."
        ),
        json_output: bool = typer.Option(False, "--json", help="Print outputs as JSON."),
    ) -> None:
        from flytemigrate.runtime.runcli import RunOptions, run_file
        from flytemigrate.startup import resume_collector

        resume_collector()

        extra: List[str] = list(ctx.args)
        try:
            code = run_file(
                RunOptions(
                    file=file,
                    task=task,
                    raw_inputs=extra,
                    record=record,
                    run_dir=run_dir,
                    keep=keep,
                    isolate=isolate,
                    enforce_timeouts=enforce_timeouts,
                    json_output=json_output,
                )
            )
        except ValueError as e:  # usage problems: bad file, unknown task, bad inputs
            usage_error(str(e))
        if code:
            raise typer.Exit(EXIT_FINDINGS)
