"""``[tool.flytemigrate]`` in pyproject.toml, read into a pydantic model.

The nearest pyproject.toml at or above the working directory (or the first path given) wins,
the way ruff and black find their configuration. Unknown keys are a usage error so that a typo
in CI configuration is not silently ignored.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """The configuration file is unreadable or invalid; the CLI exits 2."""


class Settings(BaseModel):
    """All settings; each maps to a CLI option of the same name, which takes precedence."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    exclude: list[str] = Field(default_factory=list)
    extend_exclude: list[str] = Field(default_factory=list, alias="extend-exclude")
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    env_name: Optional[str] = Field(default=None, alias="env-name")
    async_style: bool = Field(default=False, alias="async")
    float_tolerance: float = Field(default=1e-9, alias="float-tolerance")
    timeout: float = 120.0

    # Where the settings came from, for messages; not a user setting.
    source: Optional[str] = Field(default=None, exclude=True)

    @property
    def all_excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]


def find_pyproject(start: Path) -> Optional[Path]:
    """Return the nearest pyproject.toml at or above ``start`` that has a [tool.flytemigrate] table."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "flytemigrate" in data.get("tool", {}):
                return candidate
    return None


def load_settings(config_path: Optional[Path] = None, start: Optional[Path] = None) -> Settings:
    """Load settings from ``config_path``, or discover them from ``start`` (default: cwd)."""
    path = config_path or find_pyproject(start or Path.cwd())
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    table = data.get("tool", {}).get("flytemigrate", {})
    try:
        settings = Settings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid [tool.flytemigrate]: {exc}") from exc
    settings.source = str(path)
    return settings
