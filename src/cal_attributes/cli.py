"""The cal-attributes command: export, plan, apply and import-csv over the state API."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn

from rich.console import Console

from cal_attributes import AsyncCalAttributes
from cal_attributes._settings import DEFAULT_TIMEOUT, environ_credential
from cal_attributes.argtypes import number
from cal_attributes.errors import CalAttributesError, ConfigurationError
from cal_attributes.state.api import AsyncStateManager
from cal_attributes.state.csvimport import import_csv
from cal_attributes.state.engine import ApplyReport, RefusedPlanError
from cal_attributes.state.model import State
from cal_attributes.state.ops import OperationError
from cal_attributes.state.planner import Plan
from cal_attributes.state.render import BarProgress, LineProgress, counted, plan_to_json, render_plan, render_report
from cal_attributes.state.runner import RunSettings
from cal_attributes.state.stateio import StateFileError, dump_state, parse_state

OK, FAILED, CHANGES = 0, 1, 2
STDIN = "-"  # a file argument that means standard input, as -o - means standard output
STDIN_SOURCE = "<stdin>"  # how errors name it
MAX_RETRIES = 10  # each retry of a silent server costs --timeout and a doubling backoff


class _Parser(argparse.ArgumentParser):
    """argparse's parser with exit status 1 for a usage error (argparse's own is 2): ``plan``
    exits 2 for "changes to make", so a CI job reading 2 as drift must not read a typo as one."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--org-id", type=int, help="the organization (default: CAL_ORG_ID)")
    common.add_argument("--url", help="the API URL (default: CAL_API_URL or https://api.cal.com)")
    common.add_argument(
        "--max-per-minute",
        type=number(float, "a finite number of requests of at least 1", 1.0),
        help="request rate limit, reads included (default: CAL_MAX_PER_MINUTE or 100)",
    )
    common.add_argument(
        "--timeout",
        type=number(float, "a finite number of seconds above 0", 0.0, above=True),
        metavar="SECONDS",
        help="how long one attempt of a request may take (default: 30, 5 to connect)",
    )
    common.add_argument(
        "--max-retries",
        type=number(int, f"a whole number from 0 to {MAX_RETRIES}", 0, MAX_RETRIES),
        metavar="N",
        help="retries of a request that met a network error, a timeout, a 408 or a 5xx (default: 2)",
    )
    planning = _Parser(add_help=False)
    planning.add_argument("file", help="the state file (YAML; '-': standard input)")
    planning.add_argument("--prune", action="store_true", help="also remove what the file does not mention")
    planning.add_argument("--include-locked", action="store_true", help="also change attributes an integration owns")
    planning.add_argument(
        "--allow-retype", action="store_true", help="apply type changes (options and assignments are kept)"
    )
    planning.add_argument(
        "--no-member-check",
        action="store_true",
        help="do not check that users who hold nothing yet are members (one request each)",
    )
    planning.add_argument("--json", action="store_true", help="print the plan as JSON")

    top = _Parser(
        prog="cal-attributes",
        description="Keep a Cal.com organization's attributes and assignments in step with a state file. "
        "Credentials: CAL_API_KEY, or CAL_CLIENT_ID and CAL_CLIENT_SECRET of a platform OAuth client.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", parents=[common], help="write the organization's current state")
    export.add_argument("-o", "--output", help="the file to write ('-' or none: standard output)")
    export.add_argument("--weights", action="store_true", help="also read weights (one history request per member)")
    commands.add_parser("plan", parents=[common, planning], help="show what apply would change (exit 2 if anything)")
    apply = commands.add_parser("apply", parents=[common, planning], help="make the organization match the file")
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed off a terminal)")
    apply.add_argument("--dry-run", action="store_true", help="only plan")
    imports = commands.add_parser(
        "import-csv", parents=[common], help="turn user_id,attribute,value[,weight] rows into a state file"
    )
    imports.add_argument("csv", help="the CSV file ('-': standard input)")
    imports.add_argument("-o", "--output", help="the state file to write ('-' or none: standard output)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out, err = Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)
    run = _Run(args, out, err)
    try:
        run.desired = desired_state(args)  # before any request
        run.settings = run_settings(args, err)
        return asyncio.run(run.main())
    except KeyboardInterrupt:
        if run.report is None:
            err.print("interrupted before anything was applied")
            return FAILED
        run.report.stopped = "interrupted (Ctrl-C)"
        render_report(run.report, run.report_console)
    except (StateFileError, CalAttributesError, RefusedPlanError, ValueError, OSError) as error:
        err.print(f"error: {error}", markup=False, highlight=False)
    except OperationError as error:
        err.print(f"error: the organization could not be read: {error}", markup=False, highlight=False)
    return FAILED


def read_text(path: str, encoding: str) -> str:
    """A file's text as written (newlines kept, for the csv module), or standard input's for ``-``."""
    if path == STDIN:
        if sys.stdin is None:  # started with standard input closed
            raise OSError("no standard input to read the file from")
        if sys.stdin.isatty():  # typed by hand, or a forgotten pipe: say what ends it
            end = "Ctrl-Z, then Enter" if sys.platform == "win32" else "Ctrl-D"
            print(f"reading from standard input (end with {end})", file=sys.stderr)
        return sys.stdin.buffer.read().decode(encoding)
    with open(path, encoding=encoding, newline="") as source:
        return source.read()


def desired_state(args: argparse.Namespace) -> State | None:
    """The state file of ``plan`` and ``apply``, read before any request."""
    if args.command not in ("plan", "apply"):
        return None
    if args.file != STDIN:
        return State.load(args.file)
    if args.command == "apply" and not (args.yes or args.dry_run):  # the answer would be read from the file
        raise ConfigurationError("apply - reads the state file from standard input: pass --yes (no confirmation)")
    return parse_state(read_text(STDIN, "utf-8"), STDIN_SOURCE)


def run_settings(args: argparse.Namespace, err: Console) -> RunSettings:
    """The pacing and retries: the state engine retries each request itself (its SDK adapter sets the
    client's own ``max_retries`` to 0, so each attempt is paced), so ``--max-retries`` goes here.
    Each retry and 429 wait is told on standard error, so a slow server is not taken for a hang."""

    def notice(text: str) -> None:
        err.print(f"note: {text}", markup=False, highlight=False)

    if args.max_per_minute is None:  # CAL_MAX_PER_MINUTE or 100
        settings = RunSettings(notice=notice)
    else:
        settings = RunSettings(max_per_minute=args.max_per_minute, notice=notice)
    return settings if args.max_retries is None else replace(settings, max_retries=args.max_retries)


class _Run:
    """One command; holds the apply report so that an interrupt can still print it."""

    def __init__(self, args: argparse.Namespace, out: Console, err: Console) -> None:
        self.args, self.out, self.err = args, out, err
        self.desired: State | None = None
        self.settings: RunSettings | None = None  # set in main's try: CAL_MAX_PER_MINUTE may be invalid
        self.report: ApplyReport | None = None

    async def main(self) -> int:
        args = self.args
        client_id, client_secret = environ_credential("CAL_CLIENT_ID"), environ_credential("CAL_CLIENT_SECRET")
        api_key = environ_credential("CAL_API_KEY")  # blank counts as unset, as in the SDK
        # Named as the command's user sets them (the SDK's own message names its arguments).
        if (client_id or client_secret) and api_key:  # never a silent choice between two
            raise ConfigurationError("both CAL_API_KEY and CAL_CLIENT_ID/CAL_CLIENT_SECRET are set: unset one")
        if (client_id is None) != (client_secret is None):
            raise ConfigurationError("a platform OAuth client needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET")
        if client_id is None and not api_key:
            raise ConfigurationError(
                "no credentials: set CAL_API_KEY, or CAL_CLIENT_ID and CAL_CLIENT_SECRET of a platform OAuth client"
            )
        async with AsyncCalAttributes(
            api_key,
            org_id=args.org_id,
            base_url=args.url,
            client_id=client_id,
            client_secret=client_secret,
            timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
        ) as cal:
            if cal.org_id is None:
                raise ConfigurationError("no organization: pass --org-id or set CAL_ORG_ID")
            manager = AsyncStateManager.for_client(cal, self.settings)
            if args.command == "export":
                return self.write(dump_state(await manager.export(weights=args.weights)))
            if args.command == "import-csv":
                text = read_text(args.csv, "utf-8-sig")  # -sig: Excel writes a BOM
                source = STDIN_SOURCE if args.csv == STDIN else args.csv
                imported = import_csv(text, await manager.snapshot(), source)
                # The organization it was matched against, as export writes it: plan and apply refuse another.
                return self.write(dump_state(replace(imported, organization=manager.org_id)))
            assert self.desired is not None
            plan = await manager.plan(
                self.desired,
                prune=args.prune,
                include_locked=args.include_locked,
                allow_retype=args.allow_retype,
                check_members=not args.no_member_check,
            )
            if args.json:
                self.out.print_json(json.dumps(plan_to_json(plan)))
            else:
                render_plan(plan, self.out)
            if args.command == "plan" or args.dry_run:
                return CHANGES if plan.has_changes else OK
            return await self.apply(manager, plan)

    async def apply(self, manager: AsyncStateManager, plan: Plan) -> int:
        if plan.refused:
            raise RefusedPlanError("the plan changes an attribute's type; run again with --allow-retype to apply it")
        if not plan.changes:
            return OK
        if not self.args.yes:
            if not sys.stdin.isatty():
                self.err.print("error: not a terminal: pass --yes to apply without confirmation")
                return FAILED
            if not self.confirmed(f"Apply {counted(len(plan.changes), 'change')}? [y/N] "):
                self.err.print("aborted: nothing applied")
                return FAILED
        self.report = ApplyReport(plan)
        progress = BarProgress(self.err) if self.err.is_terminal else LineProgress(self.report_console)
        try:
            await manager.apply(plan, progress=progress, report=self.report)
        finally:
            if isinstance(progress, BarProgress):
                progress.stop()
        render_report(self.report, self.report_console)
        return OK if self.report.ok else FAILED

    @property
    def report_console(self) -> Console:
        """Progress and the report: standard error with --json, so standard output is only the plan's JSON."""
        return self.err if self.args.json else self.out

    @staticmethod
    def confirmed(question: str) -> bool:
        try:
            return input(question).strip().lower() in ("y", "yes")
        except EOFError:  # Ctrl-D
            return False

    def write(self, text: str) -> int:
        if self.args.output in (None, "-"):  # "-": standard output, as the usual convention
            sys.stdout.write(text)
        else:
            with open(self.args.output, "w", encoding="utf-8") as target:
                target.write(text)
            self.err.print(f"wrote {self.args.output}", markup=False, highlight=False)
        return OK
