"""Showing plans and apply results: rich on a terminal (grouped, coloured), plain text otherwise, JSON for tools."""

from __future__ import annotations

import dataclasses

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cal_attributes.state.changes import Change, Phase
from cal_attributes.state.engine import ApplyReport, Outcome, Result
from cal_attributes.state.model import JSON
from cal_attributes.state.planner import Plan, changes_by_phase

HEADINGS = {
    Phase.ATTRIBUTES: "Attributes",
    Phase.OPTIONS: "Options",
    Phase.ASSIGNMENTS: "Assignments and weights",
    Phase.UNASSIGNMENTS: "Unassignments",
    Phase.OPTION_DELETIONS: "Option deletions",
    Phase.ATTRIBUTE_DELETIONS: "Attribute deletions",
}
MARKS = {
    "create": ("+", "green"),
    "assign": ("+", "green"),
    "update": ("~", "yellow"),
    "unassign": ("-", "red"),
    "delete": ("-", "red"),
}


def mark(change: Change) -> tuple[str, str]:
    return MARKS[change.kind.split()[0]]


def render_plan(plan: Plan, console: Console) -> None:
    for phase, changes in changes_by_phase(plan):
        console.print(f"[bold]{HEADINGS[Phase(phase)]}[/bold] ({len(changes)})")
        for change in changes:
            symbol, colour = mark(change)
            console.print(f"  [{colour}]{symbol} {escape(change.describe())}[/{colour}]")
    for change in plan.refused:
        console.print(f"[red]refused (needs --allow-retype): {escape(change.describe())}[/red]")
    for change in plan.skipped:
        console.print(f"[dim]skipped (locked; --include-locked to change): {escape(change.describe())}[/dim]")
    for warning in plan.warnings:
        console.print(f"[yellow]warning: {escape(warning)}[/yellow]")
    console.print(summary(plan))


def summary(plan: Plan) -> str:
    counts = {"+": 0, "~": 0, "-": 0}
    for change in plan.changes:
        counts[mark(change)[0]] += 1
    text = f"Plan: {counts['+']} to add, {counts['~']} to change, {counts['-']} to remove"
    if not plan.has_changes:
        text = "No changes: the organization matches the file"
    extras = []
    if plan.refused:
        extras.append(f"{len(plan.refused)} refused")
    if plan.skipped:
        extras.append(f"{len(plan.skipped)} skipped (locked)")
    left = plan.left_alone
    if left.total:
        extras.append(
            f"left alone: {counted(left.attributes, 'attribute')}, {counted(left.options, 'option')}, "
            f"{counted(left.assignments, 'assignment')}"
            " not in the file (--prune removes them)"
        )
    return text + "".join(f"; {e}" for e in extras) + "."


def camel_keys(fields: dict[str, JSON]) -> dict[str, JSON]:
    """``fields`` with snake_case names in camelCase (``attribute_id`` -> ``attributeId``), the
    style of Cal.com's own JSON, so a plan's JSON has one style throughout."""
    return {_camel(name): value for name, value in fields.items()}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def counted(count: int, noun: str) -> str:
    """``1 change``, ``2 changes``: the count with its noun in the right number."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def plan_to_json(plan: Plan) -> dict[str, JSON]:
    """The plan for tools: camelCase keys throughout (each change's fields included)."""

    def change(c: Change) -> dict[str, JSON]:
        return {
            "phase": Phase(c.phase).name.lower(),
            "kind": c.kind,
            "description": c.describe(),
            **camel_keys(dataclasses.asdict(c)),
        }

    return {
        "changes": [change(c) for c in plan.changes],
        "refused": [change(c) for c in plan.refused],
        "skipped": [change(c) for c in plan.skipped],
        "warnings": list(plan.warnings),
        "leftAlone": camel_keys(dataclasses.asdict(plan.left_alone)),
        "options": camel_keys(dataclasses.asdict(plan.options)),
        "hasChanges": plan.has_changes,
    }


def render_report(report: ApplyReport, console: Console) -> None:
    counts = ", ".join(f"{report.count(r)} {r.value}" for r in Result if r is not Result.NOT_DONE)
    not_done = report.not_done()
    console.print(f"Applied: {counts}, {len(not_done)} not done ({counted(report.requests, 'request')}).")
    for outcome in report.outcomes:
        if outcome.result is Result.FAILED:
            console.print(f"[red]failed: {escape(outcome.change.describe())}: {escape(outcome.message)}[/red]")
    if report.stopped:
        console.print(f"[red]stopped: {escape(report.stopped)}[/red]")
    for change in not_done:
        console.print(f"[yellow]not done: {escape(change.describe())}[/yellow]")
    if not_done:
        console.print("Run apply again to finish: it plans from the organization as it is now.")


class LineProgress:
    """One line per finished change (logs, CI)."""

    def __init__(self, console: Console) -> None:
        self.console, self.total, self.count = console, 0, 0

    def started(self, total: int) -> None:
        self.total = total

    def finished(self, outcome: Outcome) -> None:
        self.count += 1
        suffix = f": {outcome.message}" if outcome.message else ""
        self.console.print(
            f"[{self.count}/{self.total}] {outcome.result.value}: {escape(outcome.change.describe())}{escape(suffix)}"
        )


class BarProgress:
    """A progress bar with counts and an ETA (terminals)."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("applying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.task: TaskID | None = None

    def started(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("apply", total=total)

    def finished(self, outcome: Outcome) -> None:
        if self.task is not None:
            self.bar.advance(self.task)
        if outcome.result is Result.FAILED:
            self.bar.console.print(f"[red]failed: {escape(outcome.change.describe())}: {escape(outcome.message)}[/red]")

    def stop(self) -> None:
        self.bar.stop()
