"""flytekitplugins ``task_config`` objects -> Flyte 2 ``flyteplugins`` ``plugin_config`` objects.

Flyte 1 configures a plugin task with ``@task(task_config=Spark(...))``; Flyte 2 puts the plugin
object on the environment: ``flyte.TaskEnvironment(..., plugin_config=Spark(...))`` with the class
from the ``flyteplugins-<name>`` package. The tables below were written from the sources of
flytekitplugins-{spark,ray,dask,kfpytorch,pandera} 1.16.31 and flyteplugins-{spark,ray,dask,pytorch,pandera} 2.12.1:
a class converts only when every argument it is given has a counterpart with the same meaning;
otherwise it stays as it is and the caller leaves a precise TODO (a flytekit config object given
to a Flyte 2 environment would fail at decoration time, and one silently dropped would run the
task without its cluster).

Converted calls are emitted fully qualified (``flyteplugins.spark.Spark(...)`` with ``import
flyteplugins.spark``): the flytekitplugins import keeps its name until the imports codemod drops
it, so reusing the bare name would leave two bindings of one name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from flytemigrate.codemods.task_kwargs import kwarg, source_of

NameOf = Callable[[cst.CSTNode], set[str]]


@dataclass(frozen=True)
class PluginClass:
    """How one flytekitplugins class maps onto its flyteplugins counterpart."""

    target: str  # fully qualified Flyte 2 class
    fields: tuple[str, ...]  # Flyte 1 fields, in dataclass order (positional arguments)
    renames: dict[str, str] = field(default_factory=dict)  # Flyte 1 keyword -> Flyte 2 keyword
    # Flyte 1 defaults that differ from Flyte 2's: emitted explicitly so the converted task behaves the same.
    keep_defaults: dict[str, str] = field(default_factory=dict)
    # Flyte 1 keywords without a Flyte 2 counterpart -> why (the call is then left unconverted).
    unsupported: dict[str, str] = field(default_factory=dict)
    top_level: bool = False  # usable as task_config= / plugin_config=
    # Flyte 1 keywords handled elsewhere or meaning the Flyte 2 behaviour -> the source text they
    # must have to be dropped (None: any value; the caller maps it, e.g. increase_shared_mem -> shm).
    dropped: dict[str, Optional[str]] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.target.rsplit(".", 1)[0]


_NODE_RESOURCES = "requests and limits together have no flyteplugins counterpart (one resources=)"

PLUGINS: dict[str, PluginClass] = {
    "flytekitplugins.spark.Spark": PluginClass(
        "flyteplugins.spark.Spark",
        ("spark_conf", "hadoop_conf", "executor_path", "applications_path", "driver_pod", "executor_pod"),
        top_level=True,
    ),
    "flytekitplugins.ray.RayJobConfig": PluginClass(
        "flyteplugins.ray.RayJobConfig",
        ("worker_node_config", "head_node_config", "enable_autoscaling", "autoscaler_options", "runtime_env",
         "address", "shutdown_after_job_finishes", "ttl_seconds_after_finished"),
        top_level=True,
    ),
    "flytekitplugins.ray.HeadNodeConfig": PluginClass(
        "flyteplugins.ray.HeadNodeConfig", ("ray_start_params", "pod_template", "requests", "limits")
    ),
    "flytekitplugins.ray.WorkerNodeConfig": PluginClass(
        "flyteplugins.ray.WorkerNodeConfig",
        ("group_name", "replicas", "min_replicas", "max_replicas", "ray_start_params", "pod_template", "requests", "limits"),
    ),
    "flytekitplugins.ray.AutoscalerOptionsConfig": PluginClass(
        "flyteplugins.ray.AutoscalerOptionsConfig",
        ("upscaling_mode", "idle_timeout_seconds", "env", "image"),
        renames={"requests": "resources"},
        unsupported={"limits": "flyteplugins.ray.AutoscalerOptionsConfig takes one resources= (no limits)"},
    ),
    # used in Annotated[DataFrame[Schema], ValidationConfig(on_error="warn")], not as task_config
    "flytekitplugins.pandera.ValidationConfig": PluginClass("flyteplugins.pandera.ValidationConfig", ("on_error",)),
    "flytekitplugins.dask.Dask": PluginClass("flyteplugins.dask.Dask", ("scheduler", "workers"), top_level=True),
    "flytekitplugins.dask.Scheduler": PluginClass(
        "flyteplugins.dask.Scheduler",
        ("image",),
        renames={"requests": "resources"},
        unsupported={"limits": f"flyteplugins.dask.Scheduler: {_NODE_RESOURCES}"},
    ),
    "flytekitplugins.dask.WorkerGroup": PluginClass(
        "flyteplugins.dask.WorkerGroup",
        ("number_of_workers", "image"),
        renames={"requests": "resources"},
        unsupported={"limits": f"flyteplugins.dask.WorkerGroup: {_NODE_RESOURCES}"},
    ),
    "flytekitplugins.kfpytorch.Elastic": PluginClass(
        "flyteplugins.pytorch.Elastic",
        ("nnodes", "nproc_per_node"),
        # flytekit's defaults; flyteplugins.pytorch.Elastic requires nnodes/nproc_per_node and
        # defaults to monitor_interval=3, max_restarts=3.
        keep_defaults={"nnodes": "1", "nproc_per_node": "1", "monitor_interval": "5", "max_restarts": "0"},
        unsupported={
            "start_method": "flyteplugins.pytorch.Elastic has no start_method (workers are spawned)",
            "run_policy": "flytekit RunPolicy enums differ from flyteplugins.pytorch.RunPolicy: port it by hand",
        },
        # flytekit's Elastic mounted a memory-backed /dev/shm unless increase_shared_mem=False:
        # map_task_kwargs turns that into shm="auto" on the environment's flyte.Resources.
        dropped={"start_method": '"spawn"', "increase_shared_mem": None},
        top_level=True,
    ),
}
# Keywords accepted besides the positional fields.
_EXTRA_KEYWORDS = {
    "flytekitplugins.kfpytorch.Elastic": ("monitor_interval", "max_restarts", "rdzv_configs"),
}

# flytekitplugins task configs without a Flyte 2 plugin_config counterpart -> what to do instead.
NO_COUNTERPART: dict[str, str] = {
    "flytekitplugins.kfpytorch.PyTorch": (
        "flytekitplugins PyTorch (PyTorchJob master/workers) has no Flyte 2 counterpart; flyteplugins.pytorch "
        "only offers Elastic (torchrun): plugin_config=flyteplugins.pytorch.Elastic(nnodes=..., nproc_per_node=...)"
    ),
    "flytekitplugins.kftensorflow.TfJob": "there is no Flyte 2 TensorFlow (TFJob) plugin in flyteplugins 2.12; run the training in a plain task or port it by hand",
    "flytekitplugins.kftensorflow.TensorFlow": "there is no Flyte 2 TensorFlow (TFJob) plugin in flyteplugins 2.12; run the training in a plain task or port it by hand",
    "flytekitplugins.kfmpi.MPIJob": "there is no Flyte 2 MPI plugin in flyteplugins 2.12; consider flyteplugins.pytorch.Elastic or port it by hand",
    "flytekitplugins.kfmpi.HorovodJob": "there is no Flyte 2 Horovod/MPI plugin in flyteplugins 2.12; port it by hand",
    "flytekitplugins.spark.Databricks": "Databricks jobs are a connector in Flyte 2: see the flyteplugins-databricks package",
    "flytekitplugins.spark.DatabricksV2": "Databricks jobs are a connector in Flyte 2: see the flyteplugins-databricks package",
    "flytekitplugins.snowflake.SnowflakeConfig": "Snowflake queries are a connector in Flyte 2: see the flyteplugins-snowflake package",
    "flytekitplugins.bigquery.BigQueryConfig": "BigQuery queries are a connector in Flyte 2: see the flyteplugins-bigquery package",
}


def canonical(name: str) -> str:
    """Fold a deep flytekitplugins path onto the package-level name: flytekitplugins.spark.task.Spark -> flytekitplugins.spark.Spark."""
    parts = name.split(".")
    if parts[0] == "flytekitplugins" and len(parts) > 3:
        return ".".join(parts[:2] + parts[-1:])
    return name


def wants_shared_memory(node: cst.Call, key: str) -> bool:
    """flytekit's ``Elastic`` mounts a memory-backed ``/dev/shm`` unless ``increase_shared_mem=False``."""
    if key != "flytekitplugins.kfpytorch.Elastic":
        return False
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "increase_shared_mem":
            return not (isinstance(arg.value, cst.Name) and arg.value.value == "False")
    return True


def plugin_key(func: cst.CSTNode, names_of: NameOf) -> Optional[str]:
    """The canonical flytekitplugins class a callee refers to, if any."""
    for name in sorted(names_of(func)):
        key = canonical(name)
        if key.startswith("flytekitplugins."):
            return key
    return None


def unsupported_reason(node: cst.Call, key: str, names_of: NameOf) -> Optional[str]:
    """Why ``node`` (a call of the flytekitplugins class ``key``) cannot be converted, or None.

    Nested flytekitplugins calls (``Dask(workers=WorkerGroup(...))``, lists of
    ``WorkerNodeConfig``) must convert too: a Flyte 2 config holding a flytekit one is broken.
    """
    reason = _own_reason(node, key)
    if reason is not None:
        return reason
    for arg in node.args:
        for inner in _calls_in(arg.value):
            inner_key = plugin_key(inner.func, names_of)
            if inner_key is not None:
                reason = unsupported_reason(inner, inner_key, names_of)
                if reason is not None:
                    return reason
    return None


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    """The outermost calls inside ``node`` (a call's own arguments are checked by recursion)."""
    if isinstance(node, cst.Call):
        return [node]
    found: list[cst.Call] = []
    for child in node.children:
        found.extend(_calls_in(child))
    return found


def _own_reason(node: cst.Call, key: str) -> Optional[str]:
    spec = PLUGINS.get(key)
    if spec is None:
        return NO_COUNTERPART.get(key, f"{key} has no known flyteplugins counterpart")
    positional = [a for a in node.args if a.keyword is None]
    if any(a.star for a in node.args):
        return f"{key}(*args/**kwargs) cannot be converted statically"
    if len(positional) > len(spec.fields):
        return f"{key}: positional arguments beyond {', '.join(spec.fields)}"
    allowed = set(spec.fields) | set(spec.renames) | set(_EXTRA_KEYWORDS.get(key, ())) | set(spec.dropped)
    for arg in node.args:
        if arg.keyword is None:
            continue
        name = arg.keyword.value
        if name in spec.dropped and spec.dropped[name] in (None, source_of(arg.value)):
            continue
        if name in spec.unsupported:
            return f"{spec.unsupported[name]}: {source_of(arg)}"
        if name not in allowed:
            return f"{key} argument without a flyteplugins counterpart: {source_of(arg)}"
    return None


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def convert_plugin_call(node: cst.Call, key: str) -> cst.Call:
    """The flyteplugins call for a convertible flytekitplugins call (check ``unsupported_reason`` first)."""
    spec = PLUGINS[key]
    kept = [a for a in node.args if a.keyword is None or a.keyword.value not in spec.dropped]
    args: list[cst.Arg] = []
    given: set[str] = set()
    for i, arg in enumerate(kept):
        name = spec.fields[i] if arg.keyword is None else arg.keyword.value
        given.add(name)
        if arg.keyword is None or name in spec.renames:
            # Positional arguments become keywords: the Flyte 2 dataclasses order their fields differently.
            arg = arg.with_changes(keyword=cst.Name(spec.renames.get(name, name)), equal=_EQUAL)
        args.append(arg)
    defaults = [kwarg(k, cst.parse_expression(v)) for k, v in spec.keep_defaults.items() if k not in given]
    closing = node.args[-1].comma if node.args else cst.MaybeSentinel.DEFAULT
    if kept[-1:] != node.args[-1:] and isinstance(closing, cst.Comma) and isinstance(closing.whitespace_after, cst.ParenthesizedWhitespace):
        # the last argument was dropped: its trailing comment described it, not what now ends the list
        closing = closing.with_changes(whitespace_after=closing.whitespace_after.with_changes(first_line=cst.TrailingWhitespace()))
    # Separator between arguments: the call's own (one per line stays one per line).
    first = node.args[0].comma if node.args else cst.MaybeSentinel.DEFAULT
    sep = first if isinstance(first, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args += defaults
    for i, arg in enumerate(args):
        if i == len(args) - 1:
            args[i] = arg.with_changes(comma=closing)
        elif i >= len(kept) - 1 or not isinstance(arg.comma, cst.Comma):
            args[i] = arg.with_changes(comma=sep)
    return node.with_changes(func=cst.parse_expression(spec.target), args=args)
