"""``OrgOperations`` over HTTP, on the generated package's public ``asyncio_detailed`` functions."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

import httpx
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import (
    assign_option_to_user,
    create_option,
    delete_option,
    get_assignment_history,
    list_assigned_options,
    list_options,
    unassign_option_from_user,
    update_assignment_weight,
    update_option,
)
from cal_attributes_client.api.attributes import create_attribute, delete_attribute, list_attributes, update_attribute
from cal_attributes_client.models import (
    AssignedOptionListResponse,
    AssignmentHistoryResponse,
    AssignOptionToUserInput,
    Attribute,
    AttributeListResponse,
    AttributeOption,
    AttributeOptionListResponse,
    AttributeOptionResponse,
    AttributeResponse,
    AttributeType,
    CreateAttributeInput,
    CreateOptionInput,
    UpdateAssignmentInput,
    UpdateAttributeInput,
    UpdateOptionInput,
)
from cal_attributes_client.types import UNSET, Response, Unset

from cal_attributes.state.ops import AssignedPage, AttributeRow, OperationError, OptionRow

R = TypeVar("R")
HISTORY_PAGE = 50  # the history endpoint's largest page


class HttpOrgOperations:
    """One organization's attribute operations; every error becomes an ``OperationError``."""

    def __init__(self, client: AuthenticatedClient, org_id: int) -> None:
        self.client, self.org_id = client, org_id

    async def list_attributes(self, skip: int, take: int) -> Sequence[AttributeRow]:
        page = await self._data(
            lambda: list_attributes.asyncio_detailed(self.org_id, client=self.client, skip=skip, take=take),
            AttributeListResponse,
        )
        return [_attribute(a) for a in page.data]

    async def list_options(self, attribute_id: str) -> Sequence[OptionRow]:
        page = await self._data(
            lambda: list_options.asyncio_detailed(self.org_id, attribute_id, client=self.client),
            AttributeOptionListResponse,
        )
        return [_option(o) for o in page.data]

    async def list_assigned(self, attribute_id: str, skip: int, take: int) -> AssignedPage:
        page = await self._data(
            lambda: list_assigned_options.asyncio_detailed(
                self.org_id, attribute_id, client=self.client, skip=skip, take=take
            ),
            AssignedOptionListResponse,
        )
        return AssignedPage({o.id: o.assigned_user_ids for o in page.data}, has_more=len(page.data) >= take)

    async def assignment_weights(self, user_id: int, cursor: str | None) -> tuple[Mapping[str, int | None], str | None]:
        after: UUID | Unset = UUID(cursor) if cursor else UNSET
        page = await self._data(
            lambda: get_assignment_history.asyncio_detailed(
                self.org_id, user_id, client=self.client, limit=HISTORY_PAGE, cursor=after
            ),
            AssignmentHistoryResponse,
        )
        weights: dict[str, int | None] = {}
        for entry in page.data.audit_logs:  # newest first: the first value seen for an option is its weight now
            for change in entry.changes:
                value = change.current
                if value is not None and not isinstance(value, Unset) and value.option_id not in weights:
                    weights[value.option_id] = None if isinstance(value.weight, Unset) else value.weight
        next_cursor = page.data.next_cursor
        return weights, (next_cursor if page.data.has_more and isinstance(next_cursor, str) else None)

    async def create_attribute(self, *, slug: str, name: str, type: str, enabled: bool) -> AttributeRow:
        body = CreateAttributeInput(name=name, slug=slug, type_=AttributeType(type), options=[], enabled=enabled)
        created = await self._data(
            lambda: create_attribute.asyncio_detailed(self.org_id, client=self.client, body=body), AttributeResponse
        )
        return _attribute(created.data)

    async def update_attribute(
        self, attribute_id: str, *, name: str | None, type: str | None, enabled: bool | None
    ) -> None:
        body = UpdateAttributeInput(
            name=UNSET if name is None else name,
            type_=UNSET if type is None else AttributeType(type),
            enabled=UNSET if enabled is None else enabled,
        )
        await self._check(
            lambda: update_attribute.asyncio_detailed(self.org_id, attribute_id, client=self.client, body=body)
        )

    async def delete_attribute(self, attribute_id: str) -> None:
        await self._check(lambda: delete_attribute.asyncio_detailed(self.org_id, attribute_id, client=self.client))

    async def create_option(self, attribute_id: str, *, slug: str, value: str) -> OptionRow:
        body = CreateOptionInput(value=value, slug=slug)
        created = await self._data(
            lambda: create_option.asyncio_detailed(self.org_id, attribute_id, client=self.client, body=body),
            AttributeOptionResponse,
        )
        return _option(created.data)

    async def update_option(self, attribute_id: str, option_id: str, *, value: str) -> None:
        body = UpdateOptionInput(value=value)
        await self._check(
            lambda: update_option.asyncio_detailed(self.org_id, attribute_id, option_id, client=self.client, body=body)
        )

    async def delete_option(self, attribute_id: str, option_id: str) -> None:
        await self._check(
            lambda: delete_option.asyncio_detailed(self.org_id, attribute_id, option_id, client=self.client)
        )

    async def assign(self, user_id: int, *, attribute_id: str, option_id: str, weight: int | None) -> None:
        body = AssignOptionToUserInput(
            attribute_id=attribute_id, attribute_option_id=option_id, weight=UNSET if weight is None else weight
        )
        await self._check(
            lambda: assign_option_to_user.asyncio_detailed(self.org_id, user_id, client=self.client, body=body)
        )

    async def update_weight(self, user_id: int, option_id: str, weight: int) -> None:
        body = UpdateAssignmentInput(weight=weight)
        await self._check(
            lambda: update_assignment_weight.asyncio_detailed(
                self.org_id, user_id, option_id, client=self.client, body=body
            )
        )

    async def unassign(self, user_id: int, option_id: str) -> None:
        await self._check(
            lambda: unassign_option_from_user.asyncio_detailed(self.org_id, user_id, option_id, client=self.client)
        )

    async def _check(self, send: Callable[[], Awaitable[Response[Any]]]) -> Response[Any]:
        try:
            response = await send()
        except httpx.TransportError as error:  # the network: a connection, a timeout, a broken body
            raise OperationError(f"{type(error).__name__}: {error}") from None
        except (KeyError, TypeError, ValueError) as error:  # a body the generated models cannot read
            raise OperationError(f"unreadable response ({type(error).__name__}: {error})") from None
        status = int(response.status_code)
        if status >= 300:  # only without the ``raise_for_status`` hook, and only for bodies that parsed
            raise OperationError(f"HTTP {status}", status=status, retry_after=_retry_after(response.headers))
        return response

    async def _data(self, send: Callable[[], Awaitable[Response[Any]]], expected: type[R]) -> R:
        parsed = (await self._check(send)).parsed
        if not isinstance(parsed, expected):
            raise OperationError(f"unexpected response body (not a {expected.__name__})", status=502)
        return parsed


def _attribute(row: Attribute) -> AttributeRow:
    locked = False if isinstance(row.is_locked, Unset) else row.is_locked
    return AttributeRow(row.id, row.slug, row.name, row.type_.value, row.enabled, locked)


def _option(row: AttributeOption) -> OptionRow:
    return OptionRow(row.id, row.attribute_id, row.slug, row.value)


async def raise_for_status(response: httpx.Response) -> None:
    """An httpx response hook: error answers become ``OperationError`` before any model parses them,
    so an unexpected error body (a proxy's HTML, a 429 without Cal.com's envelope) keeps its status."""
    if response.status_code >= 300:
        await response.aread()
        raise OperationError(
            _message(response), status=response.status_code, retry_after=_retry_after(response.headers)
        )


def _message(response: httpx.Response) -> str:
    """Cal.com's error message from whichever envelope the body carries; never the request's headers."""
    message = f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return message
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return f"{message}: {error['message']}"
        if isinstance(body.get("message"), str):
            return f"{message}: {body['message']}"
    return message


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # absent, or an HTTP date: the caller waits its default
