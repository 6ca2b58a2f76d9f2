"""``flyte.remote`` on the runtime: remote objects need a cluster, so each lookup fails clearly."""

from __future__ import annotations

from typing import Any

from flytemigrate.runtime.flyte.errors import RuntimeNotAvailableLocallyError


def _unavailable(what: str) -> RuntimeNotAvailableLocallyError:
    return RuntimeNotAvailableLocallyError(
        f"{what} needs a Flyte cluster and is not available on the flytemigrate local runtime; "
        "run the referenced task's code directly or verify against a cluster."
    )


class _Remote:
    """Base of remote entities: every class-level lookup raises."""

    @classmethod
    def get(cls, *args: Any, **kwargs: Any) -> Any:
        raise _unavailable(f"flyte.remote.{cls.__name__}.get")

    @classmethod
    def listall(cls, *args: Any, **kwargs: Any) -> Any:
        raise _unavailable(f"flyte.remote.{cls.__name__}.listall")


class Task(_Remote):
    """A deployed task."""


class Run(_Remote):
    """A remote run."""


class Action(_Remote):
    """A remote action."""


class Project(_Remote):
    """A project."""


class Secret(_Remote):
    """A cluster secret."""


for _c in (Task, Run, Action, Project, Secret, _Remote):
    _c.__module__ = "flyte.remote"
