"""FM900 unused-suppression (a meta-rule computed by the runner from suppression comments)."""

from __future__ import annotations

from typing import ClassVar

from flytemigrate.lint.base import Rule


class UnusedSuppression(Rule):
    """Flags `# flytemigrate: ignore[...]` codes that suppress nothing, or that name no rule.

    A stale suppression hides the next real finding on that line and documents a problem that no
    longer exists. The runner reports a code as unused only when its rule ran on the file, so
    `--select`/`--ignore` never produce false reports; an unknown code is always reported.

    Why it breaks in Flyte 2:
        It does not break Flyte 2 code; it keeps the lint configuration honest while code is
        migrated and suppressions are added and later become obsolete.

    Example:
        import flyte

        env = flyte.TaskEnvironment(name="etl")
        TOTAL = 0  # flytemigrate: ignore[FM501]

    Use instead:
        import flyte

        env = flyte.TaskEnvironment(name="etl")
        TOTAL = 0
    """

    code: ClassVar[str] = "FM900"
    name: ClassVar[str] = "unused-suppression"
    PREFILTER: ClassVar[tuple[str, ...]] = ("flytemigrate:",)
    # Runs on every file: markers and suppressions matter whether or not Flyte is imported.
    REQUIRES_FLYTE: ClassVar[bool] = False
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='etl')\n",
        "from flytekit import task  # flytemigrate: ignore[FM501]\n",
        "from flytekit import (  # flytemigrate: ignore[FM501]\n    task,\n)\n",
        "# flytemigrate: ignore[FM501]\nfrom flytekit import task\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\nTOTAL = 0  # flytemigrate: ignore[FM501]\n",
        "import flyte  # flytemigrate: ignore[FM999]\n",
        "# flytemigrate: ignore[FM501]\n\nimport flyte\n",
    ]
