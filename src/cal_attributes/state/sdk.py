"""``OrgOperations`` over the SDK: ``AsyncCalAttributes`` directly, ``CalAttributes`` in worker threads.

The state engine paces and retries every request itself (so each attempt is paced and counted),
so the adapters use the client with ``max_retries=0``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from cal_attributes_client.models import AssignedOption, AssignmentHistoryEntry, Attribute, AttributeOption
from cal_attributes_client.types import Unset

from cal_attributes._base_client import NOT_GIVEN, NotGiven
from cal_attributes.errors import APIConnectionError, APIError, APIStatusError
from cal_attributes.state.ops import (
    HISTORY_PAGE,
    AssignedRow,
    AttributeRow,
    OperationError,
    OptionRow,
    Page,
    WeightSeen,
)

if TYPE_CHECKING:
    from cal_attributes_client.resources import AsyncCalAttributes, CalAttributes

    from cal_attributes._base_client import AsyncPage, SyncPage

T = TypeVar("T")
R = TypeVar("R")
TypeName = Literal["MULTI_SELECT", "NUMBER", "SINGLE_SELECT", "TEXT", "USER_RELATIONSHIP"]
ATTRIBUTE_PAGE = 250  # the API's largest page
ASSIGNED_PAGE = 250  # no documented maximum; the API's own default


@contextmanager
def operation_errors() -> Iterator[None]:
    """The SDK's errors as ``OperationError``: the status and Retry-After kept."""
    try:
        yield
    except APIStatusError as error:
        raise OperationError(
            str(error), status=error.status_code, retry_after=error.retry_after, server_message=error.message
        ) from None
    except APIConnectionError as error:  # no answer: the network, a timeout
        raise OperationError(f"{type(error).__name__}: {error}") from None
    except APIError as error:  # an answer too large or malformed: the same again on a retry
        raise OperationError(f"{type(error).__name__}: {error}", unreadable=True) from None


def attribute_row(row: Attribute) -> AttributeRow:
    locked = False if isinstance(row.is_locked, Unset) else row.is_locked
    return AttributeRow(row.id, row.slug, row.name, row.type_.value, row.enabled, locked)


def option_row(row: AttributeOption) -> OptionRow:
    return OptionRow(row.id, row.attribute_id, row.slug, row.value)


def assigned_row(row: AssignedOption) -> AssignedRow:
    return AssignedRow(row.id, row.assigned_user_ids)


def weights_seen(entries: Sequence[AssignmentHistoryEntry]) -> list[WeightSeen]:
    """What each change left (newest first); an unassignment leaves nothing to read."""
    seen = []
    for entry in entries:
        for change in entry.changes:
            value = change.current
            if value is not None and not isinstance(value, Unset):
                seen.append(WeightSeen(value.option_id, None if isinstance(value.weight, Unset) else value.weight))
    return seen


def type_name(text: str) -> TypeName:
    return cast(TypeName, text)  # the planner only passes types the state file's schema allowed


def given(value: T | None) -> T | NotGiven:
    return NOT_GIVEN if value is None else value


class AsyncSdkOperations:
    """One organization's operations (the client's ``org_id``) through ``AsyncCalAttributes``."""

    def __init__(self, cal: AsyncCalAttributes) -> None:
        self.cal = cal.with_options(max_retries=0)

    async def _page(self, request: Awaitable[AsyncPage[T]], convert: Callable[[Sequence[T]], Sequence[R]]) -> Page[R]:
        with operation_errors():
            page = await request
        follow = (lambda: self._page(page.get_next_page(), convert)) if page.has_next_page() else None
        return Page(convert(page.items), follow)

    async def list_attributes(self) -> Page[AttributeRow]:
        return await self._page(
            self.cal.attributes.list(page_size=ATTRIBUTE_PAGE), lambda i: [attribute_row(a) for a in i]
        )

    async def list_options(self, attribute_id: str) -> Sequence[OptionRow]:
        with operation_errors():
            return [option_row(o) for o in await self.cal.attributes.options.list(attribute_id)]

    async def list_assigned(self, attribute_id: str) -> Page[AssignedRow]:
        first = self.cal.attributes.options.list_assigned(attribute_id=attribute_id, page_size=ASSIGNED_PAGE)
        return await self._page(first, lambda i: [assigned_row(o) for o in i])

    async def assignment_history(self, user_id: int, *, page_size: int = HISTORY_PAGE) -> Page[WeightSeen]:
        return await self._page(self.cal.assignments.history(user_id, page_size=page_size), weights_seen)

    async def create_attribute(self, *, slug: str, name: str, type: str, enabled: bool) -> AttributeRow:
        with operation_errors():
            created = await self.cal.attributes.create(
                name=name, slug=slug, type_=type_name(type), options=[], enabled=enabled
            )
        return attribute_row(created)

    async def update_attribute(
        self, attribute_id: str, *, name: str | None, type: str | None, enabled: bool | None
    ) -> None:
        with operation_errors():
            await self.cal.attributes.update(
                attribute_id, name=given(name), type_=given(type_name(type) if type else None), enabled=given(enabled)
            )

    async def delete_attribute(self, attribute_id: str) -> None:
        with operation_errors():
            await self.cal.attributes.delete(attribute_id)

    async def create_option(self, attribute_id: str, *, slug: str, value: str) -> OptionRow:
        with operation_errors():
            return option_row(await self.cal.attributes.options.create(attribute_id, value=value, slug=slug))

    async def update_option(self, attribute_id: str, option_id: str, *, value: str) -> None:
        with operation_errors():
            await self.cal.attributes.options.update(attribute_id, option_id, value=value)

    async def delete_option(self, attribute_id: str, option_id: str) -> None:
        with operation_errors():
            await self.cal.attributes.options.delete(attribute_id, option_id)

    async def assign(self, user_id: int, *, attribute_id: str, option_id: str, weight: int | None) -> None:
        with operation_errors():
            await self.cal.assignments.assign(
                user_id, attribute_id=attribute_id, attribute_option_id=option_id, weight=given(weight)
            )

    async def update_weight(self, user_id: int, option_id: str, weight: int) -> None:
        with operation_errors():
            await self.cal.assignments.update_weight(user_id, option_id, weight=weight)

    async def unassign(self, user_id: int, option_id: str) -> None:
        with operation_errors():
            await self.cal.assignments.unassign(user_id, option_id)


class ThreadedSdkOperations:
    """The same through the blocking ``CalAttributes``, each request in a worker thread so that a
    few overlap (httpx's ``Client`` is thread-safe)."""

    def __init__(self, cal: CalAttributes) -> None:
        self.cal = cal.with_options(max_retries=0)

    async def _run(self, request: Callable[[], R]) -> R:
        with operation_errors():
            return await asyncio.to_thread(request)

    async def _page(self, request: Callable[[], SyncPage[T]], convert: Callable[[Sequence[T]], Sequence[R]]) -> Page[R]:
        page = await self._run(request)
        follow = (lambda: self._page(page.get_next_page, convert)) if page.has_next_page() else None
        return Page(convert(page.items), follow)

    async def list_attributes(self) -> Page[AttributeRow]:
        return await self._page(
            lambda: self.cal.attributes.list(page_size=ATTRIBUTE_PAGE), lambda i: [attribute_row(a) for a in i]
        )

    async def list_options(self, attribute_id: str) -> Sequence[OptionRow]:
        return [option_row(o) for o in await self._run(lambda: self.cal.attributes.options.list(attribute_id))]

    async def list_assigned(self, attribute_id: str) -> Page[AssignedRow]:
        return await self._page(
            lambda: self.cal.attributes.options.list_assigned(attribute_id=attribute_id, page_size=ASSIGNED_PAGE),
            lambda i: [assigned_row(o) for o in i],
        )

    async def assignment_history(self, user_id: int, *, page_size: int = HISTORY_PAGE) -> Page[WeightSeen]:
        return await self._page(lambda: self.cal.assignments.history(user_id, page_size=page_size), weights_seen)

    async def create_attribute(self, *, slug: str, name: str, type: str, enabled: bool) -> AttributeRow:
        created = await self._run(
            lambda: self.cal.attributes.create(name=name, slug=slug, type_=type_name(type), options=[], enabled=enabled)
        )
        return attribute_row(created)

    async def update_attribute(
        self, attribute_id: str, *, name: str | None, type: str | None, enabled: bool | None
    ) -> None:
        await self._run(
            lambda: self.cal.attributes.update(
                attribute_id, name=given(name), type_=given(type_name(type) if type else None), enabled=given(enabled)
            )
        )

    async def delete_attribute(self, attribute_id: str) -> None:
        await self._run(lambda: self.cal.attributes.delete(attribute_id))

    async def create_option(self, attribute_id: str, *, slug: str, value: str) -> OptionRow:
        return option_row(
            await self._run(lambda: self.cal.attributes.options.create(attribute_id, value=value, slug=slug))
        )

    async def update_option(self, attribute_id: str, option_id: str, *, value: str) -> None:
        await self._run(lambda: self.cal.attributes.options.update(attribute_id, option_id, value=value))

    async def delete_option(self, attribute_id: str, option_id: str) -> None:
        await self._run(lambda: self.cal.attributes.options.delete(attribute_id, option_id))

    async def assign(self, user_id: int, *, attribute_id: str, option_id: str, weight: int | None) -> None:
        await self._run(
            lambda: self.cal.assignments.assign(
                user_id, attribute_id=attribute_id, attribute_option_id=option_id, weight=given(weight)
            )
        )

    async def update_weight(self, user_id: int, option_id: str, weight: int) -> None:
        await self._run(lambda: self.cal.assignments.update_weight(user_id, option_id, weight=weight))

    async def unassign(self, user_id: int, option_id: str) -> None:
        await self._run(lambda: self.cal.assignments.unassign(user_id, option_id))
