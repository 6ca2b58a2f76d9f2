"""Renderers of verify results: a rich table (text), JSON, and JUnit XML for CI dashboards."""

from __future__ import annotations

import collections
import json
from typing import TextIO
from xml.etree import ElementTree as ET

from flytemigrate.verify.runner import CaseResult

STYLES = {"equivalent": "green", "different": "red", "error": "red", "skipped": "yellow"}


def summary(results: list[CaseResult]) -> dict[str, int]:
    counts = collections.Counter(r.verdict for r in results)
    return {v: counts.get(v, 0) for v in ("equivalent", "different", "error", "skipped")}


def details(result: CaseResult) -> str:
    """The reason and diff lines of one result, as text (also the pytest failure message)."""
    lines = []
    if result.reason:
        lines.append(result.reason)
    lines += result.diffs
    return "\n".join(lines)


def render_text(results: list[CaseResult], stream: TextIO) -> None:
    """A table of verdicts with the diff of every non-equivalent case, then the totals."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=max(100, Console(file=stream).width), soft_wrap=False)
    if not results:
        console.print("no @workflow/@dynamic/@eager entries found")
        return
    table = Table(show_lines=False)
    for column in ("project", "entry", "case", "verdict", "details"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(r.project, f"{r.module}.{r.entry}", str(r.index),
                      f"[{STYLES[r.verdict]}]{r.verdict}[/]", details(r).replace("[", r"\["))
    console.print(table)
    counts = summary(results)
    console.print(", ".join(f"{n} {v}" for v, n in counts.items()))


def render_json(results: list[CaseResult], stream: TextIO) -> None:
    json.dump({"summary": summary(results), "results": [r.to_dict() for r in results]}, stream, indent=2,
              default=repr)
    stream.write("\n")


def render_junit(results: list[CaseResult], stream: TextIO) -> None:
    """One ``testcase`` per entry and input set; different/error are failures, skipped are skipped."""
    counts = summary(results)
    suite = ET.Element(
        "testsuite",
        name="flytemigrate-verify",
        tests=str(len(results)),
        failures=str(counts["different"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"{r.project}.{r.module}", name=f"{r.entry}[{r.index}]")
        # time spent running this case, all legs together (0 for cases that did not run)
        case.set("time", f"{sum(float(leg.get('duration_s') or 0) for leg in r.legs.values()):.3f}")
        if r.verdict == "different":
            ET.SubElement(case, "failure", message="not equivalent").text = details(r)
        elif r.verdict == "error":
            ET.SubElement(case, "error", message="error in one leg only").text = details(r)
        elif r.verdict == "skipped":
            ET.SubElement(case, "skipped", message=r.reason)
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit}
