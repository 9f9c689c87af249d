"""What mypy infers for every method's result (sync and async, pages and their items).

Never run: ``mypy --strict`` over the repository (tests/test_static_checks.py) checks it, so a
result type that drifts from what the README promises fails there.
"""

from __future__ import annotations

from typing import assert_type

from cal_attributes_client.models import (
    AssignedOption,
    AssignmentHistoryEntry,
    Attribute,
    AttributeAssignment,
    AttributeOption,
    SyncRun,
)

from cal_attributes import (
    AsyncCalAttributes,
    AsyncCursorPage,
    AsyncPage,
    AsyncPaginator,
    CalAttributes,
    RawResponse,
    SyncCursorPage,
    SyncPage,
)


def sync_results(cal: CalAttributes) -> None:
    page = cal.attributes.list(page_size=10)
    assert_type(page, SyncPage[Attribute])
    assert_type(page.items, list[Attribute])
    assert_type(page.get_next_page(), SyncPage[Attribute])
    for attribute in page:
        assert_type(attribute, Attribute)
    for each in page.iter_pages():
        assert_type(each, SyncPage[Attribute])
    assert_type(cal.attributes.create(name="n", slug="s", type_="TEXT", options=[]), Attribute)
    assert_type(cal.attributes.retrieve("a"), Attribute | None)
    assert_type(cal.attributes.update("a", name="n"), Attribute)
    assert_type(cal.attributes.delete("a"), Attribute)
    assert_type(cal.attributes.options.list("a"), list[AttributeOption])
    assert_type(cal.attributes.options.create("a", value="v", slug="s"), AttributeOption)
    assert_type(cal.attributes.options.update("a", "o", value="v"), AttributeOption)
    assert_type(cal.attributes.options.delete("a", "o"), AttributeOption)
    assert_type(cal.attributes.options.list_assigned(attribute_id="a"), SyncPage[AssignedOption])
    assert_type(cal.attributes.options.list_assigned(attribute_slug="s", team_ids=[1]), SyncPage[AssignedOption])
    assert_type(cal.assignments.list(1), list[AttributeOption])
    assert_type(cal.assignments.assign(1, attribute_id="a", value="v"), AttributeAssignment)
    assert_type(cal.assignments.unassign(1, "o"), AttributeAssignment)
    assert_type(cal.assignments.update_weight(1, "o", weight=3), AttributeAssignment)
    history = cal.assignments.history(1)
    assert_type(history, SyncCursorPage[AssignmentHistoryEntry])
    assert_type(history.next_cursor, str | None)
    assert_type(cal.sync_history.list(1), SyncCursorPage[SyncRun])
    raw = cal.attributes.with_raw_response.create(name="n", slug="s", type_="NUMBER", options=[])
    assert_type(raw, RawResponse[Attribute])
    assert_type(raw.parse(), Attribute)
    assert_type(cal.attributes.options.with_raw_response.list("a"), RawResponse[list[AttributeOption]])
    raw_page = cal.attributes.options.with_raw_response.list_assigned(attribute_slug="s")
    assert_type(raw_page, RawResponse[SyncPage[AssignedOption]])
    assert_type(cal.with_options(timeout=1.0), CalAttributes)


async def async_results(cal: AsyncCalAttributes) -> None:
    paginator = cal.attributes.list()
    assert_type(paginator, AsyncPaginator[Attribute, AsyncPage[Attribute]])
    page = await paginator
    assert_type(page, AsyncPage[Attribute])
    assert_type(await page.get_next_page(), AsyncPage[Attribute])
    async for attribute in cal.attributes.list():
        assert_type(attribute, Attribute)
    async for item in page:
        assert_type(item, Attribute)
    assert_type(await cal.attributes.create(name="n", slug="s", type_="TEXT", options=[]), Attribute)
    assert_type(await cal.attributes.retrieve("a"), Attribute | None)
    assert_type(await cal.attributes.update("a"), Attribute)
    assert_type(await cal.attributes.delete("a"), Attribute)
    assert_type(await cal.attributes.options.list("a"), list[AttributeOption])
    assert_type(await cal.attributes.options.create("a", value="v", slug="s"), AttributeOption)
    assert_type(await cal.attributes.options.update("a", "o"), AttributeOption)
    assert_type(await cal.attributes.options.delete("a", "o"), AttributeOption)
    assert_type(await cal.attributes.options.list_assigned(attribute_id="a"), AsyncPage[AssignedOption])
    assert_type(await cal.assignments.list(1), list[AttributeOption])
    assert_type(await cal.assignments.assign(1, attribute_id="a"), AttributeAssignment)
    assert_type(await cal.assignments.unassign(1, "o"), AttributeAssignment)
    assert_type(await cal.assignments.update_weight(1, "o"), AttributeAssignment)
    assert_type(await cal.assignments.history(1), AsyncCursorPage[AssignmentHistoryEntry])
    assert_type(await cal.sync_history.list(1), AsyncCursorPage[SyncRun])
    assert_type(await cal.attributes.with_raw_response.list(), RawResponse[AsyncPage[Attribute]])
    assert_type(await cal.attributes.with_raw_response.delete("a"), RawResponse[Attribute])
    assert_type(cal.with_options(max_retries=0), AsyncCalAttributes)
