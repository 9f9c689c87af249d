"""Per-request options (extra_headers/extra_query/extra_body) on the wire, and with_raw_response on
every namespace against the mock, sync and async; plus the two resource gaps of the 17/17 check."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from cal_attributes_client.models import (
    AssignmentHistoryEntry,
    Attribute,
    AttributeAssignment,
    AttributeOption,
    SyncRun,
    SyncRunStatus,
)

from cal_attributes import (
    AsyncCalAttributes,
    AsyncCursorPage,
    AsyncPage,
    CalAttributes,
    PermissionDeniedError,
    RawResponse,
    SyncCursorPage,
    SyncPage,
)
from cal_attributes_mock import MockServer, create_mock
from cal_attributes_mock.serve import serve_in_thread
from tests.highlevel.faults import KEY
from tests.mock.conftest import DEPARTMENT, ENGINEERING, ORG, OWNER_KEY

HOLDER = 102  # holds Sales in the demo seed; Engineering is assigned to them below
SYNCED = 103  # has two sync runs in the demo seed
OPTIONS: dict[str, Any] = {
    "extra_headers": {"x-trace": "h-1"},
    "extra_query": {"trace": "q-1"},
    "extra_body": {"extraField": "b-1"},
}

# --- extra_headers, extra_query, extra_body on the wire -----------------------------------------


def answer(request: httpx.Request) -> httpx.Response:
    """A valid success body for each operation the options tests call."""
    path = request.url.path
    if request.method == "POST" and path.endswith("/attributes"):
        data: Any = {"id": "a1", "teamId": 1, "type": "TEXT", "name": "N", "slug": "n", "enabled": True}
        return httpx.Response(201, json={"status": "success", "data": data})
    if request.method == "POST":  # assignOptionToUser
        return httpx.Response(
            201, json={"status": "success", "data": {"id": "x", "memberId": 9, "attributeOptionId": "o1"}}
        )
    if "/sync-history/" in path:
        return httpx.Response(200, json={"status": "success", "data": [], "meta": {"hasMore": False}})
    data = [{"id": "o1", "attributeId": "a1", "value": "V", "slug": "v"}]
    return httpx.Response(200, json={"status": "success", "data": data})


class Capture:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return answer(request)

    def client(self) -> CalAttributes:
        transport = httpx.MockTransport(self.handle)
        return CalAttributes(KEY, base_url="https://api.cal.test", org_id=1, httpx_args={"transport": transport})

    def async_client(self) -> AsyncCalAttributes:
        transport = httpx.MockTransport(self.handle)
        return AsyncCalAttributes(KEY, base_url="https://api.cal.test", org_id=1, httpx_args={"transport": transport})


SyncCall = Callable[[CalAttributes, dict[str, Any]], object]
AsyncCall = Callable[[AsyncCalAttributes, dict[str, Any]], Awaitable[object]]
# One method of each namespace; the writes carry a body for extra_body to join.
CALLS: dict[str, tuple[SyncCall, AsyncCall, dict[str, object] | None]] = {
    "attributes.create": (
        lambda cal, o: cal.attributes.create(name="N", slug="n", type_="TEXT", options=[], **o),
        lambda cal, o: cal.attributes.create(name="N", slug="n", type_="TEXT", options=[], **o),
        {"name": "N", "slug": "n", "type": "TEXT", "options": []},
    ),
    "attributes.options.list": (
        lambda cal, o: cal.attributes.options.list("a1", **o),
        lambda cal, o: cal.attributes.options.list("a1", **o),
        None,
    ),
    "assignments.assign": (
        lambda cal, o: cal.assignments.assign(9, attribute_id="a1", attribute_option_id="o1", **o),
        lambda cal, o: cal.assignments.assign(9, attribute_id="a1", attribute_option_id="o1", **o),
        {"attributeId": "a1", "attributeOptionId": "o1"},
    ),
    "assignments.list": (
        lambda cal, o: cal.assignments.list(9, **o),
        lambda cal, o: cal.assignments.list(9, **o),
        None,
    ),
    "sync_history.list": (
        lambda cal, o: cal.sync_history.list(9, **o),
        lambda cal, o: cal.sync_history.list(9, **o),
        None,
    ),
}


def options_for(body: dict[str, object] | None) -> dict[str, Any]:
    """extra_body only where the operation has a body (a GET with one would be a different request)."""
    return OPTIONS if body is not None else {k: v for k, v in OPTIONS.items() if k != "extra_body"}


def assert_options_sent(request: httpx.Request, body: dict[str, object] | None) -> None:
    assert request.headers["x-trace"] == "h-1"
    assert request.headers["authorization"] == f"Bearer {KEY}"  # added to, not replacing, the client's
    assert request.url.params["trace"] == "q-1"
    if body is not None:
        assert json.loads(request.content) == {**body, "extraField": "b-1"}
        assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize("name", list(CALLS))
def test_extra_headers_query_and_body_are_sent(name: str) -> None:
    call, _, body = CALLS[name]
    capture = Capture()
    with capture.client() as cal:
        call(cal, options_for(body))
    (request,) = capture.requests
    assert_options_sent(request, body)


@pytest.mark.parametrize("name", list(CALLS))
def test_extra_headers_query_and_body_are_sent_async(name: str) -> None:
    _, call, body = CALLS[name]
    capture = Capture()

    async def run() -> None:
        async with capture.async_client() as cal:
            await call(cal, options_for(body))

    asyncio.run(run())
    (request,) = capture.requests
    assert_options_sent(request, body)


def test_extra_query_stays_on_every_page() -> None:
    # The next page's query is built from the first one's: a lost extra_query would change the
    # filter half-way through a list.
    requests: list[httpx.Request] = []

    def pages(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        skip = int(request.url.params["skip"])
        data = [{"id": f"a{n}", "teamId": 1, "type": "TEXT", "name": "A", "slug": f"a{n}", "enabled": True}
                for n in range(skip, min(3, skip + 2))]  # fmt: skip
        return httpx.Response(200, json={"status": "success", "data": data})

    transport = httpx.MockTransport(pages)
    with CalAttributes(KEY, base_url="https://api.cal.test", org_id=1, httpx_args={"transport": transport}) as cal:
        assert len(list(cal.attributes.list(page_size=2, **options_for(None)))) == 3
    assert len(requests) == 2
    for request in requests:
        assert request.url.params["trace"] == "q-1" and request.headers["x-trace"] == "h-1"


# --- with_raw_response on every namespace, against the mock -------------------------------------


@pytest.fixture(scope="module")
def server() -> MockServer:
    return create_mock()


@pytest.fixture(scope="module")
def url(server: MockServer) -> Iterator[str]:
    with serve_in_thread(server) as base_url:
        yield base_url


@pytest.fixture
def cal(server: MockServer, url: str) -> Iterator[CalAttributes]:
    server.reset()
    with CalAttributes(OWNER_KEY, base_url=url, org_id=ORG, max_retries=0) as client:
        yield client


def checked(raw: RawResponse[Any], status: int) -> None:
    assert isinstance(raw, RawResponse)
    assert raw.status_code == status
    assert raw.request_id is not None and raw.request_id == raw.headers["x-request-id"]


def test_raw_responses_of_every_namespace(cal: CalAttributes) -> None:
    listed = cal.attributes.with_raw_response.list(page_size=2)
    checked(listed, 200)
    page = listed.parse()
    assert isinstance(page, SyncPage) and len(page.items) == 2 and all(isinstance(a, Attribute) for a in page.items)
    assert page.has_next_page() and len(list(page)) > 2  # the parsed page still walks on

    created = cal.attributes.with_raw_response.create(name="Region", slug="region-raw", type_="TEXT", options=[])
    checked(created, 201)
    assert isinstance(created.parse(), Attribute) and created.parse().slug == "region-raw"

    options = cal.attributes.options.with_raw_response.list(DEPARTMENT)
    checked(options, 200)
    assert {option.slug for option in options.parse()} >= {"engineering", "sales"}
    assert all(isinstance(option, AttributeOption) for option in options.parse())
    assigned = cal.attributes.options.with_raw_response.list_assigned(attribute_slug="department")
    checked(assigned, 200)
    assert ENGINEERING in {option.id for option in assigned.parse()}

    assignment = cal.assignments.with_raw_response.assign(
        HOLDER, attribute_id=DEPARTMENT, attribute_option_id=ENGINEERING
    )
    checked(assignment, 201)
    assert isinstance(assignment.parse(), AttributeAssignment) and assignment.parse().attribute_option_id == ENGINEERING
    history = cal.assignments.with_raw_response.history(HOLDER)
    checked(history, 200)
    entries = history.parse()
    assert isinstance(entries, SyncCursorPage) and entries.items
    assert all(isinstance(entry, AssignmentHistoryEntry) for entry in entries.items)

    runs = cal.sync_history.with_raw_response.list(SYNCED)
    checked(runs, 200)
    parsed = runs.parse()
    assert isinstance(parsed, SyncCursorPage) and len(parsed.items) == 2
    assert all(isinstance(run, SyncRun) for run in parsed.items)


def test_a_given_request_id_comes_back_on_the_raw_response(cal: CalAttributes) -> None:
    raw = cal.attributes.with_raw_response.list(extra_headers={"x-request-id": "mine-1"})
    assert raw.request_id == "mine-1" == raw.headers["x-request-id"]


def test_raw_responses_of_every_namespace_async() -> None:
    transport = httpx.ASGITransport(app=create_mock())

    async def run() -> None:
        async with AsyncCalAttributes(
            OWNER_KEY, base_url="http://mock", org_id=ORG, max_retries=0, httpx_args={"transport": transport}
        ) as cal:
            listed = await cal.attributes.with_raw_response.list(page_size=2)
            checked(listed, 200)
            page = listed.parse()
            assert isinstance(page, AsyncPage) and len(page.items) == 2
            assert len([a async for a in page]) > 2

            created = await cal.attributes.with_raw_response.create(
                name="Region", slug="region-raw", type_="TEXT", options=[]
            )
            checked(created, 201)
            assert isinstance(created.parse(), Attribute) and created.parse().slug == "region-raw"

            options = await cal.attributes.options.with_raw_response.list(DEPARTMENT)
            checked(options, 200)
            assert {option.slug for option in options.parse()} >= {"engineering", "sales"}
            assigned = await cal.attributes.options.with_raw_response.list_assigned(attribute_slug="department")
            checked(assigned, 200)
            assert ENGINEERING in {option.id for option in assigned.parse().items}

            assignment = await cal.assignments.with_raw_response.assign(
                HOLDER, attribute_id=DEPARTMENT, attribute_option_id=ENGINEERING
            )
            checked(assignment, 201)
            assert isinstance(assignment.parse(), AttributeAssignment)
            history = await cal.assignments.with_raw_response.history(HOLDER)
            checked(history, 200)
            entries = history.parse()
            assert isinstance(entries, AsyncCursorPage) and entries.items
            assert all(isinstance(entry, AssignmentHistoryEntry) for entry in entries.items)

            runs = await cal.sync_history.with_raw_response.list(SYNCED)
            checked(runs, 200)
            parsed = runs.parse()
            assert isinstance(parsed, AsyncCursorPage) and len(parsed.items) == 2
            assert all(isinstance(run, SyncRun) for run in parsed.items)

    asyncio.run(run())


# --- the two gaps of "every method against the mock" --------------------------------------------


def test_listing_attributes_of_an_organization_the_caller_is_not_in_is_refused(cal: CalAttributes) -> None:
    with pytest.raises(PermissionDeniedError, match="does not represent any existing organization"):
        cal.attributes.list(org_id=999)
    with pytest.raises(PermissionDeniedError, match="not a member of the organization with id=2"):
        cal.attributes.list(org_id=2)  # Globex exists; its owner is another user


def test_sync_history_decodes_the_seeded_runs(cal: CalAttributes) -> None:
    runs = list(cal.sync_history.list(SYNCED, page_size=1))  # two pages: the cursor is followed
    assert [run.id for run in runs] == ["4f3e2d1c-0b9a-4887-a665-544332211000", "3e2d1c0b-9a88-4766-a554-433221100fff"]
    applied, no_match = runs
    assert applied.provider == "okta" and applied.status == SyncRunStatus.APPLIED and applied.signature_verified
    assert applied.created_at == datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC)
    assert applied.user_id == SYNCED and applied.organization_id == ORG and applied.credential_id == 7
    assert applied.user_name == "Max Member" and applied.external_user_id == "00u1abcd"
    assert applied.error_message is None
    (rule,) = applied.rule_evaluations
    assert rule.attribute_key == "department" and rule.passed and rule.actual_value == "Engineering"
    (mapping,) = applied.applied_field_mappings
    assert (mapping.previous_value, mapping.new_value, mapping.attribute_id) == ("Sales", "Engineering", DEPARTMENT)
    (change,) = applied.team_membership_changes
    assert change.team_id == 10 and change.outcome == "ADDED"
    assert no_match.status == SyncRunStatus.NO_RULES_MATCHED and no_match.rule_evaluations == []
