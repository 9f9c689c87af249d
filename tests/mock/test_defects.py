"""Regression tests for the defects of issue 11: after each hostile input, the state read back is
unchanged and the server keeps serving."""

from __future__ import annotations

import asyncio
import copy
import gc
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cal_attributes_mock import MockConfig, MockServer, create_mock, protocol
from cal_attributes_mock.serve import serve_in_thread
from tests.mock.conftest import DEPARTMENT, ENGINEERING, OFFICE, OWNER_KEY, PYTHON, SALES, call

ORG = "/v2/organizations/1"
JSON = {"content-type": "application/json"}


def state(server: MockServer) -> Any:
    store = server.store
    return copy.deepcopy((store.attributes, store.options, store.assignments, store.history))


def reads_answer(server: MockServer) -> None:
    """Every read that renders stored strings still answers."""
    for path in (
        f"{ORG}/attributes",
        f"{ORG}/attributes/{DEPARTMENT}/options",
        f"{ORG}/attributes/{DEPARTMENT}/options/assigned",
        f"{ORG}/attributes/slugs/office/options/assigned",
        f"{ORG}/attributes/options/103",
        f"{ORG}/attributes/assignments/103/history",
    ):
        assert call(server, "GET", path).status_code == 200, path


LONE_SURROGATE = rb"a\ud800b"
WRITES = [
    ("POST", f"{ORG}/attributes", b'{"name":"%s","slug":"x","type":"TEXT","options":[]}'),
    ("POST", f"{ORG}/attributes", b'{"name":"x","slug":"%s","type":"TEXT","options":[]}'),
    ("PATCH", f"{ORG}/attributes/{DEPARTMENT}", b'{"name":"%s"}'),
    ("POST", f"{ORG}/attributes/{DEPARTMENT}/options", b'{"value":"%s","slug":"s"}'),
    ("PATCH", f"{ORG}/attributes/{DEPARTMENT}/options/{SALES}", b'{"slug":"%s"}'),
    ("POST", f"{ORG}/attributes/options/102", b'{"attributeId":"' + OFFICE.encode() + b'","value":"%s"}'),
]


@pytest.mark.parametrize(("method", "path", "template"), WRITES)
def test_a_lone_surrogate_is_refused_before_it_reaches_the_store(method: str, path: str, template: bytes) -> None:
    server = create_mock()
    before = state(server)
    response = call(server, method, path, content=template.replace(b"%s", LONE_SURROGATE), headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequestException"
    assert state(server) == before
    reads_answer(server)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"name":' + b'{"a":' * 10_000 + b"1" + b"}" * 10_001,
        b'{"attributeId":"x","weight":' + b"9" * 5_000 + b"}",
    ],
    ids=["nested-array", "nested-object", "weight-of-5000-digits"],
)
def test_deep_nesting_and_huge_numbers_in_a_body_are_400s(body: bytes) -> None:
    server = create_mock()
    before = state(server)
    for method, path in (("POST", f"{ORG}/attributes"), ("POST", f"{ORG}/attributes/options/103")):
        response = call(server, method, path, content=body, headers=JSON)
        assert response.status_code == 400, response.text
        assert response.json()["status"] == "error"
    weight = call(server, "PATCH", f"{ORG}/attributes/options/103/{PYTHON}", content=body, headers=JSON)
    assert weight.status_code == 400
    assert state(server) == before
    reads_answer(server)


def test_the_rate_limit_counts_a_key_however_the_header_spells_it() -> None:
    server = create_mock(config=MockConfig(rate_limit=True, api_key_limit=3))
    spellings = [f"Bearer {OWNER_KEY}", OWNER_KEY, f"Bearer  {OWNER_KEY}"]
    for authorization in spellings:
        response = call(server, "GET", f"{ORG}/attributes", headers={"Authorization": authorization})
        assert response.status_code == 200, response.text
    for authorization in spellings:
        response = call(server, "GET", f"{ORG}/attributes", headers={"Authorization": authorization})
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "ThrottlerException"
        assert int(response.headers["retry-after"]) >= 1


def test_the_audit_history_keeps_the_newest_entries_up_to_its_bound() -> None:
    server = create_mock(config=MockConfig(max_history_entries=5))
    for _ in range(4):  # 8 entries for user 102: assigned, unassigned, ...
        assign = call(
            server,
            "POST",
            f"{ORG}/attributes/options/102",
            json={"attributeId": DEPARTMENT, "attributeOptionId": ENGINEERING},
        )
        assert assign.status_code == 201, assign.text
        assert call(server, "DELETE", f"{ORG}/attributes/options/102/{ENGINEERING}").status_code == 200
    page = call(server, "GET", f"{ORG}/attributes/assignments/102/history?limit=50").json()["data"]
    assert [entry["changes"][0]["type"] for entry in page["auditLogs"]] == [
        "UNASSIGNED",
        "ASSIGNED",
        "UNASSIGNED",
        "ASSIGNED",
        "UNASSIGNED",
    ]
    assert sum(len(entries) for entries in server.store.history.values()) == 5
    reads_answer(server)


# -- connections ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick() -> Iterator[tuple[str, int]]:
    """A mock on a socket that allows half a second for a request to arrive."""
    with serve_in_thread(create_mock(config=MockConfig(request_timeout=0.5))) as url:
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port)


def closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closes ``sock`` (reading whatever it sent first)."""
    start = time.monotonic()
    sock.settimeout(seconds)
    while sock.recv(65536):
        pass
    return time.monotonic() - start


def exchange(address: tuple[str, int], raw: bytes) -> bytes:
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


GET = b"GET /v2/organizations/1/attributes HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer " + OWNER_KEY.encode()


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /v2/organizations/1/attributes HTTP/1.1\r\nHost: mo", GET + b'\r\nContent-Length: 10\r\n\r\n{"a"'],
    ids=["idle", "half-sent-headers", "half-sent-body"],
)
def test_idle_and_half_sent_connections_are_closed_while_others_are_served(quick: tuple[str, int], sent: bytes) -> None:
    with socket.create_connection(quick, timeout=5) as stalled:
        stalled.sendall(sent)
        served = exchange(quick, GET + b"\r\nConnection: close\r\n\r\n")  # a normal client meanwhile
        assert served.startswith(b"HTTP/1.1 200 ")
        assert closed_within(stalled, 5) < 3


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /v2/\xff HTTP/1.1\r\nHost: mock\r\n\r\n",
        b"GET /v2/\x00 HTTP/1.1\r\nHost: mock\r\n\r\n",
        b"POST /v2/organizations/1/attributes HTTP/1.1\r\nHost: mock\r\nContent-Length: 1x\r\n\r\n",
        b"POST /v2/organizations/1/attributes HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST /v2/organizations/1/attributes HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: gzip\r\n\r\n",
    ],
    ids=["0xff-in-target", "nul-in-target", "bad-content-length", "bad-chunk-size", "transfer-encoding-gzip"],
)
def test_requests_the_parser_rejects_get_the_envelope(quick: tuple[str, int], raw: bytes) -> None:
    head, _, body = exchange(quick, raw).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"content-type: application/json" in head.lower() and b"x-request-id: " in head.lower()
    assert body.startswith(b'{"status":"error"') and b'"code":"BadRequestException"' in body


def test_a_header_block_over_16_kib_is_refused(quick: tuple[str, int]) -> None:
    head, _, body = exchange(quick, GET + b"\r\nX-Padding: " + b"a" * 20_000 + b"\r\n\r\n").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 "), head
    assert b"RequestHeaderFieldsTooLargeException" in body


def test_a_stopped_server_leaves_no_deadline_sweep_holding_its_event_loop() -> None:
    # The default timeout: the next sweep is seconds away when the server stops.
    with serve_in_thread(create_mock()) as url:
        host, port = url.removeprefix("http://").split(":")
        assert exchange((host, int(port)), GET + b"\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200 ")
    gc.collect()
    assert not [loop for loop in protocol._sweepers if loop.is_closed()]


class Connection:
    """Stands in for a connection in the sweep: records when it was checked; may raise."""

    def __init__(self, request_timeout: float, fails: bool = False) -> None:
        self.request_timeout, self.fails, self.checked = request_timeout, fails, 0

    def expire_if_late(self, now: float) -> None:
        self.checked += 1
        if self.fails:
            raise RuntimeError("one connection's trouble")


def test_the_deadline_sweep_survives_a_failing_connection_and_speeds_up_for_a_shorter_timeout() -> None:
    async def scenario() -> tuple[int, int]:
        sweeper = protocol._Sweeper()
        slow, failing = Connection(request_timeout=40.0), Connection(request_timeout=0.04, fails=True)
        sweeper.watch(slow)  # type: ignore[arg-type]  # next sweep in 10 s ...
        sweeper.watch(failing)  # type: ignore[arg-type]  # ... until a 0.04 s timeout joins: every 0.01 s
        loop = asyncio.get_running_loop()
        handlers: list[dict[str, object]] = []
        loop.set_exception_handler(lambda _loop, context: handlers.append(context))
        give_up = loop.time() + 5  # however loaded the machine; without the speed-up the first sweep is 10 s away
        while (slow.checked < 3 or len(handlers) < 3) and loop.time() < give_up:
            await asyncio.sleep(0.01)
        sweeper.forget(slow)  # type: ignore[arg-type]
        sweeper.forget(failing)  # type: ignore[arg-type]
        return slow.checked, len(handlers)

    checked, errors = asyncio.run(scenario())
    assert checked >= 3 and errors >= 3  # swept repeatedly, each failure reported, none stopping the sweep


@pytest.mark.parametrize("seconds", [0.0, -1.0, float("nan"), float("inf")])
def test_a_request_timeout_must_be_positive_and_finite(seconds: float) -> None:
    with pytest.raises(ValueError, match="request_timeout must be a positive, finite number of seconds"):
        MockConfig(request_timeout=seconds)
