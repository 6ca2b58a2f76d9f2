"""Configuration value classes of the ``flyte`` API (Cache, Resources, Secret, Image, ...).

On the local runtime most of these only carry values (resources, images and pod templates do not
change what a local run computes); ``Cache``, ``RetryStrategy``/``Backoff`` and ``Timeout`` are
interpreted by the controller. Field names and validation follow flyte 2.12.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

CacheBehavior = Literal["auto", "override", "disable"]
_CACHE_ALIASES = {
    "enable": "auto", "enabled": "auto", "on": "auto", "true": "auto", "yes": "auto",
    "off": "disable", "false": "disable", "no": "disable", "none": "disable",
}


@dataclass
class Cache:
    """Cache policy of a task: ``auto`` reads and writes, ``override`` only writes, ``disable`` neither."""

    behavior: CacheBehavior
    version_override: Optional[str] = None
    serialize: bool = False
    ignored_inputs: Union[Tuple[str, ...], str] = field(default_factory=tuple)
    salt: str = ""
    policies: Any = None
    max_age: Union[timedelta, int, None] = None

    def __post_init__(self):
        if isinstance(self.max_age, bool) or (
            self.max_age is not None and not isinstance(self.max_age, (int, timedelta))
        ):
            raise TypeError("max_age must be an int (seconds), timedelta, or None")
        if isinstance(self.max_age, int):
            self.max_age = timedelta(seconds=self.max_age)
        if self.max_age is not None and self.max_age < timedelta(0):
            raise ValueError("max_age must be nonnegative")
        valid = ("auto", "override", "disable")
        if isinstance(self.behavior, str) and self.behavior not in valid:
            self.behavior = _CACHE_ALIASES.get(self.behavior.lower(), self.behavior)  # type: ignore[assignment]
        if self.behavior not in valid:
            raise ValueError(
                f"Invalid cache behavior: {self.behavior!r}. Must be one of {list(valid)} "
                f"(aliases accepted: {sorted(_CACHE_ALIASES)})."
            )
        self._ignored = (self.ignored_inputs,) if isinstance(self.ignored_inputs, str) else tuple(self.ignored_inputs)

    @property
    def ignored(self) -> Tuple[str, ...]:
        """Input names left out of the cache key."""
        return self._ignored

    def is_enabled(self) -> bool:
        """Whether outputs are written to the cache."""
        return self.behavior in ("auto", "override")

    def get_ignored_inputs(self) -> Tuple[str, ...]:
        """Same as the SDK: input names left out of the cache key."""
        return self._ignored


def cache_from_request(cache: Any) -> Cache:
    """Coerce ``"auto"``/``"override"``/``"disable"`` (or a Cache) into a Cache."""
    if isinstance(cache, Cache):
        return cache
    return Cache(behavior=cache)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff between retries: delay n = min(base * factor**n, cap)."""

    base: timedelta
    factor: float = 1.0
    cap: Optional[timedelta] = None

    def __post_init__(self):
        if self.base < timedelta(0):
            raise ValueError(f"Backoff.base must be >= 0, got {self.base}")
        if not isinstance(self.factor, (int, float)) or math.isnan(self.factor) or math.isinf(self.factor):
            raise ValueError(f"Backoff.factor must be a finite number, got {self.factor!r}")
        if self.factor < 1.0:
            raise ValueError(f"Backoff.factor must be >= 1.0, got {self.factor}")
        if self.cap is not None and self.cap < timedelta(0):
            raise ValueError(f"Backoff.cap must be >= 0, got {self.cap}")
        if self.factor > 1.0 and self.cap is None:
            raise ValueError("Backoff.cap is required when factor > 1.0 to prevent unbounded growth")

    def compute_delay(self, n: int) -> timedelta:
        """Delay before the n-th retry (0-indexed)."""
        if n < 0:
            raise ValueError(f"Retry index n must be >= 0, got {n}")
        try:
            delay = self.base * (self.factor**n)
        except OverflowError:
            if self.cap is None:
                raise
            return self.cap
        return self.cap if self.cap is not None and delay > self.cap else delay


@dataclass
class RetryStrategy:
    """Number of user retries, optionally paced by a Backoff."""

    count: int
    backoff: Optional[Backoff] = None

    def __post_init__(self):
        if not isinstance(self.count, int):
            raise ValueError(f"RetryStrategy.count must be an int (a retry count), got {self.count!r}")
        if self.count < 0:
            raise ValueError(f"RetryStrategy.count must be greater than or equal to 0, got {self.count}")


@dataclass
class Timeout:
    """Maximum run time (and queued time) of a task."""

    max_runtime: Union[timedelta, int]
    max_queued_time: Union[timedelta, int, None] = None


TimeoutType = Union[Timeout, int, timedelta]


def timeout_seconds(timeout: Any) -> float:
    """Seconds of run time allowed by a task's ``timeout`` (0 = none)."""
    if not timeout:
        return 0.0
    if isinstance(timeout, Timeout):
        timeout = timeout.max_runtime
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    return float(timeout)


@dataclass
class Device:
    """An accelerator request."""

    quantity: int
    device_class: str
    device: Optional[str] = None
    partition: Optional[str] = None


def GPU(device: str, quantity: int, partition: Optional[str] = None) -> Device:  # noqa: N802 - SDK name
    """A GPU request, e.g. ``GPU("T4", 1)``."""
    return Device(quantity=quantity, device_class="GPU", device=device, partition=partition)


def TPU(device: str, partition: Optional[str] = None) -> Device:  # noqa: N802 - SDK name
    """A TPU request."""
    return Device(quantity=1, device_class="TPU", device=device, partition=partition)


_EIGHT = tuple(str(i) for i in range(1, 9))
# Accelerator strings Flyte 2.12 accepts for Resources(gpu="NAME:COUNT"), by device name.
_ACCELERATOR_COUNTS: Dict[str, Tuple[str, ...]] = {
    "A2": ("1",), "A10": _EIGHT, "A10G": _EIGHT, "A100": _EIGHT, "A100_80G": _EIGHT, "B200": _EIGHT,
    "H100": _EIGHT, "H200": _EIGHT, "L4": _EIGHT, "L40s": _EIGHT, "V100": _EIGHT, "RTX_PRO_4500": ("1",),
    "RTX_PRO_6000": ("1", "2"), "GB10": ("1",), "T4": _EIGHT, "T4 shared": ("1",), "L4 shared": ("1",),
    "A10G shared": ("1",), "A10 shared": ("1",), "L40S shared": ("1",),
    "Trn1": ("1", "4", "8", "16"), "Trn1n": ("1", "4", "8", "16"), "Trn2": ("1", "4", "8", "16"),
    "Trn2u": ("1", "4", "8", "16"), "Inf1": tuple(str(i) for i in range(1, 17)),
    "Inf2": tuple(str(i) for i in range(1, 13)), "MI100": ("1",), "MI210": ("1",), "MI250": ("1",),
    "MI250X": ("1",), "MI300A": ("1",), "MI300X": ("1",), "MI325X": ("1",), "MI350X": ("1",),
    "MI355X": ("1",), "Gaudi1": ("1",), "AppleSilicon": ("", "1"),
}
_GPU_ALIASES = {"A100 80G": "A100_80G", "RTX PRO 6000": "RTX_PRO_6000"}


def _is_accelerator(value: str) -> bool:
    device, sep, count = value.partition(":")
    allowed = _ACCELERATOR_COUNTS.get(device)
    if allowed is None:
        return False
    return (sep == "" and "" in allowed) or (sep == ":" and count in allowed and count != "")


def _check_quantity(field_name: str, value: Any, allow_pair: bool = False, allow_none: bool = True) -> None:
    if value is None:
        if allow_none:
            return
        raise ValueError(f"{field_name} pair elements must both be set, got None")
    if allow_pair and isinstance(value, tuple):
        for element in value:
            _check_quantity(field_name, element, allow_none=False)
        return
    if not isinstance(value, str):
        raise ValueError(
            f"{field_name} must be a Kubernetes quantity string such as '1Gi', '512Mi' or '2G', "
            f"got {type(value).__name__}: {value!r}"
        )


def _check_cpu(value: Any, allow_pair: bool = False, allow_none: bool = True) -> None:
    if value is None:
        if allow_none:
            return
        raise ValueError("cpu pair elements must both be set, got None")
    if allow_pair and isinstance(value, tuple):
        for element in value:
            _check_cpu(element, allow_none=False)
        return
    if not isinstance(value, (int, float, str)):
        raise ValueError(
            "cpu must be a core count or a Kubernetes quantity string such as 1, 0.5 or '100m', "
            f"got {type(value).__name__}: {value!r}"
        )
    if isinstance(value, (int, float)) and value < 0:
        raise ValueError("cpu must be greater than or equal to 0")


@dataclass
class Resources:
    """CPU, memory, GPU, disk and shared memory of a task; pairs are (request, limit). Validated like 2.12."""

    cpu: Union[int, float, str, Tuple[Any, Any], None] = None
    memory: Union[str, Tuple[str, str], None] = None
    gpu: Union[str, int, Device, None] = None
    disk: Optional[str] = None
    shm: Optional[str] = None

    def __post_init__(self):
        for name in ("cpu", "memory"):
            value = getattr(self, name)
            if isinstance(value, tuple) and len(value) != 2:
                raise ValueError(f"{name} tuple must have exactly two elements")
        _check_cpu(self.cpu, allow_pair=True)
        _check_quantity("memory", self.memory, allow_pair=True)
        _check_quantity("disk", self.disk)
        _check_quantity("shm", self.shm)
        gpu = self.gpu
        if gpu is None or isinstance(gpu, Device):
            return
        if isinstance(gpu, bool) or not isinstance(gpu, (int, str)):
            raise ValueError(
                "gpu must be an accelerator string such as 'A100:4', a device count, or a "
                f"GPU()/TPU()/Device() instance, got {type(gpu).__name__}: {gpu!r}"
            )
        if isinstance(gpu, int):
            if gpu < 0:
                raise ValueError("gpu must be greater than or equal to 0")
            return
        device, sep, count = gpu.partition(":")
        if device in _GPU_ALIASES:
            self.gpu = gpu = f"{_GPU_ALIASES[device]}{sep}{count}"
        if not _is_accelerator(gpu):
            raise ValueError(f"gpu must be an accelerator string like 'T4:1' or 'A100:8', got {gpu}")


@dataclass
class Secret:
    """A secret; on the local runtime it is read from the environment variable ``as_env_var`` or ``key``."""

    key: str
    group: Optional[str] = None
    mount: Any = None
    as_env_var: Optional[str] = None

    def __post_init__(self):
        import re

        if self.as_env_var is not None and not re.fullmatch(r"^[A-Z_][A-Z0-9_]*$", self.as_env_var):
            raise ValueError(f"Invalid environment variable name: {self.as_env_var}, must match ^[A-Z_][A-Z0-9_]*$")

    @property
    def env_var(self) -> str:
        """The variable the secret is read from."""
        if self.as_env_var:
            return self.as_env_var
        name = f"{self.group}_{self.key}" if self.group else self.key
        return name.replace("-", "_").upper()

    def get(self) -> str:
        """The secret's value (from the environment)."""
        for name in (self.env_var, self.key):
            if name in os.environ:
                return os.environ[name]
        raise KeyError(f"Secret {self.key!r} not found: set environment variable {self.env_var}")


SecretRequest = Union[str, Secret, List[Union[str, Secret]]]


class Image:
    """A container image spec; builder methods return new images and are no-ops locally."""

    def __init__(self, uri: Optional[str] = None, **spec: Any):
        self.uri = uri
        self.spec = dict(spec)
        self.layers: Tuple[Tuple[str, Any], ...] = ()

    def _with(self, kind: str, value: Any) -> Image:
        new = Image(self.uri, **self.spec)
        new.layers = self.layers + ((kind, value),)
        return new

    @classmethod
    def from_debian_base(cls, *args: Any, **kwargs: Any) -> Image:
        """A Debian-based default image."""
        return cls(None, base="debian", **kwargs)

    @classmethod
    def from_base(cls, image_uri: str) -> Image:
        """An image built on ``image_uri``."""
        return cls(image_uri)

    @classmethod
    def from_uv_script(cls, script: Any, **kwargs: Any) -> Image:
        """An image from a uv script's dependency header."""
        return cls(None, uv_script=str(script), **kwargs)

    @classmethod
    def from_dockerfile(cls, file: Any, **kwargs: Any) -> Image:
        """An image from a Dockerfile."""
        return cls(None, dockerfile=str(file), **kwargs)

    def __getattr__(self, name: str) -> Any:
        # with_pip_packages, with_apt_packages, with_env_vars, with_requirements, ... all chain.
        if name.startswith("with_"):
            return lambda *args, **kwargs: self._with(name, (args, kwargs))
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"Image(uri={self.uri!r}, layers={len(self.layers)})"


@dataclass
class ReusePolicy:
    """Reusable-container policy (no effect locally)."""

    replicas: Union[int, Tuple[int, int]] = 2
    idle_ttl: Union[int, timedelta] = 30
    concurrency: int = 1
    scaledown_ttl: Union[int, timedelta] = 30
    scope: str = "global"


@dataclass
class PodTemplate:
    """A Kubernetes pod template (no effect locally)."""

    pod_spec: Any = None
    primary_container_name: str = "primary"
    labels: Optional[Dict[str, str]] = None
    annotations: Optional[Dict[str, str]] = None


@dataclass
class Cron:
    """A cron schedule for a trigger."""

    expression: str
    timezone: str = "UTC"


@dataclass
class FixedRate:
    """A fixed-rate schedule for a trigger."""

    interval_minutes: int
    start_time: Any = None


class Trigger:
    """A schedule attached to a task; recorded, never fired locally."""

    # automation=None is an on-demand trigger (what a launch plan without a schedule becomes).
    def __init__(self, name: str, automation: Union[Cron, FixedRate, None] = None, **kwargs: Any):
        self.name = name
        self.automation = automation
        self.options = kwargs

    @classmethod
    def daily(cls, **kwargs: Any) -> Trigger:
        return cls(kwargs.pop("name", "daily"), Cron("0 0 * * *"), **kwargs)

    @classmethod
    def hourly(cls, **kwargs: Any) -> Trigger:
        return cls(kwargs.pop("name", "hourly"), Cron("0 * * * *"), **kwargs)

    @classmethod
    def minutely(cls, **kwargs: Any) -> Trigger:
        return cls(kwargs.pop("name", "minutely"), Cron("* * * * *"), **kwargs)

    @classmethod
    def weekly(cls, **kwargs: Any) -> Trigger:
        return cls(kwargs.pop("name", "weekly"), Cron("0 0 * * 0"), **kwargs)

    @classmethod
    def monthly(cls, **kwargs: Any) -> Trigger:
        return cls(kwargs.pop("name", "monthly"), Cron("0 0 1 * *"), **kwargs)

    def __repr__(self) -> str:
        return f"Trigger(name={self.name!r}, automation={self.automation!r})"


TriggerTime = object()


@dataclass
class Documentation:
    """Task documentation."""

    description: Optional[str] = None


@dataclass
class Link:
    """A log link (no effect locally)."""

    name: str = ""
    uri: str = ""
