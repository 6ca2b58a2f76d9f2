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
from flytemigrate.codemods.todo_codes import FM_NO_EQUIVALENT
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
    TRIGGERS = ("Resources", "ImageSpec", "Secret", "Cache", "PodTemplate", "flytekitplugins", "is_container", "with_packages", "force_push")

    _CONVERTED = ("flytekit.Resources", "flytekit.ImageSpec", "flytekit.Secret", "flytekit.Cache", "flytekit.PodTemplate")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._frozen: list[cst.Call] = []  # enclosing flytekit calls that stay flytekit
        self._images: set[str] = set()  # module-level names bound to an ImageSpec (or one derived from it)
        self._project_names: set[str] = set()  # names imported from the project's own modules (relative imports)

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and self._is_image(small.value):
                    self._images |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
                elif isinstance(small, cst.ImportFrom) and small.relative and not isinstance(small.names, cst.ImportStar):
                    self._project_names |= {
                        a.evaluated_alias or a.evaluated_name for a in small.names if isinstance(a.name, cst.Name)
                    }

    def _is_image(self, node: cst.BaseExpression) -> bool:
        """An ImageSpec(...) call, a name bound to one, or an ImageSpec builder-method chain on either."""
        if isinstance(node, cst.Name):
            return node.value in self._images
        if isinstance(node, cst.Call):
            if self.matches(node.func, "flytekit.ImageSpec"):
                return True
            func = node.func
            return isinstance(func, cst.Attribute) and func.attr.value in _IMAGE_METHODS and self._is_image(func.value)
        return False

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
        if isinstance(func, cst.Attribute) and func.attr.value in _IMAGE_METHODS and self._is_image(func.value):
            return self._image_method(original_node, updated_node)
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _IMAGE_SPEC_ONLY
            and isinstance(func.value, cst.Name)
            and func.value.value in self._project_names
        ):
            # an ImageSpec shared from the project's config module (converted there to a
            # flyte.Image, which has none of these methods)
            return self._image_method(original_node, updated_node)
        key = plugin_key(func, self.qualified_names)
        if key in PLUGINS:
            AddImportsVisitor.add_needed_import(self.context, PLUGINS[key].module)
            return convert_plugin_call(updated_node, key)
        if self.matches(func, "flytekit.Resources"):
            new: cst.BaseExpression = convert_resources_call(updated_node, todos)
        elif self.matches(func, "flytekit.ImageSpec"):
            # decided on the original node (an inline ImageSpec base is already converted in updated_node)
            base = next((a.value for a in original_node.args if a.keyword is not None and a.keyword.value == "base_image"), None)
            base_is_image = base is not None and self._is_image(base)
            new = convert_image_spec(updated_node, todos, lambda _value: base_is_image)
        elif self.matches(func, "flytekit.Secret"):
            # the original node: Secret.MountType.<member> is resolved through its metadata
            new = convert_secret_call(original_node, todos, lambda n, name: self.matches(n, name))
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

    def _image_method(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """ImageSpec builder methods called on a converted image -> their flyte.Image spelling."""
        func = updated_node.func
        assert isinstance(func, cst.Attribute)
        method = func.attr.value
        if method in {"with_packages", "with_apt_packages"}:
            # flytekit takes one list; flyte.Image takes the packages as separate arguments
            args = updated_node.args
            if len(args) == 1 and args[0].keyword is None and not args[0].star:
                value = args[0].value
                if isinstance(value, (cst.List, cst.Tuple)):
                    spread = [cst.Arg(e.value) for e in value.elements if isinstance(e, cst.Element)]
                else:
                    spread = [cst.Arg(value, star="*")]
                args = _commas(spread)
            name = "with_pip_packages" if method == "with_packages" else method
            return updated_node.with_changes(func=func.with_changes(attr=cst.Name(name)), args=args)
        if method == "force_push":
            self.todo(original_node, FM_NO_EQUIVALENT, "flyte.Image has no force_push(): the image is rebuilt when its spec changes; removed")
            return func.value
        if method == "is_container":
            self.todo(
                original_node,
                FM_NO_EQUIVALENT,
                "flyte.Image has no is_container(); flytekit returned True outside a cluster, so it became True: "
                "guard imports with try/except ImportError if this module is loaded in images without the package",
            )
            return cst.Name("True")
        return updated_node


# ImageSpec methods whose flyte.Image spelling differs (with_commands takes a list in both).
_IMAGE_METHODS = {"with_packages", "with_apt_packages", "force_push", "is_container", "with_commands"}
# ... of which flyte.Image has no method of that name at all: on a name imported from the project,
# these can only be an ImageSpec's.
_IMAGE_SPEC_ONLY = {"with_packages", "force_push", "is_container"}


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.MaybeSentinel.DEFAULT if i == len(args) - 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for i, a in enumerate(args)]
