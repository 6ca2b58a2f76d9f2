"""The ``flytemigrate`` command line (typer). Thin: parse options, call the engine, print.

Exit codes, for every command:
  0  nothing to report (rewrite: nothing changed or changes written; lint: no findings;
     verify: everything equivalent)
  1  findings or changes: ``rewrite --check`` would change a file, a file failed to rewrite,
     lint found problems, verify found a difference
  2  usage error (bad option, unknown rule code, missing path, invalid configuration) or an
     internal error

Subcommands live in ``flytemigrate.commands``; each imports its heavy dependencies inside the
command function so that ``flytemigrate lint`` in pre-commit starts fast.
"""

from __future__ import annotations

import typer

from flytemigrate.commands import lint as lint_command
from flytemigrate.commands import rewrite as rewrite_command
from flytemigrate.commands import run as run_command
from flytemigrate.commands import verify as verify_command

app = typer.Typer(
    name="flytemigrate",
    help="Move Flyte 1 (flytekit) code to Flyte 2 (flyte) and prove the move kept behaviour.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (rewrite_command, lint_command, run_command, verify_command):
    module.register(app)


@app.command("version")
def version() -> None:
    """Print the flytemigrate version."""
    from flytemigrate import __version__

    typer.echo(__version__)


def _build_own_models() -> None:
    """Build flytemigrate's pydantic models without pydantic's plugin discovery.

    The first model class makes pydantic scan every installed distribution's entry points for
    plugins (~30 ms with flytekit and flyte installed: a tenth of ``flytemigrate lint FILE`` in
    pre-commit). Our own models need no plugins. The switch is pydantic's documented variable, set
    only while our modules load and restored at once, so user code that a command runs (``run``,
    verify's legs) still gets the user's plugins.
    """
    import os

    key = "PYDANTIC_DISABLE_PLUGINS"
    previous = os.environ.get(key)
    os.environ[key] = "__all__"
    try:
        import flytemigrate.config  # noqa: F401
        import flytemigrate.diagnostics  # noqa: F401
    finally:
        if previous is None:
            del os.environ[key]
        else:
            os.environ[key] = previous


def main() -> None:
    """Console-script entry point; usage errors exit 2 (click's default), as documented above."""
    from flytemigrate.startup import pause_collector

    pause_collector()  # back on once the command's imports are done (flytemigrate.startup)
    _build_own_models()
    app()


if __name__ == "__main__":
    main()
