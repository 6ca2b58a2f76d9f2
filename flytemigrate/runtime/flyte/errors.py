"""``flyte.errors`` on the runtime: the real SDK's exception classes, names, codes and kinds.

Class names, ``__module__`` (``flyte.errors``), constructor signatures and ``.code`` values follow
flyte 2.12 so that ``except flyte.errors.RuntimeUserError as e: e.code`` behaves the same.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["system", "unknown", "user"]


class BaseRuntimeError(RuntimeError):
    """Base class of every runtime error; carries ``code``, ``kind`` and ``worker``."""

    def __init__(self, code: str, kind: ErrorKind, root_cause_message: str, worker: str | None = None):
        super().__init__(root_cause_message)
        self.code = code
        self.kind = kind
        self.worker = worker

    @property
    def recoverable(self) -> bool:
        """Whether a retry may help (everything but NonRecoverableError)."""
        return True


class InitializationError(BaseRuntimeError):
    """Raised when the SDK is used before ``flyte.init``."""


class RuntimeSystemError(BaseRuntimeError):
    """A failure of the platform, not of user code."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "system", message, worker)


class RuntimeUserError(BaseRuntimeError):
    """A failure in user code; ``code`` is the original exception class name."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "user", message, worker)


class RuntimeUnknownError(BaseRuntimeError):
    """A failure of unknown origin."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "unknown", message, worker)


class OOMError(RuntimeUserError):
    """The task ran out of memory."""


class TaskInterruptedError(RuntimeUserError):
    """The task was interrupted (e.g. a spot instance was reclaimed)."""


class PrimaryContainerNotFoundError(RuntimeUserError):
    """The primary container of the task was not found."""


class TaskTimeoutError(RuntimeUserError):
    """The task exceeded its timeout."""

    def __init__(self, message: str, code: str = "TaskTimeoutError"):
        super().__init__(code, message, "user")


class MaxQueuedTimeExceededError(TaskTimeoutError):
    """The task waited in the queue longer than allowed."""

    def __init__(self, message: str):
        super().__init__(message, code="MaxQueuedTimeExceededError")


class MaxRuntimeExceededError(TaskTimeoutError):
    """The task ran longer than its ``timeout``."""

    def __init__(self, message: str):
        super().__init__(message, code="MaxRuntimeExceededError")


class DeadlineExceededError(TaskTimeoutError):
    """The task missed its deadline."""

    def __init__(self, message: str):
        super().__init__(message, code="DeadlineExceededError")


class RetriesExhaustedError(RuntimeUserError):
    """Every retry of the task failed."""


class CustomError(RuntimeUserError):
    """A user exception converted to a runtime error; ``code`` is its class name."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message, "user")

    @classmethod
    def from_exception(cls, e: Exception) -> CustomError:
        """Wrap any exception, keeping its class name as the code."""
        new = cls(type(e).__name__, str(e))
        new.__cause__ = e
        return new


class NotInTaskContextError(RuntimeUserError):
    """An API that needs a running task was used outside one."""


class ActionNotFoundError(RuntimeError):
    """The requested action does not exist."""


class RemoteTaskNotFoundError(RuntimeUserError):
    """A remote task reference could not be resolved."""

    CODE = "RemoteTaskNotFound"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class RemoteTaskUsageError(RuntimeUserError):
    """A remote task reference was used in an unsupported way."""

    CODE = "RemoteTaskUsageError"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class RuntimeDataValidationError(RuntimeUserError):
    """An input or output value does not match the declared type."""

    def __init__(self, var: str, e: Exception | str, task_name: str = ""):
        super().__init__(
            "DataValidationError",
            f"In task {task_name} variable {var}, failed to serialize/deserialize because of {e}",
            "user",
        )


class DeploymentError(RuntimeUserError):
    """Deployment failed."""

    def __init__(self, message: str):
        super().__init__("DeploymentError", message, "user")


class ImageBuildError(RuntimeUserError):
    """An image build failed."""

    def __init__(self, message: str):
        super().__init__("ImageBuildError", message, "user")


class ModuleLoadError(RuntimeUserError):
    """The task's module could not be loaded."""

    def __init__(self, message: str):
        super().__init__("ModuleLoadError", message, "user")


class InlineIOMaxBytesBreached(RuntimeUserError):
    """Inline inputs/outputs exceeded the size limit."""

    def __init__(self, message: str):
        super().__init__("InlineIOMaxBytesBreached", message, "user")


class ActionAbortedError(RuntimeUserError):
    """The action was aborted."""

    def __init__(self, message: str):
        super().__init__("ActionAbortedError", message, "user")


class OnlyAsyncIOSupportedError(RuntimeUserError):
    """A sync API was used where only asyncio is supported."""

    def __init__(self, message: str):
        super().__init__("OnlyAsyncIOSupportedError", message, "user")


class RestrictedTypeError(RuntimeUserError):
    """A type that tasks may not use was used."""

    def __init__(self, message: str):
        super().__init__("RestrictedTypeUsage", message, "user")


class SyncTaskCallInAsyncContextError(RuntimeUserError):
    """A sync task was called without ``.aio`` from async code."""

    def __init__(self, message: str):
        super().__init__("SyncTaskCallInAsyncContextError", message, "user")


class TraceDoesNotAllowNestedTasksError(RuntimeUserError):
    """A task was called inside a ``flyte.trace`` function."""

    def __init__(self, message: str):
        super().__init__("TraceDoesNotAllowNestedTasksError", message)


class NonRecoverableError(RuntimeUserError):
    """Raised by user code to stop retries."""

    def __init__(self, message: str, code: str = "NonRecoverableError"):
        super().__init__(code, message)

    @property
    def recoverable(self) -> bool:
        return False


# Errors that cross a task boundary keep these classes (by code), like the real SDK's conversion.
TIMEOUT_ERRORS_BY_CODE = {
    "TaskTimeoutError": TaskTimeoutError,
    "MaxQueuedTimeExceededError": MaxQueuedTimeExceededError,
    "MaxRuntimeExceededError": MaxRuntimeExceededError,
    "DeadlineExceededError": DeadlineExceededError,
}

for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, BaseException) and _cls.__module__ == __name__:
        _cls.__module__ = "flyte.errors"
del _cls
