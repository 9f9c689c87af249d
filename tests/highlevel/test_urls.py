"""The absolute-URL table (cal_attributes._urls): the same URLs httpx builds, bounded, per base URL."""

from __future__ import annotations

import httpx
import pytest
from cal_attributes_client.api.attributes import get_attribute, list_attributes

from cal_attributes import CalAttributes
from cal_attributes._urls import MAX_PATHS, UrlCache, merge
from cal_attributes.errors import NotFoundError

PATHS = [
    "/v2/organizations/1/attributes",
    "/v2/organizations/1/attributes/slug/caf%C3%A9%20bar",
    "/v2/organizations/1/attributes/a%2Fb/options",
    "v2/relative/without/slash",
    "/v2/organizations/1/attributes?ignored=not-a-query-here",
]


@pytest.mark.parametrize("base", ["https://api.cal.com", "https://proxy.example/cal/api/", "http://127.0.0.1:8080"])
@pytest.mark.parametrize("path", PATHS)
def test_merge_builds_what_httpx_builds(base: str, path: str) -> None:
    client = httpx.Client(base_url=base)
    assert merge(client.base_url, path) == client.build_request("GET", path).url


def test_an_absolute_url_is_kept_as_it_is() -> None:
    base = httpx.Client(base_url="https://api.cal.com").base_url
    assert merge(base, "https://other.example/x") == httpx.URL("https://other.example/x")


def test_a_path_is_parsed_once_per_base_url() -> None:
    cache = UrlCache()
    base = httpx.Client(base_url="https://api.cal.com").base_url
    first = cache.absolute(base, "/v2/organizations/1/attributes")
    assert cache.absolute(base, "/v2/organizations/1/attributes") is first
    assert first[1] == "https://api.cal.com/v2/organizations/1/attributes"

    moved = httpx.Client(base_url="https://eu.cal.com").base_url
    assert (
        cache.absolute(moved, "/v2/organizations/1/attributes")[1] == "https://eu.cal.com/v2/organizations/1/attributes"
    )


def test_the_table_is_bounded() -> None:
    cache = UrlCache()
    base = httpx.Client(base_url="https://api.cal.com").base_url
    for user in range(MAX_PATHS * 3):
        _, text = cache.absolute(base, f"/v2/organizations/1/attributes/options/{user}")
        assert text.endswith(f"/options/{user}")
    _, table = cache._table
    assert len(table) <= MAX_PATHS


def test_the_client_follows_a_replaced_httpx_client_to_its_base_url() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": "success", "data": []})

    cal = CalAttributes("cal_k", base_url="https://api.cal.com", httpx_args={"transport": httpx.MockTransport(answer)})
    cal.call(list_attributes, 1)
    cal.generated.set_httpx_client(
        httpx.Client(base_url="https://eu.cal.com/prefix", transport=httpx.MockTransport(answer))
    )
    cal.call(list_attributes, 1)
    assert seen == [
        "https://api.cal.com/v2/organizations/1/attributes",
        "https://eu.cal.com/prefix/v2/organizations/1/attributes",
    ]


def test_path_parameters_are_escaped_as_httpx_would() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(404, json={"status": "error", "error": {"code": "NotFoundException", "message": "x"}})

    cal = CalAttributes(
        "cal_k", base_url="https://api.cal.com", max_retries=0, httpx_args={"transport": httpx.MockTransport(answer)}
    )
    with pytest.raises(NotFoundError) as raised:
        cal.call(get_attribute, 1, "a/b c")
    assert raised.value.url == "https://api.cal.com/v2/organizations/1/attributes/a%2Fb%20c"
    assert seen[0].raw_path == b"/v2/organizations/1/attributes/a%2Fb%20c"
