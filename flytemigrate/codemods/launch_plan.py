"""Rewrite scheduled launch plans into ``flyte.Trigger`` on the workflow's task.

Flyte 1 schedules a workflow through a launch plan::

    nightly = LaunchPlan.get_or_create(main, name="nightly", default_inputs={"region": "us"},
                                       schedule=CronSchedule(schedule="0 2 * * *", kickoff_time_input_arg="day"))

Flyte 2 attaches a trigger to the task itself::

    nightly = flyte.Trigger(name="nightly", automation=flyte.Cron("0 2 * * *"),
                            inputs={"region": "us", "day": flyte.TriggerTime})

    @env.task(triggers=nightly)
    def main(day: datetime, region: str = "eu") -> str: ...

``CronSchedule(schedule=|cron_expression=)`` -> ``flyte.Cron`` (aliases such as "daily" and AWS
six-field ``cron_expression`` values become standard five-field expressions; ``offset`` gets a TODO); ``FixedRate(duration=timedelta(...))``
-> ``flyte.FixedRate(<minutes>)``; ``default_inputs`` and ``fixed_inputs`` -> ``inputs``;
``kickoff_time_input_arg`` -> ``flyte.TriggerTime`` bound to that input (an input given twice keeps
its last value); ``labels``/``annotations`` are kept (``Labels({...})`` unwrapped to the dict);
``max_parallelism=N`` -> ``max_action_concurrency=N``; ``overwrite_cache``/``auto_activate`` are
kept; e-mail notifications (``Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=[...])``)
-> ``flyte.notify.Email(on_phase=flyte.models.ActionPhase.FAILED, recipients=[...])``. The trigger is defined just above the task (the decorator needs it) and the task's
``@env.task`` decorator gets ``triggers=``. This codemod runs after the decorator codemod so the
``@env.task`` decorator exists. A launch plan without a schedule (a named set of inputs) becomes
a trigger without automation, which Flyte 2 fires on demand, with a TODO to check how it was
launched. Slack/PagerDuty notifications, and launch plans still used as callables elsewhere, stay
with a TODO.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.dataflow_common import (
    FM_LAUNCH_PLAN,
    FM_NOTIFICATIONS,
    kwarg,
    with_commas,
    with_todo,
)
from flytemigrate.codemods.task_kwargs import source_of

GET_OR_CREATE = "flytekit.LaunchPlan.get_or_create"
CREATE = "flytekit.LaunchPlan.create"
TRIGGER_KWARGS = {"labels", "annotations"}
SAME_ON_TRIGGER = {"overwrite_cache", "auto_activate"}  # same name and meaning on flyte.Trigger
NOTIFY_PHASES = ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT")  # the phases flyte.notify accepts
SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


@dataclass
class LaunchPlanParts:
    """The arguments of a ``LaunchPlan.get_or_create/create`` call by meaning."""

    workflow: Optional[cst.BaseExpression] = None
    name: Optional[cst.BaseExpression] = None
    kwargs: dict[str, cst.BaseExpression] = field(default_factory=dict)


def launch_plan_parts(codemod: FlyteCodemod, call: cst.Call) -> Optional[LaunchPlanParts]:
    """Parse a launch plan constructor call; None if ``call`` is not one."""
    if codemod.matches(call.func, GET_OR_CREATE):
        positional = ("workflow", "name", "default_inputs", "fixed_inputs", "schedule")
    elif codemod.matches(call.func, CREATE):
        positional = ("name", "workflow", "default_inputs", "fixed_inputs", "schedule")
    else:
        return None
    parts = LaunchPlanParts()
    values: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            values[arg.keyword.value] = arg.value
        elif index < len(positional):
            values[positional[index]] = arg.value
    parts.workflow = values.pop("workflow", None)
    parts.name = values.pop("name", None)
    parts.kwargs = values
    return parts


# flytekit's schedule aliases (CronSchedule._VALID_CRON_ALIASES) as five-field expressions
CRON_ALIASES = {
    **dict.fromkeys(("hourly", "hours", "@hourly"), "0 * * * *"),
    **dict.fromkeys(("daily", "days", "@daily"), "0 0 * * *"),
    **dict.fromkeys(("weekly", "weeks", "@weekly"), "0 0 * * 0"),
    **dict.fromkeys(("monthly", "months", "@monthly"), "0 0 1 * *"),
    **dict.fromkeys(("annually", "@annually", "yearly", "years", "@yearly"), "0 0 1 1 *"),
}


def standard_cron(text: str, aws: bool) -> Optional[str]:
    """A flytekit schedule as flyte.Cron's standard five-field expression; None if it cannot be.

    ``schedule=`` took an alias ("daily", "@hourly") or a five-field expression. The deprecated
    ``cron_expression=`` took AWS's six fields (minute hour day-of-month month day-of-week year)
    with ``?`` for "no value" and days of the week numbered 1-7 from Sunday, where standard cron
    counts 0-6 from Sunday.
    """
    text = text.strip()
    if text in CRON_ALIASES:
        return CRON_ALIASES[text]
    fields = text.split()
    if not aws:
        return text if len(fields) == 5 else None
    if len(fields) != 6 or fields[5] not in {"*", "?"}:
        return None  # a year restriction has no five-field form
    if re.search(r"[LW#]", " ".join(fields[:5])):
        return None  # last day / weekday / nth weekday: no standard five-field form
    minute, hour, dom, month, dow = (f.replace("?", "*") for f in fields[:5])
    if re.search(r"[0-9]", dow):
        if not re.fullmatch(r"[1-7]([-,][1-7])*", dow):
            return None  # L, #, / forms: converted by hand
        dow = re.sub(r"[1-7]", lambda m: str(int(m.group()) - 1), dow)
    return " ".join((minute, hour, dom, month, dow))


def _last_wins(inputs: list) -> list:
    """Dict elements with literal keys given twice (a default overridden by a fixed input, or by the
    kickoff time) keep the last value, as the merged dict did in Flyte 1."""
    def key_of(element) -> Optional[str]:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            return element.key.evaluated_value
        return None

    later = [key_of(el) for el in inputs]
    return [el for i, el in enumerate(inputs) if later[i] is None or later[i] not in later[i + 1 :]]


def _concurrency_ok(value: cst.BaseExpression) -> bool:
    """Flyte 2 accepts 0 (platform default) or at least 2 concurrent actions (1 deadlocks a driver)."""
    return isinstance(value, cst.Integer) and (int(value.value) == 0 or int(value.value) >= 2)


def _minutes(duration: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``timedelta(hours=1)`` -> ``60``; a non-literal duration -> ``int(d.total_seconds() // 60)``."""
    if isinstance(duration, cst.Call) and all(a.keyword is not None for a in duration.args):
        total = 0.0
        for arg in duration.args:
            unit = arg.keyword.value
            if unit not in SECONDS or not isinstance(arg.value, (cst.Integer, cst.Float)):
                break
            total += float(arg.value.value) * SECONDS[unit]
        else:
            if total % 60 == 0:
                return cst.Integer(str(int(total // 60)))
    text = source_of(duration)
    return cst.parse_expression(f"int(({text}).total_seconds() // 60)")


def _inner_comments(stmt: cst.CSTNode) -> list[cst.EmptyLine]:
    """Comments written inside the launch plan call, kept as lines above the trigger."""
    found: list[cst.EmptyLine] = []

    class _V(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            found.append(cst.EmptyLine(comment=node))

    # Only the statement's body: its own leading comment lines are carried over separately.
    for part in getattr(stmt, "body", [stmt]):
        part.visit(_V())
    return found


class LaunchPlanCodemod(FlyteCodemod):
    """Scheduled ``LaunchPlan`` -> ``flyte.Trigger`` on the task; other launch plans -> TODO."""

    DESCRIPTION = "launch plans -> flyte.Trigger"
    TRIGGERS = ("LaunchPlan",)  # LaunchPlan.get_or_create / LaunchPlan.create

    def __init__(self, context) -> None:
        super().__init__(context)
        self.schedule_todos: list[str] = []  # what a schedule loses in conversion (offset)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(updated_node.body)
        originals = list(original_node.body)
        # name -> number of reads, to know whether a launch plan variable is still used as a callable
        reads: dict[str, int] = {}

        class _Reads(cst.CSTVisitor):
            def visit_Name(self, n: cst.Name) -> None:
                reads[n.value] = reads.get(n.value, 0) + 1

        updated_node.visit(_Reads())
        self._functions = {stmt.name.value for stmt in updated_node.body if isinstance(stmt, cst.FunctionDef)}
        triggers: dict[str, list[tuple[str, cst.SimpleStatementLine]]] = {}
        out: list[cst.BaseStatement] = []
        for original, stmt in zip(originals, body):
            new = self._statement(original, stmt, reads, triggers)
            if new is not None:
                out.append(new)
        out = self._spaced(out)
        if not triggers:
            return updated_node.with_changes(body=out)
        final: list[cst.BaseStatement] = []
        for stmt in out:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in triggers:
                names = [name for name, _ in triggers[stmt.name.value]]
                decorated = self._add_triggers(stmt, names)
                if decorated is None:
                    final.append(stmt)
                    for name, definition in triggers[stmt.name.value]:
                        final.append(with_todo(definition, FM_LAUNCH_PLAN, f"add triggers={name} to the task decorator of {stmt.name.value}"))
                    continue
                for index, (_, definition) in enumerate(triggers[stmt.name.value]):
                    lines = stmt.leading_lines if index == 0 else []
                    final.append(definition.with_changes(leading_lines=(*lines, *definition.leading_lines)))
                final.append(decorated.with_changes(leading_lines=[cst.EmptyLine()] * 2))
            else:
                final.append(stmt)
        return updated_node.with_changes(body=final)

    @staticmethod
    def _spaced(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """Keep two blank lines after a definition when the statement that followed it was removed."""
        out = []
        for index, stmt in enumerate(body):
            if index and isinstance(body[index - 1], (cst.FunctionDef, cst.ClassDef)) and not (
                stmt.leading_lines and stmt.leading_lines[0].comment is None
            ):
                stmt = stmt.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *stmt.leading_lines])
            out.append(stmt)
        return out

    def _statement(self, original, stmt, reads, triggers) -> Optional[cst.BaseStatement]:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return stmt
        small = stmt.body[0]
        target: Optional[str] = None
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            target = small.targets[0].target.value
        value = getattr(small, "value", None)
        if not isinstance(small, (cst.Assign, cst.Expr)) or not isinstance(value, cst.Call):
            return stmt
        parts = launch_plan_parts(self, original.body[0].value) if isinstance(original.body[0], (cst.Assign, cst.Expr)) else None
        if parts is None:
            return stmt
        schedule = parts.kwargs.get("schedule")
        workflow = parts.workflow.value if isinstance(parts.workflow, cst.Name) else None
        still_used = target is not None and reads.get(target, 0) > 1
        if workflow is None or still_used:
            why = "launch plan is still used as a callable or its workflow is not in this module; convert by hand"
            self.report(original, FM_LAUNCH_PLAN, why)
            return with_todo(stmt, FM_LAUNCH_PLAN, why)
        todo_lines = []
        if schedule is None:
            # A launch plan without a schedule is a named set of inputs: the closest Flyte 2 construct
            # is a trigger without automation (fired on demand), but how it was launched must be checked.
            automation = (None, None)
            why = "launch plan without a schedule became an on-demand trigger; launch it from the UI/API or use flyte.run with these inputs"
            self.report(original, FM_LAUNCH_PLAN, why)
            todo_lines.append((FM_LAUNCH_PLAN, why))
        else:
            self.schedule_todos = []
            automation = self._automation(schedule)
            for message in self.schedule_todos:
                self.report(original, FM_LAUNCH_PLAN, message)
                todo_lines.append((FM_LAUNCH_PLAN, message))
        if automation is None:
            self.report(original, FM_LAUNCH_PLAN, "schedule could not be converted")
            return with_todo(stmt, FM_LAUNCH_PLAN, "schedule could not be converted to flyte.Cron / flyte.FixedRate")
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        automation_expr, kickoff = automation
        inputs: list[cst.DictElement] = []
        for key in ("default_inputs", "fixed_inputs"):
            d = parts.kwargs.get(key)
            if isinstance(d, cst.Dict):
                inputs.extend(el.with_changes(comma=cst.MaybeSentinel.DEFAULT) for el in d.elements if isinstance(el, cst.DictElement))
            elif d is not None:
                inputs.append(cst.StarredDictElement(d))  # type: ignore[arg-type]
        if kickoff is not None:
            inputs.append(cst.DictElement(kickoff, cst.parse_expression("flyte.TriggerTime")))
        inputs = _last_wins(inputs)
        name = parts.name or cst.SimpleString(f'"{target or workflow}"')
        args = [kwarg("name", name)]
        if automation_expr is not None:
            args.append(kwarg("automation", automation_expr))
        if inputs:
            elements = [el.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for el in inputs[:-1]]
            args.append(kwarg("inputs", cst.Dict([*elements, inputs[-1]])))
        for key, value in parts.kwargs.items():
            if key in TRIGGER_KWARGS:
                args.append(kwarg(key, self._mapping(value)))
            elif key in SAME_ON_TRIGGER:
                args.append(kwarg(key, value))
            elif key == "max_parallelism" and _concurrency_ok(value):
                # the most nodes of one execution running at once; Flyte 2 counts actions of a run
                args.append(kwarg("max_action_concurrency", value))
            elif key == "notifications" and (converted := self._notifications(value)) is not None:
                args.append(kwarg("notifications", converted))
            elif key == "notifications":
                self.report(original, FM_NOTIFICATIONS, "launch plan notifications are not converted")
                todo_lines.append((FM_NOTIFICATIONS, f"re-create notifications with flyte.notify on the trigger: {source_of(value)}"))
            elif key not in {"schedule", "default_inputs", "fixed_inputs"}:
                self.report(original, FM_LAUNCH_PLAN, f"launch plan argument {key} not converted")
                todo_lines.append((FM_LAUNCH_PLAN, f"launch plan argument not converted: {key}={source_of(value)}"))
        trigger_name = target or f"{workflow}_trigger"
        trigger = cst.parse_statement(f"{trigger_name} = flyte.Trigger()")
        assert isinstance(trigger, cst.SimpleStatementLine)
        assign = trigger.body[0]
        trigger = trigger.with_changes(
            body=[assign.with_changes(value=assign.value.with_changes(args=with_commas(args)))],
            leading_lines=[*(ln for ln in stmt.leading_lines if ln.comment is not None), *_inner_comments(stmt)],
        )
        for code, message in todo_lines:
            trigger = with_todo(trigger, code, message)
        if workflow not in self._functions:
            # The workflow is imported: the trigger stays here (the module must still import, and
            # a LaunchPlan of a converted workflow would not), the decorator is in another module.
            why = f"add triggers={trigger_name} to the task decorator of {workflow} in the module that defines it"
            self.report(original, FM_LAUNCH_PLAN, why)
            own_comments = len([ln for ln in stmt.leading_lines if ln.comment is not None])
            in_place = trigger.with_changes(leading_lines=[*stmt.leading_lines, *trigger.leading_lines[own_comments:]])
            return with_todo(in_place, FM_LAUNCH_PLAN, why)
        triggers.setdefault(workflow, []).append((trigger_name, trigger))
        return None

    def _mapping(self, value: cst.BaseExpression) -> cst.BaseExpression:
        """``Labels({"team": "x"})`` / ``Annotations(values={...})`` -> the dict (a Trigger takes a mapping)."""
        if isinstance(value, cst.Call) and self.matches(value.func, "flytekit.Labels", "flytekit.Annotations") and len(value.args) == 1:
            return value.args[0].value
        return value

    def _notifications(self, value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        """``[Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=[...])]`` ->
        ``(flyte.notify.Email(on_phase=flyte.models.ActionPhase.FAILED, recipients=[...]),)``.

        Only e-mail converts: a Flyte 1 ``Slack``/``PagerDuty`` notification is an e-mail address of
        that service, while Flyte 2's ``Slack`` needs a webhook URL. None if anything does not convert.
        """
        items = [el.value for el in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
        if not items or any(not isinstance(item, cst.Call) for item in items):
            return None
        emails = []
        for item in items:
            if not self.matches(item.func, "flytekit.Email") or any(a.star for a in item.args):
                return None
            kw = {a.keyword.value: a.value for a in item.args if a.keyword is not None}
            positional = [a.value for a in item.args if a.keyword is None]
            for index, name in enumerate(("phases", "recipients_email")):
                if index < len(positional):
                    kw[name] = positional[index]
            phases, recipients = kw.pop("phases", None), kw.pop("recipients_email", None)
            if kw or phases is None or recipients is None or not isinstance(phases, (cst.List, cst.Tuple)) or not phases.elements:
                return None
            converted = []
            for element in phases.elements:
                phase = next(
                    (p for p in NOTIFY_PHASES if self.matches(element.value, f"flytekit.WorkflowExecutionPhase.{p}")), None
                )
                if phase is None:
                    return None
                converted.append(cst.parse_expression(f"flyte.models.ActionPhase.{phase}"))
            on_phase = converted[0] if len(converted) == 1 else cst.Tuple([cst.Element(p) for p in converted])
            emails.append(
                cst.Call(
                    func=cst.parse_expression("flyte.notify.Email"),
                    args=with_commas([kwarg("on_phase", on_phase), kwarg("recipients", recipients)]),
                )
            )
        AddImportsVisitor.add_needed_import(self.context, "flyte.models")
        AddImportsVisitor.add_needed_import(self.context, "flyte.notify")
        if len(emails) == 1:
            return emails[0]
        return cst.Tuple([cst.Element(e) for e in emails])

    def _automation(self, schedule: cst.BaseExpression) -> Optional[tuple[cst.BaseExpression, Optional[cst.BaseExpression]]]:
        if not isinstance(schedule, cst.Call):
            return None
        kw = {a.keyword.value: a.value for a in schedule.args if a.keyword is not None}
        positional = [a.value for a in schedule.args if a.keyword is None]
        kickoff = kw.get("kickoff_time_input_arg")
        if self.matches(schedule.func, "flytekit.CronSchedule"):
            aws = "cron_expression" in kw or (bool(positional) and "schedule" not in kw)
            expr = kw.get("schedule") or kw.get("cron_expression") or (positional[0] if positional else None)
            if expr is None:
                return None
            if isinstance(expr, cst.SimpleString) and isinstance(expr.evaluated_value, str):
                standard = standard_cron(expr.evaluated_value, aws)
                if standard is None:
                    return None
                if standard != expr.evaluated_value:
                    expr = cst.SimpleString(json.dumps(standard))
            if "offset" in kw:
                self.schedule_todos.append(
                    f"CronSchedule offset={source_of(kw['offset'])} has no flyte.Cron counterpart: shift the cron expression by hand"
                )
            return cst.Call(func=cst.parse_expression("flyte.Cron"), args=[cst.Arg(expr)]), kickoff
        if self.matches(schedule.func, "flytekit.FixedRate"):
            duration = kw.get("duration") or (positional[0] if positional else None)
            if duration is None:
                return None
            minutes = _minutes(duration)
            return cst.Call(func=cst.parse_expression("flyte.FixedRate"), args=[cst.Arg(minutes)]), kickoff
        return None

    def _add_triggers(self, func: cst.FunctionDef, names: list[str]) -> Optional[cst.FunctionDef]:
        """Add ``triggers=`` to the ``@<env>.task`` decorator; None if there is none."""
        value: cst.BaseExpression = (
            cst.Name(names[0])
            if len(names) == 1
            else cst.Tuple([cst.Element(cst.Name(n), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for n in names[:-1]] + [cst.Element(cst.Name(names[-1]))])
        )
        decorators = list(func.decorators)
        for i, dec in enumerate(decorators):
            expr = dec.decorator
            func_expr = expr.func if isinstance(expr, cst.Call) else expr
            if not (isinstance(func_expr, cst.Attribute) and func_expr.attr.value == "task"):
                continue
            if isinstance(expr, cst.Call):
                if any(a.keyword is not None and a.keyword.value == "triggers" for a in expr.args):
                    return func
                args = list(expr.args)
                if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
                    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                new = expr.with_changes(args=[*args, kwarg("triggers", value)])
            else:
                new = cst.Call(func=expr, args=[kwarg("triggers", value)])
            decorators[i] = dec.with_changes(decorator=new)
            return func.with_changes(decorators=decorators)
        return None


class LaunchPlanCallsCodemod(FlyteCodemod):
    """A launch plan *called* from a workflow -> a call of its workflow with the plan's inputs.

    Calling a Flyte 1 launch plan inside a workflow runs its workflow with the plan's saved inputs
    (``default_inputs`` updated with ``fixed_inputs``) updated with the call's keyword arguments:
    that is flytekit's ``LaunchPlan.__call__``, so locally even a fixed input passed at the call
    site wins (a backend rejects such a call, so valid code never relies on it). Flyte 2 has no
    launch plan objects, so ``savings_lp(principal=x)`` becomes ``grow(rate=0.03, principal=x)``;
    with inputs that are not dict literals the merge is spelled out as
    ``grow(**{**DEFAULTS, **FIXED, "principal": x})``. Once no call is left, the definition
    itself is converted by ``LaunchPlanCodemod`` (a trigger, or an on-demand trigger with a TODO).
    Runs in the dataflow slot, before the async style, so the new call is awaited like any other
    child call. Only module-level plans of a workflow defined or imported by name are handled.
    """

    DESCRIPTION = "calls of launch plans -> calls of their workflow with merged inputs"
    TRIGGERS = ("LaunchPlan",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._plans: dict[str, LaunchPlanParts] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._plans = {}
        for stmt in node.body:
            if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
                continue
            small = stmt.body[0]
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
                continue
            if not isinstance(small.value, cst.Call):
                continue
            parts = launch_plan_parts(self, small.value)
            if parts is not None and isinstance(parts.workflow, cst.Name):
                self._plans[small.targets[0].target.value] = parts

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Name) or func.value not in self._plans:
            return updated_node
        if any(arg.keyword is None for arg in updated_node.args):
            return updated_node  # launch plans take keyword inputs only; leave anything else alone
        parts = self._plans[func.value]
        workflow = parts.workflow.deep_clone()  # type: ignore[union-attr]
        defaults = parts.kwargs.get("default_inputs")
        fixed = parts.kwargs.get("fixed_inputs")
        literal_defaults = _literal_inputs(defaults)
        literal_fixed = _literal_inputs(fixed)
        call_kwargs = {arg.keyword.value: arg for arg in updated_node.args}  # type: ignore[union-attr]
        if literal_defaults is not None and literal_fixed is not None:
            saved = {**literal_defaults, **literal_fixed}
            args: list[cst.Arg] = [kwarg(key, value.deep_clone()) for key, value in saved.items() if key not in call_kwargs]
            args.extend(call_kwargs.values())
            return updated_node.with_changes(func=workflow, args=with_commas(args))

        def spread(node: cst.BaseExpression) -> str:
            return f"**{source_of(node)}" if isinstance(node, (cst.Name, cst.Attribute, cst.Dict)) else f"**({source_of(node)})"

        merged = [spread(node) for node in (defaults, fixed) if node is not None]
        merged.extend(f'"{key}": {source_of(arg.value)}' for key, arg in call_kwargs.items())
        expression = cst.parse_expression("{" + ", ".join(merged) + "}")
        return updated_node.with_changes(func=workflow, args=[cst.Arg(expression, star="**")])


def _literal_inputs(node: Optional[cst.BaseExpression]) -> Optional[dict[str, cst.BaseExpression]]:
    """``{"a": 1}`` -> {"a": <1>}; {} for no inputs; None when not a dict literal of identifier keys."""
    if node is None:
        return {}
    if not isinstance(node, cst.Dict):
        return None
    found: dict[str, cst.BaseExpression] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
            return None
        key = element.key.evaluated_value
        if not isinstance(key, str) or not key.isidentifier():
            return None
        found[key] = element.value
    return found
