"""FM504 node-ordering-operator."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from flytemigrate.lint.base import Rule, Severity

_WORKFLOW_DECORATORS = frozenset({"flytekit.workflow", "flytekit.dynamic"})


class NodeOrderingOperator(Rule):
    """Flags `a >> b`, `b << a` and `a.runs_before(b)` between task calls (Flyte 1 explicit node ordering).

    In a Flyte 1 workflow `t1() >> t2()` (or `create_node(t1) >> create_node(t2)`) adds an
    ordering edge between nodes of the compiled graph. The rule flags `>>`/`<<` whose operands
    are task calls, `create_node(...)`, or variables assigned from them in the same function,
    and any `>>`/`<<` in a function still decorated as a Flyte 1 workflow; a chain
    `a >> b >> c` is one finding. `.runs_before(...)` on such a node is flagged too.

    Why it breaks in Flyte 2:
        Tasks called from a Flyte 2 driver run when they are called, in program order, and
        return plain values: `a >> b` becomes a bit shift of two results (a `TypeError` for most
        types, a silently wrong number for ints) and orders nothing.

    Example:
        @workflow
        def wf():
            extract_node = extract()
            load_node = load()
            extract_node >> load_node

    Use instead:
        @env.task
        def wf():
            extract()   # calls run in program order in a sync driver
            load()
    """

    code: ClassVar[str] = "FM504"
    name: ClassVar[str] = "node-ordering-operator"
    severity: ClassVar[Severity] = Severity.ERROR
    PREFILTER: ClassVar[tuple[str, ...]] = (">>", "<<", "runs_before")
    VALID: ClassVar[list[str]] = [
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef t(x: int) -> int:\n    return x >> 2\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef a() -> int:\n    return 8\n@env.task\ndef main() -> int:\n    return 3 >> 1\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "from flytekit import task, workflow\n@task\ndef a() -> None: ...\n@task\ndef b() -> None: ...\n@workflow\ndef wf():\n    x = a()\n    y = b()\n    x >> y\n",
        "import flyte\nenv = flyte.TaskEnvironment(name='e')\n@env.task\ndef a() -> None: ...\n@env.task\ndef b() -> None: ...\n@env.task\ndef main():\n    a() >> b()\n",
        "from flytekit import create_node, task\n@task\ndef a() -> None: ...\ndef build():\n    n1 = create_node(a)\n    n2 = create_node(a)\n    n1 >> n2\n",
        "from flytekit import task, workflow\n@task\ndef a() -> None: ...\n@task\ndef b() -> None: ...\n@workflow\ndef wf():\n    a() << b()\n",
        "from flytekit import task, workflow\n@task\ndef a() -> None: ...\n@task\ndef b() -> None: ...\n@workflow\ndef wf():\n    x = a()\n    y = b()\n    y.runs_before(x)\n",
    ]

    def visit_Module(self, node: cst.Module) -> None:
        # Task calls and Flyte 1 workflow bodies come from the shared analysis (by node identity).
        analysis = self.context.analysis
        self._task_calls = {
            id(site.node) for info in analysis.functions.values() for site in analysis.task_calls(info)
        }
        self._workflows = {
            id(info.node) for info in analysis.functions.values() if info.decorator in _WORKFLOW_DECORATORS
        }
        self._scopes: list[tuple[set[str], bool]] = [(set(), False)]
        # Inner operations of a reported chain (`a >> b >> c` parses as `(a >> b) >> c`).
        self._in_chain: set[int] = set()

    def _is_task_call(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        return id(expr) in self._task_calls or self.matches(expr.func, "flytekit.create_node")

    def _is_node(self, expr: cst.BaseExpression) -> bool:
        names, _ = self._scopes[-1]
        return self._is_task_call(expr) or (isinstance(expr, cst.Name) and expr.value in names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append((set(), id(node) in self._workflows))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_task_call(node.value):
            names, _ = self._scopes[-1]
            names.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def _operands(self, node: cst.BinaryOperation) -> list[cst.BaseExpression]:
        """The operands of a `>>`/`<<` chain, marking its inner operations as part of it."""
        out = []
        for side in (node.left, node.right):
            if isinstance(side, cst.BinaryOperation) and isinstance(side.operator, (cst.RightShift, cst.LeftShift)):
                self._in_chain.add(id(side))
                out.extend(self._operands(side))
            else:
                out.append(side)
        return out

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, (cst.RightShift, cst.LeftShift)) or id(node) in self._in_chain:
            return
        _, in_workflow = self._scopes[-1]
        operands = self._operands(node)
        if in_workflow or any(self._is_node(o) for o in operands):
            spelled = ">>" if isinstance(node.operator, cst.RightShift) else "<<"
            self.report(
                node,
                f"`{spelled}` orders Flyte 1 workflow nodes; in Flyte 2 it shifts the tasks' return values",
                help="delete it and call the tasks in the required order (await them in order in async code)",
            )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "runs_before"):
            return
        _, in_workflow = self._scopes[-1]
        if in_workflow or self._is_node(func.value):
            self.report(
                node,
                "`.runs_before(...)` orders Flyte 1 workflow nodes; Flyte 2 task calls return plain values without it",
                help="delete it and call the tasks in the required order (await them in order in async code)",
            )
