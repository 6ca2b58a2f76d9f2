"""FM103 unordered-iteration."""

from __future__ import annotations

from typing import ClassVar, Optional

import libcst as cst

from flytemigrate.lint.analysis import MAP_CALLS
from flytemigrate.lint.base import Rule, Severity
from flytemigrate.lint.rules.fm1_common import contains_call, starting_call_ids

_LISTINGS = frozenset({"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob"})
_PATH_LISTINGS = frozenset({"iterdir", "glob", "rglob"})
_SETS = frozenset({"builtins.set", "builtins.frozenset"})
_HEAD = 'import flyte\nimport os\nenv = flyte.TaskEnvironment(name="x")\n\n@env.task\ndef load(path: str) -> int:\n    return len(path)\n\n'


class _Assignments(cst.CSTVisitor):
    """``name = value`` statements of one function body (nested functions excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[cst.BaseExpression]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values.setdefault(target.target.value, []).append(node.value)


class _Returns(cst.CSTVisitor):
    """Returned expressions of one function body (nested functions excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.values.append(node.value)


class _Loops(cst.CSTVisitor):
    """``for`` statements and comprehensions of one function body (nested functions excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.loops: list[tuple[cst.BaseExpression, cst.CSTNode]] = []  # (iterable, code it feeds)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_For(self, node: cst.For) -> None:
        self.loops.append((node.iter, node.body))

    def _comprehension(self, node, fed: cst.CSTNode) -> None:
        comp: Optional[cst.CompFor] = node.for_in
        while comp is not None:
            self.loops.append((comp.iter, fed))
            comp = comp.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, node.elt)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node, node.elt)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node, node.elt)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node, node.value)


class UnorderedIteration(Rule):
    """Flags driver loops that start tasks in the order of a set or of a directory listing.

    Checked: `for` loops, comprehensions and `flyte.map(task, ...)` in driver code whose
    iterable is a set (`{...}`, `set(...)`, a set comprehension, or a local variable assigned
    one, or a project-local helper returning one) or a filesystem listing (`os.listdir`, `os.scandir`, `os.walk`, `glob.glob`,
    `Path.iterdir/glob/rglob`), and whose body starts a task or trace. `sorted(...)` around the
    iterable makes the order deterministic and is not flagged.

    Why it breaks in Flyte 2:
        String hashing is salted per process, so a set of strings iterates in a different order
        in every Python process, and directory listings come back in filesystem order. A driver
        replayed after a crash runs in a new process: tasks are started in a different order,
        outputs are collected in a different order, and replay no longer matches the recorded
        calls.

    Example:
        @env.task
        def ingest(folder: str) -> list[int]:
            return [load(os.path.join(folder, f)) for f in os.listdir(folder)]

    Use instead:
        @env.task
        def ingest(folder: str) -> list[int]:
            return [load(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
    """

    code: ClassVar[str] = "FM103"
    name: ClassVar[str] = "unordered-iteration"
    severity: ClassVar[Severity] = Severity.WARNING
    VALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(d: str) -> list[int]:\n    return [load(f) for f in sorted(os.listdir(d))]\n",
        _HEAD + "@env.task\ndef main(names: list[str]) -> list[int]:\n    unique = sorted(set(names))\n    return list(flyte.map(load, unique))\n",
        # Numbers hash the same in every process (only str/bytes hashing is salted).
        _HEAD + "@env.task\ndef main(ids: list[int], n: int) -> list[int]:\n    return [load(str(i)) for i in set(ids)] + [load(str(i)) for i in {1, 2, 3} | set(range(n))]\n",
        # A leaf task may list a directory in any order.
        _HEAD + "@env.task\ndef count(d: str) -> int:\n    return sum(1 for _ in os.listdir(d))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        _HEAD + "@env.task\ndef main(d: str) -> list[int]:\n    return [load(f) for f in os.listdir(d)]\n",
        _HEAD + "@env.task\ndef main(names: list[str]) -> list[int]:\n    unique = set(names)\n    out = []\n    for n in unique:\n        out.append(load(n))\n    return out\n",
        # The listing comes from a helper.
        _HEAD + "def inputs(d):\n    found = os.listdir(d)\n    return found\n\n@env.task\ndef main(d: str) -> list[int]:\n    return [load(f) for f in inputs(d)]\n",
        _HEAD + "import glob as g\n\n@env.task\ndef main(d: str) -> list[int]:\n    return list(flyte.map(load, g.glob(d + '/*.csv')))\n",
        # Strings do not: a set of a `list[str]` parameter, a literal set of strings.
        _HEAD + "@env.task\ndef main(names: list[str]) -> list[int]:\n    return [load(n) for n in set(names)] + [load(n) for n in {'a', 'b'}]\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        self._analysis = analysis
        # id(Call) -> qualname of the helper it calls, to follow `for f in list_inputs(d):`.
        self._helper_calls = {
            id(site.node): site.target
            for info in analysis.functions.values()
            for site in info.calls
            if not site.derived and site.target is not None and analysis.functions[site.target].kind == "helper"
        }
        for info, _chain in analysis.replayed_functions():
            starting = starting_call_ids(analysis, info)
            if not starting:
                continue
            self._params = _numeric_params(info.node)
            assignments = _Assignments()
            info.node.body.visit(assignments)
            loops = _Loops()
            info.node.body.visit(loops)
            for iterable, fed in loops.loops:
                what = self._unordered(iterable, assignments.values)
                if what and contains_call(fed, starting):
                    self._flag(analysis, info, iterable, what)
            for site in info.calls:
                if site.derived or not (site.names & MAP_CALLS):
                    continue
                for arg in site.node.args[1:]:
                    what = self._unordered(arg.value, assignments.values) if arg.keyword is None else None
                    if what:
                        self._flag(analysis, info, arg.value, what)

    def _flag(self, analysis, info, iterable: cst.CSTNode, what: str) -> None:
        self.report(
            iterable,
            f"{analysis.describe(info.qualname)} starts tasks in {what}, which differs between processes and replays",
            help="iterate over `sorted(...)` of it so tasks start in the same order on every replay",
        )

    def _unordered(self, expr: cst.BaseExpression, assigned: dict[str, list[cst.BaseExpression]], depth: int = 0) -> Optional[str]:
        if isinstance(expr, cst.Set):
            return None if all(_is_number(e.value) for e in expr.elements) else "set iteration order"
        if isinstance(expr, cst.SetComp):
            return "set iteration order"
        if isinstance(expr, cst.Name) and depth < 3:
            values = assigned.get(expr.value, [])
            if len(values) == 1:
                return self._unordered(values[0], assigned, depth + 1)
            return None
        if not isinstance(expr, cst.Call):
            return None
        helper = self._helper_calls.get(id(expr))
        if helper is not None and depth < 3:
            return self._returns_unordered(helper, depth + 1)
        names = self.qualified_names(expr.func)
        if names & _SETS:
            if len(expr.args) == 1 and self._numbers(expr.args[0].value):
                return None  # ints/floats hash the same in every process: a stable order
            return "set iteration order"
        if names & _LISTINGS:
            return "directory listing order"
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _PATH_LISTINGS and not names & {"glob.glob"}:
            return "directory listing order"
        return None

    def _numbers(self, expr: cst.BaseExpression) -> bool:
        """Whether ``expr`` holds only numbers: ``range(...)``, a literal list/tuple of numbers, or
        a parameter annotated ``list[int]``/``set[float]``/``tuple[int, ...]``..."""
        if isinstance(expr, (cst.List, cst.Tuple)):
            return all(_is_number(e.value) for e in expr.elements)
        if isinstance(expr, cst.Name):
            return expr.value in getattr(self, "_params", ())
        return isinstance(expr, cst.Call) and "builtins.range" in self.qualified_names(expr.func)

    def _returns_unordered(self, qualname: str, depth: int) -> Optional[str]:
        """What unordered collection helper ``qualname`` returns, if every return is one."""
        body = self._analysis.functions[qualname].node.body
        returns = _Returns()
        body.visit(returns)
        if not returns.values:
            return None
        assignments = _Assignments()
        body.visit(assignments)
        found = [self._unordered(value, assignments.values, depth) for value in returns.values]
        return found[0] if all(found) else None


_NUMERIC = frozenset({"int", "float", "bool"})
_COLLECTIONS = frozenset(
    {"list", "set", "frozenset", "tuple", "List", "Set", "FrozenSet", "Tuple", "Sequence", "Iterable", "Collection"}
)


def _is_number(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        expr = expr.expression
    return isinstance(expr, (cst.Integer, cst.Float))


def _numeric_params(node: cst.FunctionDef) -> frozenset[str]:
    """Parameters annotated as collections of numbers (``list[int]``, ``typing.Set[float]``)."""
    found = set()
    for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
        annotation = param.annotation.annotation if param.annotation is not None else None
        if not isinstance(annotation, cst.Subscript):
            continue
        base = annotation.value
        base_name = base.attr.value if isinstance(base, cst.Attribute) else base.value if isinstance(base, cst.Name) else None
        if base_name not in _COLLECTIONS:
            continue
        elements = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
        kinds = [e for e in elements if not (isinstance(e, cst.Ellipsis))]
        if kinds and all(isinstance(e, cst.Name) and e.value in _NUMERIC for e in kinds):
            found.add(param.name.value)
    return frozenset(found)
