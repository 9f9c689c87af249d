"""The organization operations the state engine needs, as a small Protocol.

The engine and the reader depend on this, not on a client: ``cal_attributes.state.sdk``
implements it over ``AsyncCalAttributes`` and ``CalAttributes``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from cal_attributes.errors import PicklableError

T = TypeVar("T")

HISTORY_PAGE = 50  # the API's largest page of assignment history


@dataclass(frozen=True)
class AttributeRow:
    id: str
    slug: str
    name: str
    type: str
    enabled: bool
    is_locked: bool


@dataclass(frozen=True)
class OptionRow:
    id: str
    attribute_id: str
    slug: str
    value: str


@dataclass(frozen=True)
class AssignedRow:
    """An option that is assigned, with the user ids of all its holders."""

    option_id: str
    user_ids: Sequence[int]


@dataclass(frozen=True)
class WeightSeen:
    """An assignment's weight as one history entry left it (entries come newest first)."""

    option_id: str
    weight: int | None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One response's items, and the request for the next page (None on the last)."""

    items: Sequence[T]
    next: Callable[[], Awaitable[Page[T]]] | None = None


class OperationError(PicklableError):
    """A request the server answered with an error, or that could not be completed.
    ``server_message`` is the server's own message (None when it did not answer), for a caller
    that tells answers apart by what they say (``str()`` adds the status, URL and request id)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        server_message: str | None = None,
        unreadable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.server_message = server_message
        self.unreadable = unreadable  # an answer came but could not be read (too large, malformed)

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def transient(self) -> bool:
        """Worth another try: the network, a timeout, a 408 or a 5xx (as the SDK's retry policy); not
        an answer that could not be read, which the same request would get again."""
        if self.status is None:
            return not self.unreadable
        return self.status == 408 or self.status >= 500


class OrgOperations(Protocol):
    """Reads and writes of one organization's attributes (every method is one request)."""

    async def list_attributes(self) -> Page[AttributeRow]: ...

    async def list_options(self, attribute_id: str) -> Sequence[OptionRow]: ...

    async def list_assigned(self, attribute_id: str) -> Page[AssignedRow]: ...

    async def assignment_history(self, user_id: int, *, page_size: int = HISTORY_PAGE) -> Page[WeightSeen]:
        """The user's assignment history, newest first, as the weights its changes left
        (``page_size`` entries a page, 1 to 50)."""
        ...

    async def create_attribute(self, *, slug: str, name: str, type: str, enabled: bool) -> AttributeRow:
        """Created without options: each option is its own change (and returns its id)."""
        ...

    async def update_attribute(
        self, attribute_id: str, *, name: str | None, type: str | None, enabled: bool | None
    ) -> None: ...

    async def delete_attribute(self, attribute_id: str) -> None: ...

    async def create_option(self, attribute_id: str, *, slug: str, value: str) -> OptionRow: ...

    async def update_option(self, attribute_id: str, option_id: str, *, value: str) -> None: ...

    async def delete_option(self, attribute_id: str, option_id: str) -> None: ...

    async def assign(self, user_id: int, *, attribute_id: str, option_id: str, weight: int | None) -> None: ...

    async def update_weight(self, user_id: int, option_id: str, weight: int) -> None: ...

    async def unassign(self, user_id: int, option_id: str) -> None: ...
