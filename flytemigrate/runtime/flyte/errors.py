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

    def _reraise(self, *_args):
        """Raise this error when code treats it as a number (``sum`` over ``return_exceptions`` results)."""
        raise self

    # As on the SDK: arithmetic on an error returned as a value surfaces the error, not a TypeError.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _reraise
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _reraise


class InitializationError(BaseRuntimeError):
    """Raised when the SDK is used before ``flyte.init``."""


class RuntimeSystemError(BaseRuntimeError):
    """A failure of the platform, not of user code."""

    def __init__(self, code: str, message: str, worker: str | None = None):
        super().__init__(code, "system", message, worker)


class UnionRpcError(RuntimeSystemError):
    """Communication with the server failed."""


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


# The codes the backend attaches to failures it attributes to a GPU or NVSwitch fault.
GPU_FAULT_CODES: tuple[str, ...] = (
    "GpuXidError",
    "GpuFallenOffBus",
    "GpuEccUncorrectable",
    "GpuRowRemapPending",
    "GpuNvlinkError",
    "GpuGspError",
)


class GPUFaultError(BaseRuntimeError):
    """A failure attributed to a GPU fault; base of the user and system variants."""

    def __init__(
        self,
        code: str,
        kind: ErrorKind,
        message: str,
        worker: str | None = None,
        *,
        fault_kind: str | None = None,
        fault_code: int | None = None,
        fault_name: str | None = None,
        severity: str | None = None,
        gpu_uuid: str | None = None,
        gpu_index: int | None = None,
        node: str | None = None,
        pci_bus_id: str | None = None,
        process: str | None = None,
    ):
        # Explicit base call: the subclasses mix this class with RuntimeUserError/RuntimeSystemError, whose
        # initialisers take one argument fewer.
        BaseRuntimeError.__init__(self, code, kind, message, worker)
        self.fault_kind = fault_kind
        self.fault_code = fault_code
        self.fault_name = fault_name
        self.severity = severity
        self.gpu_uuid = gpu_uuid
        self.gpu_index = gpu_index
        self.node = node
        self.pci_bus_id = pci_bus_id
        self.process = process

    @property
    def xid(self) -> int | None:
        """The NVIDIA Xid number, when the fault was an Xid."""
        return self.fault_code if self.fault_kind == "xid" else None

    @property
    def sxid(self) -> int | None:
        """The NVSwitch SXid number, when the fault was an SXid."""
        return self.fault_code if self.fault_kind == "sxid" else None


class GPUFaultUserError(GPUFaultError, RuntimeUserError):
    """A GPU fault caused by the workload (charged to the task's retries)."""

    def __init__(self, code: str, message: str, worker: str | None = None, **fault):
        GPUFaultError.__init__(self, code, "user", message, worker, **fault)


class GPUFaultSystemError(GPUFaultError, RuntimeSystemError):
    """A hardware GPU fault (retried by the platform)."""

    def __init__(self, code: str, message: str, worker: str | None = None, **fault):
        GPUFaultError.__init__(self, code, "system", message, worker, **fault)


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


class ConditionTimedoutError(RuntimeUserError):
    """A condition was not signalled within its timeout."""

    def __init__(self, message: str):
        super().__init__("ConditionTimedoutError", message, "user")


class RetriesExhaustedError(RuntimeUserError):
    """Every retry of the task failed."""


class InvalidImageNameError(RuntimeUserError):
    """The image name is invalid."""


class ImagePullBackOffError(RuntimeUserError):
    """The image cannot be pulled."""


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

    CODE = "RemoteTaskNotFoundError"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class RemoteTaskUsageError(RuntimeUserError):
    """A remote task reference was used in an unsupported way."""

    CODE = "RemoteTaskUsageError"

    def __init__(self, message: str):
        super().__init__(self.CODE, message, "user")


class LogsNotYetAvailableError(BaseRuntimeError):
    """The logs of a task are not available yet."""

    def __init__(self, message: str):
        super().__init__("LogsNotYetAvailable", "system", message, None)


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


class SlowDownError(RuntimeUserError):
    """The server asked the client to slow down."""

    def __init__(self, message: str):
        super().__init__("SlowDownError", message, "user")


class ResourceExhaustedError(SlowDownError):
    """The server ran out of a resource (a kind of slow-down)."""


class OnlyAsyncIOSupportedError(RuntimeUserError):
    """A sync API was used where only asyncio is supported."""

    def __init__(self, message: str):
        super().__init__("OnlyAsyncIOSupportedError", message, "user")


class ParameterMaterializationError(RuntimeUserError):
    """A task parameter could not be materialised."""

    def __init__(self, message: str):
        super().__init__("ParameterMaterializationError", message, "user")


class RestrictedTypeError(RuntimeUserError):
    """A type that tasks may not use was used."""

    def __init__(self, message: str):
        super().__init__("RestrictedTypeUsage", message, "user")


class CodeBundleError(RuntimeUserError):
    """The code bundle could not be built or loaded."""

    def __init__(self, message: str):
        super().__init__("CodeBundleError", message, "user")


class SyncTaskCallInAsyncContextError(RuntimeUserError):
    """A sync task was called without ``.aio`` from async code."""

    def __init__(self, message: str):
        super().__init__("SyncTaskCallInAsyncContextError", message, "user")


class TraceDoesNotAllowNestedTasksError(RuntimeUserError):
    """A task was called inside a ``flyte.trace`` function."""

    def __init__(self, message: str):
        super().__init__("TraceDoesNotAllowNestedTasksError", message)


class InvalidPackageError(RuntimeUserError):
    """An image build named a system package that does not exist."""

    def __init__(self, package_name: str, original_error: str):
        self.package_name = package_name
        self.original_error = original_error
        super().__init__(
            "InvalidPackageError",
            f"Invalid system package detected: '{package_name}'. "
            f"This package does not exist in apt repositories. "
            f"Error: {original_error}",
        )


class NonRecoverableError(RuntimeUserError):
    """Raised by user code to stop retries."""

    def __init__(self, message: str, code: str = "NonRecoverableError"):
        super().__init__(code, message)

    @property
    def recoverable(self) -> bool:
        return False


class ConditionAlreadyExistsError(RuntimeUserError):
    """A condition with that name already exists in the action."""

    def __init__(self, message: str):
        super().__init__("ConditionAlreadyExistsError", message, "user")


class ConditionFailedError(RuntimeUserError):
    """A condition failed."""

    def __init__(self, message: str):
        super().__init__("ConditionFailedError", message, "user")


class ConditionNotFoundError(RuntimeUserError):
    """The condition does not exist."""

    def __init__(self, message: str):
        super().__init__("ConditionNotFoundError", message, "user")


class AppleSiliconError(RuntimeUserError):
    """Base of the Apple Silicon accelerator errors; ``code_name`` is the code, ``recoverable`` per class."""

    code_name = "APPLE_SILICON_ERROR"
    recoverable = True  # type: ignore[assignment]  # a plain class attribute on the SDK, overridden per subclass

    def __init__(self, message: str, worker: str | None = None):
        super().__init__(self.code_name, message, worker)


class AppleSiliconNotAvailableError(AppleSiliconError):
    """Apple Silicon GPU requested where none is available."""

    code_name = "APPLE_SILICON_NOT_AVAILABLE"
    recoverable = False


class AppleSiliconHostExecFailedError(AppleSiliconError):
    """The Apple Silicon workload could not run on the host."""

    code_name = "APPLE_SILICON_HOST_EXEC_FAILED"
    recoverable = False


class AppleSiliconDaemonStartFailedError(AppleSiliconError):
    """The host-side MLX daemon failed to start."""

    code_name = "APPLE_SILICON_DAEMON_START_FAILED"
    recoverable = False


class AppleSiliconDaemonOOMError(AppleSiliconError):
    """The host process of the workload ran out of memory."""

    code_name = "APPLE_SILICON_DAEMON_OOM"


class AppleSiliconModelNotFoundError(AppleSiliconError):
    """The model the workload asked for cannot be found or loaded."""

    code_name = "APPLE_SILICON_MODEL_NOT_FOUND"
    recoverable = False


class AppleSiliconBridgeUnreachableError(AppleSiliconError):
    """The host-side Apple Silicon bridge is unreachable."""

    code_name = "APPLE_SILICON_BRIDGE_UNREACHABLE"


APPLE_SILICON_ERRORS_BY_CODE: dict[str, type[AppleSiliconError]] = {
    cls.code_name: cls
    for cls in (
        AppleSiliconNotAvailableError,
        AppleSiliconHostExecFailedError,
        AppleSiliconDaemonStartFailedError,
        AppleSiliconDaemonOOMError,
        AppleSiliconModelNotFoundError,
        AppleSiliconBridgeUnreachableError,
    )
}


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
