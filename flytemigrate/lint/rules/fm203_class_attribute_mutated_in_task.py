"""FM203 class-attribute-mutated-in-task."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.analysis import is_mutable_literal
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm2_common import where

_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class ClassAttributeMutatedInTask(Rule):
    """Flags tasks (and the helpers, traces and class methods they call) that change a mutable
    class-level attribute in place: `Registry.items.append(x)`, `Model.cache[k] = v`, or
    `cls.items.append(x)` in a classmethod a task calls as `Registry.register(x)`.

    Why it breaks in Flyte 2:
        A class attribute is module state shared by every instance in one process. On a cluster
        each task runs in its own container, so what one task registers is missing in the
        others and in the driver; a local `flyte.run` runs everything in one process and hides
        the problem. Reused containers keep the attribute's content between runs.

    Example:
        class Registry:
            models: dict[str, str] = {}

        @env.task
        def register(name: str, uri: str) -> None:
            Registry.models[name] = uri

    Use instead:
        @env.task
        def register(name: str, uri: str) -> dict[str, str]:
            return {name: uri}      # return it and pass it on as a task input
    """

    code: ClassVar[str] = "FM203"
    name: ClassVar[str] = "class-attribute-mutated-in-task"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "class Config:\n    defaults = {'lr': 0.1}\n\n@env.task\ndef lr() -> float:\n    return Config.defaults['lr']\n",
        _HEAD + "class Registry:\n    models = {}\n\ndef setup() -> None:\n    Registry.models['a'] = 'b'\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "class Registry:\n    models: dict[str, str] = {}\n\n@env.task\ndef register(name: str, uri: str) -> None:\n    Registry.models[name] = uri\n",
        _HEAD + "class Seen:\n    items = []\n\n    @classmethod\n    def add(cls, x):\n        cls.items.append(x)\n\n@env.task\ndef f(x: int) -> int:\n    Seen.add(x)\n    return x\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        reported: set[int] = set()
        for task in sorted(analysis.tasks):
            for qualname in analysis.reach(task):
                info = analysis.functions[qualname]
                owner = qualname.split(".")[0] if "." in qualname and "<locals>" not in qualname else None
                for mutation in info.mutations:
                    if mutation.attribute is None or id(mutation.node) in reported:
                        continue
                    if mutation.name == "cls" and owner is not None:
                        cls_name = owner
                    elif mutation.name in analysis.class_attributes and analysis.is_global_access(mutation.root) is None:
                        cls_name = mutation.name
                    else:
                        continue
                    binding = analysis.class_attributes.get(cls_name, {}).get(mutation.attribute)
                    if binding is None:
                        continue
                    value = binding.value
                    call_names = self.qualified_names(value.func) if isinstance(value, cst.Call) else set()
                    if not is_mutable_literal(value, call_names):
                        continue
                    reported.add(id(mutation.node))
                    self.report(
                        mutation.node,
                        f"{where(analysis, qualname)} changes class attribute `{cls_name}.{mutation.attribute}` with "
                        f"{mutation.how}; it is per-process state that other tasks and the driver never see",
                        help="return the data from the task and pass it on as an input instead of storing it on the class",
                    )
