"""Where the next page starts and where the items of a page are, for each list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from uuid import UUID

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
from cal_attributes_client.types import UNSET

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
