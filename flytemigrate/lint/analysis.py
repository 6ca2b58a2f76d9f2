"""Which functions of a module are tasks, traces, drivers and helpers, and how they call each other.

``analyze(wrapper)`` is computed once per linted file (``LintContext.analysis``) and shared by the
rules. It makes one pass over the module (collecting functions, the calls in each function body,
mutations of names, module-level bindings and TaskEnvironments), then a fixpoint over the local
call graph:

* a **task** is a function decorated with a Flyte 2 ``@env.task`` / ``@env.task(...)`` (``env``
  assigned at module level from ``flyte.TaskEnvironment(...)``, ``<env>.clone_with(...)`` or a
  module-level factory function returning one, or a class attribute ``Envs.gpu``, matched by
  qualified name, so ``import flyte as fl`` works; or imported from a project file,
  ``from .env import env`` / ``import pkg.envs as envs`` then ``@envs.default.task``, see
  ``flytemigrate.lint.imported``) or with Flyte 1 ``@task``/``@workflow``/``@dynamic``/``@eager``
  (qualified names under ``flytekit``);
* a **trace** is a function decorated with ``@flyte.trace``;
* a **helper** is any other function of the module (nested functions and methods included);
* a **driver** is a task whose body starts other tasks: directly (``t(...)``, ``t.aio(...)``,
  ``t.override(...)(...)``), through ``flyte.map(t, ...)``/``map_task(t)``, by handing ``t`` to
  an executor or thread, or through project-local helpers followed transitively. Flyte 1
  ``@workflow``/``@dynamic``/``@eager`` functions are drivers by definition (their bodies become
  replayed driver code once migrated), and so is a task that opens ``flyte.group(...)``. Tasks
  imported from other modules are recognised where they are used like tasks (``t.aio(...)``,
  ``t.override(...)``, ``flyte.map(t, ...)``, ``map_task(t)``), and where the project file
  that defines them was read (also ``tasks.train(...)`` for ``from . import tasks``). A function
  that puts tasks in a list/tuple/set/dict display (``for step in (clean, train):``) starts
  them too. Calls into traces and other tasks are *not* followed: their bodies run once and are
  recorded, not replayed;
* the **replayed** functions are the drivers plus every helper reachable from a driver through
  helper calls; for each the analysis keeps the chain from the driver (``pipeline -> fit_all``),
  so a finding can name the driver and the path.

Everything is keyed by function *qualname* (``train``, ``Trainer.fit``, ``pipeline.<locals>.step``).
Calls are resolved by name: a bare ``name(...)`` is looked up in the enclosing functions' nested
definitions first, then at module level, like Python's own scoping for closures. Method calls
resolve to methods of module-level classes: ``Class.method(...)``, ``self.method(...)`` inside a
method, ``obj.method(...)`` after ``obj = Class(...)`` in the same function, and
``Class(...).method(...)``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

import libcst as cst
from libcst._metadata_dependent import LazyValue
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import FunctionScope, GlobalScope, Scope

from flytemigrate.lint.base import public_name

__all__ = [
    "Binding",
    "CallSite",
    "FunctionInfo",
    "ModuleAnalysis",
    "Mutation",
    "analyze",
    "dotted_name",
    "is_mutable_literal",
]

TASK_ENVIRONMENT = "flyte.TaskEnvironment"
TRACE = "flyte.trace"
FLYTEKIT_TASK = "flytekit.task"
FLYTEKIT_DRIVERS = frozenset({"flytekit.workflow", "flytekit.dynamic", "flytekit.eager"})
MAP_CALLS = frozenset({"flyte.map", "flyte.map.aio"})
GROUP = "flyte.group"
FLYTEKIT_MAP = frozenset({"flytekit.map_task", "flytekit.map"})
PARTIAL = frozenset({"functools.partial"})

# Methods that change a list/dict/set/deque in place.
MUTATING_METHODS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
        "add", "discard", "sort", "reverse", "appendleft", "extendleft", "difference_update",
        "intersection_update", "symmetric_difference_update", "__setitem__", "__delitem__",
    }
)
_MUTABLE_FACTORIES = frozenset(
    {
        "builtins.list", "builtins.dict", "builtins.set", "builtins.bytearray",
        "collections.defaultdict", "collections.OrderedDict", "collections.deque", "collections.Counter",
    }
)


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted_name(expr.value)
        return f"{base}.{expr.attr.value}" if base is not None else None
    return None


def _first_attribute(expr: cst.BaseExpression) -> Optional[str]:
    """``b`` for ``a.b``, ``a.b[c]``, ``a.b.c`` (the attribute applied to the root name)."""
    attribute = None
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            attribute = expr.attr.value
        expr = expr.value
    return attribute


def _root_name(expr: cst.BaseExpression) -> Optional[cst.Name]:
    """The Name at the root of ``a.b[c].d`` (None for calls and other expressions)."""
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr if isinstance(expr, cst.Name) else None


@dataclass
class CallSite:
    """One call inside a function body.

    ``kind`` says how a task (or trace/helper) is invoked: ``direct`` ``t(...)``, ``aio``
    ``t.aio(...)``, ``override`` ``t.override(...)(...)``, ``map`` ``flyte.map(t, ...)`` /
    ``map_task(t)(...)``, ``passed`` (the function is handed to another call, e.g.
    ``pool.submit(t, x)`` or ``Thread(target=t)``). ``target`` is the callee's qualname when it is
    a function of this module, else None.
    """

    node: cst.Call
    names: frozenset[str]
    target: Optional[str] = None
    kind: str = "direct"
    awaited: bool = False
    # The node naming the function (``t`` in ``flyte.map(t, xs)``, ``tasks.t`` in
    # ``tasks.t.aio(x)``), for precise reports.
    ref: Optional[cst.BaseExpression] = None
    # A record for a function passed as an argument (``flyte.map(t, xs)``), besides the call itself.
    derived: bool = False
    # The name of a task imported from another module (see ``ModuleAnalysis.external_tasks``).
    external: Optional[str] = None


@dataclass
class Mutation:
    """An in-place change of the object a name refers to (``x.append()``, ``x[k] = v``, ``x.a = v``)."""

    name: str
    node: cst.CSTNode
    root: cst.Name
    how: str
    # The attribute right after the root (``items`` in ``Registry.items.append(x)``), if any.
    attribute: Optional[str] = None


@dataclass
class FunctionInfo:
    """One function of the module and what its body does."""

    qualname: str
    node: cst.FunctionDef
    kind: str  # "task", "trace" or "helper"
    is_async: bool
    parent: Optional[str] = None  # enclosing function's qualname
    decorator: Optional[str] = None  # "flyte2", "flytekit.task", "flytekit.workflow", ...
    env: Optional[str] = None  # the TaskEnvironment name of an @env.task
    calls: list[CallSite] = field(default_factory=list)
    mutations: list[Mutation] = field(default_factory=list)
    globals_: list[cst.Global] = field(default_factory=list)
    nonlocals: list[cst.Nonlocal] = field(default_factory=list)
    nested: dict[str, str] = field(default_factory=dict)  # local name -> qualname
    # Tasks named as values in a list/tuple/set/dict display (`for step in (clean, train):`),
    # which the function then calls through a variable the analysis cannot follow.
    task_refs: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.node.name.value

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    @property
    def is_trace(self) -> bool:
        return self.kind == "trace"

    @property
    def is_flytekit(self) -> bool:
        return bool(self.decorator and self.decorator.startswith("flytekit."))


@dataclass
class Binding:
    """A module-level assignment ``name = value`` (the last one wins in ``ModuleAnalysis.bindings``)."""

    name: str
    value: cst.BaseExpression
    statement: cst.CSTNode


@dataclass
class ModuleAnalysis:
    """The result of ``analyze``: functions by qualname plus derived views."""

    functions: dict[str, FunctionInfo]
    envs: set[str]
    bindings: dict[str, Binding]
    class_attributes: dict[str, dict[str, Binding]]
    # qualname of a replayed function -> chain of qualnames from its driver (driver first).
    replayed: dict[str, list[str]]
    # qualname of a driver -> chain from the driver to the first task it starts (task last).
    driver_chains: dict[str, list[str]]
    # id(Name node) -> module-level name, for every access of a module-level binding.
    global_accesses: dict[int, str]
    # module-level name -> qualnames of functions reading or writing it.
    global_users: dict[str, set[str]]
    # qualname of a function run inside a task's container (tasks themselves, the helpers and
    # traces they reach) -> chain from the task (task first).
    task_reached: dict[str, list[str]] = field(default_factory=dict)
    # ``(module-level name, qualname of the function, Name node)`` for every access from a function.
    global_access_sites: list[tuple[str, str, cst.Name]] = field(default_factory=list)
    # qualname of a helper -> shortest chain from it to a task it starts (task last).
    reaches_task: dict[str, list[str]] = field(default_factory=dict)
    # Names not defined in this module that are used like tasks (``t.aio(...)``,
    # ``t.override(...)``, ``flyte.map(t, ...)``, ``map_task(t)``): tasks imported from elsewhere.
    external_tasks: set[str] = field(default_factory=set)
    # Imported tasks whose definition was read: name -> (is_async, is_flytekit).
    external_kinds: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    _reach_cache: dict[tuple, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    # -- views ------------------------------------------------------------------------------

    @property
    def tasks(self) -> dict[str, FunctionInfo]:
        return {q: f for q, f in self.functions.items() if f.kind == "task"}

    @property
    def traces(self) -> dict[str, FunctionInfo]:
        return {q: f for q, f in self.functions.items() if f.kind == "trace"}

    @property
    def drivers(self) -> dict[str, FunctionInfo]:
        return {q: self.functions[q] for q in self.driver_chains}

    @property
    def leaf_tasks(self) -> dict[str, FunctionInfo]:
        return {q: f for q, f in self.functions.items() if f.kind == "task" and q not in self.driver_chains}

    def is_driver(self, qualname: str) -> bool:
        return qualname in self.driver_chains

    def function_for(self, node: cst.FunctionDef) -> Optional[FunctionInfo]:
        for info in self.functions.values():
            if info.node is node:
                return info
        return None

    def replayed_functions(self) -> Iterator[tuple[FunctionInfo, list[str]]]:
        """Every driver and every helper its replay runs, with the chain from the driver."""
        for qualname, chain in self.replayed.items():
            yield self.functions[qualname], chain

    def task_calls(self, info: FunctionInfo) -> list[CallSite]:
        """Calls in ``info``'s body that start a task of this module."""
        return [c for c in info.calls if c.target is not None and self.functions[c.target].kind == "task"]

    def called_task(self, site: CallSite) -> Optional[tuple[str, Optional[bool], bool]]:
        """``(name, is_async, is_flytekit)`` of the task ``site`` starts (``is_async`` is None for
        an imported task whose definition was not read), or None when it starts no task."""
        if site.target is not None:
            info = self.functions[site.target]
            return (info.qualname, info.is_async, info.is_flytekit) if info.kind == "task" else None
        if site.external is not None:
            is_async, is_flytekit = self.external_kinds.get(site.external, (None, False))
            return site.external, is_async, is_flytekit
        return None

    def external_task_calls(self, info: FunctionInfo) -> list[CallSite]:
        """Calls in ``info``'s body that start a task imported from another module."""
        return [c for c in info.calls if c.external is not None]

    def trace_calls(self, info: FunctionInfo) -> list[CallSite]:
        return [c for c in info.calls if c.target is not None and self.functions[c.target].kind == "trace"]

    def reach(self, qualname: str, follow: tuple[str, ...] = ("helper", "trace")) -> dict[str, list[str]]:
        """Functions run in the same process as ``qualname``: itself and the functions of kinds
        ``follow`` it calls, transitively (tasks it starts run elsewhere), with chains. For a task
        the default is what runs inside its container."""
        key = (qualname, follow)
        cached = self._reach_cache.get(key)
        if cached is None:
            cached = self._reach_cache[key] = _reachable(self.functions, [qualname], follow=follow)
        return cached

    def tasks_running(self, qualname: str) -> list[str]:
        """Tasks whose container runs function ``qualname`` (sorted)."""
        return sorted(t for t in self.tasks if qualname in self.reach(t))

    def is_global_access(self, node: cst.Name) -> Optional[str]:
        """The module-level name that ``node`` refers to, if it refers to one."""
        return self.global_accesses.get(id(node))

    def describe(self, qualname: str) -> str:
        """``driver `pipeline``` or ``driver `pipeline` via helper `fit_all```, for messages."""
        chain = self.replayed.get(qualname) or [qualname]
        text = f"driver `{chain[0]}`"
        if len(chain) > 1:
            helpers = " -> ".join(f"`{c}`" for c in chain[1:])
            text += f" via helper {helpers}"
        return text

    def describe_driver(self, qualname: str) -> str:
        """``driver `pipeline` calls task `train` via helper `fit_all```."""
        chain = self.driver_chains.get(qualname)
        if not chain:
            return f"`{qualname}`"
        if len(chain) == 1:  # a Flyte 1 workflow/dynamic/eager, or a task opening flyte.group
            return f"driver `{qualname}`"
        text = f"driver `{chain[0]}` calls task `{chain[-1]}`"
        if len(chain) > 2:
            text += " via helper " + " -> ".join(f"`{c}`" for c in chain[1:-1])
        return text


def is_mutable_literal(value: cst.BaseExpression, names: Iterable[str] = ()) -> bool:
    """Whether ``value`` builds a mutable container: a list/dict/set display or comprehension, or
    a call whose qualified names (``names``) are ``list()``, ``dict()``, ``defaultdict()``..."""
    if isinstance(value, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
        return True
    return isinstance(value, cst.Call) and bool(set(names) & _MUTABLE_FACTORIES)


class _Collector(cst.CSTVisitor):
    """The single pass: functions with their calls and mutations, bindings, environments."""

    def __init__(self, qnames, module: Optional[cst.Module] = None, path: Optional[str] = None) -> None:
        super().__init__()
        self.qnames = qnames
        self.module = module
        self.path = path
        # Environments imported from project files, looked up on the first `@name.task` whose
        # `name` is not a local environment (most modules never need the file reads).
        self._imported_envs: Optional[set[str]] = None
        self.functions: dict[str, FunctionInfo] = {}
        self.stack: list[FunctionInfo] = []
        self.opening: list[FunctionInfo] = []
        self.class_stack: list[str] = []
        self.envs: set[str] = set()
        self.bindings: dict[str, Binding] = {}
        self.class_attributes: dict[str, dict[str, Binding]] = {}
        self.module_functions: dict[str, str] = {}
        # (alias, function name, kind, env) for `alias = env.task(fn)` style registrations.
        self.wrapped: list[tuple[str, str, str, Optional[str]]] = []
        self.awaited: set[int] = set()
        # (function, call, name) for calls whose callee must be resolved after the pass.
        self.pending: list[tuple[FunctionInfo, CallSite, str]] = []
        # Module-level functions that return a TaskEnvironment (`def make_env(name): return
        # flyte.TaskEnvironment(name=name, ...)`): what they return is an environment too.
        self.env_factories: set[str] = set()
        # (qualname of a function, local variable) -> the function it stands for, for
        # `fn = functools.partial(task, ...)` and `t = task.override(...)`.
        self.aliases: dict[tuple[str, str], str] = {}
        # Module-level class -> names of its base classes.
        self.class_bases: dict[str, list[str]] = {}
        # (function, name) for names used as elements of list/tuple/set/dict displays.
        self.value_refs: list[tuple[FunctionInfo, str]] = []
        # qualname of a method -> (name of its `self`/`cls` parameter, qualname of its class).
        self.method_owner: dict[str, tuple[str, str]] = {}
        # (qualname of a function, local variable) -> class name it was built from (`r = Runner()`).
        self.instances: dict[tuple[str, str], str] = {}

    def names(self, node: cst.CSTNode) -> frozenset[str]:
        # Only plain dotted names: LibCST names `f().g` "f.g", which is not what is called.
        if dotted_name(node) is None:  # type: ignore[arg-type]
            return frozenset()
        value = self.qnames.get(node, ())
        if isinstance(value, LazyValue):  # QualifiedNameProvider computes names on demand
            value = value()
        return frozenset(public_name(q.name) for q in value or ())

    # -- environments and bindings -----------------------------------------------------------

    def _is_env_value(self, value: cst.BaseExpression) -> bool:
        if not isinstance(value, cst.Call):
            return False
        if TASK_ENVIRONMENT in self.names(value.func):
            return True
        func = value.func
        if isinstance(func, cst.Name) and func.value in self.env_factories:
            return True  # `env = make_env("train")`
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value == "clone_with"
            and dotted_name(func.value) is not None
            and self._is_env_name(dotted_name(func.value))  # type: ignore[arg-type]
        )

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression, statement: cst.CSTNode) -> None:
        if (
            isinstance(target, (cst.Tuple, cst.List))
            and isinstance(value, (cst.Tuple, cst.List))
            and len(target.elements) == len(value.elements)
            and not any(isinstance(e, cst.StarredElement) for e in (*target.elements, *value.elements))
        ):
            # `CACHE, SEEN = {}, set()`: bind element-wise.
            for name, item in zip(target.elements, value.elements):
                self._bind(name.value, item.value, statement)
            return
        if not isinstance(target, cst.Name):
            return
        binding = Binding(target.value, value, statement)
        if self.stack:
            return
        if self.class_stack:
            if len(self.class_stack) == 1:
                self.class_attributes.setdefault(self.class_stack[0], {})[target.value] = binding
                if self._is_env_value(value):  # `class Envs: gpu = flyte.TaskEnvironment(...)`
                    self.envs.add(f"{self.class_stack[0]}.{target.value}")
            return
        self.bindings[target.value] = binding
        if self._is_env_value(value):
            self.envs.add(target.value)
        wrapped = self._wrapped_function(value)
        if wrapped is not None:
            self.wrapped.append((target.value, *wrapped))

    def _wrapped_function(self, value: cst.BaseExpression) -> Optional[tuple[str, str, Optional[str]]]:
        """``(function name, kind, env)`` for ``env.task(fn)``, ``env.task(...)(fn)``, ``flyte.trace(fn)``."""
        if not isinstance(value, cst.Call) or len(value.args) != 1 or not isinstance(value.args[0].value, cst.Name):
            return None
        wrapper = value.func.func if isinstance(value.func, cst.Call) else value.func
        fn = value.args[0].value.value
        if TRACE in self.names(wrapper):
            return fn, "trace", None
        if (
            isinstance(wrapper, cst.Attribute)
            and wrapper.attr.value == "task"
            and dotted_name(wrapper.value) is not None
            and self._is_env_name(dotted_name(wrapper.value))  # type: ignore[arg-type]
        ):
            return fn, "task", dotted_name(wrapper.value)
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value, node)
            self._record_store(target.target, node, "assignment")
            self._record_instance(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, node)
            self._record_store(node.target, node, "assignment")
            self._record_instance(node.target, node.value)

    def _record_instance(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``runner = Runner(...)`` in a function: ``runner.fit()`` later calls ``Runner.fit``."""
        if not isinstance(target, cst.Name) or (not self.stack and self.class_stack):
            return
        # Module-level instances (`PIPELINE = Pipeline(cfg)`) are keyed by the empty qualname.
        key = (self.stack[-1].qualname if self.stack else "", target.value)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
            self.instances[key] = value.func.value
        else:
            self.instances[key] = ""  # rebound to something else: not an instance we know
        # `fn = partial(train, lr=0.1)` / `big = train.override(...)`: `fn` stands for `train`.
        ref = _function_ref(value, self) if self.stack and isinstance(value, cst.Call) else None
        if ref is not None:
            self.aliases[key] = _ref_name(ref, self, self.stack[-1])
        else:
            self.aliases.pop(key, None)

    def _method_callee(self, info: FunctionInfo, receiver: str, method: str) -> str:
        """``Class.method`` for ``self.method()`` in a method (or a function nested in one) and for
        ``obj.method()`` with ``obj = Class(...)`` earlier in the function or at module level;
        else ``receiver.method``."""
        if (info.qualname, receiver) in self.instances:  # a local variable
            cls = self.instances[(info.qualname, receiver)]
            return f"{cls}.{method}" if cls else f"{receiver}.{method}"
        current: Optional[FunctionInfo] = info
        while current is not None:
            owner = self.method_owner.get(current.qualname)
            if owner is not None and owner[0] == receiver:
                return f"{owner[1]}.{method}"
            current = self.functions.get(current.parent) if current.parent else None
        cls = self.instances.get(("", receiver))
        if cls and not self._bound_locally(info, receiver):
            return f"{cls}.{method}"
        return f"{receiver}.{method}"

    def _bound_locally(self, info: FunctionInfo, name: str) -> bool:
        """Whether ``name`` is a parameter of ``info`` (so not the module-level instance)."""
        params = info.node.params
        return any(p.name.value == name for p in (*params.posonly_params, *params.params, *params.kwonly_params))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._record_store(node.target, node, "augmented assignment")

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else [node.target]
        for target in targets:
            expr = target.value if isinstance(target, cst.Element) else target
            self._record_store(expr, node, "del")

    def _record_store(self, target: cst.BaseExpression, statement: cst.CSTNode, how: str) -> None:
        """``x[k] = v`` / ``x.a = v`` / ``x += ...`` inside a function mutate what ``x`` names."""
        if not self.stack:
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._record_store(element.value, statement, how)
            return
        if isinstance(target, (cst.Subscript, cst.Attribute)):
            root = _root_name(target)
            if root is not None:
                kind = "item assignment" if isinstance(target, cst.Subscript) else "attribute assignment"
                if how == "del":
                    kind = "del"
                self.stack[-1].mutations.append(Mutation(root.value, statement, root, kind, _first_attribute(target)))
        elif isinstance(target, cst.Name) and how == "augmented assignment":
            self.stack[-1].mutations.append(Mutation(target.value, statement, target, how))

    # -- classes and functions ---------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.append(node.name.value)
        if len(self.class_stack) == 1 and not self.stack:
            # Base classes of this module, for `self.method()` defined in a base.
            self.class_bases[node.name.value] = [b.value.value for b in node.bases if isinstance(b.value, cst.Name)]

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def _is_env_name(self, name: str) -> bool:
        """Whether ``name`` is a TaskEnvironment: module-level here, or imported from a project
        file (``from .env import env``)."""
        if name in self.envs:
            return True
        if self._imported_envs is None:
            self._imported_envs = set()
            if self.module is not None and self.path is not None:
                from flytemigrate.lint.imported import imported_envs

                self._imported_envs = imported_envs(self.module, self.path)
                # Imported environments behave like local ones from here on (`.clone_with`).
                self.envs |= self._imported_envs
        return name in self.envs

    def _classify(self, node: cst.FunctionDef) -> tuple[str, Optional[str], Optional[str]]:
        for decorator in node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            names = self.names(target)
            if TRACE in names:
                return "trace", None, None
            if FLYTEKIT_TASK in names:
                return "task", FLYTEKIT_TASK, None
            hit = names & FLYTEKIT_DRIVERS
            if hit:
                return "task", sorted(hit)[0], None
            if (
                isinstance(target, cst.Attribute)
                and target.attr.value == "task"
                and dotted_name(target.value) is not None
                and self._is_env_name(dotted_name(target.value))  # type: ignore[arg-type]
            ):
                return "task", "flyte2", dotted_name(target.value)
        return "helper", None, None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kind, decorator, env = self._classify(node)
        name = node.name.value
        if self.stack:
            parent = self.stack[-1]
            qualname = f"{parent.qualname}.<locals>.{name}"
            parent.nested[name] = qualname
        else:
            parent = None
            qualname = ".".join([*self.class_stack, name])
            if not self.class_stack:
                self.module_functions[name] = qualname
            elif node.params.params and not any(
                isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in node.decorators
            ):
                # The first parameter is the instance (or the class, for classmethods).
                self.method_owner[qualname] = (node.params.params[0].name.value, ".".join(self.class_stack))
        info = FunctionInfo(
            qualname=qualname,
            node=node,
            kind=kind,
            is_async=node.asynchronous is not None,
            parent=parent.qualname if parent else None,
            decorator=decorator,
            env=env,
        )
        self.functions[qualname] = info
        self.opening.append(info)

    # Only the body belongs to the function: decorators and defaults run where it is defined.
    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.stack.append(self.opening.pop())

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Global(self, node: cst.Global) -> None:
        if self.stack:
            self.stack[-1].globals_.append(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if self.stack:
            self.stack[-1].nonlocals.append(node)

    def visit_Return(self, node: cst.Return) -> None:
        # Only module-level functions: a factory's result is bound at module level before use.
        if len(self.stack) == 1 and self.stack[0].parent is None and "." not in self.stack[0].qualname:
            if node.value is not None and self._is_env_value(node.value):
                self.env_factories.add(self.stack[0].name)

    # -- tasks collected in displays: `steps = [clean, train]`, `{"a": fit_a, "b": fit_b}` -----

    def _value_ref(self, value: cst.BaseExpression) -> None:
        name = dotted_name(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
        if self.stack and name is not None:
            self.value_refs.append((self.stack[-1], name))

    def visit_Element(self, node: cst.Element) -> None:
        self._value_ref(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._value_ref(node.value)

    def visit_Await(self, node: cst.Await) -> None:
        if isinstance(node.expression, cst.Call):
            self.awaited.add(id(node.expression))

    # -- calls -------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if not self.stack:
            return
        info = self.stack[-1]
        site = CallSite(node=node, names=self.names(node.func), awaited=id(node) in self.awaited)
        info.calls.append(site)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATING_METHODS:
            root = _root_name(func.value)
            if root is not None:
                info.mutations.append(
                    Mutation(root.value, node, root, f"`.{func.attr.value}()`", _first_attribute(func.value))
                )
        ref: Optional[cst.BaseExpression] = None
        if isinstance(func, cst.Name):  # t(...)
            ref = func
        elif isinstance(func, cst.Attribute) and func.attr.value == "aio":
            if dotted_name(func.value) is not None:  # t.aio(...), tasks.t.aio(...)
                ref, site.kind = func.value, "aio"
            elif isinstance(func.value, cst.Call) and _override_of(func.value) is not None:  # t.override(...).aio(...)
                ref, site.kind = _override_of(func.value), "aio"
        elif isinstance(func, cst.Call):
            if _override_of(func) is not None:  # t.override(...)(...)
                ref, site.kind = _override_of(func), "override"
            elif FLYTEKIT_MAP & self.names(func.func) and func.args:  # map_task(t)(...)
                ref = _function_ref(func.args[0].value, self)
                site.kind = "map"
        if ref is not None:
            site.ref = ref
            self.pending.append((info, site, _ref_name(ref, self, info)))
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            # Class.method(...), self.method(...), obj.method(...)
            self.pending.append((info, site, self._method_callee(info, func.value.value, func.attr.value)))
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.attr.value != "aio"
        ):  # Class(...).method(...)
            self.pending.append((info, site, f"{func.value.func.value}.{func.attr.value}"))
        if isinstance(func, cst.Call):
            return
        # Functions handed to another call: flyte.map(t, xs), pool.submit(t, x), Thread(target=t).
        is_map = bool(site.names & MAP_CALLS)
        for index, arg in enumerate(node.args):
            if is_map and (index > 0 or arg.keyword is not None):
                break  # flyte.map(fn, *iterables): only the first argument is a function
            passed_ref = _function_ref(arg.value, self)
            if passed_ref is None:
                continue
            passed = CallSite(
                node=node,
                names=site.names,
                kind="map" if is_map else "passed",
                awaited=site.awaited,
                ref=passed_ref,
                derived=True,
            )
            info.calls.append(passed)
            self.pending.append((info, passed, _ref_name(passed_ref, self, info)))


def _ref_name(ref: cst.BaseExpression, collector: _Collector, info: FunctionInfo) -> str:
    """The name a function reference is resolved by: ``t``, ``tasks.t`` (a module's task),
    ``Class.method`` for ``self.method``/``obj.method``."""
    if isinstance(ref, cst.Attribute) and isinstance(ref.value, cst.Name):
        return collector._method_callee(info, ref.value.value, ref.attr.value)
    if isinstance(ref, cst.Name):
        current: Optional[FunctionInfo] = info
        while current is not None:  # aliases of enclosing functions are visible in closures
            alias = collector.aliases.get((current.qualname, ref.value))
            if alias is not None:
                return alias
            current = collector.functions.get(current.parent) if current.parent else None
    return dotted_name(ref) or ""


def _override_of(call: cst.Call) -> Optional[cst.BaseExpression]:
    """``t`` for ``t.override(...)`` (``tasks.t`` for ``tasks.t.override(...)``)."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "override" and dotted_name(func.value) is not None:
        return func.value
    return None


def _function_ref(value: cst.BaseExpression, collector: _Collector) -> Optional[cst.BaseExpression]:
    """``t`` for ``t``, ``t.override(...)`` or ``functools.partial(t, ...)`` used as a value
    (``tasks.t`` likewise, for a task of an imported module)."""
    if dotted_name(value) is not None:
        return value
    if isinstance(value, cst.Call):
        ref = _override_of(value)
        if ref is not None:
            return ref
        if PARTIAL & collector.names(value.func) and value.args:
            first = value.args[0].value
            if dotted_name(first) is not None:
                return first
            return _override_of(first) if isinstance(first, cst.Call) else None
    return None


def _resolve(collector: _Collector, info: FunctionInfo, name: str) -> Optional[str]:
    """Qualname of the function ``name`` means inside ``info``: nested defs first, then module level.

    A dotted ``Class.method`` resolves to a method of a module-level class.
    """
    if "." in name:
        if "<locals>" in name:
            return None
        if name in collector.functions:
            return name
        # A method inherited from a base class of this module (`self.fit()` defined in `Base`).
        cls, _, method = name.rpartition(".")
        seen: set[str] = set()
        queue = list(collector.class_bases.get(cls, ()))
        while queue:
            base = queue.pop(0)
            if base in seen:
                continue
            seen.add(base)
            if f"{base}.{method}" in collector.functions:
                return f"{base}.{method}"
            queue.extend(collector.class_bases.get(base, ()))
        return None
    current: Optional[FunctionInfo] = info
    while current is not None:
        if name in current.nested:
            return current.nested[name]
        current = collector.functions.get(current.parent) if current.parent else None
    return collector.module_functions.get(name)


def _scope_function(scope: Optional[Scope]) -> Optional[cst.CSTNode]:
    """The FunctionDef whose body contains ``scope`` (comprehension scopes belong to their function)."""
    while scope is not None and not isinstance(scope, GlobalScope):
        if isinstance(scope, FunctionScope) and isinstance(scope.node, cst.FunctionDef):
            return scope.node
        scope = scope.parent
    return None


def analyze(wrapper: MetadataWrapper, path: Optional[str] = None) -> ModuleAnalysis:
    """Analyse ``wrapper.module`` (metadata resolved through ``wrapper``, so it is shared with rules).

    With the file's ``path``, names imported from project files where they are tasks count as
    tasks too (``flytemigrate.lint.imported``).
    """
    qnames = wrapper.resolve(QualifiedNameProvider)
    collector = _Collector(qnames, wrapper.module, path)
    wrapper.module.visit(collector)
    functions = collector.functions

    # `train = env.task(train_fn)`: the function is a task, callable under both names.
    for alias, fn, kind, env in collector.wrapped:
        qualname = collector.module_functions.get(fn)
        if qualname is None or functions[qualname].kind != "helper":
            continue
        info = functions[qualname]
        info.kind, info.env = kind, env
        info.decorator = "flyte2" if kind == "task" else None
        collector.module_functions[alias] = qualname
    # Resolve callees; unresolved calls keep target None.
    for info, site, name in collector.pending:
        site.target = _resolve(collector, info, name)
    external = {
        name
        for _info, site, name in collector.pending
        if site.target is None and site.kind in ("aio", "override", "map") and "." not in name
    }
    imported: dict[str, tuple[bool, bool]] = {}
    if path is not None and (collector.pending or collector.value_refs):
        from flytemigrate.lint.imported import imported_tasks

        imported = imported_tasks(wrapper.module, path)
        external |= {name for _info, site, name in collector.pending if site.target is None and name in imported}
    for _info, site, name in collector.pending:
        if site.target is None and name in external:
            site.external = name
    for info, name in collector.value_refs:
        target = _resolve(collector, info, name)
        if target is not None and functions[target].kind == "task" and target != info.qualname:
            info.task_refs.append(target)
        elif target is None and name in imported:
            info.task_refs.append(name)
    # Any Name argument produced a derived record; keep those that name a function of the module
    # (or an imported task).
    for info in functions.values():
        info.calls = [c for c in info.calls if not c.derived or c.target is not None or c.external is not None]

    driver_chains, reaches_task = _driver_chains(functions)
    replayed = _reachable(functions, list(driver_chains), follow=("helper",))
    task_reached = _reachable(functions, [q for q, f in functions.items() if f.kind == "task"], follow=("helper", "trace"))
    global_accesses, global_users, sites = _global_accesses(wrapper, functions, collector.bindings, collector.module_functions)
    return ModuleAnalysis(
        functions=functions,
        envs=collector.envs,
        bindings=collector.bindings,
        class_attributes=collector.class_attributes,
        replayed=replayed,
        driver_chains=driver_chains,
        global_accesses=global_accesses,
        global_users=global_users,
        task_reached=task_reached,
        external_tasks=external,
        external_kinds={name: kind for name, kind in imported.items() if name in external},
        global_access_sites=sites,
        reaches_task=reaches_task,
    )


def _driver_chains(functions: dict[str, FunctionInfo]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Fixpoint over helper calls: for each helper, the shortest chain to a task it starts;
    then for each task, the chain that makes it a driver. Returns ``(drivers, helpers)``."""
    reaches: dict[str, list[str]] = {}

    def kind(q: Optional[str]) -> Optional[str]:
        return functions[q].kind if q in functions else None

    for q, info in functions.items():
        for call in info.calls:
            if kind(call.target) == "task" and call.target != q:
                reaches[q] = [q, call.target]  # type: ignore[list-item]
                break
            if call.external is not None:
                reaches[q] = [q, call.external]
                break
        else:
            if info.task_refs:  # `for step in (clean, train): x = step(x)`
                reaches[q] = [q, info.task_refs[0]]
    changed = True
    while changed:
        changed = False
        for q, info in functions.items():
            if info.kind != "helper":
                continue
            for call in info.calls:
                t = call.target
                if t is None or t == q or kind(t) != "helper" or t not in reaches:
                    continue
                candidate = [q, *reaches[t]]
                if q not in reaches or len(candidate) < len(reaches[q]):
                    if q not in candidate[1:]:
                        reaches[q] = candidate
                        changed = True
    chains: dict[str, list[str]] = {}
    for q, info in functions.items():
        if info.kind != "task":
            continue
        direct = reaches.get(q)
        best = direct if direct and len(direct) == 2 else None
        if best is None:
            for call in info.calls:
                t = call.target
                if t is not None and kind(t) == "helper" and t in reaches:
                    candidate = [q, *reaches[t]]
                    if best is None or len(candidate) < len(best):
                        best = candidate
        if best is None and (info.decorator in FLYTEKIT_DRIVERS or any(GROUP in c.names for c in info.calls)):
            # `with flyte.group(...)` only makes sense around child actions: a driver whose
            # tasks are imported and called in ways the analysis cannot see.
            best = [q]
        if best is not None:
            chains[q] = best
    return chains, {q: chain for q, chain in reaches.items() if functions[q].kind == "helper"}


def _reachable(functions: dict[str, FunctionInfo], roots: list[str], follow: tuple[str, ...]) -> dict[str, list[str]]:
    """``roots`` and the functions of kinds ``follow`` they call (BFS, shortest chain kept)."""
    replayed: dict[str, list[str]] = {}
    for driver in roots:
        queue = deque([[driver]])
        while queue:
            chain = queue.popleft()
            q = chain[-1]
            if q in replayed and len(replayed[q]) <= len(chain):
                continue
            replayed[q] = chain
            info = functions[q]
            nexts = [c.target for c in info.calls if c.target is not None]
            # Nested helpers defined in a replayed function and used as callbacks run there too.
            nexts += list(info.nested.values())
            for t in nexts:
                if t in functions and functions[t].kind in follow and t not in chain:
                    queue.append([*chain, t])
    return replayed


def _global_accesses(
    wrapper: MetadataWrapper,
    functions: dict[str, FunctionInfo],
    bindings: dict[str, Binding],
    module_functions: dict[str, str],
) -> tuple[dict[int, str], dict[str, set[str]], list[tuple[str, str, cst.Name]]]:
    """Accesses of module-level names from function bodies (via LibCST's scope analysis)."""
    sites: list[tuple[str, str, cst.Name]] = []
    scopes = wrapper.resolve(ScopeProvider)
    module_scope = scopes.get(wrapper.module)
    by_node = {id(info.node): q for q, info in functions.items()}
    accesses: dict[int, str] = {}
    users: dict[str, set[str]] = {}
    if module_scope is None:
        return accesses, users, sites
    for name in bindings:
        references = {id(a): a for assignment in module_scope.assignments[name] for a in assignment.references}
        for access in references.values():
            if not isinstance(access.node, cst.Name):
                continue
            function = _scope_function(access.scope)
            if function is None:
                continue
            accesses[id(access.node)] = name
            q = by_node.get(id(function))
            if q is not None:
                users.setdefault(name, set()).add(q)
                sites.append((name, q, access.node))
    sites.sort(key=lambda s: (s[0], s[1]))
    return accesses, users, sites
