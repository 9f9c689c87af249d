"""Where the next page starts and where the items of a page are, for each list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from cal_attributes_client.api.attribute_options import (
    get_assignment_history,
    list_assigned_options,
    list_assigned_options_by_slug,
)
from cal_attributes_client.api.attribute_sync_history import get_user_sync_history
from cal_attributes_client.api.attributes import list_attributes
from cal_attributes_client.models import (
    AssignedOption,
    AssignedOptionListResponse,
    AssignmentHistoryEntry,
    AssignmentHistoryResponse,
    Attribute,
    AttributeListResponse,
    SyncHistoryResponse,
    SyncRun,
)
from cal_attributes_client.types import UNSET, Unset

from cal_attributes.errors import APIResponseValidationError

T = TypeVar("T")
M = TypeVar("M")
# A page's items, whether more follow, and the cursor of the next page (None for skip/take).
PageReader = Callable[[Any], tuple[list[T], bool, str | None]]


class Pager(Protocol):
    done: bool

    def params(self) -> dict[str, Any]: ...

    def advance(self, count: int, has_more: bool, next_cursor: str | None) -> None: ...


class SkipTake:
    """Offset paging: the next page starts after the items seen; a short page is the last."""

    def __init__(self, take: int) -> None:
        self.take, self.skip, self.done = take, 0, False

    def params(self) -> dict[str, Any]:
        return {"skip": self.skip, "take": self.take}

    def advance(self, count: int, has_more: bool, next_cursor: str | None) -> None:
        self.skip += count
        self.done = count < self.take


class Cursor:
    """Cursor paging: follow ``nextCursor`` while the server says more follow."""

    def __init__(self, limit: int) -> None:
        self.limit, self.done = limit, False
        self.cursor: str | None = None

    def params(self) -> dict[str, Any]:
        return {"limit": self.limit, "cursor": UUID(self.cursor) if self.cursor else UNSET}

    def advance(self, count: int, has_more: bool, next_cursor: str | None) -> None:
        self.cursor = next_cursor
        self.done = not has_more or next_cursor is None


def _expect(parsed: object, model: type[M]) -> M:
    if not isinstance(parsed, model):
        raise APIResponseValidationError(
            f"expected {model.__name__}, got {type(parsed).__name__}", method="GET", url="", status_code=200, body=""
        )
    return parsed


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def attribute_page(parsed: object) -> tuple[list[Attribute], bool, str | None]:
    return _expect(parsed, AttributeListResponse).data, True, None


def assigned_page(parsed: object) -> tuple[list[AssignedOption], bool, str | None]:
    return _expect(parsed, AssignedOptionListResponse).data, True, None


def history_page(parsed: object) -> tuple[list[AssignmentHistoryEntry], bool, str | None]:
    data = _expect(parsed, AssignmentHistoryResponse).data
    return data.audit_logs, data.has_more, _text(data.next_cursor)


def sync_page(parsed: object) -> tuple[list[SyncRun], bool, str | None]:
    page = _expect(parsed, SyncHistoryResponse)
    return page.data, page.meta.has_more, _text(page.meta.next_cursor)


@dataclass
class Listing(Generic[T]):
    """One list endpoint's call: the operation, its arguments, how it pages, where its items are.

    The sync and async clients iterate the same listings, built by the functions below.
    """

    endpoint: Any
    args: tuple[Any, ...]
    filters: dict[str, Any]
    pager: Pager
    read: PageReader[T]

    def call_arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The next page's positional and keyword arguments for ``call(endpoint, ...)``."""
        return self.args, {**self.filters, **self.pager.params()}


def _page_size(value: int, maximum: int | None) -> int:
    if value < 1 or (maximum is not None and value > maximum):
        raise ValueError(f"page_size must be between 1 and {maximum or 'any number'}, got {value}")
    return value


def attributes(org_id: int, page_size: int) -> Listing[Attribute]:
    return Listing(list_attributes, (org_id,), {}, SkipTake(_page_size(page_size, 250)), attribute_page)


def assigned_options(
    org_id: int,
    attribute_id: str | None,
    attribute_slug: str | None,
    assigned_option_ids: list[str] | Unset,
    team_ids: list[int] | Unset,
    page_size: int,
) -> Listing[AssignedOption]:
    if (attribute_id is None) == (attribute_slug is None):
        raise ValueError("pass exactly one of attribute_id and attribute_slug")
    endpoint, selector = (
        (list_assigned_options, attribute_id)
        if attribute_id is not None
        else (list_assigned_options_by_slug, attribute_slug)
    )
    filters = {"assigned_option_ids": assigned_option_ids, "team_ids": team_ids}
    return Listing(endpoint, (org_id, selector), filters, SkipTake(_page_size(page_size, None)), assigned_page)


def assignment_history(org_id: int, user_id: int, page_size: int) -> Listing[AssignmentHistoryEntry]:
    return Listing(get_assignment_history, (org_id, user_id), {}, Cursor(_page_size(page_size, 50)), history_page)


def sync_history(org_id: int, user_id: int, page_size: int) -> Listing[SyncRun]:
    return Listing(get_user_sync_history, (org_id, user_id), {}, Cursor(_page_size(page_size, 100)), sync_page)
