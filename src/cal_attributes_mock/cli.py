"""``cal-attributes-mock``: serve the mock on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys

import uvicorn

from cal_attributes_mock.app import MockConfig, create_mock
from cal_attributes_mock.proxy import serve_proxy
from cal_attributes_mock.seed import SeedError, demo_seed, load_seed
from cal_attributes_mock.serve import listen, uvicorn_config
from cal_attributes_mock.testkit.layer import TestkitApp

MAX_PORT = 65535


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535; the operating system would wrap a larger one to another port."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not a number") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"invalid port {port}: must be 0 to {MAX_PORT}")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cal-attributes-mock", description="Serve a stateful mock of the Cal.com attributes API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=8080, help="port to bind, 0 to 65535; 0 picks a free one (default: 8080)"
    )
    parser.add_argument("--seed", metavar="FILE", help="seed file (JSON); the built-in demo seed without it")
    parser.add_argument("--rate-limit", action="store_true", help="enforce Cal.com's per-minute request limits")
    parser.add_argument(
        "--proxy", metavar="URL", help="instead of mocking, forward to URL and check traffic against the spec"
    )
    parser.add_argument("--report", metavar="FILE", help="with --proxy: append spec violations to FILE as JSON lines")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="reject query values the real API coerces with parseInt (take=10.0, teamIds=1x): catches client bugs",
    )
    return parser.parse_args(argv)


def say(line: str) -> None:
    """Print, tolerating a closed stdout (``cal-attributes-mock | head``)."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep later prints harmless


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.proxy:
        return serve_proxy(args.proxy, args.report, args.host, args.port)
    try:
        seed = load_seed(args.seed) if args.seed else demo_seed()
    except SeedError as error:
        print(f"cal-attributes-mock: invalid seed: {error}", file=sys.stderr)
        return 2
    server = create_mock(seed, MockConfig(rate_limit=args.rate_limit, strict=args.strict))
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        print(f"cal-attributes-mock: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    say(f"cal-attributes-mock listening on http://{host}:{port}")
    for user in seed.users:
        if user.api_key:
            roles = ", ".join(f"{m.role.lower()} of {m.team_id}" for m in seed.memberships if m.user_id == user.id)
            say(f"  {user.api_key}  user {user.id} <{user.email}> ({roles or 'no memberships'})")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler
    # that was installed before it: make that one a no-op so the process exits 0, not -15.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda *_: None)
    app = TestkitApp(server)  # the mock plus /_mock/faults, /_mock/requests, /_mock/rate-limit
    uvicorn.Server(uvicorn_config(server, lifespan="on", app=app)).run(sockets=[sock])
    say("cal-attributes-mock stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
