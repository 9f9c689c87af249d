"""The mock's own CPU time per request, without sockets: what the server stack cannot hide.

Usage: python benchmarks/mock_request_cost.py [--requests 4000] [--rounds 7]

The requests of ``mock_throughput.py`` (same seed, same three loads) go straight into four ASGI
apps, each awaited in turn with a receive that hands over the body and a send that drops the
answer:

- ``bare``: the baseline of mock_throughput.py, fixed bytes for each request;
- ``bare route``: the same as routes of a bare Starlette app (mock_throughput.py's "bare route");
- ``floor``: what a cached read must do at the least, written inline: decode the headers, find
  the route, check the API key (SHA-256, constant-time compare), the organization and the
  membership, look the rendered body up by store version, log the request, journal it, number
  it, answer. No write has a floor here: a write's work is the store's (see the table it prints);
- ``mock``: ``MockServer`` alone;
- ``mock + test kit``: what ``cal-attributes-mock`` serves (the mock inside the test kit's layer,
  with its journal; no fault registered).

CPU time (``time.process_time``) of ``--requests`` requests, the minimum of ``--rounds`` rounds
(the least disturbed by other processes), per request. In a served process every figure grows
(the interpreter's caches are cold between requests), so these are lower bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import hmac
import itertools
import time

import bare_app
import uvicorn
from mock_throughput import KEY, MIX_ATTRIBUTE, MIX_OPTION, MIX_USERS, ORG, realistic_seed
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cal_attributes_mock import MockServer, create_mock, load_seed, parse_seed
from cal_attributes_mock.serve import listen, uvicorn_config
from cal_attributes_mock.testkit.layer import TestkitApp

App = ASGIApp
HEADERS = [
    (b"host", b"127.0.0.1:8080"),
    (b"authorization", b"Bearer " + KEY.encode()),
    (b"content-type", b"application/json"),
]
ASSIGN_BODY = b'{"attributeId":"%s","attributeOptionId":"%s"}' % (MIX_ATTRIBUTE.encode(), MIX_OPTION.encode())
BODY_HEADERS = [*HEADERS, (b"content-length", b"%d" % len(ASSIGN_BODY))]


def scope(method: str, path: str, body: bool) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": BODY_HEADERS if body else HEADERS,
        "http_version": "1.1",
    }


def requests(load: str, paths: dict[str, str], count: int) -> list[tuple[Scope, bytes]]:
    """The load's requests: the same read again and again, or assign/unassign pairs in turn."""
    if load != "POST assign/DELETE mix":
        return [(scope("GET", paths[load], False), b"")] * count
    made = []
    for n in range(count):
        user_path = f"/v2/organizations/{ORG}/attributes/options/{1000 + n // 2 % MIX_USERS}"
        if n % 2 == 0:
            made.append((scope("POST", user_path, True), ASSIGN_BODY))
        else:
            made.append((scope("DELETE", f"{user_path}/{MIX_OPTION}", False), b""))
    return made


async def run(app: App, batch: list[tuple[Scope, bytes]]) -> list[int]:
    """Send the batch; the statuses answered."""
    statuses: list[int] = []

    async def keep_status(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for request_scope, body in batch:
        message = {"type": "http.request", "body": body, "more_body": False}

        async def receive(message: Message = message) -> Message:
            return message

        await app(request_scope, receive, keep_status)
    return statuses


def floor_app(server: MockServer, list_path: str, payload: bytes = b"{}") -> App:
    """A cached read's necessary work, inline (see the module docstring), answering ``payload``."""
    store = server.store
    api_keys = [(hashlib.sha256(user.api_key.encode()).digest(), user) for user in server.seed.users if user.api_key]
    routes = {("GET", list_path): "listAttributes"}
    rendered: dict[tuple[str, int], tuple[int, bytes]] = {}
    log: collections.deque[tuple[str, str, int, str]] = collections.deque(maxlen=10_000)
    journal: collections.deque[tuple[str, str, dict[str, str], int]] = collections.deque(maxlen=1_000)
    numbers = itertools.count(1)

    async def app(request: Scope, receive: Receive, send: Send) -> None:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in request["headers"]}
        operation = routes[(request["method"], request["path"])]
        digest = hashlib.sha256(headers["authorization"].replace("Bearer ", "", 1).strip().encode()).digest()
        user = None
        for stored, candidate in api_keys:
            if hmac.compare_digest(stored, digest):
                user = candidate
        assert user is not None and ORG in store.organizations and (user.id, ORG) in store.memberships
        key = (operation, ORG)
        cached = rendered.get(key)
        if cached is None or cached[0] != store.version:
            cached = rendered[key] = (store.version, payload)
        log.append((request["method"], request["path"], 200, operation))
        journal.append((request["method"], request["path"], headers, 200))
        number = b"%d" % next(numbers)
        answer = cached[1]
        response = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": [*response, (b"x-request-id", number)]})
        await send({"type": "http.response.body", "body": answer})

    return app


async def measure(
    apps: dict[str, App], loads: list[str], paths: dict[str, str], count: int, rounds: int
) -> dict[tuple[str, str], float]:
    """Per app and load, the least CPU time per request over the rounds (rounds interleave the apps)."""
    best: dict[tuple[str, str], float] = {}
    for load in loads:
        batch = requests(load, paths, count)
        for _ in range(rounds):
            for name, app in apps.items():
                if name == "floor" and load != "GET /attributes":
                    continue
                start = time.process_time()
                statuses = await run(app, batch)
                spent = (time.process_time() - start) / len(batch) * 1e6
                if max(statuses) >= 300:
                    raise RuntimeError(f"{name} answered {max(statuses)} to {load}")
                best[(name, load)] = min(best.get((name, load), float("inf")), spent)
    return best


async def answer_body(app: App, path: str) -> bytes:
    """The body ``app`` answers a GET of ``path`` with."""
    chunks: list[bytes] = []

    async def keep_body(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message["body"])

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await app(scope("GET", path, False), receive, keep_body)
    return b"".join(chunks)


def serve_floor(seed_file: str, port: int) -> None:
    """Serve the floor on the mock's own stack (its protocol, loop and parser), answering the list
    with the bytes the mock renders for it: ``mock_throughput.py`` runs it beside the others."""
    server = create_mock(load_seed(seed_file))
    list_path = f"/v2/organizations/{ORG}/attributes"
    app = floor_app(server, list_path, asyncio.run(answer_body(server, list_path)))
    uvicorn.Server(uvicorn_config(server, app=app)).run(sockets=[listen("127.0.0.1", port)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--serve-floor", nargs=2, metavar=("SEED", "PORT"), help="serve the floor instead")
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(args.serve_floor[0], int(args.serve_floor[1]))
        return
    seed = realistic_seed()
    attribute_id = seed["attributes"][0]["id"]
    paths = {
        "GET /attributes": f"/v2/organizations/{ORG}/attributes",
        "GET assigned options": f"/v2/organizations/{ORG}/attributes/{attribute_id}/options/assigned",
    }
    answers = {f"GET {path}": "{}" for path in paths.values()} | {"POST *": "{}", "DELETE *": "{}"}
    mock = create_mock(parse_seed(seed))
    served = create_mock(parse_seed(seed))
    apps: dict[str, App] = {
        "bare": bare_app.build(answers),
        "bare route": bare_app.build_starlette(answers),
        "floor": floor_app(mock, paths["GET /attributes"]),
        "mock": mock,
        "mock + test kit": TestkitApp(served),
    }
    loads = [*paths, "POST assign/DELETE mix"]
    best = asyncio.run(measure(apps, loads, paths, args.requests, args.rounds))
    print(f"{'app':<16} " + " ".join(f"{load:>24}" for load in loads) + "   (CPU us per request, best round)")
    for name in apps:
        cells = [f"{best[(name, load)]:>24.1f}" if (name, load) in best else f"{'-':>24}" for load in loads]
        print(f"{name:<16} " + " ".join(cells))


if __name__ == "__main__":
    main()
