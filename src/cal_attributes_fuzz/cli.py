"""cal-attributes-fuzz: schemathesis over the spec against the embedded mock or a live target.

With no target it starts the mock (demo seed) on 127.0.0.1 and runs every phase, every
schemathesis check and the Cal.com-aware checks. With --url and --org-id (the API key in the
CAL_API_KEY environment variable) it fuzzes that server: read-only (GET operations) unless
--allow-writes, paced under Cal.com's rate limit, and with writes it deletes everything the run
created, also when the run fails or is interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from cal_attributes_client import AuthenticatedClient

from cal_attributes._settings import credential_problem
from cal_attributes.argtypes import number
from cal_attributes_fuzz.checks import CHECK_NAMES, MEMBER_KEY_ENV, OTHER_ORG_KEY_ENV
from cal_attributes_fuzz.cleanup import clean_up
from cal_attributes_fuzz.config import render_config, with_max_response_time, with_max_steps, with_member_ids
from cal_attributes_fuzz.preflight import TargetProblem, check_target
from cal_attributes_fuzz.progress import reporting
from cal_attributes_fuzz.reports import compress_events, new_run_folder, rotate
from cal_attributes_fuzz.summary import cases_by_phase_and_mode, check_notes, load, summarize
from cal_attributes_mock import MockConfig, create_mock
from cal_attributes_mock.serve import serve_in_thread
from cal_attributes_mock.spec import operations, spec_path

PROG = "cal-attributes-fuzz"
DEMO_OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"
DEMO_MEMBER_KEY = "cal_demo_member_9f8e7d6c5b4a"  # an ORG_MEMBER of organization 1
DEMO_OTHER_ORG_KEY = "cal_demo_globex_7a6b5c4d3e2f"  # the owner of organization 2
DEMO_MEMBERS = (101, 102, 103)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# The checks --checks accepts in schemathesis 4.32.5 (the pinned version), to validate it up front.
BUILTIN_CHECKS = (
    "allow_header_conformance",
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
)
MAX_WORKERS = 64  # what --workers accepts in schemathesis 4.32.5, checked up front rather than after setup
PROGRESS_SECONDS = 5.0
EMBEDDED_MAX_RESPONSE_TIME = 10.0  # seconds
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "cal_attributes_mock")
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


positive_int = number(int, "a whole number of at least 1", 1)


worker_count = number(int, f"a whole number from 1 to {MAX_WORKERS}", 1, MAX_WORKERS)
per_minute = number(float, "a finite number of requests of at least 1", 1.0)
positive_seconds = number(float, "a number of seconds from 0.1 to 3600", 0.1, 3600.0)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[1].replace("\n", " "))
    target = parser.add_argument_group("target (default: the embedded mock with its demo seed)")
    target.add_argument(
        "--url",
        help="base URL of a server implementing the spec, e.g. https://api.cal.com; "
        "needs --org-id and the API key in the CAL_API_KEY environment variable",
    )
    target.add_argument("--org-id", type=positive_int, help="organization to fuzz (required with --url)")
    target.add_argument("--user-ids", help="comma-separated member ids to use for user-scoped operations")
    target.add_argument("--allow-writes", action="store_true", help="also run POST/PATCH/DELETE against --url")
    target.add_argument(
        "--max-per-minute",
        type=per_minute,
        default=100,
        help="request pace against --url (default 100; Cal.com allows 120)",
    )
    target.add_argument(
        "--member-key",
        metavar="ENV_VAR",
        help="environment variable holding the API key of an organization member (below ORG_ADMIN), "
        "for the cal_roles check against --url; the key itself is never printed",
    )
    target.add_argument(
        "--other-org-key",
        metavar="ENV_VAR",
        help="environment variable holding the API key of a member of another organization, for cal_roles",
    )
    run = parser.add_argument_group("schemathesis (defaults: the thorough ones)")
    run.add_argument("--max-examples", type=positive_int, help="examples per operation and phase (default 100)")
    run.add_argument(
        "--max-steps", type=positive_int, help="steps per stateful scenario (default 20; 60 for a longer search)"
    )
    run.add_argument("--seed", type=int, help="random seed (default: the config's)")
    run.add_argument("--workers", type=worker_count, help=f"concurrent workers, 1 to {MAX_WORKERS} (default 1)")
    run.add_argument("--checks", help="comma-separated checks (default: all, including the cal_* checks)")
    run.add_argument("--exclude-checks", help="comma-separated checks to leave out (default: none)")
    run.add_argument("--phases", help=f"comma-separated phases: {','.join(PHASES)} (default: all)")
    run.add_argument("--report-dir", default="reports", help="where each run's report folder goes (default reports/)")
    run.add_argument(
        "--keep-reports", type=positive_int, default=5, help="run folders to keep in --report-dir (default 5)"
    )
    run.add_argument(
        "--progress-every",
        type=positive_seconds,
        default=PROGRESS_SECONDS,
        metavar="SECONDS",
        help=f"progress line interval when the output is not a terminal (default {PROGRESS_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    for problem in invocation_problems(args):
        parser.error(problem)
    return args


def invocation_problems(args: argparse.Namespace) -> Iterator[str]:
    """Every argument error the run would otherwise meet later, in the order a user reads them."""
    if args.url is not None:
        parts = urlsplit(args.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            yield f"--url must be an http:// or https:// URL, got {args.url!r}"
        server = args.url.rstrip("/")
        if server.endswith("/v2"):  # Cal.com's docs give https://api.cal.com/v2 as "the base URL"
            yield f"--url is the server's, without /v2 (every path starts with /v2): use {server[:-3]!r}, not {args.url!r}"
        if args.org_id is None:
            yield "--org-id is required with --url"
        if not os.environ.get("CAL_API_KEY"):
            yield "--url needs the API key in the CAL_API_KEY environment variable (set CAL_API_KEY)"
        elif (problem := credential_problem(os.environ["CAL_API_KEY"])) is not None:
            yield f"CAL_API_KEY {problem}"
        for option, name in (("--member-key", args.member_key), ("--other-org-key", args.other_org_key)):
            if name is not None and not os.environ.get(name):
                yield f"{option} names the environment variable {name}, which is not set"
            elif name is not None and (problem := credential_problem(os.environ[name])) is not None:
                yield f"{option}'s variable {name} {problem}"
    elif args.org_id is not None or args.allow_writes or args.member_key or args.other_org_key:
        yield "--org-id, --allow-writes, --member-key and --other-org-key need --url (the embedded mock is organization 1)"
    unknown = unknown_names(args.phases, PHASES)
    if unknown:
        yield f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}"
    for option, text in (("--checks", args.checks), ("--exclude-checks", args.exclude_checks)):
        unknown = unknown_names(text, ("all", *BUILTIN_CHECKS, *CHECK_NAMES))
        if unknown:
            yield f"{option}: unknown check(s) {', '.join(unknown)}; choose from all, {', '.join((*BUILTIN_CHECKS, *CHECK_NAMES))}"
    if args.user_ids:
        try:
            tuple(int(part) for part in args.user_ids.split(","))
        except ValueError:
            yield f"--user-ids must be comma-separated integers, got {args.user_ids!r}"


def unknown_names(text: str | None, known: tuple[str, ...]) -> list[str]:
    """The names in a comma-separated list that are not ``known``; an empty name shows as ``''``."""
    if text is None:
        return []
    return [name.strip() or "''" for name in text.split(",") if name.strip() not in known]


def member_ids(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",")) if text else default


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


@contextmanager
def server_logs_to(path: Path) -> Iterator[None]:
    """The embedded server's log lines go to ``path``, not into schemathesis' progress display."""
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = [
        (logging.getLogger(name), logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in SERVER_LOGGERS
    ]
    for logger, _, _ in saved:
        logger.handlers = [handler]
        logger.propagate = False
    try:
        yield
    finally:
        for logger, handlers, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate
        handler.close()


def schemathesis_command(args: argparse.Namespace, config_file: Path, url: str, run_folder: Path) -> list[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config_file), "run", str(spec_path())]
    command += ["--url", url, "--report", "junit,html,json,ndjson", "--report-dir", str(run_folder)]
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
        ("--exclude-checks", args.exclude_checks),
        ("--phases", phases),
    ):
        if value is not None:
            command += [option, str(value)]
    return command


@dataclass(frozen=True)
class Target:
    url: str
    api_key: str
    org_id: int
    members: tuple[int, ...]
    identities: dict[str, str]  # environment for the cal_roles identities that are configured


def live_target(args: argparse.Namespace) -> Target:
    identities = {
        env: os.environ[name]
        for env, name in ((MEMBER_KEY_ENV, args.member_key), (OTHER_ORG_KEY_ENV, args.other_org_key))
        if name is not None
    }
    api_key = os.environ["CAL_API_KEY"]
    return Target(args.url.rstrip("/"), api_key, args.org_id, member_ids(args.user_ids, ()), identities)


def embedded_target(url: str, user_ids: str | None = None) -> Target:
    """The embedded mock at ``url``: its demo seed's owner, members and the cal_roles identities."""
    identities = {MEMBER_KEY_ENV: DEMO_MEMBER_KEY, OTHER_ORG_KEY_ENV: DEMO_OTHER_ORG_KEY}
    return Target(url, DEMO_OWNER_KEY, 1, member_ids(user_ids, DEMO_MEMBERS), identities)


def write_config(args: argparse.Namespace, target: Target, run_folder: Path) -> Path:
    """The run's schemathesis configuration, kept in its report folder (it names no secret)."""
    text = with_member_ids(render_config(target.org_id), target.members)
    if not args.url:
        # The embedded mock answers in milliseconds: a slower answer measures the machine's load, not
        # the server, so only a hang fails the run.
        text = with_max_response_time(text, EMBEDDED_MAX_RESPONSE_TIME)
    if args.max_steps is not None:
        text = with_max_steps(text, args.max_steps)
    if args.url and not args.allow_writes:
        text += READ_ONLY_RESTRICTIONS
    if args.url and args.allow_writes:
        text += LIVE_WRITE_RESTRICTIONS
    config_file = run_folder / "schemathesis.toml"
    config_file.write_text(text, encoding="utf-8")
    return config_file


def run_environment(target: Target) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "SCHEMATHESIS_HOOKS": "cal_attributes_fuzz.hooks"}
    own = ("CAL_FUZZ_MAX_PER_MINUTE", "CAL_FUZZ_RUN_TAG", "CAL_FUZZ_LEDGER", "CAL_FUZZ_PARSEINT_QUERY")
    for name in (*own, MEMBER_KEY_ENV, OTHER_ORG_KEY_ENV):
        env.pop(name, None)
    env["CAL_API_KEY"] = target.api_key
    env.update(target.identities)
    return env


def run_schemathesis(command: list[str], env: dict[str, str], run_folder: Path, progress_every: float) -> int:
    """schemathesis' exit status; progress lines every few seconds when the output is not a terminal."""
    with ExitStack() as stack:
        if not sys.stdout.isatty():
            stack.enter_context(
                reporting(run_folder, len(operations()), progress_every, lambda line: print(line, flush=True))
            )
        sys.stdout.flush()
        return subprocess.run(command, env=env, check=False).returncode


def clean_up_live(url: str, api_key: str, ledger: Path) -> bool:
    """Delete what the run created; False if something could not be deleted."""
    with AuthenticatedClient(base_url=url, token=api_key) as client:
        report = clean_up(ledger, client)
    print(
        f"==> cleanup: {len(report.deleted)} deleted, {len(report.already_gone)} already gone, {len(report.failed)} failed"
    )
    for failure in report.failed:
        print(f"    could not delete {failure}", file=sys.stderr)
    return not report.failed


def print_summary(args: argparse.Namespace, target: Target, run_folder: Path) -> None:
    json_reports = sorted(run_folder.glob("json-*.json"))
    if not json_reports:
        print(f"==> no report: schemathesis stopped before writing one (see above); folder {run_folder}")
        return
    try:
        report = load(json_reports[-1])
    except (ValueError, UnicodeDecodeError):  # an interrupted run leaves it empty or cut short
        print(f"==> no summary: schemathesis' report was not completed (the run was stopped); folder {run_folder}")
        return
    events = next(run_folder.glob("ndjson-*.ndjson"), None)
    print("==> summary")
    lines = summarize(report, cases_by_phase_and_mode(events) if events else None)
    lines += check_notes(
        args.checks, args.exclude_checks, writes=not args.url or args.allow_writes, identities=target.identities
    )
    for line in lines:
        print(f"    {line}")
    server_log = run_folder / "mock-server.log"
    if server_log.exists() and server_log.stat().st_size:
        print(f"    embedded server log: {server_log}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report_dir = Path(args.report_dir).resolve()
    if args.url:
        target = live_target(args)
        try:
            check_target(target.url, target.org_id, target.api_key)
        except TargetProblem as problem:
            print(f"{PROG}: {problem}", file=sys.stderr)
            return 2
    run_folder = new_run_folder(report_dir)
    returncode = 1
    with ExitStack() as stack, terminate_on_signals():
        if args.url:
            mode = "read-write" if args.allow_writes else "read-only"
            print(f"==> fuzzing {target.url}, organization {target.org_id} ({mode})")
        else:
            # Strict: the mock is the reference, so it is held to the spec's exact types (take=0.5 is a
            # 400); its default reads query numbers with parseInt as the real API does (docs/fuzzing.md).
            url = stack.enter_context(serve_in_thread(create_mock(config=MockConfig(strict=True))))
            # After the server started: uvicorn configures its loggers when it is set up.
            stack.enter_context(server_logs_to(run_folder / "mock-server.log"))
            target = embedded_target(url, args.user_ids)
            print(f"==> fuzzing the embedded mock at {url} (demo seed, organization 1)")
        env = run_environment(target)
        config_file = write_config(args, target, run_folder)
        ledger = run_folder / "created.jsonl"
        if args.url:
            env["CAL_FUZZ_MAX_PER_MINUTE"] = str(args.max_per_minute)
            # A live API reads query numbers with parseInt (skip=0.5 is 0): not a defect of the server.
            env["CAL_FUZZ_PARSEINT_QUERY"] = "1"
        if args.url and args.allow_writes:
            run_tag = f"calfuzz-{uuid.uuid4().hex[:8]}"
            env.update({"CAL_FUZZ_RUN_TAG": run_tag, "CAL_FUZZ_LEDGER": str(ledger)})
            print(f"==> run tag {run_tag}: what this run creates is named after it and deleted at the end")
        try:
            returncode = run_schemathesis(
                schemathesis_command(args, config_file, target.url, run_folder), env, run_folder, args.progress_every
            )
        except KeyboardInterrupt:
            print(f"\n{PROG}: interrupted", file=sys.stderr)
            returncode = 130
        finally:
            if args.url and args.allow_writes and not clean_up_live(target.url, target.api_key, ledger):
                returncode = returncode or 1
    print_summary(args, target, run_folder)
    compressed = compress_events(run_folder)
    removed = rotate(report_dir, args.keep_reports)
    print(f"==> reports in {run_folder}" + (f" ({len(removed)} older run(s) removed)" if removed else ""))
    for events in compressed:  # schemathesis named it before it was compressed
        print(f"    event log (NDJSON, gzip-compressed after the run): {events.name}")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
