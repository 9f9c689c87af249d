"""Reading the organization's current state with the fewest requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from cal_attributes.state.model import State
from cal_attributes.state.ops import AttributeRow, OperationError, OrgOperations, Page, WeightSeen
from cal_attributes.state.runner import Requester
from cal_attributes.state.snapshot import CurrentAttribute, Snapshot, check_unique_option_slugs

T = TypeVar("T")


async def read_snapshot(
    ops: OrgOperations,
    requester: Requester,
    *,
    desired: State | None = None,
    all_weights: bool = False,
    check_members: bool = True,
) -> Snapshot:
    """Attributes (pages of 250), each attribute's options and assigned options (one request each,
    plus a page per 250 assigned options), then the assignment history of the members whose
    weights matter: those ``desired`` gives a weight for an option they hold (or all holders).
    Raises ``DuplicateOptionSlugError`` if a select attribute repeats an option slug: any of
    them for an export (``desired`` None), one the file mentions for a plan. For a plan (unless
    ``check_members`` is False), also whether each user the file gives a value and who holds
    nothing yet is a member (one smallest history page each), so the planner can refuse before
    any write."""
    rows = await _attributes(ops, requester)
    attributes = await asyncio.gather(*(_options(ops, requester, row) for row in rows))
    # Before anything is planned or written from them.
    check_unique_option_slugs(tuple(attributes), None if desired is None else mentioned_attributes(desired))
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
    check = await _check_members(ops, requester, _users_holding_nothing(snapshot, desired) if check_members else [])
    return Snapshot(
        snapshot.attributes, snapshot.holdings, weights, non_members=check.non_members, unchecked=check.note()
    )


def mentioned_attributes(desired: State) -> frozenset[str]:
    """The slugs of the attributes a state file declares or gives a member a value of."""
    held = {slug for values in desired.members.values() for slug in values}
    return frozenset({a.slug for a in desired.attributes} | held)


async def _all(requester: Requester, first: Callable[[], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged list, each page one paced request."""
    items: list[T] = []
    fetch: Callable[[], Awaitable[Page[T]]] | None = first
    while fetch is not None:
        page = await requester.call(fetch)
        items.extend(page.items)
        fetch = page.next
    return items


async def _attributes(ops: OrgOperations, requester: Requester) -> list[AttributeRow]:
    return await _all(requester, ops.list_attributes)


async def _options(ops: OrgOperations, requester: Requester, row: AttributeRow) -> CurrentAttribute:
    return CurrentAttribute(row, tuple(await requester.call(partial(ops.list_options, row.id))))


async def _holders(ops: OrgOperations, requester: Requester, attribute_id: str) -> dict[str, list[int]]:
    return {
        row.option_id: list(row.user_ids) for row in await _all(requester, partial(ops.list_assigned, attribute_id))
    }


async def _weights(ops: OrgOperations, requester: Requester, user: int, held: Iterable[str]) -> dict[str, int | None]:
    """The newest weight the history shows for each option the user holds; stops when all are known."""
    missing, weights = set(held), dict[str, int | None]()
    fetch: Callable[[], Awaitable[Page[WeightSeen]]] | None = partial(ops.assignment_history, user)
    while missing and fetch is not None:
        page = await requester.call(fetch)
        for seen in page.items:
            if seen.option_id in missing:
                weights[seen.option_id] = seen.weight
                missing.discard(seen.option_id)
        fetch = page.next
    return weights


def _users_holding_nothing(snapshot: Snapshot, desired: State | None) -> list[int]:
    """Users the file gives a value who hold no option now: the plan would assign to them, and
    only an organization member can be assigned (a holder is one)."""
    if desired is None:
        return []
    return sorted(
        user for user, values in desired.members.items() if user not in snapshot.holdings and any(values.values())
    )


# Cal.com's 404s for a user without a membership row ("Membership for user with id 7 within
# organization id 1 not found") and for one not yet accepted ("User is not a member of the
# organization"). Any other 404 (a server without the history route: "Cannot GET /v2/...") says
# nothing about the user.
MEMBERSHIP_ANSWERS = ("membership for user", "not a member")


def says_not_a_member(error: OperationError) -> bool:
    """Whether the server refused ``error``'s request because the user is not a member."""
    message = (error.server_message or "").casefold()
    return error.status == 404 and any(answer in message for answer in MEMBERSHIP_ANSWERS)


@dataclass
class _MemberCheck:
    users: int  # users to check
    non_members: dict[int, str] = field(default_factory=dict)  # -> the server's answer
    answered: int = 0  # users the server answered for (member or not)
    why_unknown: str | None = None  # the first read that did not answer; it stops the check

    def note(self) -> str | None:
        """Why some users' membership is unknown, said once (None: all were checked)."""
        if self.why_unknown is None:
            return None
        left, users = self.users - self.answered, "user" if self.users == 1 else "users"
        return (
            f"membership not checked for {left} of {self.users} {users} holding nothing yet ({self.why_unknown}); "
            "a value for a non-member fails at apply time, after the options it needs were created"
        )


async def _check_members(ops: OrgOperations, requester: Requester, users: list[int]) -> _MemberCheck:
    """Whether each of ``users`` is a member: one history entry each (``limit=1``). Assignment
    history is the one read that answers it (a 404 for a non-member); listing a user's options
    gives [] for anyone. A read that does not answer for the user (a 403 for a key that may not
    read histories, a server without the route, a 5xx after retries) would not answer for the
    next one either: the first stops the check, and the plan goes on with membership unknown."""
    check = _MemberCheck(len(users))
    pending = iter(users)  # shared by the probes: each user is read once

    async def probe() -> None:
        for user in pending:
            if check.why_unknown is not None:
                return
            try:
                await requester.call(partial(ops.assignment_history, user, page_size=1))
            except OperationError as error:
                if not says_not_a_member(error):
                    check.why_unknown = check.why_unknown or _why_unknown(error)
                    continue  # the next turn stops, as every probe's does
                check.non_members[user] = str(error)
            check.answered += 1

    await asyncio.gather(*(probe() for _ in range(min(requester.settings.concurrency, len(users)))))
    return check


def _why_unknown(error: OperationError) -> str:
    if error.status == 403:
        return "the key may not read assignment histories: 403, it needs the organization.attributes.readAuditLogs permission"
    return f"the assignment history could not be read: {error}"


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
