"""The retry policy's details: 408, Retry-After as an HTTP date, the wait cap, backoff with jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from cal_attributes import InternalServerError, RateLimitError
from cal_attributes._retry import RETRY_AFTER_CAP, retry_delay, should_retry
from cal_attributes.errors import APIStatusError, parse_retry_after
from tests.highlevel.faults import Script, create_team, envelope, ok


def http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


def test_a_408_is_retried_for_a_read_but_not_for_a_write() -> None:
    read = Script(envelope(408, "RequestTimeout", "too slow"), ok())
    with read.client() as cal:
        cal.attributes.list(org_id=1)
    assert read.attempts == 2

    write = Script(envelope(408, "RequestTimeout", "too slow"), ok())
    with write.client() as cal, pytest.raises(APIStatusError) as raised:
        create_team(cal)
    assert write.attempts == 1 and raised.value.status_code == 408


def test_a_write_is_repeated_after_a_503_whose_retry_after_is_an_http_date() -> None:
    # A write is repeated only when the server said when: so the date must have been understood.
    created = {"id": "a", "teamId": 1, "type": "TEXT", "name": "Team", "slug": "team", "enabled": True}
    answer = httpx.Response(201, json={"status": "success", "data": created})
    script = Script(envelope(503, "ServiceUnavailable", "busy", {"Retry-After": http_date(-5)}), answer)
    with script.client() as cal:
        create_team(cal)
    assert script.attempts == 2


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [("120", 120, 120), (" 7 ", 7, 7), (30.0, 28, 30.01), (-30.0, 0, 0)],
    ids=["seconds", "seconds-padded", "future-date", "past-date"],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | float, low: float, high: float) -> None:
    # A float is an HTTP date that many seconds from now, made here (whole seconds, so up to 1 s less).
    seconds = parse_retry_after(http_date(header) if isinstance(header, float) else header)
    assert seconds is not None and low <= seconds <= high


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5"])
def test_a_missing_or_unreadable_retry_after_is_none(header: str | None) -> None:
    assert parse_retry_after(header) is None


def waited(initial: float, attempt: int, error: BaseException, maximum: float = 8.0) -> float:
    return retry_delay(error, attempt, initial, maximum)


def status_error(status: int, retry_after: float | None) -> APIStatusError:
    kind = RateLimitError if status == 429 else InternalServerError
    return kind(
        "x",
        method="GET",
        url="u",
        status_code=status,
        code=None,
        details=None,
        request_id=None,
        retry_after=retry_after,
    )


def test_retry_after_is_waited_up_to_the_cap_and_a_longer_one_is_not_retried() -> None:
    backoff = 0.5
    assert waited(backoff, 1, status_error(429, 3.0)) == 3.0
    assert waited(backoff, 1, status_error(429, 60.0)) == RETRY_AFTER_CAP == 60.0
    for method in ("GET", "POST"):
        assert should_retry(method, status_error(429, 60.0))
        assert not should_retry(method, status_error(429, 3600.0))
        assert not should_retry(method, status_error(503, 61.0))


def test_a_retry_after_beyond_the_cap_is_raised_at_once() -> None:
    """A 429 asking for an hour: RateLimitError with retry_after=3600 at once, not a 60 s wait
    and a retry that would be refused again."""
    script = Script(envelope(429, "TOO_MANY_REQUESTS", "slow down", {"Retry-After": "3600"}), ok())
    with script.client(org_id=1, max_retries=2) as cal, pytest.raises(RateLimitError) as raised:
        cal.attributes.list()
    assert raised.value.retry_after == 3600.0 and script.attempts == 1


def test_without_retry_after_the_wait_grows_exponentially_with_full_jitter() -> None:
    random.seed(20261123)
    backoff = 0.5
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (6, 8.0), (12, 8.0)]:
        waits = [waited(backoff, attempt, status_error(503, None)) for _ in range(200)]
        assert all(0 <= wait <= ceiling for wait in waits), attempt
        assert max(waits) > ceiling * 0.8, attempt  # the whole range is used: jitter, not a fixed wait
        assert len(set(waits)) > 150, attempt
