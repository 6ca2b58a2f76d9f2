"""The ordered list of codemods run by ``flytemigrate rewrite``.

Order matters: constructs inside workflow bodies (conditionals, map_task, ordering) are rewritten
before the decorators that tell us a function is a workflow are replaced, and the imports codemod
runs last to drop flytekit imports that became unused and add the ones new code needs.
"""

from __future__ import annotations

from flytemigrate.codemods.async_style import AsyncStyleCodemod
from flytemigrate.codemods.conditional import ConditionalCodemod
from flytemigrate.codemods.config_values import ConfigValuesCodemod
from flytemigrate.codemods.context import ContextCodemod
from flytemigrate.codemods.eager import AsyncDriverCallsCodemod, EagerCodemod
from flytemigrate.codemods.failure import FailureCodemod
from flytemigrate.codemods.gates import GatesCodemod
from flytemigrate.codemods.imperative import ImperativeWorkflowCodemod
from flytemigrate.codemods.imports import ImportsCodemod
from flytemigrate.codemods.leftovers import LeftoversCodemod
from flytemigrate.codemods.launch_plan import LaunchPlanCallsCodemod, LaunchPlanCodemod
from flytemigrate.codemods.main_block import MainBlockCodemod
from flytemigrate.codemods.map_task import MapTaskCodemod
from flytemigrate.codemods.nested import NestedEntityCodemod
from flytemigrate.codemods.ordering import OrderingCodemod
from flytemigrate.codemods.overrides import OverridesCodemod
from flytemigrate.codemods.reference import ReferenceCodemod
from flytemigrate.codemods.task import TaskCodemod
from flytemigrate.codemods.types import TypesCodemod
from flytemigrate.codemods.workflow import WorkflowCodemod

# The order, and why:
#   1. dataflow codemods (map_task, conditional, ordering, failure handling, launch plans, gates,
#      async): they rewrite constructs *inside* workflow bodies, so they must see the Flyte 1
#      decorators that mark a function as a workflow. Insert them in the DATAFLOW slot below.
#   2. workflow / eager bodies (call sites, NamedTuple outputs, .aio) - still need the decorators.
#   3. __main__ blocks - need to know which functions were workflows/tasks.
#   4. TaskCodemod replaces the decorators and creates the TaskEnvironment(s).
#   5. value conversions (Resources/ImageSpec variables, types, current_context, Deck).
#   6. leftovers: TODO for any flytekit name still used.
#   7. ImportsCodemod last: drops flytekit imports that became unused.
CODEMODS: list[type] = [
    # imperative workflows become functional @workflow functions that everything below converts
    ImperativeWorkflowCodemod,
    # --- DATAFLOW slot (engineer B): add map_task, conditional, ... here ---
    MapTaskCodemod,  # first: reads launch plans and with_overrides on mapped nodes
    LaunchPlanCallsCodemod,  # before async style: a called launch plan becomes a call of its workflow
    ConditionalCodemod,
    GatesCodemod,
    OrderingCodemod,  # after gates: a sleep node is ordered like any other statement
    OverridesCodemod,
    FailureCodemod,  # after the body rewrites: wraps the final body in try/except
    ReferenceCodemod,
    AsyncStyleCodemod,  # last of the slot: awaits and gathers the calls the others produced (--async only)
    # --- core ---
    WorkflowCodemod,
    EagerCodemod,
    AsyncDriverCallsCodemod,  # --async only: child calls the async codemod left unawaited (module.task(...))
    NestedEntityCodemod,  # TODO on entities defined inside functions/classes (TaskCodemod leaves them)
    MainBlockCodemod,
    TypesCodemod,  # before TaskCodemod: tells leaf tasks (path/data-frame handling) from drivers
    TaskCodemod,
    LaunchPlanCodemod,  # after TaskCodemod: adds triggers= to the @env.task decorator
    ConfigValuesCodemod,
    ContextCodemod,
    LeftoversCodemod,
    ImportsCodemod,
]
