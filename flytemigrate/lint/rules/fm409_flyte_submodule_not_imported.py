"""FM409 flyte-submodule-not-imported."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

# Submodules that `import flyte` does not load, and that a local `flyte.run` of flyte 2.12.1
# does not load either (checked with hasattr(flyte, name) inside a running task). `report`,
# `remote`, `storage` and `types` are loaded by `flyte.init()`/the run machinery and are not listed.
LAZY_SUBMODULES = frozenset(
    {"durable", "io", "extras", "extend", "prefetch", "notify", "sandbox", "app", "ai", "clustered", "connectors"}
)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class FlyteSubmoduleNotImported(Rule):
    """Flags `flyte.durable.*`, `flyte.io.*` (and other submodules `import flyte` does not load)
    used through `import flyte` in a module that never imports the submodule itself.

    Reported once per submodule and file, at its first use.

    Why it breaks in Flyte 2:
        `import flyte` does not import `flyte.durable`, `flyte.io`, `flyte.extras`, ... and
        neither does a local `flyte.run` (flyte 2.12.1): the first `flyte.durable.sleep(...)` or
        `flyte.io.File.from_local(...)` raises `AttributeError: module 'flyte' has no attribute
        'durable'`, in an annotation already when the module is imported. Whether some other
        module happened to import it first is an accident of import order.

    Example:
        import flyte

        @env.task
        async def wait() -> None:
            await flyte.durable.sleep.aio(60)

    Use instead:
        import flyte
        import flyte.durable

        @env.task
        async def wait() -> None:
            await flyte.durable.sleep.aio(60)
    """

    code: ClassVar[str] = "FM409"
    name: ClassVar[str] = "flyte-submodule-not-imported"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = tuple(f".{name}." for name in sorted(LAZY_SUBMODULES))
    VALID: ClassVar[list[str]] = [
        "import flyte\nimport flyte.io\n\nasync def f(p: str) -> flyte.io.File:\n    return await flyte.io.File.from_local(p)\n",
        "import flyte\nfrom flyte import durable\n\nasync def f() -> None:\n    await flyte.durable.sleep.aio(1)\n",
        "import flyte\nfrom flyte.io import File\n\ndef f(x: flyte.io.Dir) -> File:\n    ...\n",
        "import flyte.durable as d\n\nasync def f() -> None:\n    await d.sleep.aio(1)\n",
        # `flyte.report` is loaded by the run machinery.
        "import flyte\n\nasync def f() -> None:\n    await flyte.report.log.aio('<b>x</b>')\n",
        # Another library's `io` attribute.
        "import myflyte as flyte\n\nx = flyte.io.File\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "import flyte\n\nasync def f() -> None:\n    await flyte.durable.sleep.aio(60)\n",
        "import flyte as fl\n\nasync def f(p: str) -> fl.io.File:\n    return await fl.io.File.from_local(p)\n",
        "import flyte\nimport flyte.durable\n\ndef f(p: str) -> flyte.io.File:\n    flyte.durable.sleep(1)\n    return flyte.io.File.from_local_sync(p)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        self._imported: set[str] = set()
        self._reported: set[str] = set()
        for statement in node.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._note_import(small)

    def _note_import(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                parts = _dotted(alias.name).split(".")
                if len(parts) > 1 and parts[0] == "flyte":
                    self._imported.add(parts[1])
        elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
            parts = _dotted(small.module).split(".")
            if parts[0] != "flyte":
                return
            if len(parts) > 1:
                self._imported.add(parts[1])  # `from flyte.io import File` loads flyte.io
            elif not isinstance(small.names, cst.ImportStar):
                self._imported.update(_dotted(a.name) for a in small.names)  # `from flyte import io`

    # Imports inside functions count too (they run before the use in the same function, usually).
    def visit_Import(self, node: cst.Import) -> None:
        self._note_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._note_import(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        sub = node.attr.value
        if sub not in LAZY_SUBMODULES or sub in self._imported or sub in self._reported:
            return
        if not self.matches(node, f"flyte.{sub}"):
            return
        self._reported.add(sub)
        spelled = _dotted(node)
        self.report(
            node,
            f"`{spelled}` is used but `flyte.{sub}` is never imported; `import flyte` does not load it "
            f"(AttributeError: module 'flyte' has no attribute '{sub}')",
            help=f"add `import flyte.{sub}` next to `import flyte`",
        )
