"""The short cuts of the request path send and accept exactly what the general path would."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest

from cal_attributes import APIResponseTooLargeError, AsyncCalAttributes, CalAttributes
from cal_attributes._base_client import new_request, query_text

BASE = "https://api.cal.test"
PAGE = json.dumps({"status": "success", "data": []}).encode()


@pytest.mark.parametrize(
    "query",
    [
        {"skip": 0, "take": 250},
        {"cursor": "abc-DEF_1.2~", "take": 10},
        {"slug": "needs encoding", "take": 1},
        {"slug": "départ/ement&x=1", "n": 2},
        {"enabled": True, "locked": False},
        {"missing": None, "ratio": 1.5},
        {"ids": [1, 2], "take": 3},
        {"key with space": 1},
        {"empty": ""},
    ],
)
def test_the_query_text_is_what_httpx_writes(query: dict[str, object]) -> None:
    assert query_text(query) == str(httpx.QueryParams(query))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "content", "headers"),
    [
        ("GET", None, None),
        ("POST", b'{"a":1}', {"Content-Type": "application/json"}),
        ("PATCH", b"{}", {"Content-Type": "application/json", "X-Trace": "t1", "accept": "text/plain"}),
    ],
)
def test_a_request_built_directly_is_the_one_httpx_builds(
    method: str, content: bytes | None, headers: dict[str, str] | None
) -> None:
    http = httpx.Client(headers={"Authorization": "Bearer cal_k", "Accept": "application/json"})
    url = f"{BASE}/v2/organizations/1/attributes?skip=0&take=5"
    timeout = httpx.Timeout(3.0, connect=1.0)
    built = http.build_request(method, url, content=content, headers=headers, timeout=timeout)
    direct = new_request(http, method, url, content, headers, timeout)
    assert (direct.method, direct.url, direct.headers.raw, direct.extensions, direct.content) == (
        built.method,
        built.url,
        built.headers.raw,
        built.extensions,
        built.content,
    )


def test_the_clients_own_cookies_and_query_parameters_are_still_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=PAGE)

    args = {"transport": httpx.MockTransport(answer), "cookies": {"session": "s1"}, "params": {"tenant": "t1"}}
    with CalAttributes("cal_k", base_url=BASE, org_id=1, httpx_args=args) as cal:
        cal.attributes.list(page_size=5)
    assert seen[0].headers["cookie"] == "session=s1"
    assert seen[0].url.params["tenant"] == "t1"
    assert seen[0].url.params["take"] == "5"


def big_answer(request: httpx.Request) -> httpx.Response:
    # A body the transport hands over already read, as MockTransport does.
    return httpx.Response(200, content=b'{"status":"success","data":[' + b'{"x":0},' * 200 + b"null]}")


def test_a_body_already_in_memory_is_held_to_the_size_limit() -> None:
    args = {"transport": httpx.MockTransport(big_answer)}
    cal = CalAttributes("cal_k", base_url=BASE, org_id=1, max_response_bytes=1000, httpx_args=args)
    with cal, pytest.raises(APIResponseTooLargeError):
        cal.attributes.list()


def test_a_body_already_in_memory_is_held_to_the_size_limit_async() -> None:
    async def run() -> None:
        args = {"transport": httpx.MockTransport(big_answer)}
        async with AsyncCalAttributes(
            "cal_k", base_url=BASE, org_id=1, max_response_bytes=1000, httpx_args=args
        ) as cal:
            with pytest.raises(APIResponseTooLargeError):
                await cal.attributes.list()

    asyncio.run(run())


def test_a_gzip_body_already_in_memory_is_read_decompressed() -> None:
    """MockTransport hands the body over already read (and inflated by httpx): no second read of the stream."""

    row = {
        "id": "a1",
        "teamId": 1,
        "type": "TEXT",
        "name": "Office",
        "slug": "office",
        "enabled": True,
        "usersCanEditRelation": False,
        "isWeightsEnabled": False,
        "isLocked": False,
    }
    body = json.dumps({"status": "success", "data": [row]}).encode()

    def gzipped(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(body), headers={"content-encoding": "gzip"})

    with CalAttributes("cal_k", base_url=BASE, org_id=1, httpx_args={"transport": httpx.MockTransport(gzipped)}) as cal:
        page = cal.attributes.list(page_size=5)
    assert [a.slug for a in page.data] == ["office"]
