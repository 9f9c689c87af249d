"""The organization operations the state engine needs, as a small Protocol.

The engine, the reader and the tests depend on this, not on a client: the adapter in
``cal_attributes.state.remote`` implements it over HTTP, and tests can wrap it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


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
class AssignedPage:
    """One page of an attribute's assigned options: option id -> holders' user ids."""

    holders: Mapping[str, Sequence[int]]
    has_more: bool


class OperationError(Exception):
    """A request the server answered with an error, or that could not be completed."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def transient(self) -> bool:
        """Worth another try: the network, a timeout, or a 5xx."""
        return self.status is None or self.status >= 500


class OrgOperations(Protocol):
    """Reads and writes of one organization's attributes (every method is one request)."""

    async def list_attributes(self, skip: int, take: int) -> Sequence[AttributeRow]: ...

    async def list_options(self, attribute_id: str) -> Sequence[OptionRow]: ...

    async def list_assigned(self, attribute_id: str, skip: int, take: int) -> AssignedPage: ...

    async def assignment_weights(self, user_id: int, cursor: str | None) -> tuple[Mapping[str, int | None], str | None]:
        """One page of a user's assignment history (newest first): the latest weight seen per
        option id on this page, and the cursor of the next page (None at the end)."""
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
