"""Flyte 1 configuration objects -> their Flyte 2 counterparts, wherever they appear.

``Resources(cpu=, mem=, gpu=, ephemeral_storage=)`` -> ``flyte.Resources(cpu=, memory=, gpu=, disk=)``,
``ImageSpec(...)`` -> a ``flyte.Image`` builder chain, ``Secret(group=, key=)`` ->
``flyte.Secret(key=, group=)``, ``Cache(version=...)`` -> ``flyte.Cache(behavior="auto", ...)``,
``PodTemplate`` -> ``flyte.PodTemplate``. Runs after ``TaskCodemod`` (which converts the calls
written inline in decorators, where requests/limits must be merged), so what is left here are
module-level variables shared by several tasks: converting the variable's value keeps every
``resources=COMPUTE`` reference working.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
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
    TRIGGERS = ("Resources", "ImageSpec", "Secret", "Cache", "PodTemplate")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        todos: list[Todo] = []
        func = original_node.func
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
