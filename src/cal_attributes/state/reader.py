"""Reading the organization's current state with the fewest requests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial

from cal_attributes.state.model import State
from cal_attributes.state.ops import AttributeRow, OrgOperations
from cal_attributes.state.runner import Requester
from cal_attributes.state.snapshot import CurrentAttribute, Snapshot

PAGE = 250  # the API's largest page of attributes; assigned options have no maximum, we use the same


async def read_snapshot(
    ops: OrgOperations, requester: Requester, *, desired: State | None = None, all_weights: bool = False
) -> Snapshot:
    """Attributes (pages of 250), each attribute's options and assigned options (one request each,
    plus a page per 250 assigned options), then the assignment history of the members whose
    weights matter: those ``desired`` gives a weight for an option they hold (or all holders)."""
    rows = await _attributes(ops, requester)
    attributes = await asyncio.gather(*(_options(ops, requester, row) for row in rows))
    holders = await asyncio.gather(*(_holders(ops, requester, row.id) for row in rows))
    holdings: dict[int, set[str]] = {}
    for per_attribute in holders:
        for option_id, users in per_attribute.items():
            for user in users:
                holdings.setdefault(user, set()).add(option_id)
    snapshot = Snapshot(tuple(attributes), {u: frozenset(o) for u, o in holdings.items()})
    users = sorted(holdings) if all_weights else _users_needing_weights(snapshot, desired)
    weights: dict[tuple[int, str], int | None] = {}
    found = await asyncio.gather(*(_weights(ops, requester, user, holdings[user]) for user in users))
    for user, per_option in zip(users, found, strict=True):
        weights.update(((user, option_id), weight) for option_id, weight in per_option.items())
    return Snapshot(snapshot.attributes, snapshot.holdings, weights)


async def _attributes(ops: OrgOperations, requester: Requester) -> list[AttributeRow]:
    rows: list[AttributeRow] = []
    while True:
        skip = len(rows)
        page = await requester.call(partial(ops.list_attributes, skip, PAGE))
        rows.extend(page)
        if len(page) < PAGE:
            return rows


async def _options(ops: OrgOperations, requester: Requester, row: AttributeRow) -> CurrentAttribute:
    return CurrentAttribute(row, tuple(await requester.call(lambda: ops.list_options(row.id))))


async def _holders(ops: OrgOperations, requester: Requester, attribute_id: str) -> dict[str, list[int]]:
    holders: dict[str, list[int]] = {}
    while True:
        skip = len(holders)
        page = await requester.call(partial(ops.list_assigned, attribute_id, skip, PAGE))
        holders.update((option_id, list(users)) for option_id, users in page.holders.items())
        if not page.has_more or not page.holders:
            return holders


async def _weights(ops: OrgOperations, requester: Requester, user: int, held: Iterable[str]) -> dict[str, int | None]:
    """The newest weight the history shows for each option the user holds; stops when all are known."""
    missing, weights = set(held), dict[str, int | None]()
    cursor: str | None = None
    while missing:
        page, cursor = await requester.call(partial(ops.assignment_weights, user, cursor))
        for option_id, weight in page.items():
            if option_id in missing:
                weights[option_id] = weight
                missing.discard(option_id)
        if cursor is None:
            break
    return weights


def _users_needing_weights(snapshot: Snapshot, desired: State | None) -> list[int]:
    if desired is None:
        return []
    index = snapshot.option_index()
    users = []
    for user, values in desired.members.items():
        held = {
            (attribute.row.slug, attribute.key_of(option))
            for option_id in snapshot.holdings.get(user, ())
            if (found := index.get(option_id)) is not None
            for attribute, option in [found]
        }
        if any(h.weight is not None and (slug, h.value) in held for slug, hs in values.items() for h in hs):
            users.append(user)
    return sorted(users)
