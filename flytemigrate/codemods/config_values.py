"""Flyte 1 configuration objects -> their Flyte 2 counterparts, wherever they appear.

``Resources(cpu=, mem=, gpu=, ephemeral_storage=)`` -> ``flyte.Resources(cpu=, memory=, gpu=, disk=)``,
``ImageSpec(...)`` -> a ``flyte.Image`` builder chain, ``Secret(group=, key=)`` ->
``flyte.Secret(key=, group=)``, ``Cache(version=...)`` -> ``flyte.Cache(behavior="auto", ...)``,
``PodTemplate`` -> ``flyte.PodTemplate``, and flytekitplugins task configs (``Spark``,
``RayJobConfig`` ...) -> their ``flyteplugins`` classes (see ``plugin_config``). Runs after
``TaskCodemod`` (which converts the calls written inline in decorators, where requests/limits must
be merged, and moves ``task_config=`` to ``plugin_config=``), so what is left here are module-level
variables shared by several tasks: converting the variable's value keeps every
``resources=COMPUTE`` reference working.

Nothing inside a flytekit call that stays flytekit (``ContainerTask(requests=Resources(...))``,
an unconvertible plugin config) is converted: a Flyte 2 object handed to a flytekit constructor
would break code that the leftovers codemod already marks for porting by hand.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.plugin_config import PLUGINS, convert_plugin_call, plugin_key, unsupported_reason
from flytemigrate.codemods.task_kwargs import (
    Todo,
    convert_cache_call,
    convert_image_spec,
    convert_resources_call,
    convert_secret_call,
)


class ConfigValuesCodemod(FlyteCodemod):
    """Convert flytekit Resources/ImageSpec/Secret/Cache/PodTemplate constructor calls."""

    DESCRIPTION = "Convert flytekit configuration objects to flyte ones."
    TRIGGERS = ("Resources", "ImageSpec", "Secret", "Cache", "PodTemplate", "flytekitplugins")

    _CONVERTED = ("flytekit.Resources", "flytekit.ImageSpec", "flytekit.Secret", "flytekit.Cache", "flytekit.PodTemplate")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._frozen: list[cst.Call] = []  # enclosing flytekit calls that stay flytekit

    def visit_Call(self, node: cst.Call) -> None:
        if self._frozen or self.matches(node.func, *self._CONVERTED):
            return
        key = plugin_key(node.func, self.qualified_names)
        if key is not None:
            if unsupported_reason(node, key, self.qualified_names) is not None:
                self._frozen.append(node)
            return
        if any(n.split(".")[0] in {"flytekit", "flytekitplugins"} for n in self.qualified_names(node.func)):
            self._frozen.append(node)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self._frozen:
            if self._frozen[-1] is original_node:
                self._frozen.pop()
            return updated_node
        todos: list[Todo] = []
        func = original_node.func
        key = plugin_key(func, self.qualified_names)
        if key in PLUGINS:
            AddImportsVisitor.add_needed_import(self.context, PLUGINS[key].module)
            return convert_plugin_call(updated_node, key)
        if self.matches(func, "flytekit.Resources"):
            new: cst.BaseExpression = convert_resources_call(updated_node, todos)
        elif self.matches(func, "flytekit.ImageSpec"):
            new = convert_image_spec(updated_node, todos)
        elif self.matches(func, "flytekit.Secret"):
            new = convert_secret_call(updated_node, todos)
        elif self.matches(func, "flytekit.Cache"):
            new = convert_cache_call(updated_node, todos)
        elif self.matches(func, "flytekit.PodTemplate"):
            new = updated_node.with_changes(func=cst.parse_expression("flyte.PodTemplate"))
        else:
            return updated_node
        for todo in todos:
            self.todo(original_node, todo.code, todo.message)
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        return new
