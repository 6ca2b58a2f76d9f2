"""Mark every flytekit name the other codemods left in the code.

Runs after all converting codemods and before imports. Any reference (outside import
statements) that still resolves to ``flytekit`` / ``flytekitplugins`` gets a
``# TODO(flytemigrate FM520)`` comment above its statement and a diagnostic, with a hint for the
common constructs (``current_context`` -> ``flyte.ctx()`` / environment variables for secrets,
``Deck`` -> ``flyte.report``, ``LaunchPlan``, ``map_task`` ...). Its import stays because the
name is still used, so the module keeps importing and the linter keeps flagging it.
"""

from __future__ import annotations

import libcst as cst

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.plugin_config import canonical
from flytemigrate.codemods.todo_codes import FM_CONTEXT, FM_LEFTOVER

HINTS = {
    "flytekit.current_context": (FM_CONTEXT, "current_context() is gone: use flyte.ctx(); read secrets from environment variables"),
    "flytekit.Deck": (FM_LEFTOVER, "Deck is gone: use @env.task(report=True) and flyte.report.log(html)"),
    "flytekit.LaunchPlan": (FM_LEFTOVER, "launch plans are gone: use flyte.Trigger / flyte.run with inputs"),
    "flytekit.map_task": (FM_LEFTOVER, "map_task is gone: use flyte.map"),
    "flytekit.ContainerTask": (
        FM_LEFTOVER,
        "ContainerTask -> flyte.extras.ContainerTask(name=, image=, command=, inputs={name: type}, outputs={name: type}) "
        "(same {{.inputs.x}} templates; resources/env_vars/secrets as keywords) and register it with "
        "flyte.TaskEnvironment.from_task(env_name, task); callers' environments list it in depends_on",
    ),
    "flytekit.extras.tasks.shell.ShellTask": (
        FM_LEFTOVER,
        "ShellTask -> flyte.extras.shell.create(name=, image=, inputs={...}, outputs={...}, script=) "
        "(templates become {inputs.x}/{outputs.x}), or run the script with subprocess inside an @env.task",
    ),
    "flytekit.extras.tasks.shell.RawShellTask": (
        FM_LEFTOVER,
        "RawShellTask -> flyte.extras.shell.create(...) or subprocess inside an @env.task",
    ),
    "flytekitplugins.papermill.NotebookTask": (
        FM_LEFTOVER,
        "NotebookTask -> flyteplugins.papermill.NotebookTask(name=, notebook_path=, task_environment=env, "
        "inputs={name: type}, outputs={name: type}) from the flyteplugins-papermill package",
    ),
    "flytekit.extras.sqlite3.task.SQLite3Task": (
        FM_LEFTOVER,
        "Flyte 2 has no SQLite3Task: download the database and query it with sqlite3 inside an @env.task",
    ),
    "flytekitplugins.sqlalchemy.SQLAlchemyTask": (
        FM_LEFTOVER,
        "Flyte 2 has no SQLAlchemyTask: run the query with sqlalchemy inside an @env.task (credentials from flyte.Secret env vars)",
    ),
}


def _already_explained(name: str, todos: list[str]) -> bool:
    """True when one of ``todos`` is about ``name``: ``flytekit.approve`` -> a TODO mentioning
    ``approve(``; ``flytekit.task`` -> one about ``@task`` (a decorator on a nested function)."""
    short = name.rsplit(".", 1)[-1]
    return any(f"{short}(" in todo or f"@{short} " in todo for todo in todos)


class LeftoversCodemod(FlyteCodemod):
    """TODO-mark statements that still use flytekit names."""

    DESCRIPTION = "Mark remaining flytekit usages with TODO comments."
    TRIGGERS = ("flytekit",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._in_import = 0

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        # One TODO per unported flytekit construct: the arguments of ContainerTask(...),
        # ShellTask(...) ... (kwtypes, Resources, OutputLocation) are ported together with it.
        if self._check(node.func):
            return False
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # Report the outermost dotted name once (fl.types.file.FlyteFile), not each prefix.
        return not self._check(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._check(node)

    def _check(self, node: cst.CSTNode) -> bool:
        names = sorted(canonical(n) for n in self.qualified_names(node) if n.split(".")[0] in {"flytekit", "flytekitplugins"})
        if not names:
            return False
        name = names[0]
        if _already_explained(name, self.statement_todos()):
            # An earlier codemod left a specific TODO about this very construct on the statement
            # (wait_for_input of an unsupported type, approve inside an expression ...): a generic
            # "has no automatic rewrite" line under it only repeats it.
            return True
        # fl.current_context().secrets.get resolves to flytekit.current_context.secrets.get
        known = next((k for k in HINTS if name == k or name.startswith(k + ".")), None)
        code, hint = HINTS[known] if known else (FM_LEFTOVER, f"{name} has no automatic Flyte 2 rewrite; port it by hand")
        self.todo(node, code, hint)
        return True
