"""The shared base of every flytemigrate codemod.

A codemod is a LibCST ``VisitorBasedCodemodCommand`` that declares ``QualifiedNameProvider`` (and
whatever else it needs) and matches Flyte 1 constructs by qualified name, never by spelling.
This base adds the two things every codemod needs on top of LibCST:

* ``self.report(node, code, message)``: record a diagnostic (collected by the pipeline), and
* ``self.qualified_names(node)``: the set of fully qualified names a node may refer to, with
  flytekit's deep module paths folded onto their public names (``flytekit.core.task.task`` ->
  ``flytekit.task``) so codemods only list the public spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.metadata import PositionProvider, QualifiedNameProvider

from flytemigrate.diagnostics import Diagnostic, Severity

DIAGNOSTICS_KEY = "flytemigrate.diagnostics"
OPTIONS_KEY = "flytemigrate.options"


@dataclass(frozen=True)
class RewriteOptions:
    """Options that change what the codemods emit; picklable so workers can receive it."""

    async_style: bool = False
    env_name: Optional[str] = None


def public_name(qualified: str) -> str:
    """Fold a deep flytekit path onto the public name users import: flytekit.core.task.task -> flytekit.task."""
    if not qualified.startswith("flytekit."):
        return qualified
    parts = qualified.split(".")
    # flytekit.core.<module>.<name>, flytekit.types.<pkg>.<module>.<name> ... -> flytekit.<name>
    # Only the *last* component identifies the public API object for the modules users import from.
    if len(parts) > 2 and parts[1] in {"core", "types", "models", "extend", "deck", "experimental"}:
        return f"flytekit.{parts[-1]}"
    return qualified


class FlyteCodemod(VisitorBasedCodemodCommand):
    """Base class: qualified-name matching and diagnostics for flytemigrate codemods."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        context.scratch.setdefault(DIAGNOSTICS_KEY, [])

    @property
    def options(self) -> RewriteOptions:
        return self.context.scratch.get(OPTIONS_KEY) or RewriteOptions()

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        names = self.get_metadata(QualifiedNameProvider, node, set()) or set()
        return {public_name(q.name) for q in names}

    def matches(self, node: cst.CSTNode, *names: str) -> bool:
        return bool(self.qualified_names(node) & set(names))

    def report(
        self,
        node: cst.CSTNode,
        code: str,
        message: str,
        help: Optional[str] = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        try:
            pos = self.get_metadata(PositionProvider, node).start
            line, column = pos.line, pos.column + 1
        except KeyError:  # a node this codemod built itself has no position
            line, column = 1, 1
        self.context.scratch[DIAGNOSTICS_KEY].append(
            Diagnostic(
                code=code,
                message=message,
                help=help,
                severity=severity,
                path=self.context.filename or "-",
                line=line,
                column=column,
            )
        )
