"""A short summary of a schemathesis run, from its JSON report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from cal_attributes_fuzz.checks import CHECK_NAMES, MEMBER_KEY_ENV, OTHER_ORG_KEY_ENV


def latest_report(report_dir: Path, pattern: str) -> Path | None:
    reports = sorted(report_dir.glob(pattern), key=lambda p: p.stat().st_mtime)
    return reports[-1] if reports else None


def cases_by_phase_and_mode(events: Path) -> Counter[tuple[str, str]]:
    """How many distinct cases each phase ran in each generation mode, from the NDJSON events."""
    counts: Counter[tuple[str, str]] = Counter()
    seen: set[str] = set()
    with events.open(encoding="utf-8") as handle:
        for line in handle:
            if '"ScenarioFinished"' not in line:
                continue
            scenario = json.loads(line)["ScenarioFinished"]
            for case_id, node in scenario.get("recorder", {}).get("cases", {}).items():
                if case_id in seen:
                    continue
                seen.add(case_id)
                meta = node.get("value", {}).get("meta") or {}
                counts[(meta.get("phase", {}).get("name", "?"), meta.get("generation", {}).get("mode", "?"))] += 1
    return counts


def failures_by_check(report: dict[str, Any]) -> Counter[str]:
    """How many failures each check found: schemathesis groups them by title, with a count per group."""
    counts: Counter[str] = Counter()
    for failure in report.get("failures", []):
        name = failure.get("title") or failure.get("code") or failure.get("check") or "unknown"
        counts[str(name)] += int(failure.get("count", 1))
    return counts


def summarize(report: dict[str, Any], by_phase_and_mode: Counter[tuple[str, str]] | None = None) -> list[str]:
    operations = report.get("operations", {})
    cases = report.get("test_cases", {})
    phases = ", ".join(f"{name} {info.get('status')}" for name, info in report.get("phases", {}).items())
    lines = [
        f"operations: {operations.get('tested', 0)} tested of {operations.get('selected', 0)} selected",
        f"test cases: {cases.get('generated', 0)} generated, {cases.get('with_failures', 0)} with failures, "
        f"{cases.get('unique_failures', 0)} unique failures, {cases.get('errored', 0)} errored, "
        # schemathesis' "without checks", which its console calls skipped: answered, but no
        # selected check applies to the case
        f"{cases.get('without_checks', 0)} skipped (answered; no selected check applies)",
        f"phases: {phases}",
        f"time: {report.get('running_time', 0):.1f} s, seed {report.get('seed')}",
    ]
    if by_phase_and_mode:
        lines.append(
            "cases by phase and mode: "
            + ", ".join(f"{phase}/{mode} {n}" for (phase, mode), n in sorted(by_phase_and_mode.items()))
        )
    errors = report.get("errors", [])
    if errors:
        lines.append("errors: " + ", ".join(f"{e.get('title')} {e.get('count', 1)}" for e in errors))
    by_check = failures_by_check(report)
    if by_check:
        lines.append("failures by check: " + ", ".join(f"{name} {count}" for name, count in by_check.most_common()))
    else:
        lines.append("failures by check: none")
    if report.get("filtered"):  # our only filter_failure hook: the live API's parseInt reading of query numbers
        lines.append(
            f"accepted as the API reads query numbers (parseInt, e.g. skip=0.5 is 0), not counted: {report['filtered']}"
        )
    return lines


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_notes(
    selected: str | None, excluded: str | None = None, *, writes: bool, identities: dict[str, str]
) -> list[str]:
    """Which Cal.com-aware checks ran, and why any of them could not do their whole job."""
    chosen = (selected or "all").split(",")
    names = [n for n in CHECK_NAMES if ("all" in chosen or n in chosen) and n not in (excluded or "").split(",")]
    if not names:
        return ["Cal.com checks: none selected"]
    notes = []
    if "cal_roles" in names:
        skipped = [
            f"the {who} replay (no {option})"
            for env, who, option in (
                (MEMBER_KEY_ENV, "member", "--member-key"),
                (OTHER_ORG_KEY_ENV, "other-organization", "--other-org-key"),
            )
            if env not in identities
        ]
        if skipped:
            notes.append("cal_roles skipped " + " and ".join(skipped))
    if not writes:
        notes.extend(
            f"{name} skipped (a read-only run makes no writes; use --allow-writes)"
            for name in ("cal_unique_slugs", "cal_writes_take_effect")
            if name in names
        )
    lines = ["Cal.com checks: " + ", ".join(names)]
    lines += notes
    return lines
