"""Reference entities: ``@reference_task`` -> ``flyte.remote.Task.get``; reference launch plans/workflows -> TODO.

A Flyte 1 reference task is a typed stub pointing at a registered task::

    @reference_task(project="p", domain="d", name="pkg.tasks.score", version="v3")
    def score(x: int) -> float: ...

Flyte 2 fetches a deployed task lazily by name: ``score = flyte.remote.Task.get("pkg.tasks.score",
project="p", domain="d", version="v3")``, which is callable from a driver. The interface stub is
kept in the TODO comment because the target must now be a *Flyte 2* deployment whose task name
follows Flyte 2 naming (``<environment>.<function>``): a person has to confirm name and version.
``reference_launch_plan`` / ``reference_workflow`` have no direct counterpart (Flyte 2 has no
launch plans or workflows): they are left with a TODO.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import FM_REFERENCE, kwarg, todo_comment, with_commas

REFERENCE_TASK = "flytekit.reference_task"
OTHER_REFERENCES = ("flytekit.reference_launch_plan", "flytekit.reference_workflow")


class ReferenceCodemod(FlyteCodemod):
    """Reference tasks -> ``flyte.remote.Task.get``; other references -> TODO."""

    DESCRIPTION = "reference entities -> flyte.remote"
    TRIGGERS = ("reference_task", "reference_launch_plan", "reference_workflow")

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef):
        for index, dec in enumerate(original_node.decorators):
            call = dec.decorator
            if not isinstance(call, cst.Call):
                continue
            if self.matches(call.func, *OTHER_REFERENCES):
                kind = "launch plan" if self.matches(call.func, OTHER_REFERENCES[0]) else "workflow"
                self.report(dec, FM_REFERENCE, f"reference {kind} has no Flyte 2 counterpart")
                line = todo_comment(FM_REFERENCE, f"reference {kind}: migrate its workflow and fetch the task with flyte.remote.Task.get")
                if any(ln.comment and ln.comment.value == line.comment.value for ln in updated_node.leading_lines):
                    return updated_node
                return updated_node.with_changes(leading_lines=(*updated_node.leading_lines, line))
            if self.matches(call.func, REFERENCE_TASK):
                return self._task(original_node, updated_node, call)
        return updated_node

    def _task(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef, call: cst.Call):
        values = {}
        order = ("project", "domain", "name", "version")
        for i, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword else (order[i] if i < len(order) else None)
            if key:
                values[key] = arg.value
        if "name" not in values:
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, "flyte.remote")
        args = [cst.Arg(values["name"])]
        args += [kwarg(k, values[k]) for k in ("project", "domain", "version") if k in values]
        if "version" not in values:
            args.append(kwarg("auto_version", cst.SimpleString('"latest"')))
        stub = cst.Module([]).code_for_node(original_node.with_changes(decorators=[], leading_lines=[]))
        signature = re.sub(r"\s+", " ", stub.split(":\n", 1)[0].split("->")[0]).strip()
        returns = cst.Module([]).code_for_node(original_node.returns.annotation) if original_node.returns else "None"
        self.report(original_node, FM_REFERENCE, "reference task now fetched with flyte.remote.Task.get")
        statement = cst.parse_statement(f"{original_node.name.value} = flyte.remote.Task.get()")
        assign = statement.body[0]
        statement = statement.with_changes(
            body=[assign.with_changes(value=assign.value.with_changes(args=with_commas(args)))],
            leading_lines=[
                *updated_node.leading_lines,
                todo_comment(
                    FM_REFERENCE,
                    f"the task must be deployed with Flyte 2 under this name; Flyte 1 interface: {signature} -> {returns}",
                ),
            ],
        )
        return statement
