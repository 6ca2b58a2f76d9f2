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

Module-level call forms convert too: ``functools.partial(task, **settings)`` house decorators,
``task(fn)`` / ``task(...)(fn)``, and ``ContainerTask(...)`` (-> ``flyte.extras.ContainerTask``
registered with ``TaskEnvironment.from_task``). An environment holding a converted
workflow/dynamic/eager (a driver) lists the module's other environments in ``depends_on``,
because ``flyte.run``/``flyte.deploy`` only ship the driver's environment and its dependencies;
tasks imported from sibling modules get an FM528 TODO instead (their environments are named
when the sibling converts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FLYTE1_DECORATORS, FlyteCodemod
from flytemigrate.codemods.task_kwargs import (
    ENV_FIELDS,
    MappedTask,
    call,
    convert_docs,
    kwarg,
    map_task_kwargs,
    source_of,
)
from flytemigrate.codemods.base import add_leading_comments, todo_comment
from flytemigrate.codemods.todo_codes import FM_DEPENDS_ON, FM_NO_EQUIVALENT


def env_name_from_path(path: Optional[str]) -> str:
    """A valid Flyte 2 environment name (snake_case) derived from a module's dotted name.

    A module inside packages is named with them (``shop/tasks.py`` -> ``shop_tasks``), as Flyte 1
    named its tasks (``shop.tasks.clean``): a monorepo has many ``tasks.py``, and flyte refuses to
    deploy two environments with the same name together ("Duplicate environment name"). A module
    outside any package keeps its file name (``pipeline.py`` -> ``pipeline``).
    """
    if not path or path == "-":
        return "main"
    parts = _module_parts(Path(path))
    name = re.sub(r"[^a-z0-9]+", "_", "_".join(parts).lower()).strip("_")
    return name or "main"


def _module_parts(path: Path) -> list[str]:
    """``["shop", "tasks"]`` for ``.../shop/tasks.py`` when ``shop`` is a package (has ``__init__.py``)."""
    parts = [] if path.stem == "__init__" else [path.stem]
    try:
        directory = path.resolve().parent
    except OSError:
        return parts or [path.parent.name]
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return parts or [path.parent.name]


@dataclass
class _Env:
    var: str
    name: str
    env_args: dict[str, cst.BaseExpression] = field(default_factory=dict)
    first_user: Optional[cst.CSTNode] = None  # the original top-level statement that first uses it
    existing: bool = False
    driver: bool = False  # holds a converted workflow/dynamic/eager (calls other tasks)
    from_task: Optional[str] = None  # ``flyte.TaskEnvironment.from_task(name, <this var>)``, emitted after first_user


class TaskCodemod(FlyteCodemod):
    """Turn Flyte 1 entity decorators into ``@env.task`` and create the TaskEnvironment(s)."""

    DESCRIPTION = "Convert @task/@workflow/@dynamic/@eager to @env.task on a flyte.TaskEnvironment."
    TRIGGERS = ("task", "workflow", "dynamic", "eager", "ContainerTask")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._depth = 0
        self._names: set[str] = set()
        self._base: Optional[_Env] = None
        self._envs: dict[tuple, _Env] = {}
        self._module_values: dict[str, cst.BaseExpression] = {}  # NAME = value at module level
        self._statement: Optional[cst.SimpleStatementLine] = None  # the top-level statement being visited
        self._containers: set[str] = set()  # module-level NAME = ContainerTask(...)
        self._imported: list[str] = []  # tasks/workflows imported from the project's other modules

    # ------------------------------------------------------------------ module scan

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            self._names |= _bound_names(stmt)
            self._module_values.update(_module_values(stmt))
            existing = self._existing_env(stmt)
            if existing and self._base is None:
                self._base = _Env(var=existing, name="", existing=True)
        self._containers = {
            name for name, value in self._module_values.items()
            if isinstance(value, cst.Call) and self.matches(value.func, "flytekit.ContainerTask")
        }
        from flytemigrate.codemods.module_info import scan_module

        # Entities imported from sibling modules run in those modules' environments (see leave_Module).
        self._imported = sorted(name for name, e in scan_module(self, node).entities.items() if e.imported)
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
            if kind != "task":
                env.driver = True
            for todo in mapped.todos:
                self.todo(todo.node, todo.code, todo.message)
            decorators[i] = decorators[i].with_changes(decorator=self._new_decorator(decorator, env, mapped))
            # comments on arguments that moved to the environment (or were dropped) stay with the task
            lost = _comments(decorator.decorator)
            moved = [c for value in mapped.env_args.values() for c in _comments(value)]
            for kept in _comments(decorators[i].decorator) + moved:
                if kept in lost:
                    lost.remove(kept)
            if lost:
                updated_node = add_leading_comments(updated_node, lost)
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
        if self._depth != 0 and isinstance(original_node.func, cst.Name) and original_node.func.value in self._containers:
            # flyte.extras.ContainerTask is an async task: a sync caller gets a coroutine back, and
            # the workflow codemods do not know this name is a task (no .aio / await added).
            name = original_node.func.value
            self.todo(
                original_node,
                FM_NO_EQUIVALENT,
                f"{name} is now a flyte.extras.ContainerTask, an async task: call it as `await {name}(...)` from an async task",
            )
            return updated_node
        if self._depth != 0 or self._statement is None:
            return updated_node
        args = original_node.args
        if self.matches(original_node.func, "flytekit.ContainerTask"):
            return self._container_task(original_node, updated_node)
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
        mapped = map_task_kwargs(
            settings, self.matches, "task", names_of=self.qualified_names, resolve=self._resolve, settings_of=self._settings_of
        )
        env = self._env_for(mapped, self._statement_name(), self._statement)
        for todo in mapped.todos:
            self.todo(todo.node, todo.code, todo.message)
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        env_task = cst.Attribute(value=cst.Name(env.var), attr=cst.Name("task"))
        if head is None:
            if not mapped.task_args:  # task()(fn) -> env.task(fn)
                return updated_node.with_changes(func=env_task)
            return updated_node.with_changes(func=updated_node.func.with_changes(func=env_task, args=_tidy(mapped.task_args, updated_node.func.args)))
        if self.matches(original_node.func, "functools.partial"):
            head = head.with_changes(value=env_task)
            return updated_node.with_changes(args=_tidy([head, *mapped.task_args], updated_node.args))
        return updated_node.with_changes(func=env_task, args=_tidy([head, *mapped.task_args], updated_node.args))

    def _container_task(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """``NAME = ContainerTask(...)`` -> ``flyte.extras.ContainerTask(...)`` plus its environment.

        flyte.extras.ContainerTask takes the same name/image/command/inputs/outputs/arguments,
        data directories and ``{{.inputs.x}}`` templates; task settings (resources, env_vars,
        secrets, cache, retries, timeout ...) are keywords of the task itself, mapped like
        ``@task`` arguments. A Flyte 2 task must belong to an environment to be deployed:
        ``NAME_env = flyte.TaskEnvironment.from_task(...)`` follows the statement, and driver
        environments depend on it like on any other.
        """
        target = self._statement_name()
        if target == "task" or any(a.star for a in original_node.args):
            return updated_node
        positional = ("name", "image", "command")
        new_args: list[cst.Arg] = []
        settings: list[cst.Arg] = []
        todos: list[tuple[cst.CSTNode, str]] = []
        for i, (orig, arg) in enumerate(zip(original_node.args, updated_node.args)):
            keyword = orig.keyword.value if orig.keyword is not None else (positional[i] if i < len(positional) else None)
            if keyword is None:
                return updated_node
            if keyword in _CONTAINER_ARGS:
                new_args.append(arg.with_changes(keyword=cst.Name(keyword), equal=_EQUAL) if orig.keyword is None else arg)
            elif keyword == "metadata_format":
                value = orig.value
                fmt = value.attr.value if isinstance(value, cst.Attribute) else None
                if fmt in {"JSON", "YAML", "PROTO"} and self.matches(value.value, "flytekit.ContainerTask.MetadataFormat", "flytekit.MetadataFormat"):
                    new_args.append(arg.with_changes(value=cst.SimpleString(f'"{fmt}"')))
                else:
                    todos.append((orig, f"metadata_format not converted, flyte.extras.ContainerTask takes \"JSON\"/\"YAML\"/\"PROTO\": {source_of(orig)}"))
            elif keyword in {"io_strategy", "metadata"}:
                todos.append((orig, f"ContainerTask argument has no flyte.extras.ContainerTask counterpart, removed: {source_of(orig)}"))
            else:
                settings.append(orig)
        mapped = map_task_kwargs(original_node.with_changes(args=settings), self.matches, "task", names_of=self.qualified_names, resolve=self._resolve)
        for node, message in todos:
            self.todo(node, FM_NO_EQUIVALENT, message)
        for todo in mapped.todos:
            self.todo(todo.node, todo.code, todo.message)
        if "image" in mapped.env_args or "plugin_config" in mapped.env_args:
            return updated_node  # container_image= / task_config= on a ContainerTask: not a shape we know
        extra = [kwarg(k, v) for k, v in mapped.env_args.items()] + list(mapped.task_args)
        assert self._statement is not None
        env = _Env(var=self._free_name(f"{target}_env"), name=self._env_name(target), first_user=self._statement, from_task=target)
        self._envs[("container", target)] = env
        AddImportsVisitor.add_needed_import(self.context, "flyte")
        AddImportsVisitor.add_needed_import(self.context, "flyte.extras")
        args = new_args + [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in extra]
        layout = updated_node.args[0].comma if updated_node.args else cst.MaybeSentinel.DEFAULT
        sep = layout if isinstance(layout, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args = [a.with_changes(comma=sep) for a in args[:-1]] + args[-1:]
        return updated_node.with_changes(func=cst.parse_expression("flyte.extras.ContainerTask"), args=_tidy(args, updated_node.args))

    def _env_name(self, owner: str) -> str:
        """``<module env name>_<owner>``, unique in the module (flyte rejects two environments of one name)."""
        assert self._base is not None
        base_name = self._base.name or self.options.env_name or env_name_from_path(self.context.filename)
        name = f"{base_name}_{re.sub(r'[^a-z0-9]+', '_', owner.lower()).strip('_')}"
        taken = {env.name for env in self._envs.values()}
        candidate, i = name, 2
        while candidate in taken:
            candidate, i = f"{name}_{i}", i + 1
        return candidate

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
                elif arg.keyword is not None and arg.keyword.value == "docs":
                    docs = convert_docs(arg, self.matches, mapped.todos)
                    if docs is not None:
                        mapped.task_args.append(docs)
                else:
                    mapped.todos.append(_todo_for(arg, kind))
            return mapped
        return map_task_kwargs(
            target, self.matches, kind, names_of=self.qualified_names, resolve=self._resolve, settings_of=self._settings_of
        )

    def _resolve(self, value: cst.BaseExpression) -> Optional[cst.Call]:
        found = self._module_values.get(value.value) if isinstance(value, cst.Name) else None
        return found if isinstance(found, cst.Call) else None

    def _settings_of(self, value: cst.BaseExpression) -> Optional[list[cst.Arg]]:
        """The keyword arguments held by a module-level ``dict(retries=2, ...)`` / ``{"retries": 2, ...}``."""
        if not isinstance(value, cst.Name):
            return None
        found = self._module_values.get(value.value)
        args: list[cst.Arg] = []
        # QualifiedNameProvider gives builtins no name here: the builtin is the unshadowed ``dict``
        if isinstance(found, cst.Call) and isinstance(found.func, cst.Name) and found.func.value == "dict" and "dict" not in self._names:
            if any(a.keyword is None or a.star for a in found.args):
                return None
            args = list(found.args)
        elif isinstance(found, cst.Dict):
            for element in found.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                text = key.evaluated_value if isinstance(key, cst.SimpleString) else None
                if not isinstance(text, str) or not text.isidentifier():
                    return None
                assert isinstance(element, cst.DictElement)
                args.append(cst.Arg(keyword=cst.Name(text), value=element.value, equal=_EQUAL))
        else:
            return None
        # one line, whatever the dict's own layout was
        return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args]

    def _env_for(self, mapped: MappedTask, owner: str, first_user: cst.CSTNode) -> _Env:
        """The environment for a task's environment-level settings; ``owner`` names a new one."""
        key = mapped.env_key()
        env = self._envs.get(key)
        if env is None:
            env = _Env(var=self._free_name(f"{owner}_env"), name=self._env_name(owner), env_args=mapped.env_args)
            self._envs[key] = env
        if env.first_user is None and not env.existing:
            env.first_user = first_user
        return env

    def _new_decorator(self, decorator: cst.Decorator, env: _Env, mapped: MappedTask) -> cst.BaseExpression:
        target = cst.Attribute(value=cst.Name(env.var), attr=cst.Name("task"))
        if not mapped.task_args:
            return target
        original = decorator.decorator
        assert isinstance(original, cst.Call)
        return original.with_changes(func=target, args=_tidy(list(mapped.task_args), original.args))

    # ------------------------------------------------------------------ environments

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        pending = [e for e in self._envs.values() if e.first_user is not None and not e.existing]
        if not pending:
            return updated_node
        body = list(updated_node.body)
        top = set(map(id, original_node.body))
        for env in pending:
            if id(env.first_user) not in top:
                # first used inside a module-level if/try/with: the environment goes above that block
                # (a ContainerTask's environment goes below it: from_task needs the task defined)
                env.first_user = next((stmt for stmt in original_node.body if _contains(stmt, env.first_user)), env.first_user)
        order = [env for orig in original_node.body for env in pending if env.first_user is orig]
        earlier, later = _dependencies(order)
        out: list[cst.BaseStatement] = []
        for orig, new in zip(original_node.body, body):
            after: list[cst.BaseStatement] = []
            for env in order:
                if env.first_user is orig:
                    statements = after if env.from_task else out
                    statement = self._env_statement(env, orig, earlier.get(env.var, []))
                    if env.driver and self._imported:
                        names = ", ".join(self._imported[:4]) + (f" and {len(self._imported) - 4} more" if len(self._imported) > 4 else "")
                        message = (
                            f"tasks imported from other modules ({names}) run in their modules' environments: add those "
                            f"environments to depends_on=[...] here (flyte.run/deploy ship only {env.var} and its dependencies)"
                        )
                        self.report(orig, FM_DEPENDS_ON, message)
                        statement = add_leading_comments(statement, [todo_comment(FM_DEPENDS_ON, message)])
                    statements.append(statement)
                    # a driver environment defined above this one learns about it here
                    statements += [_add_dependency(driver, env) for driver in later.get(env.var, [])]
            out.append(new)
            out += after
        return updated_node.with_changes(body=out)

    def _env_statement(self, env: _Env, before: cst.CSTNode, depends_on: Sequence[_Env] = ()) -> cst.SimpleStatementLine:
        if env.from_task:
            value = call("flyte.TaskEnvironment.from_task", [cst.Arg(cst.SimpleString(f'"{env.name}"')), cst.Arg(cst.Name(env.from_task))])
            return cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(env.var))], value=value)])
        args = [kwarg("name", cst.SimpleString(f'"{env.name}"'))]
        args += [kwarg(k, env.env_args[k]) for k in ENV_FIELDS if k in env.env_args]
        if depends_on:
            args.append(kwarg("depends_on", cst.List([cst.Element(cst.Name(dep.var)) for dep in depends_on])))
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

# flyte.extras.ContainerTask arguments with the same name and meaning as flytekit's ContainerTask.
_CONTAINER_ARGS = {"name", "image", "command", "inputs", "outputs", "arguments", "input_data_dir", "output_data_dir", "local_logs"}
_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _dependencies(order: list[_Env]) -> tuple[dict[str, list[_Env]], dict[str, list[_Env]]]:
    """Which environments each driver environment must list in ``depends_on``.

    ``flyte.run``/``flyte.deploy`` of a task build and register only its environment and that
    environment's ``depends_on`` (recursively): a workflow converted into a task of ``env`` that
    calls tasks of ``heavy_env`` fails on a cluster unless ``env`` depends on ``heavy_env``. A
    driver environment (holding a converted workflow/dynamic/eager) therefore depends on every
    other environment of the module, except driver environments defined after it, because flyte's
    dependency walk does not stop at cycles.

    Returns (driver var -> environments defined before it, for its constructor; environment var ->
    drivers defined before it, which learn about it through ``add_dependency`` right after it).
    """
    earlier: dict[str, list[_Env]] = {}
    later: dict[str, list[_Env]] = {}
    for i, driver in enumerate(order):
        if not driver.driver:
            continue
        for j, env in enumerate(order):
            if j < i:
                earlier.setdefault(driver.var, []).append(env)
            elif j > i and not env.driver:
                later.setdefault(env.var, []).append(driver)
    return earlier, later


def _comments(node: cst.CSTNode) -> list[str]:
    """The comments inside ``node``, in source order."""
    if isinstance(node, cst.Comment):
        return [node.value]
    return [c for child in node.children for c in _comments(child)]


def _contains(tree: cst.CSTNode, node: Optional[cst.CSTNode]) -> bool:
    """Whether ``node`` (by identity) is ``tree`` or inside it."""
    if tree is node:
        return True
    return any(_contains(child, node) for child in tree.children)


def _add_dependency(driver: _Env, env: _Env) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[cst.Expr(call(f"{driver.var}.add_dependency", [cst.Arg(cst.Name(env.var))]))]
    )


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


def _tidy(args: list[cst.Arg], original: Sequence[cst.Arg] = ()) -> list[cst.Arg]:
    """Close an argument list some arguments were removed from the way the original closed.

    When the original last argument was removed, the new last one takes its closing layout (a
    trailing comma and the indentation before ``)``), keeping its own trailing comment. A trailing
    ", " left on one line would read "retries=2, )": it is dropped.
    """
    if not args:
        return args
    last = args[-1]
    if original and original[-1] is not last and not (last.keyword and original[-1].keyword and last.keyword.value == original[-1].keyword.value):
        closing = original[-1]
        comma = closing.comma
        if isinstance(comma, cst.Comma) and isinstance(last.comma, cst.Comma):
            own, end = last.comma.whitespace_after, comma.whitespace_after
            if isinstance(own, cst.ParenthesizedWhitespace) and isinstance(end, cst.ParenthesizedWhitespace):
                comma = last.comma.with_changes(whitespace_after=own.with_changes(last_line=end.last_line))
        last = last.with_changes(comma=comma, whitespace_after_arg=closing.whitespace_after_arg)
    if isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after, cst.SimpleWhitespace):
        last = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return [*args[:-1], last]


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


def _module_values(stmt: cst.CSTNode) -> dict[str, cst.BaseExpression]:
    """``NAME = value`` bindings of a top-level statement (shared config objects and settings)."""
    found: dict[str, cst.BaseExpression] = {}
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
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
