"""Run codemod commands one after another, cheaply, with the output LibCST's own loop would give.

LibCST's ``CodemodCommand.transform_module`` wraps the tree in a fresh ``MetadataWrapper`` (a deep
copy), resolves the codemod's metadata, then runs ``AddImportsVisitor`` / ``RemoveImportsVisitor``,
each with its own analysis, after every command. ``Runner`` does less for the same trees:

* our codemods declare no metadata (names come from ``names.ImportTable``), so they transform the
  tree directly; a codemod that does declare some goes through LibCST's ``transform_module``;
* a pass whose hooks all returned what they were given (``FlyteCodemod.modified``) keeps its input
  tree and code without generating code to compare; any other output is kept only if its code
  differs;
* import additions requested by any codemod are applied once, just before the first codemod that
  must see them (``SEES_ADDED_IMPORTS``) or at the end, so they form one sorted block; removals
  run right after the command that requested them, deciding "unused" with one name-usage pass
  (``import_edits``) instead of a scope analysis.
"""

from __future__ import annotations

import time
from typing import Optional

import libcst as cst
from libcst.codemod import Codemod, CodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.codemod.visitors import _add_imports
from libcst.matchers import _visitors as _matcher_visitors

from flytemigrate.codemods.base import RewriteOptions
from flytemigrate.codemods.import_edits import ImportAdder, UnusedImportsRemover


def _install_top_imports_gatherer() -> None:
    """Make AddImportsVisitor's gatherer of top-of-module imports stop walking the whole module.

    ``_GatherTopImportsBeforeStatements`` reads ``module.body`` in ``leave_Module`` and has no
    other visit/leave method, yet it is walked over every node of the tree on every
    ``AddImportsVisitor`` run. The replacement returns False from ``visit_Module`` (``leave_Module``
    still runs): same result. Installed only if LibCST's class still has that shape.
    """
    gatherer = getattr(_add_imports, "_GatherTopImportsBeforeStatements", None)
    if gatherer is None or getattr(gatherer, "_flytemigrate_top_only", False):
        return
    hooks = {
        name
        for klass in gatherer.__mro__
        if klass.__module__.startswith("libcst.codemod.visitors")
        for name in vars(klass)
        if name.startswith(("visit_", "leave_"))
    }
    if hooks != {"leave_Module"}:
        return

    class TopImportsOnly(gatherer):
        _flytemigrate_top_only = True

        def visit_Module(self, node: cst.Module) -> bool:
            return False

    _add_imports._GatherTopImportsBeforeStatements = TopImportsOnly


_install_top_imports_gatherer()

# Import additions are collected across codemods and applied in one pass, just before the first
# codemod that must see them (``SEES_ADDED_IMPORTS``) or at the end; removals right after the
# command that requested them (only ``ImportsCodemod`` does, and it runs last).
_ADD_KEY = AddImportsVisitor.CONTEXT_KEY
_REMOVE_KEY = RemoveImportsVisitor.CONTEXT_KEY


def _memoise_empty(gather):
    """Wrap one of LibCST's ``_gather_*`` helpers: remember the classes for which it found nothing.

    ``MatcherDecoratableTransformer``/``Visitor.__init__`` scans ``dir(self)`` (~900 names) three
    times per instance for matcher-decorated methods; the import visitors LibCST runs after each
    codemod (and the gatherer each of them creates) paid ~6-9 ms per instance for that. Decorators
    live on the class, so a class without any never has any: return an empty mapping at once.
    Classes that do use decorators are scanned per instance as before (results hold bound methods).
    """
    undecorated: set[type] = set()

    def gather_once(obj):
        cls = type(obj)
        if cls in undecorated:
            return {}
        found = gather(obj)
        if not found:
            undecorated.add(cls)
        return found

    gather_once.__wrapped__ = gather
    return gather_once


def install_matcher_memo() -> None:
    """Install ``_memoise_empty`` on LibCST's matcher helpers (idempotent; results are unchanged)."""
    for name in ("_gather_matchers", "_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs"):
        current = getattr(_matcher_visitors, name)
        if not hasattr(current, "__wrapped__"):
            setattr(_matcher_visitors, name, _memoise_empty(current))


install_matcher_memo()


def should_run(codemod_class: type, code: str, options: RewriteOptions) -> bool:
    """False when the codemod cannot change ``code``: none of its trigger words occur, or it needs an option that is off."""
    option = getattr(codemod_class, "REQUIRES_OPTION", None)
    if option and not getattr(options, option):
        return False
    triggers = getattr(codemod_class, "TRIGGERS", ())
    return not triggers or any(word in code for word in triggers)


class Runner:
    """Applies codemods to successive versions of one module."""

    def __init__(self, timings: Optional[dict[str, float]] = None) -> None:
        # CPU seconds per codemod / import visitor (name -> seconds), for ``bench rewrite --breakdown``.
        self.timings = timings
        self.changed = False  # did the last ``run_command`` change the code?
        self.previous_code = ""  # the code before the last ``run_command``

    @staticmethod
    def _transform(codemod: Codemod, tree: cst.Module) -> tuple[cst.Module, cst.Module]:
        """(the tree the codemod saw, its output)."""
        if codemod.should_allow_multiple_passes() or codemod.get_inherited_dependencies():
            # LibCST's own loop: a copy of the tree, the declared metadata, repeated passes.
            return tree, Codemod.transform_module(codemod, tree)
        return tree, codemod.transform_module_impl(tree)

    def _settle(self, seen: cst.Module, out: cst.Module, code: str) -> tuple[cst.Module, str]:
        """Keep ``seen`` when ``out`` generates the same code; else adopt ``out``."""
        new_code = out.code
        if new_code == code:
            return seen, code
        return out, new_code

    def _account(self, name: str, started: float) -> None:
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + time.process_time() - started

    def run_command(self, codemod: CodemodCommand, tree: cst.Module, code: str) -> tuple[cst.Module, str]:
        """What ``codemod.transform_module(tree)`` returns (and its code), then the import visitors it requested.

        ``code`` must be ``tree.code``. The import requests are removed from the scratch space
        once applied: LibCST leaves them there, and every later command would re-run them.
        """
        self.previous_code = code
        if getattr(type(codemod), "SEES_ADDED_IMPORTS", False):
            tree, code = self._apply(_ADD_KEY, ImportAdder, codemod.context, tree, code)
        started = time.process_time()
        seen, out = self._transform(codemod, tree)
        if getattr(codemod, "modified", True):
            tree, code = self._settle(seen, out, code)
        else:
            tree = seen  # every hook returned what it was given: the same code, no need to generate it
        self._account(type(codemod).__name__, started)
        tree, code = self._apply(_REMOVE_KEY, UnusedImportsRemover, codemod.context, tree, code)
        self.changed = code != self.previous_code
        return tree, code

    def finish(self, context, tree: cst.Module, code: str) -> tuple[cst.Module, str]:
        """Apply the import additions still pending after the last codemod."""
        self.previous_code = code
        tree, code = self._apply(_ADD_KEY, ImportAdder, context, tree, code)
        self.changed = code != self.previous_code
        return tree, code

    def _apply(self, key: str, transform: type[Codemod], context, tree: cst.Module, code: str) -> tuple[cst.Module, str]:
        """Run one of the import visitors on the requests under ``key`` (then drop them: LibCST
        leaves them in the scratch space, and every later run would apply them again)."""
        if key not in context.scratch:
            return tree, code
        started = time.process_time()
        seen, out = self._transform(transform(context), tree)
        tree, code = self._settle(seen, out, code)
        context.scratch.pop(key, None)
        self._account("add imports" if key == _ADD_KEY else "remove unused imports", started)
        return tree, code
