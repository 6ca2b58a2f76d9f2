"""``current_context()`` and ``Deck`` -> Flyte 2 (``os.environ``, ``flyte.ctx()``, ``flyte.report``).

Flyte 2 has no ``current_context()``. The chains with a direct counterpart are rewritten, whether
they start at the call or at a local bound to it (``ctx = current_context()``; the binding goes
once every use of it is converted):

* ``.secrets.get("group", "key")`` -> ``os.environ["GROUP_KEY"]``: a ``flyte.Secret(key=, group=)``
  is injected as the environment variable ``GROUP_KEY`` (upper case, ``-`` -> ``_``), which is what
  the converted ``secret_requests`` request. Names may be literals or module-level string constants.
  A secret the module mounts as a file (``MountType.FILE`` -> ``flyte.Secret(..., mount=...)``) has
  no environment variable: its read gets a TODO instead.
  ``.secrets.get_secrets_env_var(group, key)`` -> ``"GROUP_KEY"``, the same variable's name.
* ``.execution_id.name`` / ``.project`` / ``.domain`` -> ``flyte.ctx().action.run_name`` / ``.project`` / ``.domain``.
* ``.working_directory`` (a fresh directory per task execution, the same on every read) -> one
  ``tempfile.mkdtemp()`` made at the top of the function and read wherever flytekit's was.
* ``.logging`` (flytekit's user-space logger) -> ``flyte.logger``.
* ``.default_deck.append(html)`` -> ``flyte.report.log(html)`` (the main tab).
* ``Deck("tab", html)`` as a statement -> ``flyte.report.get_tab("tab").log(html)``, and
  ``Deck("tab")`` bound to a name -> ``flyte.report.get_tab("tab")``, whose ``.append(html)`` calls
  become ``.log(html)`` (a Flyte 2 ``Tab`` has no ``append``); ``d = Deck("tab", html)`` becomes
  that binding followed by ``d.log(html)``. The task needs ``report=True``;
  ``enable_deck=True`` already maps to it.
* flytekit's deck renderers, called in place: ``TopFrameRenderer(r, c).to_html(df)`` ->
  ``df.to_html(max_rows=r, max_cols=c)`` (what it returns), ``MarkdownRenderer().to_html(text)`` ->
  ``markdown_it.MarkdownIt().render(text)`` (markdown-it-py, which flyte's CLI dependencies bring).

Everything else (non-constant secret names, ``user_space_params``, ``Deck.append`` on other
values, ...) is left for the leftovers codemod, which marks it with a TODO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.task_kwargs import keyword_args, string_value
from flytemigrate.codemods.todo_codes import FM_CONTEXT

# current_context().execution_id.<field> -> flyte.ctx().action.<field>
EXECUTION_ID_FIELDS = {"name": "run_name", "project": "project", "domain": "domain"}
WORKDIR_NAMES = ("working_directory", "flyte_working_directory")
# flytekit.deck.renderer.TopFrameRenderer(max_rows=10, max_cols=100)
TOP_FRAME_DEFAULTS = (("max_rows", "10"), ("max_cols", "100"))


def secret_env_var(group: Optional[str], key: str) -> str:
    """The environment variable flyte injects a ``Secret(key=, group=)`` as (see flyte.Secret)."""
    name = f"{group}_{key}" if group else key
    return name.replace("-", "_").upper()


@dataclass
class _Scope:
    """What one function binds: locals holding the task context or a report tab, and the work dir."""

    ctx_names: set[str] = field(default_factory=set)
    tabs: set[str] = field(default_factory=set)
    function: Optional[cst.FunctionDef] = None
    workdir: Optional[str] = None  # the hoisted variable, once a working_directory read was converted


class _Names(cst.CSTVisitor):
    """Collect the variable names (``Name`` nodes other than ``.attr`` parts) under a node."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``x.attr``: the attribute is no variable of this scope
        return False


def _names_in(node: cst.CSTNode) -> list[str]:
    collector = _Names()
    node.visit(collector)
    return collector.names


class ContextCodemod(FlyteCodemod):
    """Rewrite current_context() chains and Deck calls that have a Flyte 2 counterpart."""

    DESCRIPTION = "current_context().secrets.get -> os.environ, Deck -> flyte.report."
    TRIGGERS = ("current_context", "Deck", "Renderer")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._constants: dict[str, str] = {}
        self._scopes: list[_Scope] = [_Scope()]
        self._file_secrets: set[str] = set()  # env var names of secrets mounted as files

    # ------------------------------------------------------------------ module and scopes

    def visit_Module(self, node: cst.Module) -> None:
        """Module-level string constants assigned once (``SECRET_GROUP = "db"``), for secret names."""
        seen: dict[str, int] = {}
        values: dict[str, str] = {}
        for stmt in node.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                targets = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    targets = [small.target]
                for target in targets:
                    if isinstance(target, cst.Name):
                        seen[target.value] = seen.get(target.value, 0) + 1
                        text = string_value(small.value) if getattr(small, "value", None) is not None else None
                        if text is not None and not isinstance(small, cst.AugAssign):
                            values[target.value] = text
        self._constants = {name: text for name, text in values.items() if seen[name] == 1}
        self._file_secrets = set()

    def visit_Call(self, node: cst.Call) -> None:
        # flyte.Secret(key=, group=, mount=...) written by TaskCodemod for MountType.FILE (above the tasks).
        if self.matches(node.func, "flyte.Secret"):
            kw = keyword_args(node)
            key = self._string(kw["key"].value) if "key" in kw else None
            if "mount" in kw and key is not None:
                group = self._string(kw["group"].value) if "group" in kw else None
                self._file_secrets.add(secret_env_var(group, key))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(_Scope(function=node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        scope = self._scopes.pop()
        body = updated_node.body
        if not isinstance(body, cst.IndentedBlock):
            return updated_node
        statements = list(body.body)
        if scope.ctx_names:
            statements = self._drop_unused_bindings(statements, scope.ctx_names)
        if scope.workdir:
            AddImportsVisitor.add_needed_import(self.context, "tempfile")
            hoisted = cst.parse_statement(f"{scope.workdir} = tempfile.mkdtemp()\n")
            # After the docstring; the first statement keeps its comments (they describe it).
            at = 1 if statements and _is_docstring(statements[0]) else 0
            statements.insert(at, hoisted)
        if not statements:
            statements = [cst.SimpleStatementLine([cst.Pass()])]
        return updated_node.with_changes(body=body.with_changes(body=statements))

    def _drop_unused_bindings(self, statements: list, ctx_names: set[str]) -> list:
        """Remove ``ctx = current_context()`` when no other code reads ``ctx`` any more."""
        used = set()
        for stmt in statements:
            if _ctx_binding(stmt, ctx_names) is None:
                used.update(n for n in _names_in(stmt) if n in ctx_names)
        kept, comments = [], []
        for stmt in statements:
            bound = _ctx_binding(stmt, ctx_names)
            if bound is not None and bound not in used:
                # Comments above the dropped line stay, above the next statement.
                comments.extend(line for line in stmt.leading_lines if line.comment is not None)
                continue
            if comments:
                stmt = stmt.with_changes(leading_lines=[*stmt.leading_lines, *comments])
                comments = []
            kept.append(stmt)
        return kept

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name) or len(self._scopes) < 2:
            return
        name = node.targets[0].target.value
        scope = self._scopes[-1]
        scope.ctx_names.discard(name)
        scope.tabs.discard(name)
        if self._is_current_context_call(node.value):
            scope.ctx_names.add(name)

    # ------------------------------------------------------------------ matching

    def _is_current_context_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.matches(node.func, "flytekit.current_context")

    def _is_context(self, node: cst.BaseExpression) -> bool:
        """``current_context()`` or a local bound to it in this function."""
        if isinstance(node, cst.Name):
            return node.value in self._scopes[-1].ctx_names
        return self._is_current_context_call(node)

    def _context_attribute(self, node: cst.BaseExpression, *attrs: str) -> bool:
        """``node`` is ``<context>.<attrs[0]>.<attrs[1]>...``."""
        for attr in reversed(attrs):
            if not isinstance(node, cst.Attribute) or node.attr.value != attr:
                return False
            node = node.value
        return self._is_context(node)

    def _string(self, node: Optional[cst.BaseExpression]) -> Optional[str]:
        """A literal string, or the value of a module-level string constant."""
        if node is None:
            return None
        if isinstance(node, cst.Name):
            return self._constants.get(node.value)
        return string_value(node)

    # ------------------------------------------------------------------ rewrites

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute):
            return updated_node
        if func.attr.value == "to_html" and isinstance(func.value, cst.Call):
            return self._renderer_call(func.value, updated_node)
        # <context>.secrets.get(group, key) / .get_secrets_env_var(group, key)
        if func.attr.value in {"get", "get_secrets_env_var"} and self._context_attribute(func.value, "secrets"):
            env_var = self._secret_name(original_node)
            if env_var is None:
                return updated_node
            if env_var in self._file_secrets:
                self.todo(
                    original_node,
                    FM_CONTEXT,
                    "this secret is mounted as a file (flyte.Secret mount=...), not an environment variable: "
                    "read it from the mounted file under /etc/flyte/secrets",
                )
                return updated_node
            if func.attr.value == "get_secrets_env_var":
                return cst.SimpleString(f'"{env_var}"')
            AddImportsVisitor.add_needed_import(self.context, "os")
            return cst.parse_expression(f'os.environ["{env_var}"]')
        # <context>.default_deck.append(html) -> flyte.report.log(html)
        if func.attr.value == "append" and self._context_attribute(func.value, "default_deck"):
            if len(original_node.args) == 1 and original_node.args[0].keyword is None and not original_node.args[0].star:
                AddImportsVisitor.add_needed_import(self.context, "flyte.report")
                return updated_node.with_changes(func=cst.parse_expression("flyte.report.log"))
        # tab.append(html) on a tab bound from Deck("name")
        if func.attr.value == "append" and isinstance(func.value, cst.Name) and func.value.value in self._scopes[-1].tabs:
            return updated_node.with_changes(func=updated_node.func.with_changes(attr=cst.Name("log")))
        return updated_node

    def _renderer_call(self, renderer: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        """``TopFrameRenderer(...).to_html(df)`` / ``MarkdownRenderer().to_html(text)`` -> plain library calls."""
        args = updated_node.args
        if len(args) != 1 or args[0].keyword is not None or args[0].star:
            return updated_node
        value = args[0].value
        if self.matches(renderer.func, "flytekit.MarkdownRenderer") and not renderer.args:
            AddImportsVisitor.add_needed_import(self.context, "markdown_it")
            return cst.Call(cst.parse_expression("markdown_it.MarkdownIt().render"), args=[cst.Arg(value)])
        if not self.matches(renderer.func, "flytekit.TopFrameRenderer") or any(a.star for a in renderer.args):
            return updated_node
        given: dict[str, cst.BaseExpression] = {}
        names = [name for name, _ in TOP_FRAME_DEFAULTS]
        for i, arg in enumerate(renderer.args):
            name = arg.keyword.value if arg.keyword is not None else (names[i] if i < len(names) else None)
            if name not in names:
                return updated_node
            given[name] = arg.value
        kwargs = [
            cst.Arg(given.get(name, cst.Integer(default)), keyword=cst.Name(name), equal=_EQUAL)
            for name, default in TOP_FRAME_DEFAULTS
        ]
        if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return cst.Call(cst.Attribute(value, cst.Name("to_html")), args=kwargs)

    def _secret_name(self, node: cst.Call) -> Optional[str]:
        kw = keyword_args(node)
        positional = [a.value for a in node.args if a.keyword is None]
        group_node = kw["group"].value if "group" in kw else (positional[0] if positional else None)
        key_node = kw["key"].value if "key" in kw else (positional[1] if len(positional) > 1 else None)
        if set(kw) - {"group", "key"} or key_node is None or len(positional) > 2 or any(a.star for a in node.args):
            return None
        key = self._string(key_node)
        group = self._string(group_node)
        if key is None or (group_node is not None and group is None):
            return None
        return secret_env_var(group, key)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        attr = original_node.attr.value
        value = original_node.value
        # <context>.execution_id.name -> flyte.ctx().action.run_name
        if attr in EXECUTION_ID_FIELDS and self._context_attribute(value, "execution_id"):
            AddImportsVisitor.add_needed_import(self.context, "flyte")
            return cst.parse_expression(f"flyte.ctx().action.{EXECUTION_ID_FIELDS[attr]}")
        if not self._is_context(value):
            return updated_node
        if attr == "logging":
            AddImportsVisitor.add_needed_import(self.context, "flyte")
            return cst.parse_expression("flyte.logger")
        if attr == "working_directory" and len(self._scopes) > 1:
            scope = self._scopes[-1]
            if scope.workdir is None and scope.function is not None:
                taken = set(_names_in(scope.function))
                scope.workdir = next((n for n in WORKDIR_NAMES if n not in taken), None)
            if scope.workdir:
                return cst.Name(scope.workdir)
        return updated_node

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        call = original_node.value
        if isinstance(call, cst.Call) and self.matches(call.func, "flytekit.Deck"):
            # Arguments from the updated call: renderer calls inside them are already converted.
            tab, html = self._deck_args(updated_node.value)
            if tab is not None and html is not None:
                AddImportsVisitor.add_needed_import(self.context, "flyte.report")
                get_tab = cst.Call(cst.parse_expression("flyte.report.get_tab"), args=[cst.Arg(tab)])
                return updated_node.with_changes(
                    value=cst.Call(cst.Attribute(get_tab, cst.Name("log")), args=[cst.Arg(html)])
                )
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        call = original_node.value
        if isinstance(call, cst.Call) and self.matches(call.func, "flytekit.Deck"):
            tab, html = self._deck_args(updated_node.value)
            if tab is not None and html is None:
                AddImportsVisitor.add_needed_import(self.context, "flyte.report")
                target = original_node.targets[0].target if len(original_node.targets) == 1 else None
                if isinstance(target, cst.Name) and len(self._scopes) > 1:
                    self._scopes[-1].tabs.add(target.value)
                return updated_node.with_changes(
                    value=cst.Call(cst.parse_expression("flyte.report.get_tab"), args=[cst.Arg(tab)])
                )
        return updated_node

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine):
        """``d = Deck("tab", html)`` -> ``d = flyte.report.get_tab("tab")`` then ``d.log(html)``."""
        if len(original_node.body) != 1 or len(self._scopes) < 2:
            return updated_node
        assign = updated_node.body[0]
        original = original_node.body[0]
        if not (isinstance(original, cst.Assign) and isinstance(assign, cst.Assign) and len(original.targets) == 1):
            return updated_node
        target = original.targets[0].target
        call = original.value
        if not (isinstance(target, cst.Name) and isinstance(call, cst.Call) and isinstance(assign.value, cst.Call)):
            return updated_node
        if not self.matches(call.func, "flytekit.Deck"):
            return updated_node
        tab, html = self._deck_args(assign.value)
        if tab is None or html is None:
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, "flyte.report")
        self._scopes[-1].tabs.add(target.value)
        bind = updated_node.with_changes(
            body=[assign.with_changes(value=cst.Call(cst.parse_expression("flyte.report.get_tab"), args=[cst.Arg(tab)]))]
        )
        log = cst.SimpleStatementLine(
            [cst.Expr(cst.Call(cst.Attribute(cst.Name(target.value), cst.Name("log")), args=[cst.Arg(html)]))]
        )
        return cst.FlattenSentinel([bind, log])

    def _deck_args(self, call: cst.Call) -> tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]:
        kw = keyword_args(call)
        positional = [a.value for a in call.args if a.keyword is None]
        if set(kw) - {"name", "html"} or any(a.star for a in call.args):
            return None, None
        tab = kw["name"].value if "name" in kw else (positional[0] if positional else None)
        html = kw["html"].value if "html" in kw else (positional[1] if len(positional) > 1 else None)
        return tab, html


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _is_docstring(stmt: Union[cst.BaseStatement, cst.BaseSmallStatement]) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _ctx_binding(stmt: cst.BaseStatement, ctx_names: set[str]) -> Optional[str]:
    """The name a top-level ``ctx = current_context()`` statement binds, else None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        name = small.targets[0].target.value
        if name in ctx_names and isinstance(small.value, cst.Call):
            return name
    return None

