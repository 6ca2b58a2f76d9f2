"""Diagnostic codes the rewrite codemods leave behind (FM5xx band, "migration leftovers").

Every code below is both a diagnostic reported by ``flytemigrate rewrite`` and the code in the
``# TODO(flytemigrate FMxxx): ...`` comment inserted above the statement; the linter keeps
reporting unresolved TODO markers until a person resolves them. FM501-FM519 belong to lint
rules; the core codemods use FM520-FM539; the dataflow codemods (map_task, conditional, ...)
use FM540-FM559.

| code  | meaning                                                                         | what to do |
|-------|---------------------------------------------------------------------------------|------------|
| FM520 | a flytekit name with no automatic Flyte 2 rewrite is still used                 | port it by hand (see the message for the construct) |
| FM521 | a task/workflow argument has no Flyte 2 equivalent; removed, text kept in TODO  | re-create the setting in Flyte 2 terms or delete the TODO |
| FM522 | a value could not be converted statically (variable, non-literal)               | convert the value by hand (e.g. to ``flyte.Cache``) |
| FM523 | ``task_config`` plugin without a known Flyte 2 ``plugin_config`` mapping        | install the flyteplugins package and set ``plugin_config`` on the environment |
| FM524 | requests/limits given as variables that cannot be merged into one Resources     | write one ``flyte.Resources`` with ``(request, limit)`` tuples |
| FM525 | ``current_context()`` attribute without a Flyte 2 counterpart                   | use ``flyte.ctx()`` or environment variables |
| FM526 | a ``__main__`` call of a workflow/task that could not be turned into flyte.run  | call ``flyte.init()`` and ``flyte.run(task, **inputs)`` |
| FM527 | a NamedTuple output of a child task is used whole inside a driver               | Flyte 2 passes it as a plain tuple: rebuild it or index it |
| FM528 | a driver's environment does not list the environments of tasks imported from other modules | add them to ``depends_on=[...]``: ``flyte.run``/``flyte.deploy`` ship only the driver's environment and its dependencies |
"""

from __future__ import annotations

FM_LEFTOVER = "FM520"
FM_NO_EQUIVALENT = "FM521"
FM_UNKNOWN_VALUE = "FM522"
FM_PLUGIN_CONFIG = "FM523"
FM_CONFIG_CONFLICT = "FM524"
FM_CONTEXT = "FM525"
FM_MAIN_BLOCK = "FM526"
FM_NAMEDTUPLE = "FM527"
FM_DEPENDS_ON = "FM528"

ALL_CODES = {
    FM_LEFTOVER,
    FM_NO_EQUIVALENT,
    FM_UNKNOWN_VALUE,
    FM_PLUGIN_CONFIG,
    FM_CONFIG_CONFLICT,
    FM_CONTEXT,
    FM_MAIN_BLOCK,
    FM_NAMEDTUPLE,
    FM_DEPENDS_ON,
}
