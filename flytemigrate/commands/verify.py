"""``flytemigrate verify``: compare the Flyte 1 original with the converted code."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registered by the verify work (issue 6)."""
