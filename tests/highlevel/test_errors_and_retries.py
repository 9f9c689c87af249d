"""Retries, timeouts and typed errors under injected faults."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from cal_attributes_client.api.attributes import list_attributes
from cal_attributes_client.models import (
    HttpErrorResponse,
)

from cal_attributes import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncPage,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SyncPage,
    UnprocessableEntityError,
)
from tests.highlevel.faults import Script, create_team, envelope, ok


def test_429_with_retry_after_then_success() -> None:
    script = Script(envelope(429, "ThrottlerException", "Too many requests", {"Retry-After": "0"}), ok())
    with script.client() as cal:
        page = cal.attributes.list(org_id=1)
    assert isinstance(page, SyncPage) and script.attempts == 2


def test_retry_after_as_an_http_date_is_honoured() -> None:
    when = format_datetime(datetime.now(UTC) - timedelta(seconds=5), usegmt=True)
    script = Script(envelope(503, "ServiceUnavailable", "busy", {"Retry-After": when}), ok())
    with script.client() as cal:
        cal.attributes.list(org_id=1)
    assert script.attempts == 2


def test_a_short_retry_after_is_waited_for() -> None:
    script = Script(envelope(429, "ThrottlerException", "slow down", {"Retry-After": "1"}), ok())
    started = time.perf_counter()
    with script.client() as cal:
        cal.attributes.list(org_id=1)
    assert 0.9 <= time.perf_counter() - started < 3
    assert script.attempts == 2


def test_a_burst_of_503_past_the_retry_limit() -> None:
    script = Script(envelope(503, "ServiceUnavailableException", "down"))
    started = time.perf_counter()
    with script.client(max_retries=2) as cal, pytest.raises(InternalServerError) as raised:
        cal.attributes.list(org_id=1)
    assert script.attempts == 3
    assert time.perf_counter() - started < 1.0  # backoff 0.01 s, jittered, doubled twice
    error = raised.value
    assert (error.status_code, error.code, error.message, error.request_id) == (
        503,
        "ServiceUnavailableException",
        "down",
        "req-7",
    )
    assert (error.method, error.url) == ("GET", "https://api.cal.test/v2/organizations/1/attributes?skip=0&take=100")


def test_retries_can_be_switched_off() -> None:
    script = Script(envelope(503, "X", "down"))
    with script.client(max_retries=0) as cal, pytest.raises(InternalServerError):
        cal.attributes.list(org_id=1)
    assert script.attempts == 1


def test_a_connection_reset_is_retried_for_a_read_and_then_raised() -> None:
    script = Script(httpx.ReadError("connection reset by peer"))
    with script.client() as cal, pytest.raises(APIConnectionError) as raised:
        cal.attributes.list(org_id=1)
    assert script.attempts == 3 and "ReadError" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.ReadError)


def test_a_write_that_may_have_reached_the_server_is_never_repeated() -> None:
    for fault in (httpx.ReadError("reset"), envelope(500, "INTERNAL_SERVER_ERROR", "boom"), envelope(503, "X", "down")):
        script = Script(fault, ok())
        with script.client() as cal, pytest.raises((APIConnectionError, InternalServerError)):
            create_team(cal)
        assert script.attempts == 1, fault


def test_a_write_is_repeated_when_it_never_left_or_the_server_asked() -> None:
    created = httpx.Response(
        201,
        json={
            "status": "success",
            "data": {"id": "a", "teamId": 1, "type": "TEXT", "name": "Team", "slug": "team", "enabled": True},
        },
    )
    for fault in (httpx.ConnectError("refused"), envelope(429, "ThrottlerException", "slow", {"Retry-After": "0"}),
                  envelope(503, "X", "down", {"Retry-After": "0"})):  # fmt: skip
        script = Script(fault, created)
        with script.client() as cal:
            create_team(cal)
        assert script.attempts == 2, fault


def test_a_response_slower_than_the_timeout() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    with script.client(max_retries=1) as cal, pytest.raises(APITimeoutError):
        cal.attributes.list(org_id=1)
    assert script.attempts == 2


def test_a_real_slow_server_times_out_within_the_configured_timeout() -> None:
    from starlette.types import Receive, Scope, Send

    from cal_attributes import CalAttributes
    from cal_attributes_mock import create_mock
    from cal_attributes_mock.serve import serve_in_thread

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(2)

    with serve_in_thread(create_mock(), app=slow) as url:  # the mock's server stack, serving `slow`
        cal = CalAttributes("cal_k", base_url=url, timeout=0.2, max_retries=1, backoff=0.01)
        started = time.perf_counter()
        with cal, pytest.raises(APITimeoutError):
            cal.attributes.list(org_id=1)
        elapsed = time.perf_counter() - started
    assert 0.4 <= elapsed < 1.5  # two attempts of 0.2 s each, and a tiny backoff


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (499, APIStatusError),
        (520, InternalServerError),
    ],
)
def test_each_status_maps_to_its_error(status: int, kind: type[APIStatusError]) -> None:
    script = Script(envelope(status, "SomeException", "went wrong"))
    with script.client(max_retries=0) as cal, pytest.raises(kind) as raised:
        cal.attributes.delete("a1", org_id=1)
    assert type(raised.value) is kind
    assert raised.value.status_code == status and raised.value.message == "went wrong"
    assert raised.value.details == {"message": "went wrong", "error": "x", "statusCode": status}


def test_prisma_and_plain_nest_bodies_are_understood() -> None:
    prisma = httpx.Response(
        409,
        json={"status": "error", "timestamp": "t", "path": "/p", "error": {"code": "CONFLICT", "message": "exists"}},
    )
    plain = httpx.Response(500, json={"statusCode": 500, "message": "Internal server error"})
    with Script(prisma).client(max_retries=0) as cal, pytest.raises(ConflictError) as conflict:
        create_team(cal)
    assert (conflict.value.code, conflict.value.message, conflict.value.details) == ("CONFLICT", "exists", None)
    with Script(plain).client(max_retries=0) as cal, pytest.raises(InternalServerError) as crash:
        cal.assignments.assign(2, org_id=1, attribute_id="a")
    assert crash.value.message == "Internal server error" and crash.value.code is None


@pytest.mark.parametrize(
    ("response", "excerpt"),
    [
        (httpx.Response(200, content=b"{not json"), "{not json"),
        (httpx.Response(200, content=b'{"status":"success","data":[{"id":"a","teamId"'), '{"status":"success"'),
        (
            httpx.Response(
                200, content=b"<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
            ),
            "<html>",
        ),
        (httpx.Response(200, json={"status": "success", "data": "not a list"}), "not a list"),
        (
            httpx.Response(
                200,
                json={
                    "status": "success",
                    "data": [{"id": "a", "teamId": 1, "type": "COLOUR", "name": "n", "slug": "s", "enabled": True}],
                },
            ),
            "COLOUR",
        ),
        (httpx.Response(200, json={"status": "success", "data": [{"id": "a"}]}), '"id"'),
        (httpx.Response(206, json={"status": "success", "data": []}), "success"),
    ],
    ids=["malformed-json", "truncated", "html-page", "wrong-type", "unknown-enum", "missing-field", "undocumented-2xx"],
)
def test_a_body_that_is_not_what_the_spec_says_is_a_validation_error(response: httpx.Response, excerpt: str) -> None:
    with Script(response).client() as cal, pytest.raises(APIResponseValidationError) as raised:
        cal.attributes.list(org_id=1)
    assert excerpt in raised.value.body_excerpt and len(raised.value.body_excerpt) <= 200
    assert excerpt in str(raised.value)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"teamId": "one"}, "data/0/teamId"),
        ({"enabled": "yes"}, "data/0/enabled"),
        ({"slug": None}, "data/0/slug"),
        ({"createdAt": 5}, "data/0/createdAt"),
    ],
)
def test_a_wrong_field_type_inside_an_item_is_caught(data: dict[str, object], where: str) -> None:
    # The generated models only cast primitives; the spec check catches what they would let through.
    item = {"id": "a", "teamId": 1, "type": "TEXT", "name": "n", "slug": "s", "enabled": True, **data}
    script = Script(httpx.Response(200, json={"status": "success", "data": [item]}))
    with script.client(strict_response_validation=True) as cal, pytest.raises(APIResponseValidationError, match=where):
        cal.attributes.list(org_id=1)


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [({"teamId": "one"}, "team_id", "one"), ({"enabled": "yes"}, "enabled", "yes"), ({"slug": None}, "slug", None)],
)
def test_without_strict_validation_a_wrong_field_type_is_taken_as_it_is(
    data: dict[str, object], field: str, value: object
) -> None:
    # msgspec refuses the body; the models' lenient from_dict reads it, as before msgspec.
    item = {"id": "a", "teamId": 1, "type": "TEXT", "name": "n", "slug": "s", "enabled": True, **data}
    with Script(httpx.Response(200, json={"status": "success", "data": [item]})).client() as cal:
        assert getattr(cal.attributes.list(org_id=1).items[0], field) == value


def test_a_key_the_spec_does_not_name_is_kept_through_the_sdk() -> None:
    item = {"id": "a", "teamId": 1, "type": "TEXT", "name": "n", "slug": "s", "enabled": True, "teamName": "Acme"}
    script = Script(
        httpx.Response(200, json={"status": "success", "data": [item], "meta": {"total": 1}}),
        httpx.Response(200, json={"status": "success", "data": item}),
    )
    with script.client(strict_response_validation=True) as cal:  # the spec allows other keys
        assert cal.attributes.list(org_id=1).items[0].additional_properties == {"teamName": "Acme"}
        retrieved = cal.attributes.with_raw_response.retrieve("a", org_id=1).parse()
        assert retrieved is not None and retrieved["teamName"] == "Acme" and retrieved.slug == "s"


def test_an_html_error_page_is_a_status_error_with_an_excerpt() -> None:
    page = httpx.Response(502, content=b"<html><h1>502 Bad Gateway</h1></html>", headers={"content-type": "text/html"})
    script = Script(page)
    with script.client() as cal, pytest.raises(InternalServerError) as raised:
        cal.attributes.list(org_id=1)
    assert "502 Bad Gateway" in raised.value.message and script.attempts == 3


def test_the_async_client_retries_and_raises_the_same_way() -> None:
    script = Script(envelope(503, "X", "down"), httpx.ReadError("reset"), ok())

    async def run() -> object:
        async with script.async_client() as cal:
            return await cal.attributes.list(org_id=1)

    assert isinstance(asyncio.run(run()), AsyncPage) and script.attempts == 3
    failing = Script(envelope(404, "NotFoundException", "nope"))

    async def fail() -> None:
        async with failing.async_client() as cal:
            await cal.attributes.delete("a", org_id=1)

    with pytest.raises(NotFoundError):
        asyncio.run(fail())
    assert failing.attempts == 1


def test_the_generated_detailed_functions_return_errors_as_values_instead() -> None:
    # The choice the issue asks for: exceptions from the resources, or the generated `*_detailed`
    # responses (no retries, no exceptions) through the same configured client.
    script = Script(envelope(403, "ForbiddenException", "no role"))
    with script.client() as cal:
        response = list_attributes.sync_detailed(1, client=cal.generated)
    assert response.status_code == 403 and script.attempts == 1
    assert isinstance(response.parsed, HttpErrorResponse) and response.parsed.error.message == "no role"
    assert response.headers["x-request-id"] == "req-7"
