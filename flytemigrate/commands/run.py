"""``flytemigrate run``: execute Flyte 2 code on the bundled runtime."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registered by the runtime work (issue 5)."""
