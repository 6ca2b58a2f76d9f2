"""FM501 flytekit-import."""

from __future__ import annotations

from typing import ClassVar, Union

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_FLYTE1_PACKAGES = ("flytekit", "flytekitplugins")


def _dotted(node: Union[cst.Attribute, cst.Name]) -> str:
    return cst.Module([]).code_for_node(node)


def _is_flyte1(module: str) -> bool:
    return any(module == pkg or module.startswith(pkg + ".") for pkg in _FLYTE1_PACKAGES)


class FlytekitImport(Rule):
    """Flags imports of `flytekit` and `flytekitplugins` left in migrated code.

    Flyte 2 code imports `flyte`; any remaining `flytekit` import means a construct was not
    migrated (or a helper still depends on Flyte 1). The import itself is reported once per
    statement; the constructs that use it have their own FM5xx rules.

    Why it breaks in Flyte 2:
        Flyte 2 images do not ship flytekit, so the module fails with `ModuleNotFoundError` on
        the cluster; where both SDKs are installed, Flyte 1 objects (`@task`, `Resources`,
        `FlyteFile`) silently do nothing under the Flyte 2 runtime.

    Example:
        from flytekit import task, Resources

    Use instead:
        import flyte

        env = flyte.TaskEnvironment(name="etl", resources=flyte.Resources(memory="1Gi"))
    """

    code: ClassVar[str] = "FM501"
    name: ClassVar[str] = "flytekit-import"
    severity: ClassVar[Severity] = Severity.WARNING
    PREFILTER: ClassVar[tuple[str, ...]] = ("flytekit",)
    VALID: ClassVar[list[str]] = [
        "import flyte\nfrom flyte.io import File\n",
        "import flytekit_helpers\nfrom myorg.flytekit import shim\n",
        "# flytekit used to be imported here\nimport flyte\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flytekit\n",
        "import flytekit as fl\n",
        "from flytekit import task, workflow\n",
        "from flytekit.types.file import FlyteFile\n",
        "from flytekitplugins.pandera import PanderaTransformer\n",
        "import os, flytekit.core.context_manager\n",
    ]

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = _dotted(alias.name)
            if _is_flyte1(name):
                self.report(
                    node,
                    f"Flyte 1 import `{name}` left in the module",
                    help="import from `flyte` instead; `flytemigrate rewrite` converts the constructs that use it",
                )
                return

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        name = _dotted(node.module)
        if _is_flyte1(name):
            self.report(
                node,
                f"Flyte 1 import from `{name}` left in the module",
                help="import from `flyte` instead; `flytemigrate rewrite` converts the constructs that use it",
            )
