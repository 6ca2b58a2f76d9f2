"""Map the keyword arguments of a Flyte 1 ``@task(...)`` onto Flyte 2.

Flyte 2 splits task configuration in two: what ``@env.task(...)`` accepts (cache, retries,
timeout, interruptible, report, pod_template ...) and what only a ``TaskEnvironment`` accepts
(resources, image, env_vars, secrets, plugin_config). ``map_task_kwargs`` sorts the Flyte 1
arguments into those two groups and converts their values; what has no Flyte 2 equivalent is
returned as a TODO (the caller removes the argument and leaves its source text in a
``# TODO(flytemigrate FM5xx)`` comment, so nothing disappears silently).

Value conversions that also apply outside decorators (``Resources``, ``ImageSpec``, ``Secret``,
``Cache``, ``Documentation``) live here too so the module-level codemod can convert shared
variables the same way. ``task_config=`` plugin objects are sorted by ``plugin_config.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from flytemigrate.codemods.todo_codes import (
    FM_CONFIG_CONFLICT,
    FM_NO_EQUIVALENT,
    FM_PLUGIN_CONFIG,
    FM_UNKNOWN_VALUE,
)

# Flyte 1 accelerator constants (flytekit.extras.accelerators) -> Flyte 2 device names.
ACCELERATORS = {
    "T4": "T4",
    "A10G": "A10G",
    "L4": "L4",
    "L40S": "L40s",
    "V100": "V100",
    "H100": "H100",
    "H200": "H200",
    "A100": "A100",
    "A100_80GB": "A100_80G",
    "RTX_PRO_6000": "RTX_PRO_6000",
}

# GPUAccelerator("<device>") strings of flytekit's constants -> Flyte 2 device names (the
# constants flyte has no device for, K80/M60/P4/P100/L4_VWS, are left for a person).
ACCELERATOR_DEVICES = {
    "nvidia-tesla-t4": "T4",
    "nvidia-a10g": "A10G",
    "nvidia-l4": "L4",
    "nvidia-l40s": "L40s",
    "nvidia-tesla-v100": "V100",
    "nvidia-h100": "H100",
    "nvidia-h200": "H200",
    "nvidia-tesla-a100": "A100",
    "nvidia-a100-80gb": "A100_80G",
    "nvidia-rtx-pro-6000": "RTX_PRO_6000",
}

# Flyte 1 Resources field -> Flyte 2 Resources field.
RESOURCE_FIELDS = {"cpu": "cpu", "mem": "memory", "gpu": "gpu", "ephemeral_storage": "disk"}

# Task arguments Flyte 2 only accepts on the TaskEnvironment, in the order they are emitted.
ENV_FIELDS = ("image", "resources", "env_vars", "secrets", "plugin_config")

# Same name and meaning on ``@env.task``.
SAME_ON_TASK = {"retries", "timeout", "interruptible"}

Matcher = Callable[[cst.CSTNode, str], bool]


@dataclass
class Todo:
    node: cst.CSTNode
    code: str
    message: str


@dataclass
class MappedTask:
    """The result of mapping one decorator's arguments."""

    task_args: list[cst.Arg] = field(default_factory=list)
    env_args: dict[str, cst.BaseExpression] = field(default_factory=dict)
    todos: list[Todo] = field(default_factory=list)

    def env_key(self) -> tuple[tuple[str, str], ...]:
        """Tasks with equal keys can share one TaskEnvironment."""
        empty = cst.Module([])
        return tuple((k, empty.code_for_node(self.env_args[k])) for k in ENV_FIELDS if k in self.env_args)


def source_of(node: cst.CSTNode) -> str:
    """One-line source text of a node (for TODO comments)."""
    if isinstance(node, cst.Arg):
        node = node.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return re.sub(r"\s+", " ", cst.Module([]).code_for_node(node)).strip()


def kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def call(func: str, args: list[cst.Arg]) -> cst.Call:
    return cst.Call(func=cst.parse_expression(func), args=_with_commas(args))


def _with_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    out = []
    for i, arg in enumerate(args):
        last = i == len(args) - 1
        out.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT if last else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    return out


def keyword_args(node: cst.Call) -> dict[str, cst.Arg]:
    return {a.keyword.value: a for a in node.args if a.keyword is not None}


def string_value(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


def is_true(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def is_false_or_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in {"False", "None"}


# --------------------------------------------------------------------------- Resources


def resource_fields(node: cst.Call, todos: list[Todo]) -> dict[str, cst.BaseExpression]:
    """Flyte 2 field -> value for one flytekit ``Resources(...)`` call."""
    out: dict[str, cst.BaseExpression] = {}
    for arg in node.args:
        if arg.keyword is None or arg.keyword.value not in RESOURCE_FIELDS:
            todos.append(Todo(node, FM_NO_EQUIVALENT, f"Resources argument has no Flyte 2 equivalent: {source_of(arg)}"))
            continue
        value = arg.value
        if isinstance(value, cst.Name) and value.value == "None":
            continue  # unset, as if not given
        if arg.keyword.value == "gpu":
            text = string_value(value)
            if text is not None and text.isdigit():
                value = cst.Integer(text)
        out[RESOURCE_FIELDS[arg.keyword.value]] = value
    return out


def convert_resources_call(node: cst.Call, todos: list[Todo]) -> cst.Call:
    """flytekit ``Resources(cpu=, mem=, gpu=, ephemeral_storage=)`` -> ``flyte.Resources(...)``."""
    fields = resource_fields(node, todos)
    return call("flyte.Resources", [kwarg(k, v) for k, v in fields.items()])


def merge_resources(
    requests: Optional[dict[str, cst.BaseExpression]],
    limits: Optional[dict[str, cst.BaseExpression]],
) -> dict[str, cst.BaseExpression]:
    """requests/limits -> Flyte 2 ``(request, limit)`` tuples where both are given."""
    requests, limits = requests or {}, limits or {}
    out: dict[str, cst.BaseExpression] = {}
    for name in ("cpu", "memory", "gpu", "disk"):
        req, lim = requests.get(name), limits.get(name)
        if req is not None and lim is not None and name in {"cpu", "memory"}:
            out[name] = cst.Tuple([cst.Element(req, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(lim)])
        elif req is not None or lim is not None:
            out[name] = req if req is not None else lim  # type: ignore[assignment]
    return out


# --------------------------------------------------------------------------- ImageSpec


def convert_image_spec(
    node: cst.Call, todos: list[Todo], is_image: Optional[Callable[[cst.BaseExpression], bool]] = None
) -> cst.BaseExpression:
    """flytekit ``ImageSpec(...)`` -> a ``flyte.Image`` builder chain.

    ``is_image`` tells whether an expression is (converted from) an ImageSpec: ``base_image=`` may
    be another ImageSpec, whose image the new one then builds on (``flyte.Image.from_base`` only
    takes a URI).
    """
    kw = keyword_args(node)
    chain = {
        "apt_packages": "with_apt_packages",
        "packages": "with_pip_packages",
        "requirements": "with_requirements",
        "env": "with_env_vars",
        "commands": "with_commands",
    }
    base_args = []
    version = string_value(kw["python_version"].value) if "python_version" in kw else None
    if version and re.fullmatch(r"\d+\.\d+", version):
        major, minor = version.split(".")
        base_args.append(kwarg("python_version", cst.parse_expression(f"({major}, {minor})")))
    elif "python_version" in kw:
        todos.append(Todo(node, FM_UNKNOWN_VALUE, f"set python_version on flyte.Image by hand: {source_of(kw['python_version'])}"))
    for name in ("registry", "name"):
        if name in kw:
            base_args.append(kwarg(name, kw[name].value))
    platform = string_value(kw["platform"].value) if "platform" in kw else None
    if platform:
        # "linux/amd64,linux/arm64" -> ("linux/amd64", "linux/arm64")
        parts = [p.strip() for p in platform.split(",") if p.strip()]
        base_args.append(kwarg("platform", cst.parse_expression("(" + ", ".join(f"\"{p}\"" for p in parts) + ("," if len(parts) == 1 else "") + ")")))
    if "base_image" in kw and is_image is not None and is_image(kw["base_image"].value):
        expr: cst.BaseExpression = kw["base_image"].value
        if base_args:
            expr = cst.Call(func=cst.Attribute(expr, cst.Name("clone")), args=_with_commas(base_args))
    elif "base_image" in kw:
        expr = call("flyte.Image.from_base", [cst.Arg(kw["base_image"].value)])
        if any(name in kw for name in chain):
            # flyte refuses layers on a plain from_base image ("non-extendable") and on an unnamed
            # one: clone it extendable, under ImageSpec's default name when none was given.
            if "name" not in kw:
                base_args.append(kwarg("name", cst.SimpleString('"flytekit"')))
            base_args.append(kwarg("extendable", cst.Name("True")))
        if base_args:
            expr = cst.Call(func=cst.Attribute(expr, cst.Name("clone")), args=_with_commas(base_args))
    else:
        expr = call("flyte.Image.from_debian_base", base_args)
    pip_options = [kwarg(flyte_name, kw[name].value) for name, flyte_name in (("pip_index", "index_url"), ("pip_extra_index_url", "extra_index_urls")) if name in kw]
    chain = {
        "apt_packages": "with_apt_packages",
        "packages": "with_pip_packages",
        "requirements": "with_requirements",
        "env": "with_env_vars",
        "commands": "with_commands",
    }
    for name, method in chain.items():
        if name not in kw:
            continue
        value = kw[name].value
        if method in {"with_apt_packages", "with_pip_packages"}:
            if isinstance(value, (cst.List, cst.Tuple)):
                args = [cst.Arg(e.value) for e in value.elements if isinstance(e, cst.Element)]
            else:
                args = [cst.Arg(value, star="*")]
        else:
            args = [cst.Arg(value)]
        if method in {"with_pip_packages", "with_requirements"}:
            args += pip_options
        expr = cst.Call(func=cst.Attribute(expr, cst.Name(method)), args=_with_commas(args))
    known = set(chain) | {"base_image", "python_version", "registry", "name", "pip_index", "pip_extra_index_url"}
    if platform:
        known.add("platform")
    for name, arg in kw.items():
        if name not in known:
            hint = _IMAGE_SPEC_HINTS.get(name, "set it on flyte.Image")
            todos.append(Todo(node, FM_NO_EQUIVALENT, f"ImageSpec argument not converted, {hint}: {source_of(arg)}"))
    return expr


# What to do instead of task arguments Flyte 2 has no counterpart for.
_NO_EQUIVALENT_HINTS = {
    "deprecated": "say it in the docstring or docs=flyte.Documentation(...)",
    "deck_fields": "write the report yourself with flyte.report.log(...) in a report=True task",
    "node_dependency_hints": "Flyte 2 resolves the tasks a driver calls at run time",
}

# What to do instead of ImageSpec arguments flyte.Image has no counterpart for.
_IMAGE_SPEC_HINTS = {
    "builder": "flyte picks the image builder from its config (image_builder), remove it",
    "source_root": "Flyte 2 ships the project code in a code bundle at run time; copy files the image itself needs with .with_source_folder()",
    "copy": "copy them with .with_source_file()/.with_source_folder() (project code ships in the code bundle)",
    "cuda": "start from a CUDA base image (flyte.Image.from_base(\"nvidia/cuda:...\").clone(name=..., extendable=True))",
    "cudnn": "start from a CUDA/cuDNN base image (flyte.Image.from_base(...))",
    "conda_packages": "flyte.Image has no conda layer: use pip packages, .with_pixi_project(), or a conda base image",
    "conda_channels": "flyte.Image has no conda layer: use pip packages, .with_pixi_project(), or a conda base image",
}


# --------------------------------------------------------------------------- Secret / Cache


def convert_secret_call(node: cst.Call, todos: list[Todo], matches: Optional[Matcher] = None) -> cst.Call:
    """flytekit ``Secret(group=, key=)`` -> ``flyte.Secret(key=, group=)``.

    ``mount_requirement``: Flyte 2 mounts a secret as an environment variable unless ``mount`` is
    given, and ``/etc/flyte/secrets`` is the one file mount it supports, so ``MountType.ENV_VAR``
    / ``ANY`` need nothing and ``MountType.FILE`` becomes ``mount="/etc/flyte/secrets"``.
    """
    kw = keyword_args(node)
    positional = [a for a in node.args if a.keyword is None]
    args = []
    # flytekit's positional order is (group, key); flyte's is (key, group): always emit keywords.
    group = kw["group"].value if "group" in kw else (positional[0].value if positional else None)
    key = kw["key"].value if "key" in kw else (positional[1].value if len(positional) > 1 else None)
    if key is not None:
        args.append(kwarg("key", key))
    if group is not None:
        args.append(kwarg("group", group))
    if "env_var" in kw:
        args.append(kwarg("as_env_var", kw["env_var"].value))
    mount = _mount_type(kw["mount_requirement"].value, matches) if "mount_requirement" in kw else None
    if mount == "FILE":
        args.append(kwarg("mount", cst.SimpleString('"/etc/flyte/secrets"')))
    for name, arg in kw.items():
        if name == "mount_requirement" and mount is not None:
            continue
        if name not in {"group", "key", "env_var", "group_version"}:
            todos.append(Todo(node, FM_NO_EQUIVALENT, f"Secret argument not converted: {source_of(arg)}"))
    return call("flyte.Secret", args)


def _mount_type(value: cst.BaseExpression, matches: Optional[Matcher]) -> Optional[str]:
    """ENV_VAR / ANY / FILE for a ``Secret.MountType.<member>`` expression, else None."""
    if matches is None or not isinstance(value, cst.Attribute) or value.attr.value not in {"ENV_VAR", "ANY", "FILE"}:
        return None
    if not any(matches(value.value, name) for name in ("flytekit.Secret.MountType", "flytekit.MountType")):
        return None
    return value.attr.value


def convert_cache_call(node: cst.Call, todos: list[Todo]) -> cst.Call:
    """flytekit ``Cache(version=, serialize=, ignored_inputs=, salt=)`` -> ``flyte.Cache(behavior="auto", ...)``."""
    kw = keyword_args(node)
    args = [kwarg("behavior", cst.SimpleString('"auto"'))]
    rename = {"version": "version_override", "serialize": "serialize", "ignored_inputs": "ignored_inputs", "salt": "salt"}
    for name, arg in kw.items():
        if name in rename:
            args.append(kwarg(rename[name], arg.value))
        else:
            todos.append(Todo(node, FM_NO_EQUIVALENT, f"Cache argument not converted: {source_of(arg)}"))
    return call("flyte.Cache", args)


def _cache_arg(kw: dict[str, cst.Arg], matches: Matcher, todos: list[Todo]) -> Optional[cst.BaseExpression]:
    cache = kw.get("cache")
    if cache is None:
        if any(k in kw for k in ("cache_version", "cache_serialize", "cache_ignore_input_vars")):
            return None  # flytekit ignores these without cache=True
        return None
    value = cache.value
    if is_false_or_none(value):
        return None
    if isinstance(value, cst.Call) and matches(value.func, "flytekit.Cache"):
        return convert_cache_call(value, todos)
    if not is_true(value):
        related = [source_of(kw[k]) for k in ("cache", "cache_version", "cache_serialize", "cache_ignore_input_vars") if k in kw]
        todos.append(Todo(cache, FM_UNKNOWN_VALUE, f"cache value is not a literal, convert it to flyte.Cache by hand: {', '.join(related)}"))
        return None
    extra = []
    if "cache_version" in kw:
        extra.append(kwarg("version_override", kw["cache_version"].value))
    if "cache_serialize" in kw and not is_false_or_none(kw["cache_serialize"].value):
        extra.append(kwarg("serialize", kw["cache_serialize"].value))
    if "cache_ignore_input_vars" in kw:
        extra.append(kwarg("ignored_inputs", kw["cache_ignore_input_vars"].value))
    if not extra:
        return cst.SimpleString('"auto"')
    return call("flyte.Cache", [kwarg("behavior", cst.SimpleString('"auto"')), *extra])


# --------------------------------------------------------------------------- Documentation


def convert_docs(arg: cst.Arg, matches: Matcher, todos: list[Todo]) -> Optional[cst.Arg]:
    """``docs=Documentation(short_description=, long_description=Description(value=))`` -> ``docs=flyte.Documentation(description=)``.

    Flyte 2 keeps one description string (the UI text; the docstring when ``docs`` is unset).
    The short description is it when given, else the long one's ``value``; what does not fit
    (a long description next to a short one, a description ``uri``, ``source_code``) is reported.
    """
    value = arg.value
    if not (isinstance(value, cst.Call) and matches(value.func, "flytekit.Documentation")):
        todos.append(Todo(arg, FM_UNKNOWN_VALUE, f"docs is not a Documentation(...) call: set docs=flyte.Documentation(description=...) by hand: {source_of(arg)}"))
        return None
    kw = keyword_args(value)
    positional = [a for a in value.args if a.keyword is None]
    short = kw["short_description"].value if "short_description" in kw else (positional[0].value if positional else None)
    long_arg = kw.get("long_description") or (positional[1] if len(positional) > 1 else None)
    long_value: Optional[cst.BaseExpression] = None
    lost: list[str] = []
    if long_arg is not None:
        long_call = long_arg.value
        if isinstance(long_call, cst.Call) and matches(long_call.func, "flytekit.Description"):
            long_kw = keyword_args(long_call)
            if "value" in long_kw:
                long_value = long_kw["value"].value
            lost += [source_of(a) for k, a in long_kw.items() if k in {"uri", "icon_link"}]
        elif not (isinstance(long_call, cst.Name) and long_call.value == "None"):
            lost.append(source_of(long_arg))
    if "source_code" in kw:
        lost.append(source_of(kw["source_code"]))
    description = short if short is not None else long_value
    if short is not None and long_value is not None:
        lost.append(f"long_description value {source_of(long_value)}")
    if lost:
        todos.append(Todo(arg, FM_NO_EQUIVALENT, f"flyte.Documentation keeps one description; not carried over: {', '.join(lost)}"))
    if description is None:
        return None
    return arg.with_changes(value=call("flyte.Documentation", [kwarg("description", description)]))


# --------------------------------------------------------------------------- the decorator


def map_task_kwargs(
    decorator: cst.Call,
    matches: Matcher,
    kind: str = "task",
    names_of: Optional[Callable[[cst.CSTNode], set[str]]] = None,
    resolve: Optional[Callable[[cst.BaseExpression], Optional[cst.Call]]] = None,
    settings_of: Optional[Callable[[cst.BaseExpression], Optional[list[cst.Arg]]]] = None,
) -> MappedTask:
    """Sort and convert a ``@task(...)`` / ``@dynamic(...)`` / ``@eager(...)`` call's arguments.

    ``names_of`` (qualified names of a node) enables the ``task_config`` -> ``plugin_config``
    mapping; ``resolve`` returns the module-level call a variable is bound to, so a config
    object defined once and shared (``task_config=ray_config``) converts too; ``settings_of``
    returns the keyword arguments a module-level settings dict holds, so ``@task(**COMMON)``
    is sorted like the arguments written out.
    """
    result = MappedTask()
    todos = result.todos
    if settings_of is not None and any(a.star == "**" for a in decorator.args):
        expanded: list[cst.Arg] = []
        for arg in decorator.args:
            found = settings_of(arg.value) if arg.star == "**" else None
            expanded += found if found is not None else [arg]
        if len({a.keyword.value for a in expanded if a.keyword is not None}) == sum(1 for a in expanded if a.keyword is not None):
            decorator = decorator.with_changes(args=expanded)
    kw = keyword_args(decorator)
    for arg in decorator.args:
        if arg.star == "**":
            # Kept: retries/timeout/interruptible work as they are, and anything env.task rejects
            # fails loudly at import instead of being lost.
            result.task_args.append(arg)
            todos.append(Todo(arg, FM_UNKNOWN_VALUE, (
                f"settings unpacked from a variable ({source_of(arg)}) are passed to @env.task as they are: "
                "move requests/limits/container_image/environment/secret_requests to the flyte.TaskEnvironment and "
                "cache/cache_version to flyte.Cache, or Flyte 2 rejects them"
            )))
        elif arg.keyword is None:
            todos.append(Todo(arg, FM_NO_EQUIVALENT, f"positional decorator argument not converted: {source_of(arg)}"))

    cache = _cache_arg(kw, matches, todos)
    cache_done = False
    requests = limits = None
    resources_var: list[cst.Arg] = []
    accelerator: Optional[str] = None
    accelerator_partition: Optional[str] = None
    for name, arg in kw.items():
        value = arg.value
        if name in SAME_ON_TASK:
            result.task_args.append(arg)
        elif name in {"cache", "cache_version", "cache_serialize", "cache_ignore_input_vars"}:
            if cache is not None and not cache_done:
                result.task_args.append(arg.with_changes(keyword=cst.Name("cache"), value=cache))
                cache_done = True
        elif name in {"requests", "limits", "resources"}:
            if isinstance(value, cst.Call) and matches(value.func, "flytekit.Resources"):
                fields = resource_fields(value, todos)
                if name == "limits":
                    limits = fields
                else:
                    requests = {**(requests or {}), **fields}
            else:
                resources_var.append(arg)
        elif name == "accelerator":
            # A100.partition_1g_5gb (a MIG slice) / A100.unpartitioned (a whole GPU) -> the constant's device.
            constant, partition = value, None
            if isinstance(value, cst.Attribute) and (value.attr.value.startswith("partition_") or value.attr.value == "unpartitioned"):
                constant = value.value
                if value.attr.value != "unpartitioned":
                    partition = value.attr.value[len("partition_"):].replace("_", ".", 1)
            names = [n.rsplit(".", 1)[-1] for n in _qualified(matches, constant)]
            device = next((ACCELERATORS[n] for n in names if n in ACCELERATORS), None)
            if (
                device is None
                and isinstance(constant, cst.Call)
                and len(constant.args) == 1
                and matches(constant.func, "flytekit.extras.accelerators.GPUAccelerator")
            ):
                device = ACCELERATOR_DEVICES.get(string_value(constant.args[0].value) or "")
            if device is None:
                todos.append(Todo(arg, FM_NO_EQUIVALENT, f"accelerator not converted, set gpu= on flyte.Resources: {source_of(arg)}"))
            accelerator = device
            accelerator_partition = partition
        elif name == "shared_memory":
            requests = {**(requests or {}), "shm": cst.SimpleString('"auto"') if is_true(value) else value}
        elif name in {"container_image", "task_config"} and isinstance(value, cst.Name) and value.value == "None":
            pass  # the default, spelled out
        elif name == "container_image":
            if isinstance(value, cst.Call) and matches(value.func, "flytekit.ImageSpec"):
                def is_image(base: cst.BaseExpression) -> bool:
                    found = resolve(base) if resolve is not None else None
                    return (found is not None and matches(found.func, "flytekit.ImageSpec")) or (
                        isinstance(base, cst.Call) and matches(base.func, "flytekit.ImageSpec")
                    )

                result.env_args["image"] = convert_image_spec(value, todos, is_image)
            else:
                text = string_value(value)
                if text is not None and re.fullmatch(r"\{\{\s*\.image\.default\.fqn\s*\}\}(:\{\{\s*\.image\.default\.version\s*\}\})?", text):
                    # flytekit's spelling of "the default image": Flyte 2's default (image="auto").
                    pass
                elif text is not None and "{{" in text:
                    # flytekit's "{{.image.<name>.fqn}}" templates are resolved from its config file.
                    named = re.match(r"\{\{\s*\.image\.([A-Za-z0-9_\-]+)\.", text)
                    hint = (
                        f'image=flyte.Image.from_ref_name("{named.group(1)}") with image.image_refs.{named.group(1)} '
                        f"in the flyte config (was images.{named.group(1)} in the flytekit config)"
                        if named
                        else "set image= to a flyte.Image or URI"
                    )
                    todos.append(Todo(arg, FM_UNKNOWN_VALUE, f"image template from the flytekit config, use {hint}: {source_of(arg)}"))
                else:
                    result.env_args["image"] = value
        elif name == "environment":
            result.env_args["env_vars"] = value
        elif name == "secret_requests":
            result.env_args["secrets"] = value
        elif name == "enable_deck":
            if not is_false_or_none(value):
                result.task_args.append(arg.with_changes(keyword=cst.Name("report")))
        elif name == "disable_deck":
            if not is_true(value) and not is_false_or_none(value):
                todos.append(Todo(arg, FM_NO_EQUIVALENT, f"set report= on @env.task by hand: {source_of(arg)}"))
            elif isinstance(value, cst.Name) and value.value == "False":
                result.task_args.append(arg.with_changes(keyword=cst.Name("report"), value=cst.Name("True")))
        elif name == "docs":
            docs = convert_docs(arg, matches, todos)
            if docs is not None:
                result.task_args.append(docs)
        elif name == "pod_template":
            result.task_args.append(arg)
        elif name == "pod_template_name":
            if "pod_template" in kw:
                # both map to pod_template=: one keyword twice would not compile
                todos.append(Todo(arg, FM_CONFIG_CONFLICT, f"pod_template= and pod_template_name= both set; Flyte 2 takes one pod_template, kept the PodTemplate: {source_of(arg)}"))
            else:
                result.task_args.append(arg.with_changes(keyword=cst.Name("pod_template")))
        elif name == "task_config":
            reason, shm = _plugin_config(value, names_of, resolve)
            if reason is None:
                result.env_args["plugin_config"] = value
                if shm:
                    requests = {**(requests or {}), "shm": cst.SimpleString('"auto"')}
            else:
                todos.append(Todo(arg, FM_PLUGIN_CONFIG, f"{reason}; removed: {source_of(arg)}"))
        else:
            hint = _NO_EQUIVALENT_HINTS.get(name)
            todos.append(Todo(arg, FM_NO_EQUIVALENT, f"@{kind} argument has no Flyte 2 equivalent{f' ({hint})' if hint else ''}, removed: {source_of(arg)}"))

    if resources_var and (len(resources_var) > 1 or requests or limits or accelerator is not None) and resolve is not None:
        # requests=SMALL, limits=BIG with module-level Resources(...) variables: merge their
        # values into one flyte.Resources (the variables stay for whoever else uses them).
        resolved = [(arg, resolve(arg.value)) for arg in resources_var]
        if all(c is not None and matches(c.func, "flytekit.Resources") for _, c in resolved):
            for arg, found in resolved:
                assert found is not None and arg.keyword is not None
                fields = resource_fields(found, todos)
                if arg.keyword.value == "limits":
                    limits = {**(limits or {}), **fields}
                else:
                    requests = {**(requests or {}), **fields}
            resources_var = []
    if resources_var:
        if len(resources_var) > 1 or requests or limits or accelerator is not None:
            todos.append(
                Todo(
                    resources_var[0],
                    FM_CONFIG_CONFLICT,
                    "requests/limits/accelerator given as variables cannot be merged into one flyte.Resources; "
                    f"combine them by hand: {', '.join(source_of(kw[k]) for k in ('requests', 'limits', 'resources', 'accelerator', 'shared_memory') if k in kw)}",
                )
            )
        result.env_args["resources"] = resources_var[0].value
    else:
        fields = merge_resources(requests, limits)
        if requests and "shm" in requests:
            fields["shm"] = requests["shm"]
        if accelerator is not None:
            count = fields.get("gpu")
            n = count.value if isinstance(count, cst.Integer) else "1"
            if count is not None and not isinstance(count, cst.Integer):
                todos.append(Todo(decorator, FM_UNKNOWN_VALUE, f"gpu count is not a literal: {source_of(count)}"))
            if accelerator_partition is None:
                fields["gpu"] = cst.SimpleString(f'"{accelerator}:{n}"')
            else:
                fields["gpu"] = call("flyte.GPU", [
                    kwarg("device", cst.SimpleString(f'"{accelerator}"')),
                    kwarg("quantity", cst.Integer(n)),
                    kwarg("partition", cst.SimpleString(f'"{accelerator_partition}"')),
                ])
        if fields:
            result.env_args["resources"] = call("flyte.Resources", [kwarg(k, v) for k, v in fields.items()])
    # Two Flyte 1 spellings of one setting (enable_deck= and disable_deck=) must not become one
    # keyword twice: the output would not compile.
    seen: dict[str, str] = {}
    unique = []
    for arg in result.task_args:
        name = arg.keyword.value if arg.keyword is not None else None
        if name is not None and name in seen:
            if seen[name] != source_of(arg.value):  # the same value twice says nothing new
                todos.append(Todo(arg, FM_CONFIG_CONFLICT, f"{name}= given twice after conversion, kept the first: {source_of(arg)}"))
            continue
        if name is not None:
            seen[name] = source_of(arg.value)
        unique.append(arg)
    result.task_args = unique
    return result


def _plugin_config(
    value: cst.BaseExpression,
    names_of: Optional[Callable[[cst.CSTNode], set[str]]],
    resolve: Optional[Callable[[cst.BaseExpression], Optional[cst.Call]]],
) -> tuple[Optional[str], bool]:
    """(None, shm) when ``task_config=value`` can move to ``plugin_config=`` as is (its
    flytekitplugins call is converted by the config-values codemod), else (why not, False).
    ``shm``: the Flyte 1 plugin mounted a memory-backed /dev/shm (Flyte 2: ``shm="auto"``)."""
    from flytemigrate.codemods.plugin_config import PLUGINS, plugin_key, unsupported_reason, wants_shared_memory

    generic = "task_config has no automatic mapping; set plugin_config on the TaskEnvironment (flyteplugins)"
    if names_of is None:
        return generic, False
    target = value if isinstance(value, cst.Call) else (resolve(value) if resolve is not None else None)
    if not isinstance(target, cst.Call):
        return generic, False
    key = plugin_key(target.func, names_of)
    if key is None:
        return generic, False
    reason = unsupported_reason(target, key, names_of)
    if reason is None and not PLUGINS[key].top_level:
        reason = f"{key} is not a task config"
    if reason is not None:
        return f"task_config not converted: {reason}", False
    return None, wants_shared_memory(target, key)


def _qualified(matches: Matcher, node: cst.CSTNode) -> list[str]:
    """Names of flytekit accelerator constants ``node`` may refer to (via the codemod's matcher)."""
    return [f"flytekit.extras.accelerators.{n}" for n in ACCELERATORS if matches(node, f"flytekit.extras.accelerators.{n}")]
