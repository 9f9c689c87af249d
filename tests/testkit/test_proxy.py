"""The validating proxy: with the mock as upstream nothing is reported; with a wrong upstream every
kind of violation is, with its operation and JSON path; answers pass through unchanged."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cal_attributes_mock import create_mock
from cal_attributes_mock.cli import main
from cal_attributes_mock.proxy import SpecChecks, ValidatingProxy, ViolationReport
from cal_attributes_mock.serve import serve_in_thread
from cal_attributes_mock.testkit import InProcessTransport

KEY = "cal_demo_admin_1a2b3c4d5e6f"
ATTRIBUTES = "/v2/organizations/1/attributes"


def proxied(upstream: ASGIApp) -> Iterator[tuple[httpx.Client, io.StringIO, str]]:
    report = io.StringIO()
    stack = create_mock()  # whose server settings both are served with
    with (
        serve_in_thread(stack, app=upstream) as upstream_url,
        serve_in_thread(stack, app=ValidatingProxy(upstream_url, ViolationReport(report)), lifespan=True) as proxy_url,
        httpx.Client(base_url=proxy_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=10) as http,
    ):
        yield http, report, upstream_url


def violations(report: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in report.getvalue().splitlines()]


@pytest.fixture(scope="module")
def through_mock() -> Iterator[tuple[httpx.Client, io.StringIO, str]]:
    yield from proxied(create_mock())


def test_the_mock_as_upstream_has_no_violations(through_mock: tuple[httpx.Client, io.StringIO, str]) -> None:
    http, report, _ = through_mock
    created = http.post(
        ATTRIBUTES,
        json={"name": "Team", "slug": "team", "type": "SINGLE_SELECT", "options": [{"value": "A", "slug": "a"}]},
    )
    assert created.status_code == 201
    attribute = created.json()["data"]["id"]
    answers = [
        http.get(ATTRIBUTES, params={"take": 2, "skip": 1}),
        http.get(ATTRIBUTES, params={"take": "2.0"}),  # the API reads numbers with parseInt, as the spec says
        http.get(f"{ATTRIBUTES}/{attribute}"),
        http.get(f"{ATTRIBUTES}/{attribute}/options"),
        http.get(f"{ATTRIBUTES}/slugs/department/options/assigned", params={"teamIds": "10,11"}),
        http.get(f"{ATTRIBUTES}/options/103"),
        http.patch(f"{ATTRIBUTES}/{attribute}", json={"name": "Squad"}),
        http.post(ATTRIBUTES, json={"name": "Team", "slug": "team", "type": "TEXT", "options": []}),  # 409
        http.get(ATTRIBUTES, headers={"Authorization": "Bearer cal_wrong"}),  # 401
        http.delete(f"{ATTRIBUTES}/{attribute}"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 200, 200, 409, 401, 200]
    assert violations(report) == []


def test_answers_pass_through_unchanged(through_mock: tuple[httpx.Client, io.StringIO, str]) -> None:
    http, _, upstream_url = through_mock
    headers = {"Authorization": f"Bearer {KEY}", "x-request-id": "req-42"}
    direct = httpx.get(upstream_url + ATTRIBUTES + "?take=1", headers=headers)
    via = http.get(ATTRIBUTES, params={"take": 1}, headers={"x-request-id": "req-42"})
    assert (via.status_code, via.content) == (direct.status_code, direct.content)
    assert via.headers["x-request-id"] == "req-42"
    assert via.headers["content-type"] == direct.headers["content-type"]


async def wrong_upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """Drifted from the spec in every way the proxy should notice."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    path, method = scope["path"], scope["method"]
    headers = [(b"content-type", b"application/json"), (b"x-upstream", b"wrong")]
    if method == "POST":
        status, body = 418, b'{"status":"error"}'
    elif path.endswith("/attributes"):
        status, body = 200, gzip.compress(b'{"status":"success","data":[{"id":"a","slug":7}]}')
        headers.append((b"content-encoding", b"gzip"))
    else:
        status, body = 200, b"<html>oops</html>"
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_a_wrong_upstream_yields_every_kind_of_violation(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "cal_attributes_mock.proxy")
    for http, report, _ in proxied(wrong_upstream):
        listed = http.get(ATTRIBUTES, params={"take": "many"})
        assert listed.status_code == 200
        assert listed.headers["x-upstream"] == "wrong"  # passed through, still compressed on the wire
        assert listed.json()["data"][0]["slug"] == 7
        assert http.post(ATTRIBUTES, json={"slug": "no-name", "type": "TEXT"}).status_code == 418
        assert http.get(f"{ATTRIBUTES}/abc").text == "<html>oops</html>"
        assert http.get("/v2/nowhere", params={"apiKey": "cal_query_secret"}).status_code == 200
        found = {(v["kind"], v["operationId"], v["jsonPath"]) for v in violations(report)}
        text = report.getvalue()
    assert found == {
        ("request_parameter", "listAttributes", "$.query.take"),
        ("response_body", "listAttributes", "$.data[0]"),  # required fields missing
        ("response_body", "listAttributes", "$.data[0].slug"),  # a number, not a string
        ("request_body", "createAttribute", "$"),
        ("undocumented_status", "createAttribute", "$"),
        ("response_body", "getAttribute", "$"),
        ("undocumented_operation", None, "$"),
    }
    assert "required" in text and "not JSON" in text and "418 is not documented" in text
    # a missing property is named (names come from the schema); a wrong value is not quoted
    messages = {(v["operationId"], v["jsonPath"], v["message"]) for v in violations(report)}
    assert (
        "listAttributes",
        "$.data[0]",
        "breaks the schema's required rule at #/components/schemas/Attribute/required: property 'name' is missing",
    ) in messages
    assert any(m.endswith("property 'name' is missing") for op, _, m in messages if op == "createAttribute")
    slug_type = "breaks the schema's type rule at #/components/schemas/Attribute/properties/slug/type"
    assert ("listAttributes", "$.data[0].slug", slug_type) in messages
    for secret in (KEY, "cal_query_secret"):
        assert secret not in text
        assert secret not in caplog.text
    assert "listAttributes response_body $.data[0].slug" in caplog.text


def test_an_unreachable_upstream_is_a_502() -> None:
    report = io.StringIO()
    proxy = ValidatingProxy("http://127.0.0.1:9", ViolationReport(report), timeout=httpx.Timeout(2.0))
    with serve_in_thread(create_mock(), app=proxy, lifespan=True) as url:
        answer = httpx.get(url + ATTRIBUTES, timeout=10)
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "ProxyError"


def test_bodies_beyond_the_bounds_are_refused() -> None:
    # In-process both ways, so that only the proxy's own bounds answer (no server's parser limits).
    upstream = httpx.ASGITransport(app=create_mock())
    proxy = ValidatingProxy(
        "http://upstream.test", ViolationReport(io.StringIO()), max_response_bytes=100, transport=upstream
    )
    transport = InProcessTransport(proxy)
    with httpx.Client(
        base_url="http://proxy.test", headers={"Authorization": f"Bearer {KEY}"}, transport=transport
    ) as http:
        assert http.post(ATTRIBUTES, content=b"x" * (1024 * 1024 + 1)).status_code == 413
        too_large = http.get(ATTRIBUTES)
    assert too_large.status_code == 502
    assert "larger than the proxy's limit" in too_large.json()["error"]["message"]


@pytest.mark.parametrize("upstream", ["ftp://example.com", "api.cal.com", "https://"])
def test_the_cli_refuses_a_bad_upstream(upstream: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--proxy", upstream, "--port", "0"]) == 2
    assert "--proxy needs an http(s) URL" in capsys.readouterr().err


def call(app: ValidatingProxy, raw_path: bytes, query: bytes = b"") -> tuple[int, bytes]:
    status, _, body = call_with_headers(app, raw_path, query)
    return status, body


def call_with_headers(
    app: ValidatingProxy, raw_path: bytes, query: bytes = b""
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One request straight to the ASGI app (a client would normalise the hostile paths away)."""
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": query,
        "headers": [(b"authorization", b"Bearer " + KEY.encode()), (b"x-cal-secret-key", b"secret-1")],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def once() -> None:
        await app(scope, receive, send)
        await app.aclose()

    asyncio.run(once())
    return sent[0]["status"], sent[0]["headers"], sent[1]["body"]


def recording(
    upstream: str, forwarded: list[httpx.Request], status: int = 200, report: io.StringIO | None = None
) -> ValidatingProxy:
    def handler(request: httpx.Request) -> httpx.Response:
        forwarded.append(request)
        return httpx.Response(status, stream=httpx.ByteStream(b""))

    return ValidatingProxy(upstream, ViolationReport(report), transport=httpx.MockTransport(handler))


def test_the_report_holds_no_credential_of_the_query_or_headers(caplog: pytest.LogCaptureFixture) -> None:
    report, forwarded = io.StringIO(), list[httpx.Request]()
    call(recording("https://api.example", forwarded, 418, report), ATTRIBUTES.encode(), b"apiKey=cal_q_secret&take=x")
    text = report.getvalue() + caplog.text
    assert {v["kind"] for v in violations(report)} == {"request_parameter", "undocumented_status"}
    for secret in ("cal_q_secret", KEY, "secret-1"):
        assert secret not in text


@pytest.mark.parametrize(
    "raw_path",
    [
        b"//evil.example/v2/x",
        b"/v2/../x",
        b"/v2/./x",
        b"/v2/%2e%2e/x",
        b"/v2/%2E/x",
        b"/v2/..%2fx",
        b"/v2\\..\\x",
        b"v2",
    ],
)
def test_paths_that_could_leave_the_upstream_are_refused(raw_path: bytes) -> None:
    forwarded: list[httpx.Request] = []
    status, body = call(recording("https://api.example/", forwarded), raw_path)
    assert status == 400
    assert json.loads(body)["status"] == "error"
    assert forwarded == []  # the caller's credentials went nowhere


@pytest.mark.parametrize(
    ("upstream", "raw_path", "forwarded_url"),
    [
        ("https://api.example", ATTRIBUTES, f"https://api.example{ATTRIBUTES}?take=1"),
        ("https://api.example/base/", ATTRIBUTES, f"https://api.example/base{ATTRIBUTES}?take=1"),
        ("https://api.example", "/v2/a//b%2Fc", "https://api.example/v2/a//b%2Fc?take=1"),  # as sent
    ],
)
def test_the_path_is_appended_to_the_upstreams_base(upstream: str, raw_path: str, forwarded_url: str) -> None:
    forwarded: list[httpx.Request] = []
    status, _ = call(recording(upstream, forwarded, 204), raw_path.encode(), b"take=1")
    assert status == 204
    assert [str(r.url) for r in forwarded] == [forwarded_url]


def test_an_answer_without_a_content_type_stays_without_one() -> None:
    forwarded: list[httpx.Request] = []
    status, headers, body = call_with_headers(recording("https://api.example", forwarded, 204), ATTRIBUTES.encode())
    assert (status, body) == (204, b"")
    assert [name for name, _ in headers] == [b"content-length"]  # the proxy adds only the length it sends


def test_connections_to_the_upstream_are_kept_across_requests() -> None:
    peers: list[tuple[str, int]] = []

    async def upstream(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            peers.append(scope["client"])
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})

    for http, _, _ in proxied(upstream):
        assert [http.get("/v2/nowhere").status_code for _ in range(3)] == [200, 200, 200]
    assert len(peers) == 3
    assert len(set(peers)) == 1  # one client, one kept-alive connection


def test_violations_never_quote_the_values_of_a_body() -> None:
    checks = SpecChecks()
    create = next(op for op in checks.operations if op.operation_id == "createAttribute")
    body = json.dumps({"name": ["SECRET_in_a_list"], "slug": {"token": "SECRET_in_an_object"}, "type": "SECRET_enum"})
    found = list(checks.request(create, "", body.encode()))
    assert found and all("SECRET" not in message for _, _, message in found), found
    assert {where for _, where, _ in found} >= {"$.name", "$.slug"}
