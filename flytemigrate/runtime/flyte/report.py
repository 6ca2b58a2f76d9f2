"""``flyte.report`` on the runtime: HTML report tabs collected per task, written under the run directory."""

from __future__ import annotations

from typing import Dict, List


class Tab:
    """One tab of a report."""

    def __init__(self, name: str):
        self.name = name
        self.content: List[str] = []

    def log(self, content: str) -> None:
        """Append HTML."""
        self.content.append(content)

    def replace(self, content: str) -> None:
        """Replace the tab's HTML."""
        self.content = [content]

    def get_html(self) -> str:
        """The tab's HTML."""
        return "\n".join(self.content)


class Report:
    """The report of one task call."""

    def __init__(self, name: str = "report"):
        self.name = name
        self.tabs: Dict[str, Tab] = {"main": Tab("main")}

    def get_tab(self, name: str) -> Tab:
        """The tab called ``name`` (created on first use)."""
        return self.tabs.setdefault(name, Tab(name))

    def get_final_report(self) -> str:
        """All tabs as one HTML document."""
        body = "".join(f"<section><h2>{t.name}</h2>{t.get_html()}</section>" for t in self.tabs.values())
        return f"<html><body>{body}</body></html>"


def current_report() -> Report:
    """The report of the executing task (a throwaway one outside a run)."""
    from flytemigrate.runtime import controller

    frame = controller.current_frame()
    if frame is None:
        return Report()
    if frame.report is None:
        frame.report = Report(frame.record.name)
    return frame.report


def get_tab(name: str, /, create_if_missing: bool = True) -> Tab:
    """A tab of the current report."""
    return current_report().get_tab(name)


def _syncify(func):
    async def aio(*args, **kwargs):
        return func(*args, **kwargs)

    func.aio = aio
    return func


@_syncify
def log(content: str, do_flush: bool = False) -> None:
    """Append HTML to the main tab."""
    get_tab("main").log(content)
    if do_flush:
        flush()


@_syncify
def replace(content: str, do_flush: bool = False) -> None:
    """Replace the main tab's HTML."""
    get_tab("main").replace(content)
    if do_flush:
        flush()


@_syncify
def flush() -> None:
    """Write the current report to ``<run_dir>/reports/<task>.html``."""
    from flytemigrate.runtime import controller

    frame = controller.current_frame()
    if frame is None:
        return
    out = frame.run.run_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{frame.record.name}.html").write_text(current_report().get_final_report())
