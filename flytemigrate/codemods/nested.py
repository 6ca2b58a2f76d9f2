"""Flyte 1 entities defined inside a function or a class -> a TODO that says what to do.

flytekit accepts ``@task`` (``@workflow``, ``@dynamic``, ``@eager``) on a function defined inside
another function only in test modules, and on a method of a class (``@staticmethod`` under
``@task``) it registers the function under a name its resolver cannot load back. Flyte 2 has the
same rule, stated plainly: a task is a module-level function decorated with ``@env.task`` of a
module-level ``TaskEnvironment``, because a remote run imports the module and looks the function
up by name. Such a function cannot be converted in place (its closure variables, or ``self``/the
class, are not inputs), so it is left as it is with a TODO that says how to move it; the other
codemods leave it alone too. (``leftovers`` also marks the flytekit decorator name.)
"""

from __future__ import annotations

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.todo_codes import FM_LEFTOVER


class NestedEntityCodemod(FlyteCodemod):
    """TODO above ``@task``/``@workflow``/``@dynamic``/``@eager`` functions that are not at module level."""

    DESCRIPTION = "Mark Flyte 1 entities defined inside functions or classes."
    TRIGGERS = ("task", "workflow", "dynamic", "eager")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._enclosing: list[str] = []  # "function" / "class" for each definition we are inside

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enclosing.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._enclosing.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._enclosing:
            decorator = next((d for d in node.decorators if self.decorator_kind(d)), None)
            kind = self.decorator_kind(decorator) if decorator is not None else None
            if decorator is not None and kind is not None:
                where = "a class" if self._enclosing[-1] == "class" else "another function"
                inputs = "its closure variables become inputs" if where == "another function" else "anything it reads from the class becomes an input"
                self.todo(
                    decorator,  # reported at the decorator; the comment goes above the function
                    FM_LEFTOVER,
                    f"@{kind} on a function defined inside {where}: Flyte 2 tasks are module-level functions "
                    f"decorated with @env.task; move it to module level ({inputs})",
                )
        self._enclosing.append("function")

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._enclosing.pop()
        return updated_node
