"""Shared helpers of the FM2xx global-state rules (not a rule module itself)."""

from __future__ import annotations

from flytemigrate.lint.analysis import ModuleAnalysis


def where(analysis: ModuleAnalysis, qualname: str) -> str:
    """``task `t``` or ``helper `h` (run by task `t`)`` for messages."""
    info = analysis.functions[qualname]
    if info.kind == "task":
        return f"task `{qualname}`"
    tasks = analysis.tasks_running(qualname)
    runner = f" (run by task `{tasks[0]}`)" if tasks else ""
    return f"{info.kind} `{qualname}`{runner}"
