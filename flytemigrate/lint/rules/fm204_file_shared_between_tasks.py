"""FM204 file-shared-between-tasks."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from flytemigrate.lint.analysis import ModuleAnalysis
from flytemigrate.lint.base import Rule, Severity

_READERS = frozenset(
    {
        "pandas.read_csv", "pandas.read_parquet", "pandas.read_json", "pandas.read_pickle", "pandas.read_feather",
        "pandas.read_excel", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "joblib.load", "torch.load",
    }
)
_WRITERS = frozenset({"numpy.save", "numpy.savez", "numpy.savetxt", "joblib.dump", "torch.save"})
# Path / DataFrame methods whose first argument (or the Path itself) is the file.
_READ_METHODS = frozenset({"read_text", "read_bytes"})
_WRITE_METHODS = frozenset({"write_text", "write_bytes", "to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "savefig"})
_HEAD = 'import flyte\nenv = flyte.TaskEnvironment(name="x")\n\n'


class FileSharedBetweenTasks(Rule):
    """Flags a file path (a string literal, or a module-level constant holding one) that one task
    writes and another task reads, through `open()`, `pathlib.Path(...).read_text/write_text`,
    `pd.read_*`/`df.to_*`, `np.save/load`, `joblib`, `torch.save/load`.

    The finding is on the read. Helpers and traces count for the task that calls them.

    Why it breaks in Flyte 2:
        On a cluster each task runs in its own container with its own filesystem: a file written
        to local disk by one task does not exist in the next task's container. A local
        `flyte.run` runs every task on the same machine, so the hand-off works locally and fails
        with `FileNotFoundError` (or reads a stale file) when deployed.

    Example:
        @env.task
        def prepare() -> None:
            df.to_csv("/tmp/clean.csv")

        @env.task
        def train() -> float:
            return fit(pd.read_csv("/tmp/clean.csv"))

    Use instead:
        @env.task
        async def prepare() -> flyte.io.File:
            df.to_csv("clean.csv")
            return await flyte.io.File.from_local("clean.csv")

        @env.task
        async def train(data: flyte.io.File) -> float:
            return fit(pd.read_csv(await data.download()))
    """

    code: ClassVar[str] = "FM204"
    name: ClassVar[str] = "file-shared-between-tasks"
    severity: ClassVar[Severity] = Severity.ERROR
    VALID: ClassVar[list[str]] = [
        # One task writes and reads back its own scratch file.
        _HEAD + "@env.task\ndef f() -> str:\n    with open('/tmp/x.txt', 'w') as fh:\n        fh.write('a')\n    with open('/tmp/x.txt') as fh:\n        return fh.read()\n",
        _HEAD + "@env.task\ndef a(path: str) -> None:\n    open(path, 'w').write('x')\n\n@env.task\ndef b(path: str) -> str:\n    return open(path).read()\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef a() -> None:\n    with open('/tmp/x.txt', 'w') as fh:\n        fh.write('a')\n\n@env.task\ndef b() -> str:\n    with open('/tmp/x.txt') as fh:\n        return fh.read()\n",
        _HEAD + "from pathlib import Path\n\n@env.task\ndef a() -> None:\n    with Path('out/model.bin').open('wb') as fh:\n        fh.write(b'x')\n\n@env.task\ndef b() -> int:\n    return len(Path('out/model.bin').read_bytes())\n",
        _HEAD + "import pandas as pd\nfrom pathlib import Path\nOUT = 'data/clean.csv'\n\ndef save(df):\n    df.to_csv(OUT)\n\n@env.task\ndef prepare() -> None:\n    save(pd.DataFrame())\n\n@env.task\ndef train() -> int:\n    return len(pd.read_csv(OUT))\n",
    ]

    def _path(self, analysis: ModuleAnalysis, expr: cst.BaseExpression) -> Optional[str]:
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(expr, cst.Name):
            name = analysis.is_global_access(expr)
            if name is not None and isinstance(analysis.bindings[name].value, cst.SimpleString):
                return self._path(analysis, analysis.bindings[name].value)
        if isinstance(expr, cst.Call) and self.qualified_names(expr.func) & {"pathlib.Path", "pathlib.PurePath"} and expr.args:
            return self._path(analysis, expr.args[0].value)
        return None

    def _access(self, analysis: ModuleAnalysis, call: cst.Call) -> Optional[tuple[str, str]]:
        """``(path, "read"|"write")`` for a file access with a known path."""
        names = self.qualified_names(call.func)
        args = [a for a in call.args if a.keyword is None]
        if "builtins.open" in names and args:
            path = self._path(analysis, args[0].value)
            mode_arg = args[1].value if len(args) > 1 else next((a.value for a in call.args if a.keyword and a.keyword.value == "mode"), None)
            mode = mode_arg.evaluated_value if isinstance(mode_arg, cst.SimpleString) else "r"
            kind = "write" if isinstance(mode, str) and set(mode) & set("wax+") else "read"
            return (path, kind) if path else None
        if names & (_READERS | _WRITERS) and args:
            path = self._path(analysis, args[0].value)
            return (path, "read" if names & _READERS else "write") if path else None
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "open" and isinstance(func.value, cst.Call):
            # Path("x").open("w")
            path = self._path(analysis, func.value)
            mode_arg = args[0].value if args else next((a.value for a in call.args if a.keyword and a.keyword.value == "mode"), None)
            mode = mode_arg.evaluated_value if isinstance(mode_arg, cst.SimpleString) else "r"
            kind = "write" if isinstance(mode, str) and set(mode) & set("wax+") else "read"
            return (path, kind) if path else None
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _READ_METHODS or method in _WRITE_METHODS:
                kind = "read" if method in _READ_METHODS else "write"
                if method in ("read_text", "read_bytes", "write_text", "write_bytes"):
                    path = self._path(analysis, func.value)
                else:
                    path = self._path(analysis, args[0].value) if args else None
                return (path, kind) if path else None
        return None

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        writes: dict[str, set[str]] = {}
        reads: list[tuple[str, str, cst.Call]] = []
        for task in sorted(analysis.tasks):
            for qualname in analysis.reach(task):
                for site in analysis.functions[qualname].calls:
                    if site.derived:
                        continue
                    access = self._access(analysis, site.node)
                    if access is None:
                        continue
                    path, kind = access
                    if kind == "write":
                        writes.setdefault(path, set()).add(task)
                    else:
                        reads.append((path, task, site.node))
        reported: set[int] = set()
        for path, task, call in reads:
            writers = sorted(writes.get(path, set()) - {task})
            if not writers or id(call) in reported:
                continue
            reported.add(id(call))
            self.report(
                call,
                f"task `{task}` reads `{path}`, which task `{writers[0]}` writes; each task runs in its own container "
                "and does not see the other's local files",
                help="return a `flyte.io.File` (or `Dir`) from the writer and pass it to the reader as an input",
            )
