"""The cal-attributes command: export, plan, apply and import-csv over the state API."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from rich.console import Console

from cal_attributes.state.api import AsyncStateManager
from cal_attributes.state.connection import Connection, ConnectionError
from cal_attributes.state.csvimport import import_csv
from cal_attributes.state.engine import ApplyReport, Progress, RefusedPlanError
from cal_attributes.state.model import State
from cal_attributes.state.ops import OperationError
from cal_attributes.state.planner import Plan
from cal_attributes.state.render import BarProgress, LineProgress, plan_to_json, render_plan, render_report
from cal_attributes.state.runner import RunSettings
from cal_attributes.state.stateio import StateFileError, dump_state

OK, FAILED, CHANGES = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--org-id", type=int, help="the organization (default: CAL_ORG_ID)")
    common.add_argument("--url", help="the API URL (default: CAL_API_URL or https://api.cal.com)")
    common.add_argument(
        "--max-per-minute", type=float, default=100, help="request rate limit, reads included (default 100)"
    )
    planning = argparse.ArgumentParser(add_help=False)
    planning.add_argument("file", help="the state file (YAML)")
    planning.add_argument("--prune", action="store_true", help="also remove what the file does not mention")
    planning.add_argument("--include-locked", action="store_true", help="also change attributes an integration owns")
    planning.add_argument(
        "--allow-retype", action="store_true", help="apply type changes (options and assignments are kept)"
    )
    planning.add_argument("--json", action="store_true", help="print the plan as JSON")

    top = argparse.ArgumentParser(
        prog="cal-attributes",
        description="Keep a Cal.com organization's attributes and assignments in step with a state file. "
        "Credentials: CAL_API_KEY, or CAL_CLIENT_ID and CAL_CLIENT_SECRET of a platform OAuth client.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", parents=[common], help="write the organization's current state")
    export.add_argument("-o", "--output", help="the file to write (default: standard output)")
    export.add_argument("--weights", action="store_true", help="also read weights (one history request per member)")
    commands.add_parser("plan", parents=[common, planning], help="show what apply would change (exit 2 if anything)")
    apply = commands.add_parser("apply", parents=[common, planning], help="make the organization match the file")
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed off a terminal)")
    apply.add_argument("--dry-run", action="store_true", help="only plan")
    imports = commands.add_parser(
        "import-csv", parents=[common], help="turn user_id,attribute,value[,weight] rows into a state file"
    )
    imports.add_argument("csv", help="the CSV file")
    imports.add_argument("-o", "--output", help="the state file to write (default: standard output)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    try:
        desired = State.load(args.file) if args.command in ("plan", "apply") else None  # checked before any request
        connection = Connection.from_env(args.org_id, base_url=args.url)
        manager = AsyncStateManager.connect(connection, RunSettings(max_per_minute=args.max_per_minute))
        if args.command == "export":
            return _write(dump_state(asyncio.run(manager.export(weights=args.weights))), args.output, err)
        if args.command == "import-csv":
            with open(args.csv, encoding="utf-8", newline="") as source:
                text = source.read()
            return _write(dump_state(import_csv(text, asyncio.run(manager.snapshot()), args.csv)), args.output, err)
        assert desired is not None
        plan = asyncio.run(
            manager.plan(desired, prune=args.prune, include_locked=args.include_locked, allow_retype=args.allow_retype)
        )
        _show(plan, args.json, out)
        if args.command == "plan" or args.dry_run:
            return CHANGES if plan.has_changes else OK
        return _apply(manager, plan, args.yes, out, err)
    except (StateFileError, ConnectionError, RefusedPlanError, ValueError, OSError) as error:
        err.print(f"error: {error}", markup=False, highlight=False)
    except OperationError as error:
        err.print(f"error: the organization could not be read: {error}", markup=False, highlight=False)
    return FAILED


def _show(plan: Plan, as_json: bool, out: Console) -> None:
    if as_json:
        out.print_json(json.dumps(plan_to_json(plan)))
    else:
        render_plan(plan, out)


def _apply(manager: AsyncStateManager, plan: Plan, yes: bool, out: Console, err: Console) -> int:
    if plan.refused:
        raise RefusedPlanError("the plan changes an attribute's type; run again with --allow-retype to apply it")
    if not plan.changes:
        return OK
    if not yes:
        if not sys.stdin.isatty():
            err.print("error: not a terminal: pass --yes to apply without confirmation")
            return FAILED
        if input(f"Apply {len(plan.changes)} changes? [y/N] ").strip().lower() not in ("y", "yes"):
            err.print("Nothing applied.")
            return FAILED
    report = ApplyReport(plan)
    progress: Progress = BarProgress(err) if err.is_terminal else LineProgress(out)
    try:
        asyncio.run(manager.apply(plan, progress=progress, report=report))
    except KeyboardInterrupt:
        report.stopped = "interrupted (Ctrl-C)"
    finally:
        if isinstance(progress, BarProgress):
            progress.stop()
    render_report(report, out)
    return OK if report.ok else FAILED


def _write(text: str, output: str | None, err: Console) -> int:
    if output is None:
        sys.stdout.write(text)
    else:
        with open(output, "w", encoding="utf-8") as target:
            target.write(text)
        err.print(f"wrote {output}", markup=False, highlight=False)
    return OK
