"""FM901 suppression-without-code (a meta-rule computed by the runner from suppression comments)."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Rule


class SuppressionWithoutCode(Rule):
    """Flags `# flytemigrate: ignore` comments that name no rule code; they suppress nothing.

    A blanket suppression would silence every current and future rule on the line, including
    the ones that catch real breakage, so flytemigrate requires the codes to be spelled out and
    treats a code-less suppression as a mistake.

    Why it breaks in Flyte 2:
        The author meant to silence a finding, but the comment has no effect: the finding is
        still reported, and the intent is unclear to reviewers.

    Example:
        from flytekit import task  # flytemigrate: ignore

    Use instead:
        from flytekit import task  # flytemigrate: ignore[FM501]
    """

    code: ClassVar[str] = "FM901"
    name: ClassVar[str] = "suppression-without-code"
    PREFILTER: ClassVar[tuple[str, ...]] = ("flytemigrate:",)
    # Runs on every file: markers and suppressions matter whether or not Flyte is imported.
    REQUIRES_FLYTE: ClassVar[bool] = False
    VALID: ClassVar[list[str]] = [
        "from flytekit import task  # flytemigrate: ignore[FM501]\n",
        "# flytemigrate is the tool that moved this file\nimport flyte\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import task  # flytemigrate: ignore\n",
        "import flyte  # flytemigrate: ignore[]\n",
    ]
