"""``flytemigrate lint``, ``rules`` and ``explain`` (implemented with the lint package)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registered by the lint work (issue 4)."""
