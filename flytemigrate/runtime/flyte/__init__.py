"""The runtime's ``flyte`` package: the part of the Flyte 2 SDK API that migrated code uses.

Inside ``flytemigrate run``/``verify`` processes the import hook maps ``import flyte`` here. Heavy
modules (asyncio, pandas, sqlite3) are imported only when a feature needs them.
"""

from __future__ import annotations

from flytemigrate.runtime.flyte import errors, syncify  # submodules the SDK's `import flyte` loads too
from flytemigrate.runtime.flyte._config import (
    GPU,
    TPU,
    Backoff,
    Cache,
    Cron,
    Device,
    Documentation,
    FixedRate,
    Image,
    Link,
    PodTemplate,
    Resources,
    RetryStrategy,
    ReusePolicy,
    Secret,
    SecretRequest,
    Timeout,
    TimeoutType,
    Trigger,
    TriggerTime,
)
from flytemigrate.runtime.flyte._map import map
from flytemigrate.runtime.flyte._run import (
    ActionOutputs,
    Run,
    ctx,
    custom_context,
    get_custom_context,
    group,
    init,
    init_from_config,
    run,
    trace,
    with_runcontext,
)
from flytemigrate.runtime.flyte._task import AsyncFunctionTaskTemplate, TaskEnvironment, TaskTemplate

__version__ = "2.12.1+flytemigrate"
CachePolicy = object
CacheRequest = object
Environment = TaskEnvironment
FLYTEMIGRATE_RUNTIME = True


def version() -> str:
    """Version of the (emulated) SDK."""
    return __version__


def init_from_api_key(*args, **kwargs) -> None:
    """Initialise with an API key; nothing is contacted locally."""
    init(**kwargs)


def init_in_cluster(*args, **kwargs) -> None:
    """Initialise in a cluster; nothing is contacted locally."""
    init(**kwargs)


def current_project() -> str:
    return "local"


def current_domain() -> str:
    return "development"


def __getattr__(name: str):
    # Like the SDK, flyte.io/report/remote are attributes only once imported (explicitly, or by the first
    # flyte.run, see execution.load_run_submodules), so code that forgets `import flyte.report` fails the same.
    if name in ("logger", "system_logger"):
        import logging

        return logging.getLogger("flyte.user" if name == "logger" else "flyte")
    raise AttributeError(f"module 'flyte' has no attribute {name!r} on the flytemigrate runtime")


__all__ = [
    "GPU", "TPU", "ActionOutputs", "AsyncFunctionTaskTemplate", "Backoff", "Cache", "Cron", "Device",
    "Documentation", "Environment", "FixedRate", "Image", "Link", "PodTemplate", "Resources", "RetryStrategy",
    "ReusePolicy", "Run", "Secret", "SecretRequest", "TaskEnvironment", "TaskTemplate", "Timeout",
    "TimeoutType", "Trigger", "TriggerTime", "ctx", "custom_context", "get_custom_context", "current_domain", "current_project", "errors", "group", "syncify",
    "init", "init_from_api_key", "init_from_config", "init_in_cluster", "map", "run", "trace", "version",
    "with_runcontext",
]
