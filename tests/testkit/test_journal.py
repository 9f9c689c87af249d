"""The request journal: what was asked and answered, credentials never recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest

from cal_attributes_mock.testkit import CalMock, InProcessTransport
from cal_attributes_mock.testkit.faults import FaultError
from cal_attributes_mock.testkit.journal import Journal, JournalEntry
from tests.testkit.conftest import ATTRIBUTES, new_attribute


def test_entries_record_the_request_and_the_answer(cal_mock: CalMock, http: httpx.Client) -> None:
    http.get(ATTRIBUTES, params={"take": 5})
    http.post(ATTRIBUTES, json=new_attribute("team"))
    first, second = cal_mock.requests()
    assert (first.method, first.path, first.query, first.json, first.status, first.operation_id) == (
        "GET",
        ATTRIBUTES,
        "take=5",
        None,
        200,
        "listAttributes",
    )
    assert second.json == new_attribute("team")
    assert (second.status, second.operation_id, second.fault) == (201, "createAttribute", None)
    assert cal_mock.requests("createAttribute") == [second]


def test_a_misspelt_operation_filter_is_refused_not_matched_to_nothing(cal_mock: CalMock, http: httpx.Client) -> None:
    http.post(ATTRIBUTES, json=new_attribute("team"))
    with pytest.raises(
        FaultError, match="unknown operationId 'createAttributes' \\(did you mean 'createAttribute'\\?\\)"
    ):
        cal_mock.requests("createAttributes")
    answer = http.get("/_mock/requests", params={"operationId": "createAttributes"})
    assert answer.status_code == 400, answer.text
    assert "did you mean 'createAttribute'" in answer.json()["error"]["message"]
    assert len(http.get("/_mock/requests", params={"operationId": "createAttribute"}).json()["data"]) == 1


def test_credentials_are_redacted(cal_mock: CalMock) -> None:
    headers = {
        "Authorization": f"Bearer {cal_mock.keys['owner']}",
        "x-cal-client-id": "demo-platform-client",
        "x-cal-secret-key": "demo-platform-secret",
        "Cookie": "session=abc",
    }
    query = "take=2&apiKey=q-key-1&API-KEY=q-key-2&Token=q-tok&client_secret=q-sec&key=q-k&skip=1&token"
    with httpx.Client(base_url="http://m", headers=headers, transport=InProcessTransport(cal_mock.app)) as client:
        client.get(f"{ATTRIBUTES}?{query}")
        served = client.get("/_mock/requests").text
    (entry,) = cal_mock.requests()
    text = repr(entry) + repr(entry.to_json()) + served
    for secret in (cal_mock.keys["owner"], "demo-platform-secret", "abc", "q-key", "q-tok", "q-sec", "q-k"):
        assert secret not in text
    assert entry.query == (
        "take=2&apiKey=[redacted]&API-KEY=[redacted]&Token=[redacted]&client_secret=[redacted]&key=[redacted]"
        "&skip=1&token"
    )
    assert entry.headers["authorization"] == "Bearer [redacted]"
    assert entry.headers["x-cal-secret-key"] == "[redacted]"
    assert entry.headers["x-cal-client-id"] == "demo-platform-client"


def test_unrouted_requests_and_non_json_bodies_are_recorded(cal_mock: CalMock, http: httpx.Client) -> None:
    http.post(ATTRIBUTES, content=b"not json", headers={"content-type": "application/json"})
    http.get("/v2/nowhere")
    bad, nowhere = cal_mock.requests()
    assert (bad.status, bad.json, bad.operation_id) == (400, None, "createAttribute")
    assert (nowhere.status, nowhere.operation_id) == (404, None)


def test_the_journal_is_bounded() -> None:
    journal = Journal(max_entries=3)
    for n in range(5):
        journal.record(JournalEntry("GET", f"/{n}", "", None, {}, 200, None))
    assert [e.path for e in journal.entries()] == ["/2", "/3", "/4"]


@pytest.mark.parametrize("faulty", [False, True], ids=["no-fault-registered", "a-fault-registered"])
def test_a_body_the_operation_ignores_is_still_recorded(cal_mock: CalMock, http: httpx.Client, faulty: bool) -> None:
    # Without faults the layer sends the mock's answer directly, and the mock reads no body for
    # a GET: the journal must still read it (with a fault registered, it buffers every body).
    if faulty:
        cal_mock.delay("createAttribute", 0.0)
    http.request("GET", ATTRIBUTES, json={"sent": "anyway"})
    http.get(ATTRIBUTES)
    with_body, without = cal_mock.requests("listAttributes")
    assert (with_body.json, with_body.status) == ({"sent": "anyway"}, 200)
    assert (without.json, without.status) == (None, 200)


def test_a_body_refused_part_way_is_recorded_without_json(cal_mock: CalMock, http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the mock reads until it is over the limit
        yield b'{"name": "' + b"x" * (1024 * 1024) + b'"'
        yield b', "slug": "big", "type": "TEXT", "options": []}'

    response = http.post(ATTRIBUTES, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    (entry,) = cal_mock.requests()
    assert (entry.json, entry.status, entry.operation_id) == (None, 413, "createAttribute")


def list_attributes_scope(key: str) -> dict[str, Any]:
    """The ASGI scope of ``GET /attributes`` with ``key``, for calling the apps directly."""
    return {
        "type": "http",
        "method": "GET",
        "path": ATTRIBUTES,
        "raw_path": ATTRIBUTES.encode(),
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {key}".encode())],
    }


async def no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def test_what_the_layer_keeps_before_redaction_never_shows_credentials_in_a_repr(cal_mock: CalMock) -> None:
    """Raw requests are redacted only when the journal is read; a repr (a traceback, pytest's
    locals) of anything holding them must not leak the key either."""
    key = cal_mock.keys["owner"]
    with httpx.Client(
        base_url="http://m", headers={"Authorization": f"Bearer {key}"}, transport=InProcessTransport(cal_mock.app)
    ) as client:
        client.get(f"{ATTRIBUTES}?apiKey={key}")
    shown = repr(vars(cal_mock.app.journal))

    async def answer() -> str:
        return repr(await cal_mock.server.answer(list_attributes_scope(key), no_body))

    shown += asyncio.run(answer())
    assert "Bearer [redacted]" in shown and "status=200" in shown
    assert key not in shown


@pytest.mark.parametrize("faults", ["none", "another operation's", "this operation's"])
def test_a_request_is_in_the_journal_before_its_answer_leaves(cal_mock: CalMock, faults: str) -> None:
    """Over a socket a test reads the journal as soon as it has the response: the entry must be there."""
    if faults != "none":
        cal_mock.fail("createAttribute" if faults == "another operation's" else "listAttributes", status=503)
    journal_sizes: list[int] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        journal_sizes.append(len(cal_mock.requests()))

    asyncio.run(cal_mock.app(list_attributes_scope(cal_mock.keys["owner"]), no_body, send))
    assert journal_sizes == [1, 1]  # response start and body: each sent after the request was recorded
    (entry,) = cal_mock.requests()
    assert entry.status == (503 if faults == "this operation's" else 200)
