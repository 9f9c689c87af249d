"""The short cuts of the request path send and accept exactly what the general path would."""

from __future__ import annotations

import asyncio
import gzip
import json
import re

import httpx
import pytest
from cal_attributes_client.api.attributes import list_attributes

from cal_attributes import (
    APIResponseTooLargeError,
    APIResponseValidationError,
    AsyncCalAttributes,
    CalAttributes,
    ConfigurationError,
)
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


@pytest.mark.parametrize("key", ["timeout", "base_url"])
def test_a_timeout_or_base_url_in_httpx_args_is_refused_naming_the_argument_to_use(key: str) -> None:
    """They would be silently replaced by the client's own (a trial's timeout 0.5 became 30 s)."""
    with pytest.raises(ConfigurationError, match=f"pass {key}= to the client itself"):
        CalAttributes("cal_k", httpx_args={key: 99.0 if key == "timeout" else "https://elsewhere.test"})


def test_auth_in_httpx_args_is_refused_naming_the_credential_arguments() -> None:
    """httpx's auth would replace the client's Authorization header: every call a 401."""
    with pytest.raises(ConfigurationError, match="pass the credential as api_key="):
        CalAttributes("cal_k", httpx_args={"auth": ("user", "password")})


@pytest.mark.parametrize(
    "user_args",
    [
        {"follow_redirects": True},
        {"headers": {"X-Team": "blue"}},
        {"cookies": {"session": "s1"}},
        {"verify": False},
    ],
    ids=lambda args: next(iter(args)),
)
def test_the_generated_escape_hatch_takes_any_httpx_args(user_args: dict[str, object]) -> None:
    # The generated client passes these to httpx.Client itself: the same keys in httpx_args were
    # a TypeError on its first call ("got multiple values for keyword argument").
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"status": "success", "data": []})

    cal = CalAttributes(
        "cal_k", base_url="https://api.cal.test", httpx_args={**user_args, "transport": httpx.MockTransport(answer)}
    )
    response = list_attributes.sync_detailed(1, client=cal.generated)
    assert response.status_code == 200
    (request,) = sent
    assert str(request.url).startswith("https://api.cal.test/v2/organizations/1/attributes")  # our base URL
    assert request.headers["Authorization"] == "Bearer cal_k"
    if "headers" in user_args:
        assert request.headers["X-Team"] == "blue"
    if "cookies" in user_args:
        assert request.headers["Cookie"] == "session=s1"


def test_path_arguments_are_percent_encoded_whole() -> None:
    # A slash or a dot segment inside an id stays inside its path segment: "x/../.." must not
    # climb out of /options/ to address the attribute (or the organization).
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"status": "success", "data": None})

    with CalAttributes(
        "cal_k", base_url="https://api.cal.test", org_id=1, httpx_args={"transport": httpx.MockTransport(answer)}
    ) as cal:
        cal.attributes.retrieve("a/b c?d")
        with pytest.raises(APIResponseValidationError):  # data null is no option row: only the URL matters
            cal.attributes.options.delete("a", "x/../..")
    assert [request.url.raw_path for request in sent] == [
        b"/v2/organizations/1/attributes/a%2Fb%20c%3Fd",
        b"/v2/organizations/1/attributes/a/options/x%2F..%2F..",
    ]


def test_requests_say_which_sdk_sent_them() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"status": "success", "data": []})

    with CalAttributes("cal_k", base_url=BASE, org_id=1, httpx_args={"transport": httpx.MockTransport(answer)}) as cal:
        cal.attributes.list()
    assert re.fullmatch(r"cal-attributes/\d+\.\d+\.\d+\S* python-httpx/\S+", sent[0].headers["user-agent"])
