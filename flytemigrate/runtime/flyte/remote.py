"""``flyte.remote`` on the runtime: remote objects need a cluster.

Like the SDK without a configured client, ``Task.get`` returns a lazy reference and using it fails
with ``InitializationError`` (code ``ClientNotInitializedError``); ``flyte.run`` of a reference
raises the SDK's ``ValueError``. Other lookups fail the same way at once.
"""

from __future__ import annotations

from typing import Any

from flytemigrate.runtime.flyte.errors import InitializationError

_NO_CLIENT = (
    "Client has not been initialized. Call flyte.init() with a valid endpoint/api-key before using this "
    "function or Call flyte.init_from_config() with a valid path to the config file. (The flytemigrate "
    "local runtime has no cluster: remote tasks are not available locally; call the task's code directly.)"
)


def _not_initialized() -> InitializationError:
    return InitializationError("ClientNotInitializedError", "user", _NO_CLIENT)


class _Syncified:
    """A method callable directly or through ``.aio``, failing both ways."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_initialized()

    async def aio(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_initialized()


class LazyEntity:
    """A reference to a deployed task, fetched on first use (which fails locally)."""

    def __init__(self, name: str):
        self._name = name
        self.fetch = _Syncified()
        self.override = _Syncified()

    @property
    def name(self) -> str:
        """The referenced task's name."""
        return self._name

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_initialized()

    def __repr__(self) -> str:
        return f"Future for task with name {self._name}"

    __str__ = __repr__


class _Remote:
    """Base of remote entities: lookups need a client."""

    @classmethod
    def get(cls, *args: Any, **kwargs: Any) -> Any:
        raise _not_initialized()

    @classmethod
    def listall(cls, *args: Any, **kwargs: Any) -> Any:
        raise _not_initialized()


class Task(_Remote):
    """A deployed task."""

    @classmethod
    def get(cls, name: str = "", *args: Any, **kwargs: Any) -> LazyEntity:  # type: ignore[override]
        """A lazy reference; fetching or calling it fails locally."""
        return LazyEntity(name)


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
LazyEntity.__module__ = "flyte.remote._task"
