"""Every method of the resources against the mock: a success and an error each (17/17 operations)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from cal_attributes import (
    AsyncCalAttributes,
    BadRequestError,
    CalAttributes,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    SyncPage,
)
from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread
from tests.mock.conftest import DEPARTMENT, ENGINEERING, MEMBER_KEY, ORG, OWNER_KEY, SALES

USER = 102  # holds Sales in the demo seed


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = create_mock()
    with serve_in_thread(server) as base_url:
        yield base_url


@pytest.fixture
def cal(url: str) -> Iterator[CalAttributes]:
    with CalAttributes(OWNER_KEY, base_url=url, org_id=ORG, max_retries=0) as client:
        yield client


def test_attributes(cal: CalAttributes) -> None:
    page = cal.attributes.list(page_size=2)
    assert isinstance(page, SyncPage) and len(page.items) == 2 and page.has_next_page()
    slugs = [attribute.slug for attribute in page]
    assert "department" in slugs and len(slugs) > 2
    *_, last = page.iter_pages()
    assert last.items  # no trailing empty page
    if last.has_next_page():  # a full last page cannot know: the page after it is empty
        last = last.get_next_page()
        assert not last.items and not last.has_next_page()
    with pytest.raises(RuntimeError, match="last page"):
        last.get_next_page()
    created = cal.attributes.create(
        name="Region", slug="region-res", type_="SINGLE_SELECT", options=[{"value": "EMEA", "slug": "emea"}]
    )
    with pytest.raises(ConflictError):
        cal.attributes.create(name="Region", slug="region-res", type_="TEXT", options=[])
    assert cal.attributes.retrieve(created.id) == created
    assert cal.attributes.retrieve("no-such-attribute") is None
    with pytest.raises(PermissionDeniedError):
        cal.attributes.retrieve("x", org_id=999)
    assert cal.attributes.update(created.id, name="Area").name == "Area"
    with pytest.raises(NotFoundError):
        cal.attributes.update("no-such-attribute", name="x")
    assert cal.attributes.delete(created.id).id == created.id
    with pytest.raises(NotFoundError):
        cal.attributes.delete(created.id)


def test_options(cal: CalAttributes) -> None:
    assert {option.slug for option in cal.attributes.options.list(DEPARTMENT)} >= {"engineering", "sales"}
    option = cal.attributes.options.create(DEPARTMENT, value="Legal", slug="legal")
    with pytest.raises(BadRequestError):
        cal.attributes.options.create("no-such-attribute", value="x", slug="x")
    assert cal.attributes.options.update(DEPARTMENT, option.id, value="Law").value == "Law"
    with pytest.raises(NotFoundError):
        cal.attributes.options.update(DEPARTMENT, "no-such-option", value="x")
    assert cal.attributes.options.delete(DEPARTMENT, option.id).id == option.id
    with pytest.raises(NotFoundError):
        cal.attributes.options.delete(DEPARTMENT, option.id)
    with pytest.raises(PermissionDeniedError):
        cal.attributes.options.list(DEPARTMENT, org_id=999)


def test_list_assigned_by_id_and_by_slug(cal: CalAttributes) -> None:
    by_id = [option.id for option in cal.attributes.options.list_assigned(attribute_id=DEPARTMENT, page_size=1)]
    by_slug = [option.id for option in cal.attributes.options.list_assigned(attribute_slug="department")]
    assert by_id == by_slug and ENGINEERING in by_id
    with pytest.raises(PermissionDeniedError):
        cal.attributes.options.list_assigned(attribute_id=DEPARTMENT, org_id=999)
    with pytest.raises(PermissionDeniedError):
        cal.attributes.options.list_assigned(attribute_slug="department", org_id=999)


def test_assignments_and_histories(cal: CalAttributes) -> None:
    assert SALES in {option.id for option in cal.assignments.list(USER)}
    assigned = cal.assignments.assign(USER, attribute_id=DEPARTMENT, attribute_option_id=ENGINEERING)
    with pytest.raises(ConflictError):
        cal.assignments.assign(USER, attribute_id=DEPARTMENT, attribute_option_id=ENGINEERING)
    assert cal.assignments.update_weight(USER, ENGINEERING, weight=7).weight == 7
    with pytest.raises(NotFoundError):
        cal.assignments.update_weight(USER, "no-such-option", weight=1)
    assert cal.assignments.unassign(USER, ENGINEERING).id == assigned.id
    with pytest.raises(NotFoundError):
        cal.assignments.unassign(USER, ENGINEERING)
    assert len(list(cal.assignments.history(USER, page_size=1))) >= 2
    with pytest.raises(NotFoundError):
        cal.assignments.history(999_999)
    assert isinstance(list(cal.sync_history.list(USER)), list)
    with pytest.raises(PermissionDeniedError):
        cal.sync_history.list(USER, org_id=999)
    with pytest.raises(PermissionDeniedError):
        cal.assignments.list(USER, org_id=999)


def test_a_member_is_refused_writes(url: str) -> None:
    with CalAttributes(MEMBER_KEY, base_url=url, org_id=ORG) as member, pytest.raises(PermissionDeniedError):
        member.attributes.create(name="x", slug="x", type_="TEXT", options=[])


def test_without_an_organization_the_error_says_how_to_give_one(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAL_ORG_ID", raising=False)
    with CalAttributes(OWNER_KEY, base_url=url) as cal, pytest.raises(ConfigurationError, match="org_id"):
        cal.attributes.list()
    monkeypatch.setenv("CAL_ORG_ID", str(ORG))
    with CalAttributes(OWNER_KEY, base_url=url) as cal:
        assert cal.org_id == ORG and cal.attributes.list().items


def test_raw_responses_and_options(cal: CalAttributes) -> None:
    raw = cal.attributes.with_raw_response.retrieve(DEPARTMENT)
    assert raw.status_code == 200 and raw.http_response.request.method == "GET"
    assert raw.parse() is not None and raw.parse().slug == "department"  # type: ignore[union-attr]
    page = cal.attributes.options.with_raw_response.list_assigned(attribute_slug="department").parse()
    assert ENGINEERING in {option.id for option in page}
    quick = cal.with_options(timeout=2.0, max_retries=1)
    assert quick.timeout.read == 2.0 and quick.max_retries == 1 and cal.max_retries == 0
    assert quick._http is cal._http  # one connection pool
    seen = quick.attributes.list(extra_headers={"x-trace": "1"}, extra_query={"unused": "1"})
    assert seen.items


def test_the_async_client_through_an_asgi_transport() -> None:
    transport = httpx.ASGITransport(app=create_mock())

    async def run() -> tuple[list[str], str | None]:
        async with AsyncCalAttributes(
            OWNER_KEY, base_url="http://mock", org_id=ORG, httpx_args={"transport": transport}
        ) as cal:
            first = await cal.attributes.list(page_size=1)
            slugs = [attribute.slug async for attribute in cal.attributes.list(page_size=1)]
            assert len(first.items) == 1 and first.has_next_page()
            retrieved = await cal.attributes.retrieve(DEPARTMENT)
            with pytest.raises(NotFoundError):
                await cal.attributes.delete("no-such-attribute")
            raw = await cal.attributes.with_raw_response.list()
            assert raw.parse().items
            return slugs, None if retrieved is None else retrieved.slug

    slugs, slug = asyncio.run(run())
    assert "department" in slugs and slug == "department"


def test_a_validation_error_says_which_rule_was_broken(cal: CalAttributes) -> None:
    with pytest.raises(BadRequestError) as raised:
        cal.assignments.assign(USER, attribute_id=DEPARTMENT)  # neither value nor attribute_option_id
    text = str(raised.value)
    assert "attributeOptionId should not be empty" in text, text
    assert raised.value.request_id and raised.value.request_id in text
