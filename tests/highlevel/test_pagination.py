"""Iterators over every list endpoint: page boundaries, empty pages, cursors, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from cal_attributes import CalAttributes
from tests.highlevel.faults import Script


def attribute(n: int) -> dict[str, Any]:
    return {"id": f"a{n}", "teamId": 1, "type": "TEXT", "name": f"A{n}", "slug": f"a{n}", "enabled": True}


def skip_take_server(total: int, item: Any = attribute) -> Script:
    def answer(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        skip, take = int(query["skip"][0]), int(query["take"][0])
        return httpx.Response(
            200, json={"status": "success", "data": [item(n) for n in range(skip, min(total, skip + take))]}
        )

    return Script(answer)


@pytest.mark.parametrize(
    ("total", "page_size", "requests"), [(0, 10, 1), (9, 10, 1), (10, 10, 2), (25, 10, 3), (3, 1, 4)]
)
def test_skip_take_across_page_boundaries(total: int, page_size: int, requests: int) -> None:
    script = skip_take_server(total)
    with script.client() as cal:
        slugs = [a.slug for a in cal.attributes.list(org_id=1, page_size=page_size)]
    assert slugs == [f"a{n}" for n in range(total)]
    assert script.attempts == requests


def test_iteration_is_lazy() -> None:
    script = skip_take_server(1000)
    with script.client() as cal:
        iterator = iter(cal.attributes.list(org_id=1, page_size=100))
        assert script.attempts == 1  # the first page comes with the call
        first = [next(iterator) for _ in range(150)]
    assert len(first) == 150 and script.attempts == 2


def test_async_iteration_is_lazy() -> None:
    script = skip_take_server(1000)

    async def run() -> None:
        async with script.async_client() as cal:
            items = aiter(cal.attributes.list(org_id=1, page_size=100))
            await asyncio.sleep(0)  # a request scheduled in the background would run here
            assert script.attempts == 0  # nothing is sent before iteration starts
            first = await anext(items)
            assert first.slug == "a0" and script.attempts == 1  # one request before the first item
            rest = [await anext(items) for _ in range(99)]
            assert rest[-1].slug == "a99" and script.attempts == 1  # the first page is used up first
            assert (await anext(items)).slug == "a100" and script.attempts == 2

    asyncio.run(run())


def test_assigned_options_by_id_or_slug_with_filters_on_the_wire() -> None:
    def option(n: int) -> dict[str, Any]:
        return {"id": f"o{n}", "attributeId": "a", "value": f"V{n}", "slug": f"v{n}", "assignedUserIds": [1, 2]}

    script = skip_take_server(5, option)
    with script.client() as cal:
        values = [
            o.value
            for o in cal.attributes.options.list_assigned(
                org_id=1, attribute_slug="dept", team_ids=[10, 20], page_size=2
            )
        ]
        assert values == [f"V{n}" for n in range(5)]
        list(
            cal.attributes.options.list_assigned(
                org_id=1, attribute_id="a1", assigned_option_ids=["x", "y"], page_size=10
            )
        )
    assert script.requests[0].url.path == "/v2/organizations/1/attributes/slugs/dept/options/assigned"
    assert script.requests[0].url.params["teamIds"] == "10,20"  # one comma-separated value (explode: false)
    assert script.requests[-1].url.path == "/v2/organizations/1/attributes/a1/options/assigned"
    assert script.requests[-1].url.params.get_list("assignedOptionIds") == ["x,y"]
    with pytest.raises(TypeError, match="exactly one"):
        CalAttributes("cal_k").attributes.options.list_assigned(org_id=1)  # type: ignore[call-overload]
    # One string is a Sequence[str] to mypy: it would go out as its characters, "x,y,z", and match
    # nothing. It is refused before sending, with the fix.
    sent = len(script.requests)
    with (
        script.client() as cal,
        pytest.raises(TypeError, match=r"`assigned_option_ids` takes a list .* pass \['xyz'\]"),
    ):
        cal.attributes.options.list_assigned(org_id=1, attribute_id="a1", assigned_option_ids="xyz")
    assert len(script.requests) == sent


def test_a_server_that_changes_between_pages_still_ends() -> None:
    # Items inserted while paging shift skip/take windows: each page is taken as it comes, and
    # iteration ends at the first short page.
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        skip = int(parse_qs(request.url.query.decode())["skip"][0])
        total = 4 + calls["n"]  # one more attribute at every request
        return httpx.Response(
            200, json={"status": "success", "data": [attribute(n) for n in range(skip, min(total, skip + 2))]}
        )

    with Script(answer).client() as cal:
        slugs = [a.slug for a in cal.attributes.list(org_id=1, page_size=2)]
    assert slugs[:4] == ["a0", "a1", "a2", "a3"] and len(slugs) <= 10


def history_server(total: int) -> Script:
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(total)]

    def answer(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        limit = int(query["limit"][0])
        start = ids.index(query["cursor"][0]) + 1 if "cursor" in query else 0
        page = ids[start : start + limit]
        more = start + limit < total
        entry = {"timestamp": "2026-01-01T00:00:00Z", "source": "API_V2", "actor": {"type": "USER", "displayName": "A"},
                 "sourceContext": {}, "changes": []}  # fmt: skip
        data: dict[str, Any] = {
            "userId": 5,
            "membershipId": 9,
            "auditLogs": [{"id": i, **entry} for i in page],
            "hasMore": more,
        }
        if more:
            data["nextCursor"] = page[-1]
        if request.url.path.endswith("/history"):
            return httpx.Response(200, json={"status": "success", "data": data})
        runs = [{"id": i, "provider": "okta", "status": "APPLIED", "signatureVerified": True, "createdAt": "2026-01-01T00:00:00Z",
                 "ruleEvaluations": [], "appliedFieldMappings": [], "teamMembershipChanges": []} for i in page]  # fmt: skip
        meta = {"hasMore": more, **({"nextCursor": page[-1]} if more else {})}
        return httpx.Response(200, json={"status": "success", "data": runs, "meta": meta})

    return Script(answer)


@pytest.mark.parametrize(("total", "requests"), [(0, 1), (3, 1), (7, 3), (6, 2)])
def test_cursor_pagination_follows_next_cursor(total: int, requests: int) -> None:
    script = history_server(total)
    with script.client() as cal:
        assert len(list(cal.assignments.history(5, org_id=1, page_size=3))) == total
    assert script.attempts == requests
    script = history_server(total)
    with script.client() as cal:
        assert len(list(cal.sync_history.list(5, org_id=1, page_size=3))) == total
    assert script.attempts == requests


def test_page_sizes_are_checked() -> None:
    cal = CalAttributes("cal_k")
    for bad in (lambda: cal.attributes.list(org_id=1, page_size=251), lambda: cal.assignments.history(2, org_id=1, page_size=51),
                lambda: cal.sync_history.list(2, org_id=1, page_size=0)):  # fmt: skip
        with pytest.raises(ValueError, match="page_size"):
            bad()


def test_async_iterators() -> None:
    attributes, history = skip_take_server(5), history_server(5)

    async def run() -> tuple[list[str], list[str]]:
        async with attributes.async_client() as cal:
            slugs = [a.slug async for a in cal.attributes.list(org_id=1, page_size=2)]
        async with history.async_client() as cal:
            ids = [e.id async for e in cal.assignments.history(5, org_id=1, page_size=2)]
            runs = [r.id async for r in cal.sync_history.list(5, org_id=1, page_size=2)]
        assert len(runs) == 5
        return slugs, ids

    slugs, ids = asyncio.run(run())
    assert slugs == [f"a{n}" for n in range(5)] and len(ids) == 5 and attributes.attempts == 3


@pytest.mark.parametrize(("total", "sizes"), [(0, [0]), (9, [9]), (10, [10]), (20, [10, 10]), (25, [10, 10, 5])])
def test_iter_pages_yields_no_empty_page_after_the_first(total: int, sizes: list[int]) -> None:
    # A last page that is exactly full cannot tell it is the last: the request after it finds
    # nothing, which ends the walk without a trailing empty page (the first may be empty).
    script = skip_take_server(total)
    with script.client() as cal:
        assert [len(page) for page in cal.attributes.list(org_id=1, page_size=10).iter_pages()] == sizes

    async def pages() -> list[int]:
        async with skip_take_server(total).async_client() as cal:
            first = await cal.attributes.list(org_id=1, page_size=10)
            return [len(page) async for page in first.iter_pages()]

    assert asyncio.run(pages()) == sizes


def test_an_empty_cursor_page_that_says_there_is_more_does_not_end_the_walk() -> None:
    # The spec: follow nextCursor while hasMore is true, whatever a page holds.
    entry = {"timestamp": "2026-01-01T00:00:00Z", "source": "API_V2", "actor": {"type": "USER", "displayName": "A"},
             "sourceContext": {}, "changes": []}  # fmt: skip
    pages = {
        None: ([f"00000000-0000-4000-8000-{1:012d}"], "c1"),
        "c1": ([], "c2"),
        "c2": ([f"00000000-0000-4000-8000-{3:012d}"], None),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        ids, cursor = pages[parse_qs(request.url.query.decode()).get("cursor", [None])[0]]
        data: dict[str, Any] = {"userId": 5, "membershipId": 9, "auditLogs": [{"id": i, **entry} for i in ids]}
        data |= {"hasMore": True, "nextCursor": cursor} if cursor else {"hasMore": False}
        return httpx.Response(200, json={"status": "success", "data": data})

    with Script(answer).client() as cal:
        assert [e.id[-1] for e in cal.assignments.history(5, org_id=1)] == ["1", "3"]
        pages_seen = [len(page) for page in cal.assignments.history(5, org_id=1).iter_pages()]
    assert pages_seen == [1, 0, 1]


def test_a_cursor_sent_back_unchanged_ends_the_walk() -> None:
    # A server repeating nextCursor would have the same page fetched forever (sync and async).
    entry = {"timestamp": "2026-01-01T00:00:00Z", "source": "API_V2", "actor": {"type": "USER", "displayName": "A"},
             "sourceContext": {}, "changes": []}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        first = "cursor" not in parse_qs(request.url.query.decode())
        logs = [{"id": "00000000-0000-4000-8000-000000000001", **entry}] if first else []
        data = {"userId": 5, "membershipId": 9, "auditLogs": logs, "hasMore": True, "nextCursor": "same"}
        return httpx.Response(200, json={"status": "success", "data": data})

    script = Script(answer)
    with script.client() as cal:
        assert len(list(cal.assignments.history(5, org_id=1))) == 1
    assert script.attempts == 2

    async def walk() -> int:
        async with Script(answer).async_client() as cal:
            return len([e async for e in cal.assignments.history(5, org_id=1)])

    assert asyncio.run(walk()) == 1
