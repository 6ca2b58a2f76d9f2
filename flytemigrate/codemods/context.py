"""``current_context()`` and ``Deck`` -> Flyte 2 (``os.environ``, ``flyte.ctx()``, ``flyte.report``).

Flyte 2 has no ``current_context()``. The chains with a direct counterpart are rewritten:

* ``current_context().secrets.get("group", "key")`` -> ``os.environ["GROUP_KEY"]``: a
  ``flyte.Secret(key=, group=)`` is injected as the environment variable ``GROUP_KEY``
  (upper case, ``-`` -> ``_``), which is what the converted ``secret_requests`` request.
* ``current_context().execution_id.name`` -> ``flyte.ctx().action.run_name``.
* ``Deck("tab", html)`` as a statement -> ``flyte.report.get_tab("tab").log(html)``
  (the task needs ``report=True``; ``enable_deck=True`` already maps to it), and
  ``Deck("tab")`` bound to a name -> ``flyte.report.get_tab("tab")``.

Everything else (non-literal secret names, ``working_directory``, ``Deck.append``, ...) is left
for the leftovers codemod, which marks it with a TODO.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from flytemigrate.codemods.base import FlyteCodemod
from flytemigrate.codemods.task_kwargs import keyword_args, string_value


def secret_env_var(group: Optional[str], key: str) -> str:
    """The environment variable flyte injects a ``Secret(key=, group=)`` as (see flyte.Secret)."""
    name = f"{group}_{key}" if group else key
    return name.replace("-", "_").upper()


class ContextCodemod(FlyteCodemod):
    """Rewrite current_context() chains and Deck calls that have a Flyte 2 counterpart."""

    DESCRIPTION = "current_context().secrets.get -> os.environ, Deck -> flyte.report."
    TRIGGERS = ("current_context", "Deck")

    def _is_current_context_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.matches(node.func, "flytekit.current_context")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        # current_context().secrets.get(group, key)
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get"
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "secrets"
            and self._is_current_context_call(func.value.value)
        ):
            env_var = self._secret_name(original_node)
            if env_var is None:
                return updated_node
            AddImportsVisitor.add_needed_import(self.context, "os")
            return cst.parse_expression(f'os.environ["{env_var}"]')
        return updated_node

    def _secret_name(self, node: cst.Call) -> Optional[str]:
        kw = keyword_args(node)
        positional = [a.value for a in node.args if a.keyword is None]
        group_node = kw["group"].value if "group" in kw else (positional[0] if positional else None)
        key_node = kw["key"].value if "key" in kw else (positional[1] if len(positional) > 1 else None)
        if set(kw) - {"group", "key"} or key_node is None:
            return None
        key = string_value(key_node)
        group = string_value(group_node) if group_node is not None else None
        if key is None or (group_node is not None and group is None):
            return None
        return secret_env_var(group, key)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        # current_context().execution_id.name -> flyte.ctx().action.run_name
        value = original_node.value
        if (
            original_node.attr.value == "name"
            and isinstance(value, cst.Attribute)
            and value.attr.value == "execution_id"
            and self._is_current_context_call(value.value)
        ):
            AddImportsVisitor.add_needed_import(self.context, "flyte")
            return cst.parse_expression("flyte.ctx().action.run_name")
        return updated_node

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        call = original_node.value
        if isinstance(call, cst.Call) and self.matches(call.func, "flytekit.Deck"):
            tab, html = self._deck_args(call)
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
            tab, html = self._deck_args(call)
            if tab is not None and html is None:
                AddImportsVisitor.add_needed_import(self.context, "flyte.report")
                return updated_node.with_changes(
                    value=cst.Call(cst.parse_expression("flyte.report.get_tab"), args=[cst.Arg(tab)])
                )
        return updated_node

    def _deck_args(self, call: cst.Call) -> tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]:
        kw = keyword_args(call)
        positional = [a.value for a in call.args if a.keyword is None]
        if set(kw) - {"name", "html"} or any(a.star for a in call.args):
            return None, None
        tab = kw["name"].value if "name" in kw else (positional[0] if positional else None)
        html = kw["html"].value if "html" in kw else (positional[1] if len(positional) > 1 else None)
        return tab, html
