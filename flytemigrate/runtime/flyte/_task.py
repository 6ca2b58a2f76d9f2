"""Task objects and ``TaskEnvironment`` on the runtime.

A task object wraps the user's function: outside a run, calling it calls the function; inside a run
the controller records, checks, caches and retries the call. ``env.task`` accepts exactly the
options the real decorator accepts, so environment-only options (resources, image, env_vars,
secrets) fail with the same ``TypeError``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from flytemigrate.runtime import controller
from flytemigrate.runtime.flyte._config import (
    Cache,
    Image,
    RetryStrategy,
    cache_from_request,
    timeout_seconds,
)

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect at start-up
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def is_valid_env_name(name: str) -> bool:
    """snake_case or kebab-case: lowercase alphanumeric words joined by single ``_`` or ``-``."""
    if not isinstance(name, str) or not name:
        return False
    words = name.replace("-", "_").split("_")
    return all(word and set(word) <= _NAME_CHARS for word in words)


def is_async_function(func: Any) -> bool:
    """Whether ``func`` is an ``async def`` function (possibly wrapped)."""
    code = getattr(getattr(func, "__wrapped__", func), "__code__", None) or getattr(func, "__code__", None)
    return bool(code is not None and code.co_flags & _CO_COROUTINE)


class TaskTemplate:
    """A task: the function plus its name, cache, retries, timeout and environment."""

    def __init__(
        self,
        func: Callable,
        *,
        name: str,
        short_name: str,
        env: Optional[TaskEnvironment] = None,
        cache: Any = "disable",
        retries: Union[int, RetryStrategy] = 0,
        timeout: Any = 0,
        report: bool = False,
        triggers: Tuple[Any, ...] = (),
        options: Optional[Dict[str, Any]] = None,
        interface: Any = None,
    ):
        from flytemigrate.runtime.typecheck import Interface

        self.func = func
        self.name = name
        self.short_name = short_name
        self.parent_env = env
        self.cache = cache
        self.cache_policy: Optional[Cache] = None
        self.retries_spec = retries
        self.timeout = timeout
        self.report = report
        self.triggers = triggers
        self.options = dict(options or {})
        self.is_async = is_async_function(func)
        # Resolved now: bad signatures and unresolvable annotations fail at declaration, like the SDK.
        self._interface = interface if interface is not None else Interface(func)
        # Resolved input/output types; a plain attribute (not a property) because every call reads it.
        self.interface = self._interface
        self._version: Optional[str] = None
        self._configure()
        self.__doc__ = func.__doc__
        self.__name__ = getattr(func, "__name__", short_name)
        self.__qualname__ = getattr(func, "__qualname__", short_name)
        self.__module__ = getattr(func, "__module__", None)
        self.__wrapped__ = func

    def _configure(self) -> None:
        # Like the SDK, ``task.cache`` is always a Cache object ("auto" etc. are coerced).
        self.cache = cache_from_request(self.cache if self.cache is not None else "disable")
        policy = self.cache
        self.cache_policy = policy if policy is not None and policy.is_enabled() else None
        spec = self.retries_spec
        self.retry_strategy = spec if isinstance(spec, RetryStrategy) else None
        self.retries = spec.count if isinstance(spec, RetryStrategy) else int(spec or 0)
        self.timeout_s = timeout_seconds(self.timeout)

    @property
    def native_interface(self):
        """SDK-compatible alias of :attr:`interface`."""
        return self.interface

    def cache_version(self) -> str:
        """The auto cache version: a hash of the function body."""
        if self._version is None:
            from flytemigrate.runtime.cache import function_version

            self._version = function_version(self.func)
        return self._version

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return controller.call(self, args, kwargs)

    def aio(self, *args: Any, **kwargs: Any) -> Any:
        """Awaitable call: the way to call a sync task from async code."""
        return controller.call_aio(self, args, kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function directly, bypassing the run machinery."""
        return self.func(*args, **kwargs)

    def override(
        self,
        *,
        short_name: Optional[str] = None,
        resources: Any = None,
        cache: Any = None,
        retries: Union[int, RetryStrategy] = 0,
        timeout: Any = None,
        reusable: Any = None,
        env_vars: Optional[Dict[str, str]] = None,
        secrets: Any = None,
        **kwargs: Any,
    ) -> TaskTemplate:
        """A copy with some options replaced (unset options keep the task's values, like the SDK)."""
        if kwargs.get("name") is not None or kwargs.get("image") is not None:
            raise ValueError("Cannot override name or image of a task; use TaskEnvironment.clone_with")
        if reusable not in (None, "off") and resources is not None:
            raise ValueError(
                "Cannot override resources when reusable is set. Reusable tasks will use the parent env's "
                "resources. You can disable reusability and override resources if needed. (set reusable='off')"
            )
        options = dict(self.options)
        for key, value in (("resources", resources), ("env_vars", env_vars), ("secrets", secrets),
                           ("reusable", reusable)):
            if value is not None:
                options[key] = value
        options.update({k: v for k, v in kwargs.items() if v is not None})
        new = TaskTemplate(
            self.func,
            name=self.name,
            short_name=short_name or self.short_name,
            env=self.parent_env,
            cache=cache or self.cache,
            retries=retries or self.retries_spec,
            timeout=timeout or self.timeout,
            report=self.report,
            triggers=self.triggers,
            options=options,
            interface=self._interface,
        )
        return new

    def __repr__(self) -> str:
        return f"TaskTemplate(name={self.name!r})"


AsyncFunctionTaskTemplate = TaskTemplate


class TaskEnvironment:
    """A set of tasks sharing an image, resources, env vars and secrets."""

    def __init__(
        self,
        name: str,
        depends_on: Optional[List[TaskEnvironment]] = None,
        pod_template: Any = None,
        description: Optional[str] = None,
        secrets: Any = None,
        env_vars: Optional[Dict[str, str]] = None,
        resources: Any = None,
        interruptible: bool = False,
        image: Union[str, Image, None] = "auto",
        include: Tuple[str, ...] = (),
        service_account: Optional[str] = None,
        cache: Any = "disable",
        reusable: Any = None,
        plugin_config: Any = None,
        queue: Optional[str] = None,
    ):
        if not is_valid_env_name(name):
            raise ValueError(f"Environment name '{name}' must be in snake_case or kebab-case format.")
        self.name = name
        self.depends_on: List[TaskEnvironment] = list(depends_on or [])
        for dep in self.depends_on:
            if not isinstance(dep, TaskEnvironment):
                raise TypeError(f"Expected depends_on to be of type List[Environment], got {type(dep)}")
        self.pod_template = pod_template
        self.description = description
        self.secrets = secrets
        self.env_vars = env_vars
        self.resources = resources
        self.interruptible = interruptible
        self.image = image
        self.include = include
        self.service_account = service_account
        self.cache = cache
        cache_from_request(cache)  # validates like the SDK
        self.reusable = reusable
        self.plugin_config = plugin_config
        self.queue = queue
        self._tasks: Dict[str, TaskTemplate] = {}

    @property
    def tasks(self) -> Dict[str, TaskTemplate]:
        """Tasks declared in this environment, by full name."""
        return self._tasks

    def add_dependency(self, *env: TaskEnvironment) -> None:
        """Declare environments deployed alongside this one."""
        for e in env:
            if not isinstance(e, TaskEnvironment):
                raise TypeError(f"Expected Environment, got {type(e)}")
            if e.name == self.name:
                raise ValueError("Cannot add self as a dependency")
            if e in self.depends_on:
                continue
            self.depends_on.append(e)

    def clone_with(self, name: str, **kwargs: Any) -> TaskEnvironment:
        """A new environment with some settings replaced (tasks are not copied)."""
        fields = dict(
            depends_on=list(self.depends_on), pod_template=self.pod_template, description=self.description,
            secrets=self.secrets, env_vars=self.env_vars, resources=self.resources,
            interruptible=self.interruptible, image=self.image, include=self.include,
            service_account=self.service_account, cache=self.cache, reusable=self.reusable,
            plugin_config=self.plugin_config, queue=self.queue,
        )
        unknown = sorted(set(kwargs) - set(fields))
        if unknown:
            raise TypeError(f"Unexpected keyword arguments: {unknown}")
        fields.update({k: v for k, v in kwargs.items() if v is not None})
        return TaskEnvironment(name=name, **fields)

    def task(
        self,
        _func: Optional[Callable] = None,
        *,
        short_name: Optional[str] = None,
        cache: Any = None,
        retries: Union[int, RetryStrategy] = 0,
        timeout: Any = 0,
        docs: Any = None,
        pod_template: Any = None,
        report: bool = False,
        interruptible: Optional[bool] = None,
        max_inline_io_bytes: int = 10 * 1024 * 1024,
        queue: Optional[str] = None,
        service_account: Optional[str] = None,
        triggers: Any = (),
        links: Any = (),
        task_resolver: Any = None,
        entrypoint: bool = False,
        produces_artifacts: bool = False,
    ) -> Any:
        """Decorator turning a sync or async function into a task of this environment."""
        if isinstance(triggers, tuple):
            trigger_tuple = triggers
        else:
            trigger_tuple = (triggers,)

        def decorator(func: Callable) -> TaskTemplate:
            if isinstance(func, TaskTemplate):
                func = func.func
            if not callable(func):
                raise TypeError(f"Expected a function, got {type(func)}")
            if getattr(func, "__name__", "") == "<lambda>":
                fname = "lambda"
            else:
                fname = func.__name__
            t = TaskTemplate(
                func,
                name=f"{self.name}.{fname}",
                short_name=short_name or fname,
                env=self,
                cache=cache if cache is not None else self.cache,
                retries=retries,
                timeout=timeout,
                report=report,
                triggers=trigger_tuple,
                options=dict(pod_template=pod_template, queue=queue, interruptible=interruptible, docs=docs),
            )
            self._tasks[t.name] = t
            return t

        if _func is not None:
            return decorator(_func)
        return decorator

    def __repr__(self) -> str:
        return f"TaskEnvironment(name={self.name!r})"
