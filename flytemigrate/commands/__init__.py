"""One module per CLI subcommand; each exposes ``register(app)``."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

# Documented exit codes (see flytemigrate.cli).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def usage_error(message: str) -> NoReturn:
    """Print ``message`` to stderr and exit 2."""
    typer.echo(f"flytemigrate: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
