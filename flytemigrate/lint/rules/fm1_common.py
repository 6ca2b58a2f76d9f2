"""Shared helpers of the FM1xx determinism rules (not a rule module itself).

Only replayed code is checked: a driver's body and the helpers it reaches
(``ModuleAnalysis.replayed``). Leaf tasks and ``@flyte.trace`` bodies run once and have their
results recorded, so the same code there is fine. Calls are classified by qualified name, so
``from datetime import datetime as dt; dt.now()`` and ``import numpy as np; np.random.rand()``
are recognised, and a user's own ``now()`` is not.

A non-deterministic call written directly as an argument of a task or trace call is reported
once, by FM106 (error), instead of by the category rule (FM101/FM102).
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from flytemigrate.lint.analysis import CallSite, FunctionInfo, ModuleAnalysis, dotted_name
from flytemigrate.lint.base import Rule, public_name

WALL_CLOCK = frozenset(
    {
        "time.time", "time.time_ns", "time.localtime", "time.gmtime", "time.ctime", "time.asctime",
        "time.strftime", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
        "datetime.date.today", "pandas.Timestamp.now", "pandas.Timestamp.utcnow", "pandas.Timestamp.today",
        "pandas.now", "arrow.now", "arrow.utcnow", "pendulum.now", "pendulum.today",
    }
)
# Functions of the `time` module that need an argument to be deterministic.
_TIME_WITH_ARG = frozenset({"time.localtime", "time.gmtime", "time.ctime", "time.asctime", "time.strftime"})

RANDOM_FUNCTIONS = frozenset(
    f"random.{name}"
    for name in (
        "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
        "gauss", "normalvariate", "lognormvariate", "expovariate", "betavariate", "gammavariate",
        "triangular", "vonmisesvariate", "paretovariate", "weibullvariate", "getrandbits", "randbytes",
        "binomialvariate", "SystemRandom",
    )
) | frozenset({"uuid.uuid1", "uuid.uuid4", "os.urandom", "os.getrandom"})
# Seeded when given an argument; unseeded without one.
SEEDABLE = frozenset(
    {"random.Random", "random.seed", "numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator", "numpy.random.seed"}
)
_NUMPY_RANDOM = "numpy.random."
# numpy.random attributes that are not draws from the global generator.
_NUMPY_RANDOM_OK = frozenset({"numpy.random.PCG64", "numpy.random.SeedSequence", "numpy.random.Philox", "numpy.random.MT19937", "numpy.random.BitGenerator"})


def call_names(rule: Rule, call: cst.Call) -> frozenset[str]:
    """Qualified names of the callee when it is a plain dotted name (``np.random.rand``).

    LibCST names ``np.random.default_rng().random`` "numpy.random.default_rng.random", which is a
    method of the returned object, not a module function: such callees get no names.
    """
    if dotted_name(call.func) is None:
        return frozenset()
    return frozenset(public_name(n) for n in rule.qualified_names(call.func))


def wall_clock(names: frozenset[str], call: cst.Call) -> Optional[str]:
    """The wall-clock function ``call`` reads, if any (``time.localtime(ts)`` is deterministic)."""
    for name in sorted(names & WALL_CLOCK):
        if name in _TIME_WITH_ARG and call.args and name != "time.strftime":
            continue
        if name == "time.strftime" and len(call.args) > 1:
            continue
        return f"`{name}()`"
    return None


def randomness(names: frozenset[str], call: cst.Call) -> Optional[str]:
    """The random source ``call`` draws from, if any (seeded generators are deterministic)."""
    for name in sorted(names):
        if name in SEEDABLE:
            if not call.args:
                return f"`{name}()` without a seed"
            continue
        if name in RANDOM_FUNCTIONS or name.startswith("secrets."):
            return f"`{name}()`"
        if name.startswith(_NUMPY_RANDOM) and name not in _NUMPY_RANDOM_OK:
            return f"`{name}()`"
    return None


def nondeterministic(names: frozenset[str], call: cst.Call) -> Optional[tuple[str, str]]:
    """``(category, source)`` for a wall-clock or random call, else None."""
    source = wall_clock(names, call)
    if source:
        return "reads the wall clock", source
    source = randomness(names, call)
    if source:
        return "draws random values", source
    return None


def started_calls(analysis: ModuleAnalysis, info: FunctionInfo) -> list[CallSite]:
    """Task and trace call sites in ``info``'s body (whose arguments are recorded as inputs)."""
    return [
        c
        for c in info.calls
        if c.external is not None or (c.target is not None and analysis.functions[c.target].kind in ("task", "trace"))
    ]


class _Calls(cst.CSTVisitor):
    """Calls inside an expression, not inside lambdas (which run later, maybe elsewhere)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    finder = _Calls()
    node.visit(finder)
    return finder.calls


def argument_calls(analysis: ModuleAnalysis, info: FunctionInfo) -> Iterator[tuple[CallSite, cst.Call]]:
    """``(task or trace call, a Call inside one of its argument expressions)``."""
    seen: set[int] = set()
    for site in started_calls(analysis, info):
        if id(site.node) in seen:
            continue
        seen.add(id(site.node))
        for arg in site.node.args:
            for call in calls_in(arg.value):
                if call is not site.node:
                    yield site, call


# Logging methods: a value that only reaches a log line changes the log on replay, nothing else.
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
_LOG_FUNCTIONS = frozenset({"builtins.print", "warnings.warn", "pprint.pprint"}) | frozenset(
    f"logging.{m}" for m in _LOG_METHODS
)


def _is_log_call(site: CallSite) -> bool:
    """``print(...)``, ``logging.info(...)``, ``logger.info(...)``, ``self.log.warning(...)``."""
    if site.names & _LOG_FUNCTIONS:
        return True
    func = site.node.func
    # `logger.info(...)` on any plain name chain (loggers are rarely resolvable: getLogger()).
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in _LOG_METHODS
        and dotted_name(func.value) is not None
        and not any(n.startswith(("flyte.", "flytekit.")) for n in site.names)
    )


class _LoggedOnly(cst.CSTVisitor):
    """Names assigned from a call (``t0 = time.time()``) and every load of each name, in one body."""

    def __init__(self) -> None:
        super().__init__()
        self.assigned: dict[str, list[int]] = {}  # name -> ids of the calls assigned to it
        self.loads: dict[str, list[int]] = {}  # name -> ids of the Name nodes reading it
        self.other_stores: set[str] = set()  # names also bound some other way
        self._targets: set[int] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._targets.add(id(target.target))
            if isinstance(target.target, cst.Name) and isinstance(node.value, cst.Call) and len(node.targets) == 1:
                self.assigned.setdefault(target.target.value, []).append(id(node.value))
            elif isinstance(target.target, cst.Name):
                self.other_stores.add(target.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets.add(id(node.target))
        if isinstance(node.target, cst.Name):
            if isinstance(node.value, cst.Call):
                self.assigned.setdefault(node.target.value, []).append(id(node.value))
            else:
                self.other_stores.add(node.target.value)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._targets:
            self.loads.setdefault(node.value, []).append(id(node))

    # Keyword names and attribute names are not variables.
    def visit_Arg_keyword(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._targets.add(id(node.keyword))

    def visit_Attribute_attr(self, node: cst.Attribute) -> None:
        self._targets.add(id(node.attr))


def log_argument_calls(info: FunctionInfo) -> set[int]:
    """Ids of calls whose value only reaches logging/print calls in ``info``: calls inside their
    arguments, and calls assigned to a local name that is read nowhere else
    (``t0 = time.time()`` ... ``logger.info("took %s", time.time() - t0)``)."""
    ids: set[int] = set()
    logged_names: set[int] = set()
    for site in info.calls:
        if site.derived or not _is_log_call(site):
            continue
        for arg in site.node.args:
            ids.update(id(call) for call in calls_in(arg.value))
            logged_names.update(id(name) for name in _names_in(arg.value))
    if not logged_names:
        return ids
    body = _LoggedOnly()
    info.node.body.visit(body)
    for name, calls in body.assigned.items():
        loads = body.loads.get(name, [])
        if name in body.other_stores or not loads or not all(load in logged_names for load in loads):
            continue
        ids.update(calls)
    return ids


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    finder = _Names()
    node.visit(finder)
    return finder.names


class ReplayedCallRule(Rule):
    """Base of rules that look at every call made by replayed code (drivers and their helpers)."""

    # Skip calls that are direct arguments of task/trace calls (FM106 reports those).
    SKIP_TASK_ARGUMENTS = True
    # Skip calls whose value only goes into a log line or print (replay changes the log only).
    SKIP_LOG_ARGUMENTS = False

    def visit_Module(self, node: cst.Module) -> None:
        analysis = self.context.analysis
        for info, _chain in analysis.replayed_functions():
            skip = {id(call) for _site, call in argument_calls(analysis, info)} if self.SKIP_TASK_ARGUMENTS else set()
            if self.SKIP_LOG_ARGUMENTS:
                skip |= log_argument_calls(info)
            for site in info.calls:
                if site.derived or id(site.node) in skip:
                    continue
                self.check_call(analysis, info, site, call_names(self, site.node))

    def check_call(self, analysis: ModuleAnalysis, info: FunctionInfo, site: CallSite, names: frozenset[str]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class _ContainsCall(cst.CSTVisitor):
    def __init__(self, ids: set[int]) -> None:
        super().__init__()
        self.ids = ids
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        if id(node) in self.ids:
            self.found = True
        return not self.found


def contains_call(node: cst.CSTNode, ids: set[int]) -> bool:
    """Whether a Call whose id is in ``ids`` occurs inside ``node``."""
    finder = _ContainsCall(ids)
    node.visit(finder)
    return finder.found


def starting_call_ids(analysis: ModuleAnalysis, info: FunctionInfo) -> set[int]:
    """Calls in ``info`` that start tasks or traces, directly or through helpers that do."""
    ids = set()
    for site in info.calls:
        target = site.target
        if site.external is not None:
            ids.add(id(site.node))
        if target is None:
            continue
        kind = analysis.functions[target].kind
        if kind in ("task", "trace") or target in analysis.reaches_task:
            ids.add(id(site.node))
    return ids


def gathered_call_ids(info: FunctionInfo) -> set[int]:
    """Ids of expressions handed to ``asyncio.gather(...)`` in ``info`` (arguments, and the
    element of a comprehension unpacked into it)."""
    ids: set[int] = set()
    for site in info.calls:
        if site.derived or "asyncio.gather" not in site.names:
            continue
        for arg in site.node.args:
            ids.add(id(arg.value))
            if isinstance(arg.value, (cst.ListComp, cst.GeneratorExp)):
                ids.add(id(arg.value.elt))
    return ids
