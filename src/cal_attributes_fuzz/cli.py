"""``cal-attributes-fuzz``: schemathesis over the spec against the embedded mock or a live target.

With no target it starts the mock (demo seed) on 127.0.0.1 and runs every phase and check.
With ``--url`` and ``--org-id`` (the API key in CAL_API_KEY) it fuzzes that server: read-only
(GET operations) unless ``--allow-writes``, paced under Cal.com's rate limit, and with writes it
deletes everything the run created, also when the run fails or is interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

from cal_attributes_client import AuthenticatedClient

from cal_attributes_fuzz.cleanup import clean_up
from cal_attributes_fuzz.config import render_config, with_member_ids
from cal_attributes_fuzz.summary import cases_by_phase_and_mode, latest_report, load, summarize
from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread
from cal_attributes_mock.spec import spec_path

DEMO_OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"
DEMO_MEMBERS = (101, 102, 103)
READ_ONLY_RESTRICTIONS = """
[[operations]]
# Read-only: probe undocumented methods only with methods that cannot change anything.
include-method = "GET"
phases.coverage.unexpected-methods = ["OPTIONS", "TRACE"]
"""
LIVE_WRITE_RESTRICTIONS = """
[[operations]]
# Live target with writes: updates and deletes only through the stateful links from what this
# run created, never on ids drawn at random or from earlier responses.
include-method = ["PATCH", "DELETE"]
phases.examples.enabled = false
phases.coverage.enabled = false
phases.fuzzing.enabled = false
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cal-attributes-fuzz", description=__doc__.split("\n\n")[0])
    target = parser.add_argument_group("target (default: the embedded mock with its demo seed)")
    target.add_argument("--url", help="base URL of a server implementing the spec, e.g. https://api.cal.com")
    target.add_argument("--org-id", type=int, help="organization to fuzz (required with --url)")
    target.add_argument("--user-ids", help="comma-separated member ids to use for user-scoped operations")
    target.add_argument("--allow-writes", action="store_true", help="also run POST/PATCH/DELETE against --url")
    target.add_argument(
        "--max-per-minute", type=float, default=100, help="request pace against --url (default 100; Cal.com allows 120)"
    )
    run = parser.add_argument_group("schemathesis (defaults: the thorough ones)")
    run.add_argument("--max-examples", type=int, help="examples per operation and phase (default 150)")
    run.add_argument("--seed", type=int, help="random seed (default: the config's)")
    run.add_argument("--workers", help="concurrent workers (default 1)")
    run.add_argument("--checks", help="comma-separated checks (default: all)")
    run.add_argument("--phases", help="comma-separated phases: examples,coverage,fuzzing,stateful (default: all)")
    run.add_argument(
        "--report-dir", default="reports", help="where the JUnit, HTML, JSON and NDJSON reports go (default reports/)"
    )
    args = parser.parse_args(argv)
    if args.url and args.org_id is None:
        parser.error("--org-id is required with --url")
    if not args.url and (args.org_id is not None or args.allow_writes):
        parser.error("--org-id and --allow-writes need --url (the embedded mock is organization 1)")
    if args.max_per_minute <= 0:
        parser.error("--max-per-minute must be positive")
    return args


def member_ids(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    if not text:
        return default
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise SystemExit(f"cal-attributes-fuzz: --user-ids must be comma-separated integers, got {text!r}") from None


@contextmanager
def terminate_on_signals() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so the cleanup in `finally` blocks runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def schemathesis_command(args: argparse.Namespace, config_file: Path, url: str, report_dir: Path) -> list[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file), "run", str(spec_path())]
    command += ["--url", url, "--report", "junit,html,json,ndjson", "--report-dir", str(report_dir)]
    phases = args.phases
    if args.url and not args.allow_writes:
        command += ["--include-method", "GET"]
        # The spec's links all start at a create: with reads only there is no stateful workflow.
        phases = phases or "examples,coverage,fuzzing"
    for option, value in (
        ("--max-examples", args.max_examples),
        ("--seed", args.seed),
        ("--workers", args.workers),
        ("--checks", args.checks),
        ("--phases", phases),
    ):
        if value is not None:
            command += [option, str(value)]
    return command


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report_dir = Path(args.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", "SCHEMATHESIS_HOOKS": "cal_attributes_fuzz.hooks"}
    for name in ("CAL_FUZZ_MAX_PER_MINUTE", "CAL_FUZZ_RUN_TAG", "CAL_FUZZ_LEDGER"):
        env.pop(name, None)
    with ExitStack() as stack, terminate_on_signals():
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cal-fuzz-")))
        if args.url:
            api_key = os.environ.get("CAL_API_KEY")
            if not api_key:
                print("cal-attributes-fuzz: set CAL_API_KEY to the API key to fuzz with", file=sys.stderr)
                return 2
            url, org_id, members = args.url.rstrip("/"), args.org_id, member_ids(args.user_ids, ())
            env["CAL_FUZZ_MAX_PER_MINUTE"] = str(args.max_per_minute)
            print(f"==> fuzzing {url}, organization {org_id} ({'read-write' if args.allow_writes else 'read-only'})")
        else:
            api_key, org_id, members = DEMO_OWNER_KEY, 1, member_ids(args.user_ids, DEMO_MEMBERS)
            url = stack.enter_context(serve_in_thread(create_mock()))
            print(f"==> fuzzing the embedded mock at {url} (demo seed, organization 1)")
        env["CAL_API_KEY"] = api_key
        config_text = with_member_ids(render_config(org_id), members)
        ledger = scratch / "created.jsonl"
        if args.url and not args.allow_writes:
            config_text += READ_ONLY_RESTRICTIONS
        if args.url and args.allow_writes:
            run_tag = f"calfuzz-{uuid.uuid4().hex[:8]}"
            env.update({"CAL_FUZZ_RUN_TAG": run_tag, "CAL_FUZZ_LEDGER": str(ledger)})
            config_text += LIVE_WRITE_RESTRICTIONS
            print(f"==> run tag {run_tag}: what this run creates is named after it and deleted at the end")
        config_file = scratch / "schemathesis.toml"
        config_file.write_text(config_text, encoding="utf-8")
        returncode = 1
        try:
            returncode = subprocess.run(
                schemathesis_command(args, config_file, url, report_dir), env=env, check=False
            ).returncode
        except KeyboardInterrupt:
            print("\ncal-attributes-fuzz: interrupted", file=sys.stderr)
            returncode = 130
        finally:
            if args.url and args.allow_writes:
                with AuthenticatedClient(base_url=url, token=api_key) as client:
                    report = clean_up(ledger, client)
                print(
                    f"==> cleanup: {len(report.deleted)} deleted, {len(report.already_gone)} already gone, "
                    f"{len(report.failed)} failed"
                )
                for failure in report.failed:
                    print(f"    could not delete {failure}", file=sys.stderr)
                if report.failed and returncode == 0:
                    returncode = 1
    json_report = latest_report(report_dir, "json-*.json")
    events = latest_report(report_dir, "ndjson-*.ndjson")
    if json_report is not None:
        print("==> summary")
        for line in summarize(load(json_report), cases_by_phase_and_mode(events) if events else None):
            print(f"    {line}")
        print(f"==> reports in {report_dir}")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
