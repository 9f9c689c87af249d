"""The mock's state and the real API's semantics for each operation, safe across threads.

Every public method takes the store's lock for its whole run, so concurrent requests see and
leave a consistent state, equal to some serial order of them. Methods return JSON-ready rows
(the raw database rows the real API returns) or raise a ``Failure``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from cal_attributes_mock.envelopes import timestamp
from cal_attributes_mock.seed import Seed, SeedOAuthClient, SeedOrganization, SeedUser

SELECT_TYPES = ("SINGLE_SELECT", "MULTI_SELECT")
VALUE_TYPES = ("TEXT", "NUMBER")
ROLE_RANK = {"MEMBER": 0, "ADMIN": 1, "OWNER": 2}
DEFAULT_ASSIGNED_TAKE = 250
DEFAULT_HISTORY_LIMIT = 25
MAX_HISTORY_ENTRIES = 10_000


P = ParamSpec("P")
R = TypeVar("R")


def _writes(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """A method that may change the state: it runs under the lock and moves ``version`` on,
    which invalidates every read rendered before it."""

    def locked(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            self.version += 1
            return method(self, *args, **kwargs)

    locked.__name__, locked.__doc__ = method.__name__, method.__doc__
    return locked


class Failure(Exception):
    """A request the real API refuses; the app renders it in the right envelope."""


class HttpFailure(Failure):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class PrismaFailure(Failure):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ValidationFailure(Failure):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def slugify(value: str) -> str:
    """Cal.com's slugify: lower case, accents stripped, runs of other characters as one dash."""
    text = unicodedata.normalize("NFD", value.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(slots=True)
class Membership:
    id: int
    user_id: int
    team_id: int
    role: str
    accepted: bool


@dataclass(slots=True)
class Attribute:
    id: str
    team_id: int
    type: str
    name: str
    slug: str
    enabled: bool
    created_at: str
    updated_at: str
    users_can_edit_relation: bool = False
    is_weights_enabled: bool = False
    is_locked: bool = False

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "teamId": self.team_id,
            "type": self.type,
            "name": self.name,
            "slug": self.slug,
            "enabled": self.enabled,
            "usersCanEditRelation": self.users_can_edit_relation,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "isWeightsEnabled": self.is_weights_enabled,
            "isLocked": self.is_locked,
        }


@dataclass(slots=True)
class Option:
    id: str
    attribute_id: str
    value: str
    slug: str
    is_group: bool = False
    contains: list[str] = field(default_factory=list)
    order: int = 0  # creation rank: lists show options in the order they were made

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "attributeId": self.attribute_id,
            "value": self.value,
            "slug": self.slug,
            "isGroup": self.is_group,
            "contains": list(self.contains),
        }


@dataclass(slots=True)
class Assignment:
    id: str
    member_id: int
    option_id: str
    weight: int | None
    created_at: str
    updated_at: str | None = None
    updated_by_id: int | None = None

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "memberId": self.member_id,
            "attributeOptionId": self.option_id,
            "weight": self.weight,
            "createdAt": self.created_at,
            "createdById": None,
            "createdByDSyncId": None,
            "updatedAt": self.updated_at,
            "updatedById": self.updated_by_id,
            "updatedByDSyncId": None,
        }


@dataclass(slots=True)
class AuditEntry:
    """One change in a member's audit history, as recorded (a few fields, not the nested JSON of
    its row: writes record one each, reads render only the page they return)."""

    id: str
    timestamp: str
    actor_name: str
    actor_email: str
    via_oauth_client: bool
    change: str  # ASSIGNED, UNASSIGNED or WEIGHT_CHANGED
    attribute: tuple[str, str, str, str]  # id, slug, name, type at the time of the change
    option: tuple[str, str, str]  # id, slug, value at the time of the change
    previous_weight: Any
    current_weight: Any

    def row(self) -> dict[str, Any]:
        option_id, option_slug, value = self.option
        option = {"optionId": option_id, "optionSlug": option_slug, "value": value}
        attribute_id, slug, name, kind = self.attribute
        source_context: dict[str, Any] = {"kind": "API_V2"}
        if self.via_oauth_client:
            source_context["oAuthClient"] = True
        return {
            "id": self.id,
            "timestamp": self.timestamp,
            "source": "API_V2",
            "actor": {
                "type": "USER",
                "displayName": self.actor_name,
                "displayEmail": self.actor_email,
                "displayAvatar": None,
            },
            "sourceContext": source_context,
            "changes": [
                {
                    "type": self.change,
                    "attribute": {"id": attribute_id, "slug": slug, "name": name, "type": kind},
                    "previous": None if self.change == "ASSIGNED" else {**option, "weight": self.previous_weight},
                    "current": None if self.change == "UNASSIGNED" else {**option, "weight": self.current_weight},
                }
            ],
            "hasError": False,
        }


@dataclass(frozen=True)
class Caller:
    """Who a request acts as, after authentication."""

    user: SeedUser
    via_oauth_client: bool = False


class Store:
    """In-memory organizations, attributes, options, assignments and their history."""

    def __init__(self, seed: Seed, max_history_entries: int = MAX_HISTORY_ENTRIES) -> None:
        self.seed = seed
        self.max_history_entries = max_history_entries
        self._lock = threading.RLock()
        self.version = 0  # moved on by every write (see _writes)
        self.reset()

    @_writes
    def reset(self) -> None:
        """Back to the seed, including the sequence of generated ids."""
        with self._lock:
            seed = self.seed
            self._random = random.Random(0)
            self.organizations: dict[int, SeedOrganization] = {o.id: o for o in seed.organizations}
            self.team_ids = {t.id for t in seed.teams}
            self.users: dict[int, SeedUser] = {u.id: u for u in seed.users}
            self._api_keys = [(hashlib.sha256(u.api_key.encode()).digest(), u) for u in seed.users if u.api_key]
            self._api_key_callers: dict[int, Caller] = {}
            self.oauth_clients: dict[str, SeedOAuthClient] = {c.id: c for c in seed.oauth_clients}
            self.memberships: dict[tuple[int, int], Membership] = {}
            self.members_of_team: dict[int, list[int]] = {}  # team id -> user ids
            for number, m in enumerate(seed.memberships, start=1):
                self.memberships[(m.user_id, m.team_id)] = Membership(number, m.user_id, m.team_id, m.role, m.accepted)
                self.members_of_team.setdefault(m.team_id, []).append(m.user_id)
            self.user_of_member = {m.id: m.user_id for m in self.memberships.values()}
            # Indices kept in step by _add_attribute, _drop_attribute and _set_slug.
            self.attributes: dict[str, Attribute] = {}
            self.attributes_of_org: dict[int, dict[str, Attribute]] = {}
            self.attribute_by_slug: dict[tuple[int, str], Attribute] = {}
            self._option_order = itertools.count()
            # Indices kept in step by _add_option, _delete_option, _add_assignment, _remove_assignment.
            self.options: dict[str, Option] = {}
            self.options_by_attribute: dict[str, dict[str, Option]] = {}
            self.assignments: dict[tuple[int, str], Assignment] = {}
            self.holders: dict[str, dict[int, Assignment]] = {}  # option id -> member id -> assignment
            self.held_by: dict[int, dict[str, Assignment]] = {}  # member id -> option id -> assignment
            created = timestamp()
            for a in seed.attributes:
                attribute = Attribute(
                    a.id or self._new_id(),
                    a.org_id,
                    a.type,
                    a.name,
                    a.slug,
                    a.enabled,
                    created,
                    created,
                    users_can_edit_relation=a.users_can_edit_relation,
                    is_weights_enabled=a.is_weights_enabled,
                    is_locked=a.is_locked,
                )
                self._add_attribute(attribute)
                for o in a.options:
                    self._add_option(Option(o.id or self._new_id(), attribute.id, o.value, o.slug))
            for s in seed.assignments:
                member = self.memberships[(s.user_id, s.org_id)]
                self._add_assignment(Assignment(self._new_id(), member.id, s.option_id, s.weight, created))
            # Audit entries per membership id, and the membership of each entry, oldest first:
            # beyond ``max_history_entries`` the oldest entry of all is dropped.
            self.history: dict[int, deque[AuditEntry]] = {}
            self._history_order: deque[int] = deque()
            self.sync_runs = [dict(run) for run in seed.sync_runs]

    def _add_attribute(self, attribute: Attribute) -> None:
        self.attributes[attribute.id] = attribute
        self.attributes_of_org.setdefault(attribute.team_id, {})[attribute.id] = attribute
        self.attribute_by_slug[(attribute.team_id, attribute.slug)] = attribute

    def _drop_attribute(self, attribute: Attribute) -> None:
        del self.attributes[attribute.id]
        del self.attributes_of_org[attribute.team_id][attribute.id]
        if self.attribute_by_slug.get((attribute.team_id, attribute.slug)) is attribute:
            del self.attribute_by_slug[(attribute.team_id, attribute.slug)]

    def _set_slug(self, attribute: Attribute, slug: str) -> None:
        if self.attribute_by_slug.get((attribute.team_id, attribute.slug)) is attribute:
            del self.attribute_by_slug[(attribute.team_id, attribute.slug)]
        attribute.slug = slug
        self.attribute_by_slug[(attribute.team_id, slug)] = attribute

    def _add_option(self, option: Option) -> None:
        option.order = next(self._option_order)
        self.options[option.id] = option
        self.options_by_attribute.setdefault(option.attribute_id, {})[option.id] = option
        self.holders[option.id] = {}

    def _delete_option(self, option: Option) -> None:
        for member_id in list(self.holders[option.id]):
            self._remove_assignment(member_id, option.id)
        del self.holders[option.id]
        del self.options_by_attribute[option.attribute_id][option.id]
        del self.options[option.id]

    def _add_assignment(self, assignment: Assignment) -> None:
        self.assignments[(assignment.member_id, assignment.option_id)] = assignment
        self.holders[assignment.option_id][assignment.member_id] = assignment
        self.held_by.setdefault(assignment.member_id, {})[assignment.option_id] = assignment

    def _remove_assignment(self, member_id: int, option_id: str) -> Assignment | None:
        assignment = self.assignments.pop((member_id, option_id), None)
        if assignment is not None:
            del self.holders[option_id][member_id]
            del self.held_by[member_id][option_id]
        return assignment

    def _new_id(self) -> str:
        """The next random version-4 UUID, as ``str(uuid.UUID(int=..., version=4))`` writes it, in a
        fifth of the time (a 100k store makes 100k of them)."""
        bits = self._random.getrandbits(128) & ~(0xC000 << 48 | 0xF000 << 64) | (0x8000 << 48 | 4 << 76)
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    # -- authentication and guards -----------------------------------------------------------

    def api_key_caller(self, key: str, now: datetime | None = None) -> Caller | Literal["expired"] | None:
        """Who calls with API key ``key`` (one ``Caller`` per user, not one per request);
        ``"expired"`` for an expired key; None for an unknown one."""
        digest = hashlib.sha256(key.encode()).digest()
        found = None
        for stored, user in self._api_keys:  # compare every key, in constant time
            if hmac.compare_digest(stored, digest):
                found = user
        if found is None:
            return None
        expires = found.api_key_expires_at
        if expires is not None and expires <= (now or datetime.now(UTC)):
            return "expired"
        caller = self._api_key_callers.get(found.id)
        if caller is None or caller.user is not found:
            caller = self._api_key_callers[found.id] = Caller(found)
        return caller

    def user_for_oauth_client(self, client_id: str, secret: str) -> SeedUser | str | None:
        """The owner (or else an admin) of the client's organization; ``"secret"`` for a wrong secret."""
        client = self.oauth_clients.get(client_id)
        if client is None:
            return None
        if not hmac.compare_digest(client.secret.encode(), secret.encode()):
            return "secret"
        with self._lock:
            for role in ("OWNER", "ADMIN"):
                for m in self.memberships.values():
                    if m.team_id == client.org_id and m.role == role:
                        return self.users[m.user_id]
        return None

    # -- attributes --------------------------------------------------------------------------

    def _org_attribute(self, org_id: int, attribute_id: str) -> Attribute | None:
        attribute = self.attributes.get(attribute_id)
        return attribute if attribute is not None and attribute.team_id == org_id else None

    def _slug_taken(self, org_id: int, slug: str, other_than: str | None = None) -> bool:
        holder = self.attribute_by_slug.get((org_id, slug))
        return holder is not None and holder.id != other_than

    def list_attributes(self, org_id: int, skip: int, take: int) -> list[dict[str, Any]]:
        with self._lock:
            attributes = self.attributes_of_org.get(org_id, {})
            end = min(skip + take, len(attributes))  # skip may be vast (parseInt of 300 digits)
            return [a.row() for a in itertools.islice(attributes.values(), min(skip, end), end)]

    @_writes
    def create_attribute(self, org_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._slug_taken(org_id, body["slug"]):
                raise PrismaFailure("P2002")
            now = timestamp()
            attribute = Attribute(
                self._new_id(), org_id, body["type"], body["name"], body["slug"], body.get("enabled", True), now, now
            )
            self._add_attribute(attribute)
            if attribute.type in SELECT_TYPES:  # the real API ignores options of other types
                for option in body["options"]:
                    self._add_option(Option(self._new_id(), attribute.id, option["value"], option["slug"]))
            return attribute.row()

    def get_attribute(self, org_id: int, attribute_id: str) -> dict[str, Any] | None:
        with self._lock:
            attribute = self._org_attribute(org_id, attribute_id)
            return attribute.row() if attribute else None

    @_writes
    def update_attribute(self, org_id: int, attribute_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            attribute = self._org_attribute(org_id, attribute_id)
            if attribute is None:
                raise PrismaFailure("P2025")
            if "slug" in body and self._slug_taken(org_id, body["slug"], other_than=attribute.id):
                raise PrismaFailure("P2002")
            for key in ("name", "type", "enabled"):
                if key in body:
                    setattr(attribute, key, body[key])
            if "slug" in body:
                self._set_slug(attribute, body["slug"])
            attribute.updated_at = timestamp()
            return attribute.row()

    @_writes
    def delete_attribute(self, org_id: int, attribute_id: str) -> dict[str, Any]:
        with self._lock:
            attribute = self._org_attribute(org_id, attribute_id)
            if attribute is None:
                raise PrismaFailure("P2025")
            for option in list(self.options_by_attribute.get(attribute_id, {}).values()):
                self._delete_option(option)
            self.options_by_attribute.pop(attribute_id, None)
            self._drop_attribute(attribute)
            return attribute.row()

    # -- options -----------------------------------------------------------------------------

    @_writes
    def create_option(self, attribute_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if attribute_id not in self.attributes:  # any organization's attribute: a real quirk
                raise PrismaFailure("P2003")
            option = Option(self._new_id(), attribute_id, body["value"], body["slug"])
            self._add_option(option)
            return option.row()

    def list_options(self, attribute_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [o.row() for o in self.options_by_attribute.get(attribute_id, {}).values()]

    @_writes
    def delete_option(self, attribute_id: str, option_id: str) -> dict[str, Any]:
        with self._lock:
            option = self.options.get(option_id)
            if option is None or option.attribute_id != attribute_id:
                raise HttpFailure(404, "Attribute option not found")
            self._delete_option(option)
            return option.row()

    @_writes
    def update_option(self, attribute_id: str, option_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            option = self.options.get(option_id)
            if option is None or option.attribute_id != attribute_id:
                raise PrismaFailure("P2025")
            for key in ("value", "slug"):
                if key in body:
                    setattr(option, key, body[key])
            return option.row()

    # -- assigned options --------------------------------------------------------------------

    def _holder_ids(self, option_id: str) -> list[int]:
        """User ids of everyone holding the option, in assignment order."""
        return [self.user_of_member[member_id] for member_id in self.holders[option_id]]

    def assigned_options(
        self,
        org_id: int,
        *,
        attribute_id: str | None = None,
        attribute_slug: str | None = None,
        skip: int = 0,
        take: int = DEFAULT_ASSIGNED_TAKE,
        assigned_option_ids: list[str] | None = None,
        team_ids: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            # Members (membership ids in this organization) of the teams, when filtered by team.
            in_teams = None if team_ids is None else self._org_members_in_teams(org_id, team_ids)

            def passes_teams(option_id: str) -> bool:
                return in_teams is None or not self.holders[option_id].keys().isdisjoint(in_teams)

            if attribute_id is not None:
                selected = self._org_attribute(org_id, attribute_id)
            else:
                selected = self.attribute_by_slug.get((org_id, attribute_slug or ""))
            candidates = self.options_by_attribute.get(selected.id, {}).values() if selected else ()
            held = (o for o in candidates if self.holders[o.id] and passes_teams(o.id))
            base = list(itertools.islice(held, min(skip, len(self.options)), min(skip + take, len(self.options))))
            if assigned_option_ids is not None:
                wanted = self._holders_of_listed(org_id, assigned_option_ids, in_teams)
                base = [o for o in base if not wanted.isdisjoint(self.holders[o.id])]
            return [
                {
                    "id": o.id,
                    "attributeId": o.attribute_id,
                    "value": o.value,
                    "slug": o.slug,
                    "assignedUserIds": self._holder_ids(o.id),
                }
                for o in base
            ]

    def _org_members_in_teams(self, org_id: int, team_ids: list[int]) -> set[int]:
        """Membership ids in the organization of users with a membership in one of the teams."""
        found = set()
        for team_id in set(team_ids):
            for user_id in self.members_of_team.get(team_id, ()):
                member = self.memberships.get((user_id, org_id))
                if member is not None:
                    found.add(member.id)
        return found

    def _holders_of_listed(self, org_id: int, option_ids: list[str], in_teams: set[int] | None) -> set[int]:
        """The holders of the real query's F: organization options all of whose assignments are of
        a listed option (the listed ones, and vacuously unassigned ones when no team filter is
        given; those add no holders). A 404 when F is empty."""
        listed = [self.options[i] for i in set(option_ids) if i in self.options]
        in_f = [
            o
            for o in listed
            if self.attributes[o.attribute_id].team_id == org_id
            and self.holders[o.id]
            and (in_teams is None or not self.holders[o.id].keys().isdisjoint(in_teams))
        ]
        if not in_f and not (in_teams is None and self._has_unassigned_option(org_id)):
            raise HttpFailure(
                404,
                "Options provided in assignedOptionIds are not assigned to anyone, or the users are not "
                "part of the teams specified in teamIds filter.",
            )
        return {member_id for o in in_f for member_id in self.holders[o.id]}

    def _has_unassigned_option(self, org_id: int) -> bool:
        return any(
            not self.holders[o.id]
            for a in self.attributes_of_org.get(org_id, {}).values()
            for o in self.options_by_attribute.get(a.id, {}).values()
        )

    # -- assignments -------------------------------------------------------------------------

    def _member(self, org_id: int, user_id: int) -> Membership:
        member = self.memberships.get((user_id, org_id))
        if member is None:
            raise HttpFailure(404, f"Membership for user with id {user_id} within organization id {org_id} not found")
        return member

    @_writes
    def assign(self, org_id: int, user_id: int, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        with self._lock:
            attribute = self._org_attribute(org_id, body["attributeId"])
            if attribute is None:
                raise HttpFailure(404, "Attribute not found")
            member = self._member(org_id, user_id)
            if not member.accepted:
                raise HttpFailure(404, "User is not a member of the organization")
            value, option_id = body.get("value"), body.get("attributeOptionId")
            if value is not None and attribute.type not in VALUE_TYPES:
                raise HttpFailure(400, "Attribute type does not support value")
            if option_id is None and value is None:
                # The real server crashes here with a plain 500; the mock says what is missing.
                message = "attributeOptionId should not be empty when value is not given"
                raise ValidationFailure(
                    [
                        {
                            "target": body,
                            "property": "attributeOptionId",
                            "children": [],
                            "constraints": {"isNotEmpty": message},
                        }
                    ]
                )
            if option_id is None:
                assert value is not None
                option = Option(self._new_id(), attribute.id, value, slugify(value))  # a new option every time
                self._add_option(option)
            else:
                found = self.options.get(option_id)
                if found is None:
                    raise PrismaFailure("P2003")
                option = found
            if (member.id, option.id) in self.assignments:
                raise PrismaFailure("P2002")
            assignment = Assignment(self._new_id(), member.id, option.id, body.get("weight"), timestamp())
            self._add_assignment(assignment)
            self._record(member, caller, "ASSIGNED", option, previous=None, current=assignment.weight)
            return assignment.row()

    def user_options(self, org_id: int, user_id: int) -> list[dict[str, Any]]:
        with self._lock:
            member = self.memberships.get((user_id, org_id))
            if member is None:
                return []
            held = sorted((self.options[option_id] for option_id in self.held_by.get(member.id, {})), key=_by_order)
            return [o.row() for o in held if self.attributes[o.attribute_id].team_id == org_id]

    @_writes
    def unassign(self, org_id: int, user_id: int, option_id: str, caller: Caller) -> dict[str, Any]:
        with self._lock:
            member = self._member(org_id, user_id)
            assignment = self._remove_assignment(member.id, option_id)
            if assignment is None:
                raise HttpFailure(404, "Attribute does not belong to this user")
            self._record(
                member, caller, "UNASSIGNED", self.options[option_id], previous=assignment.weight, current=None
            )
            return assignment.row()

    @_writes
    def update_weight(
        self, org_id: int, user_id: int, option_id: str, body: dict[str, Any], caller: Caller
    ) -> dict[str, Any]:
        with self._lock:
            member = self._member(org_id, user_id)
            assignment = self.assignments.get((member.id, option_id))
            if assignment is None:
                raise HttpFailure(404, "Attribute does not belong to this user")
            if "weight" in body and body["weight"] != assignment.weight:
                previous = assignment.weight
                assignment.weight = body["weight"]
                self._record(member, caller, "WEIGHT_CHANGED", self.options[option_id], previous, assignment.weight)
            assignment.updated_at = timestamp()
            assignment.updated_by_id = caller.user.id
            return assignment.row()

    # -- history -----------------------------------------------------------------------------

    def _record(
        self, member: Membership, caller: Caller, change: str, option: Option, previous: Any, current: Any
    ) -> None:
        attribute = self.attributes[option.attribute_id]
        self._history_order.append(member.id)
        if len(self._history_order) > self.max_history_entries:
            self.history[self._history_order.popleft()].popleft()
        user = caller.user
        entry = AuditEntry(
            self._new_id(),
            timestamp(),
            user.name or user.email,
            user.email,
            caller.via_oauth_client,
            change,
            (attribute.id, attribute.slug, attribute.name, attribute.type),
            (option.id, option.slug, option.value),
            previous,
            current,
        )
        entries = self.history.get(member.id)
        if entries is None:
            entries = self.history[member.id] = deque()
        entries.append(entry)

    def assignment_history(self, org_id: int, user_id: int, limit: int, cursor: str | None) -> dict[str, Any]:
        with self._lock:
            member = self._member(org_id, user_id)
            entries = list(reversed(self.history.get(member.id, [])))  # newest first
        start, end, next_cursor = _page([entry.id for entry in entries], limit, cursor)
        data: dict[str, Any] = {
            "userId": user_id,
            "membershipId": member.id,
            "auditLogs": [entry.row() for entry in entries[start:end]],
            "hasMore": next_cursor is not None,
        }
        if next_cursor is not None:
            data["nextCursor"] = next_cursor
        return data

    def sync_history(
        self, org_id: int, user_id: int, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with self._lock:
            runs = [r for r in self.sync_runs if r.get("organizationId") == org_id and r.get("userId") == user_id]
        runs.sort(key=lambda r: str(r["createdAt"]), reverse=True)
        start, end, next_cursor = _page([run["id"] for run in runs], limit, cursor)
        page = runs[start:end]
        meta: dict[str, Any] = {"hasMore": next_cursor is not None}
        if next_cursor is not None:
            meta["nextCursor"] = next_cursor
        return page, meta


def _by_order(option: Option) -> int:
    return option.order


def _page(ids: list[Any], limit: int, cursor: str | None) -> tuple[int, int, str | None]:
    """The slice of the ``limit`` items after the one whose id is ``cursor``, and the next cursor
    if more follow. An unknown cursor gives an empty last page rather than an error."""
    start = 0
    if cursor is not None:
        start = ids.index(cursor) + 1 if cursor in ids else len(ids)
    end = min(start + limit, len(ids))
    more = start + limit < len(ids)
    return start, end, (ids[end - 1] if more and end > start else None)
