"""The catalogue of lint rules and the selection of codes (``--select``, ``--ignore``, config).

A rule is registered by importing its class here and listing it in ``ALL_RULES`` (kept sorted by
code). Selectors are codes or code prefixes (``FM1``, ``FM10``, ``FM101``); ``ALL`` selects all.
A selector that matches no known code is a usage error, so typos in CI config do not silently
disable linting.
"""

from __future__ import annotations

from typing import Iterable, Optional

from flytemigrate.lint.base import Rule

# -- FM3xx type safety, FM5xx leftovers, FM9xx suppression meta-rules (issue 4) ----------------
# -- FM1xx, FM2xx, FM4xx (D2) are appended below ------------------------------------------------

ALL_RULES: list[type[Rule]] = []


def _collect() -> list[type[Rule]]:
    """Import every rule module listed in ``RULE_MODULES`` and return the classes sorted by code."""
    import importlib

    classes: list[type[Rule]] = []
    for module_name in RULE_MODULES:
        module = importlib.import_module(f"flytemigrate.lint.rules.{module_name}")
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        ]
        if len(found) != 1:
            raise RuntimeError(f"rule module {module_name} must define exactly one Rule subclass, found {len(found)}")
        classes.append(found[0])
    return sorted(classes, key=lambda r: r.code)


# Module names in flytemigrate/lint/rules/ (one Rule class each). Add yours here.
RULE_MODULES: list[str] = [
    # FM3xx type safety of task interfaces
    "fm301_untyped_task_parameter",
    "fm302_missing_return_annotation",
    "fm303_variadic_task_parameters",
    "fm304_variadic_tuple_return",
    "fm305_loose_task_interface",
    # FM5xx Flyte 1 leftovers
    "fm501_flytekit_import",
    "fm502_flyte1_workflow_decorator",
    "fm503_current_context",
    "fm504_node_ordering_operator",
    "fm505_flyte1_conditional",
    "fm506_map_task",
    "fm507_resources_mem",
    "fm508_unresolved_todo",
    "fm509_unconsumed_map",
    # FM9xx suppression meta-rules
    "fm900_unused_suppression",
    "fm901_suppression_without_code",
    # FM1xx, FM2xx, FM4xx (D2)
    "fm101_driver_wall_clock",
    "fm102_driver_randomness",
    "fm103_unordered_iteration",
    "fm104_first_completed_control_flow",
    "fm105_driver_hash_or_id",
    "fm106_nondeterministic_task_argument",
    "fm107_module_level_nondeterminism",
    "fm108_driver_sleep",
    "fm201_global_statement_in_task",
    "fm202_module_mutable_in_task",
    "fm203_class_attribute_mutated_in_task",
    "fm204_file_shared_between_tasks",
    "fm205_mutable_default_argument",
    "fm401_large_output_in_driver",
    "fm402_io_in_driver",
    "fm403_task_called_in_trace",
    "fm404_await_sync_task",
    "fm405_sync_task_in_async_code",
    "fm406_async_task_in_sync_code",
    "fm407_task_in_thread",
    "fm408_env_option_on_task",
    "fm409_flyte_submodule_not_imported",
]

ALL_RULES.extend(_collect())


def rules_by_code() -> dict[str, type[Rule]]:
    return {rule.code: rule for rule in ALL_RULES}


class SelectionError(ValueError):
    """A selector matches no known rule code (usage error, exit 2)."""


def _normalise(selector: str) -> str:
    return selector.strip().upper()


def check_selectors(selectors: Iterable[str], extra_codes: Iterable[str] = ()) -> list[str]:
    """Validate selectors; return them normalised. Raises SelectionError for unknown ones."""
    known = [rule.code for rule in ALL_RULES] + list(extra_codes)
    result = []
    for raw in selectors:
        selector = _normalise(raw)
        if not selector:
            continue
        if selector != "ALL" and not any(code.startswith(selector) for code in known):
            raise SelectionError(f"unknown rule code or prefix: {raw!r} (see `flytemigrate rules`)")
        result.append(selector)
    return result


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(sel == "ALL" or code.startswith(sel) for sel in selectors)


def select_codes(select: Optional[Iterable[str]] = None, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The codes enabled by ``select`` (default: all rules) minus those matched by ``ignore``.

    As in ruff, the more specific selector wins: ``--select FM1 --ignore FM10`` drops FM10x, but
    ``--select FM101 --ignore FM1`` keeps FM101.
    """
    select = list(select) if select else ["ALL"]
    ignore = list(ignore)
    enabled = set()
    for rule in ALL_RULES:
        best_select = max((len(s) if s != "ALL" else 0 for s in select if _matches(rule.code, [s])), default=-1)
        best_ignore = max((len(s) if s != "ALL" else 0 for s in ignore if _matches(rule.code, [s])), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            enabled.add(rule.code)
    return frozenset(enabled)
