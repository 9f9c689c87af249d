"""The bounds of test_bounds.py for AsyncCalAttributes: the same servers, limits and assertions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from cal_attributes import APIResponseTooLargeError, APITimeoutError, AsyncCalAttributes, UnexpectedRedirectError
from tests.sdk.test_bounds import Behaviour, bomb, forever, peak_memory, redirect, trickle
from tests.sdk.test_bounds import serve as serve  # the fixture: one local server per behaviour

LIMIT = 4 * 2**20


@pytest.mark.parametrize(("behaviour", "limit_mib"), [(forever, 40), (bomb, 16)], ids=["endless", "gzip-bomb"])
def test_a_huge_body_stops_at_the_size_limit(
    serve: Callable[[Behaviour], str], behaviour: Callable[[], Behaviour], limit_mib: float
) -> None:
    url = serve(behaviour())

    async def call() -> None:
        async with AsyncCalAttributes("cal_k", base_url=url, org_id=1, max_retries=0, max_response_bytes=LIMIT) as cal:
            await cal.attributes.list()

    started = time.monotonic()
    peak, error = peak_memory(lambda: asyncio.run(call()))
    assert isinstance(error, APIResponseTooLargeError) and error.limit == LIMIT
    assert peak < limit_mib and time.monotonic() - started < 10


def test_a_trickled_body_stops_at_the_attempt_deadline(serve: Callable[[Behaviour], str]) -> None:
    url = serve(trickle)

    async def call() -> None:
        async with AsyncCalAttributes("cal_k", base_url=url, org_id=1, max_retries=0, timeout=1.0) as cal:
            await cal.attributes.list()

    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="deadline"):
        asyncio.run(call())
    assert time.monotonic() - started < 2.5  # the deadline (1 s) plus at most one read (0.1 s) and slack


def test_a_redirect_is_an_error_even_when_the_user_asked_httpx_to_follow(serve: Callable[[Behaviour], str]) -> None:
    url = serve(redirect)

    async def call() -> None:
        async with AsyncCalAttributes("cal_k", base_url=url, org_id=1, httpx_args={"follow_redirects": True}) as cal:
            await cal.attributes.list()

    with pytest.raises(UnexpectedRedirectError) as raised:
        asyncio.run(call())
    assert raised.value.status_code == 302 and raised.value.location == "https://elsewhere.example/steal"
