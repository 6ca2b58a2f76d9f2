"""``@task`` / ``@workflow`` / ``@dynamic`` / ``@eager`` -> ``@env.task`` on a ``flyte.TaskEnvironment``.

Every Flyte 1 entity decorator becomes ``@<env>.task``. The module gets ``env =
flyte.TaskEnvironment(name=...)`` (name from the file name, or ``RewriteOptions.env_name``),
inserted just above the first task that uses it so module-level ``Resources``/``ImageSpec``
variables it references are already defined. Task arguments are mapped by
``task_kwargs.map_task_kwargs``: per-task settings stay on ``@env.task(...)``; environment-level
settings (resources, image, env_vars, secrets) go on a TaskEnvironment. Tasks with identical
environment settings share one environment; each distinct set gets its own
``<task>_env = flyte.TaskEnvironment(...)``, because ``env.task`` rejects those arguments and
dropping them silently would change where the task runs.

``@eager`` functions become ``async def`` (Flyte 2 runs async tasks natively). Workflow bodies
and eager call sites are rewritten by ``workflow.py`` and ``eager.py``, which run before this.
A file that already has a ``flyte.TaskEnvironment`` (partially migrated) reuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FLYTE1_DECORATORS, FlyteCodemod
from flytemigrate.codemods.task_kwargs import ENV_FIELDS, MappedTask, call, kwarg, map_task_kwargs, source_of
from flytemigrate.codemods.todo_codes import FM_NO_EQUIVALENT


def env_name_from_path(path: Optional[str]) -> str:
    """A valid Flyte 2 environment name (snake_case) derived from a module's file name."""
    stem = Path(path).stem if path and path != "-" else ""
    if stem == "__init__" and path:
        stem = Path(path).parent.name
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    return name or "main"


@dataclass
class _Env:
    var: str
    name: str
    env_args: dict[str, cst.BaseExpression] = field(default_factory=dict)
    first_user: Optional[cst.CSTNode] = None  # the original top-level statement that first uses it
    existing: bool = False


class TaskCodemod(FlyteCodemod):
    """Turn Flyte 1 entity decorators into ``@env.task`` and create the TaskEnvironment(s)."""

    DESCRIPTION = "Convert @task/@workflow/@dynamic/@eager to @env.task on a flyte.TaskEnvironment."
    TRIGGERS = ("task", "workflow", "dynamic", "eager")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._depth = 0
        self._names: set[str] = set()
        self._base: Optional[_Env] = None
        self._envs: dict[tuple, _Env] = {}
        self._module_calls: dict[str, cst.Call] = {}  # NAME = call(...) at module level
        self._statement: Optional[cst.SimpleStatementLine] = None  # the top-level statement being visited

    # ------------------------------------------------------------------ module scan

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            self._names |= _bound_names(stmt)
            self._module_calls.update(_module_calls(stmt))
            existing = self._existing_env(stmt)
            if existing and self._base is None:
                self._base = _Env(var=existing, name="", existing=True)
        if self._base is None:
            base_name = self.options.env_name or env_name_from_path(self.context.filename)
            self._base = _Env(var=self._free_name("env", "flyte_env"), name=base_name)
        self._envs[()] = self._base

    def _existing_env(self, stmt: cst.CSTNode) -> Optional[str]:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return None
        for small in stmt.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and isinstance(small.value, cst.Call)
                and self.matches(small.value.func, "flyte.TaskEnvironment")
            ):
                return small.targets[0].target.value
        return None

    def _free_name(self, *candidates: str) -> str:
        for name in candidates:
            if name not in self._names:
                self._names.add(name)
                return name
        i = 2
        while f"{candidates[0]}_{i}" in self._names:
            i += 1
        self._names.add(f"{candidates[0]}_{i}")
        return f"{candidates[0]}_{i}"

    # ------------------------------------------------------------------ decorators

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._depth -= 1
        return updated_node

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._depth -= 1
        if self._depth != 0:
            return updated_node
        decorators = list(updated_node.decorators)
        for i, decorator in enumerate(original_node.decorators):
            kind = self.decorator_kind(decorator)
            if kind is None:
                continue
            mapped = self._map(decorator, kind)
            env = self._env_for(mapped, original_node.name.value, original_node)
            for todo in mapped.todos:
                self.todo(todo.node, todo.code, todo.message)
            decorators[i] = decorators[i].with_changes(decorator=self._new_decorator(decorator, env, mapped))
            if kind == "eager" and updated_node.asynchronous is None:
                updated_node = updated_node.with_changes(asynchronous=cst.Asynchronous())
            AddImportsVisitor.add_needed_import(self.context, "flyte")
            return updated_node.with_changes(decorators=decorators)
        return updated_node

    # ------------------------------------------------------------------ call forms

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self._depth == 0:
            self._statement = node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if self._statement is original_node:
            self._statement = None
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """Module-level call forms of ``@task``: ``partial(task, **settings)``, ``task(fn, ...)``, ``task(...)(fn)``.

        ``functools.partial(task, requests=..., retries=1)`` is a house decorator shared by many
        tasks: it becomes ``functools.partial(<env>.task, retries=1)`` on an environment holding the
        environment-level settings (``env.task(fn, retries=1)`` is valid Flyte 2). Only plain tasks
        convert this way: a workflow or dynamic built by a call has a body the workflow codemods
        never saw, so it stays flytekit and the leftovers codemod marks it.
        """
        if self._depth != 0 or self._statement is None:
            return updated_node
        args = original_node.args
        if self.matches(original_node.func, "functools.partial"):
            # partial(task, **settings)
            if not args or args[0].keyword is not None or args[0].star or self._call_kind(args[0].value) != "task":
                return updated_node
            settings, head = original_node.with_changes(args=args[1:]), updated_node.args[0]
        elif not isinstance(original_node.func, cst.Call) and self._call_kind(original_node.func) == "task":
            # task(fn) / task(fn, **settings)
            if not args or args[0].keyword is not None or args[0].star:
                return updated_node
            settings, head = original_node.with_changes(args=args[1:]), updated_node.args[0]
        elif isinstance(original_node.func, cst.Call) and self._call_kind(original_node.func.func) == "task":
            # task(**settings)(fn)
            inner = original_node.func
            if any(a.keyword is None for a in inner.args):
                return updated_node
            settings, head = inner, None
        else:
            return updated_node
        mapped = map_task_kwargs(settings, self.matches, "task", names_of=self.qualified_names, resolve=self._resolve)
        env = self._env_for(mapped, self._statement_name(), self._statement)
        for todo in mapped.todos:
            self.todo(todo.node, todo.code, todo.message)
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        env_task = cst.Attribute(value=cst.Name(env.var), attr=cst.Name("task"))
        if head is None:
            if not mapped.task_args:  # task()(fn) -> env.task(fn)
                return updated_node.with_changes(func=env_task)
            return updated_node.with_changes(func=updated_node.func.with_changes(func=env_task, args=_tidy(mapped.task_args)))
        if self.matches(original_node.func, "functools.partial"):
            head = head.with_changes(value=env_task)
            return updated_node.with_changes(args=_tidy([head, *mapped.task_args]))
        return updated_node.with_changes(func=env_task, args=_tidy([head, *mapped.task_args]))

    def _call_kind(self, node: cst.CSTNode) -> Optional[str]:
        for name in self.qualified_names(node):
            if name in FLYTE1_DECORATORS:
                return FLYTE1_DECORATORS[name]
        return None

    def _statement_name(self) -> str:
        """The variable a module-level statement assigns (names the environment it needs)."""
        stmt = self._statement
        if stmt is not None:
            for small in stmt.body:
                if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                    return small.targets[0].target.value
        return "task"

    def _map(self, decorator: cst.Decorator, kind: str) -> MappedTask:
        target = decorator.decorator
        if not isinstance(target, cst.Call):
            return MappedTask()
        if kind == "workflow":
            # Workflow options (failure_policy, on_failure, docs ...) configure the Flyte 1 DAG;
            # the dataflow codemods handle the ones they know and leave the rest to us.
            mapped = MappedTask()
            for arg in target.args:
                if arg.keyword is not None and arg.keyword.value == "interruptible":
                    mapped.task_args.append(arg)
                else:
                    mapped.todos.append(_todo_for(arg, kind))
            return mapped
        return map_task_kwargs(target, self.matches, kind, names_of=self.qualified_names, resolve=self._resolve)

    def _resolve(self, value: cst.BaseExpression) -> Optional[cst.Call]:
        return self._module_calls.get(value.value) if isinstance(value, cst.Name) else None

    def _env_for(self, mapped: MappedTask, owner: str, first_user: cst.CSTNode) -> _Env:
        """The environment for a task's environment-level settings; ``owner`` names a new one."""
        key = mapped.env_key()
        env = self._envs.get(key)
        if env is None:
            assert self._base is not None
            base_name = self._base.name or self.options.env_name or env_name_from_path(self.context.filename)
            env = _Env(
                var=self._free_name(f"{owner}_env"),
                name=f"{base_name}_{re.sub(r'[^a-z0-9]+', '_', owner.lower()).strip('_')}",
                env_args=mapped.env_args,
            )
            self._envs[key] = env
        if env.first_user is None and not env.existing:
            env.first_user = first_user
        return env

    def _new_decorator(self, decorator: cst.Decorator, env: _Env, mapped: MappedTask) -> cst.BaseExpression:
        target = cst.Attribute(value=cst.Name(env.var), attr=cst.Name("task"))
        if not mapped.task_args:
            return target
        args = list(mapped.task_args)
        last = args[-1]
        # A trailing ", " left by a removed argument would read "retries=2, )": drop it unless the
        # comma ends a line (multi-line argument lists keep their layout and comments).
        if isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after, cst.SimpleWhitespace):
            args[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        original = decorator.decorator
        assert isinstance(original, cst.Call)
        return original.with_changes(func=target, args=args)

    # ------------------------------------------------------------------ environments

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        pending = [e for e in self._envs.values() if e.first_user is not None and not e.existing]
        if not pending:
            return updated_node
        body = list(updated_node.body)
        out: list[cst.BaseStatement] = []
        for orig, new in zip(original_node.body, body):
            for env in pending:
                if env.first_user is orig:
                    out.append(self._env_statement(env, orig))
            out.append(new)
        return updated_node.with_changes(body=out)

    def _env_statement(self, env: _Env, before: cst.CSTNode) -> cst.SimpleStatementLine:
        args = [kwarg("name", cst.SimpleString(f'"{env.name}"'))]
        args += [kwarg(k, env.env_args[k]) for k in ENV_FIELDS if k in env.env_args]
        value = call("flyte.TaskEnvironment", args)
        stmt = cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(env.var))], value=value)])
        if len(cst.Module([]).code_for_node(stmt)) > _MAX_LINE:
            stmt = stmt.with_changes(body=[stmt.body[0].with_changes(value=_one_arg_per_line(value))])
        blank = 0
        for line in getattr(before, "leading_lines", ()):
            if line.comment is not None:
                break
            blank += 1
        return stmt.with_changes(leading_lines=[cst.EmptyLine()] * blank)


_MAX_LINE = 100


def _newline(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False, last_line=cst.SimpleWhitespace(indent)
    )


def _one_arg_per_line(node: cst.Call) -> cst.Call:
    """Black-style layout for a generated call too long for one line: one argument per line."""
    args = [
        arg.with_changes(comma=cst.Comma(whitespace_after=_newline("" if i == len(node.args) - 1 else "    ")))
        for i, arg in enumerate(node.args)
    ]
    return node.with_changes(whitespace_before_args=_newline("    "), args=args)


def _tidy(args: list[cst.Arg]) -> list[cst.Arg]:
    """Drop a trailing ", " left by removed arguments (a comma ending a line keeps the layout)."""
    if args and isinstance(args[-1].comma, cst.Comma) and isinstance(args[-1].comma.whitespace_after, cst.SimpleWhitespace):
        args = [*args[:-1], args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return args


def _todo_for(arg: cst.Arg, kind: str):
    from flytemigrate.codemods.task_kwargs import Todo

    return Todo(arg, FM_NO_EQUIVALENT, f"@{kind} argument has no Flyte 2 equivalent, removed: {source_of(arg)}")


def _bound_names(stmt: cst.CSTNode) -> set[str]:
    """Names a top-level statement binds (enough to avoid clobbering them with ``env``)."""
    names: set[str] = set()
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        names.add(stmt.name.value)
    elif isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    names |= {n.value for n in _names_in(target.target)}
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                names |= {n.value for n in _names_in(small.target)}
            elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        names.add(alias.asname.name.value)
                    else:
                        names.add(source_of(alias.name).split(".")[0])
    return names


def _module_calls(stmt: cst.CSTNode) -> dict[str, cst.Call]:
    """``NAME = call(...)`` bindings of a top-level statement (shared config objects)."""
    found: dict[str, cst.Call] = {}
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        found[target.target.value] = small.value
    return found


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in _names_in(e.value)]
    return []
