"""The seed file: the organizations, people and attributes a mock starts with (a public format).

Parsing is strict: an unknown key, a wrong type, a dangling id or a duplicate is refused with a
``SeedError`` naming where it is (``memberships[2].teamId: ...``). See docs/mock.md.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cal_attributes_mock.spec import load_spec

ROLES = ("MEMBER", "ADMIN", "OWNER")
PLATFORM_PLANS = ("FREE", "STARTER", "ESSENTIALS", "SCALE", "PER_ACTIVE_USER", "ENTERPRISE")
ATTRIBUTE_TYPES = ("TEXT", "NUMBER", "SINGLE_SELECT", "MULTI_SELECT", "USER_RELATIONSHIP")
ATTRIBUTE_FLAGS = ("usersCanEditRelation", "isWeightsEnabled", "isLocked")  # optional, default false


class SeedError(ValueError):
    """The seed is not valid; the message says where and why."""


@dataclass(frozen=True)
class SeedOrganization:
    id: int
    name: str
    slug: str
    admin_api_enabled: bool
    is_platform: bool
    platform_plan: str | None


@dataclass(frozen=True)
class SeedTeam:
    id: int
    name: str
    slug: str
    parent_id: int | None


@dataclass(frozen=True)
class SeedUser:
    id: int
    email: str
    name: str | None
    api_key: str | None
    api_key_expires_at: datetime | None
    system_admin: bool


@dataclass(frozen=True)
class SeedMembership:
    user_id: int
    team_id: int
    role: str
    accepted: bool


@dataclass(frozen=True)
class SeedOption:
    id: str | None
    value: str
    slug: str


@dataclass(frozen=True)
class SeedAttribute:
    id: str | None
    org_id: int
    name: str
    slug: str
    type: str
    enabled: bool
    options: tuple[SeedOption, ...]
    # Flags the public API cannot set (Cal.com's app sets them); a seed sets them to test code that reads them.
    users_can_edit_relation: bool = False
    is_weights_enabled: bool = False
    is_locked: bool = False


@dataclass(frozen=True)
class SeedAssignment:
    user_id: int
    org_id: int
    option_id: str
    weight: int | None


@dataclass(frozen=True)
class SeedOAuthClient:
    id: str
    secret: str
    org_id: int


@dataclass(frozen=True)
class Seed:
    organizations: tuple[SeedOrganization, ...]
    users: tuple[SeedUser, ...]
    memberships: tuple[SeedMembership, ...]
    teams: tuple[SeedTeam, ...] = ()
    attributes: tuple[SeedAttribute, ...] = ()
    assignments: tuple[SeedAssignment, ...] = ()
    oauth_clients: tuple[SeedOAuthClient, ...] = ()
    sync_runs: tuple[dict[str, Any], ...] = field(default=())


class _Reader:
    """Typed access to one JSON object of the seed, with errors that name its place."""

    def __init__(self, data: Any, where: str, allowed: set[str], required: set[str]) -> None:
        if not isinstance(data, dict):
            raise SeedError(f"{where}: must be an object")
        if not data.keys() <= allowed:  # subset tests first: a 100k seed has 100k objects
            unknown = sorted(data.keys() - allowed)
            raise SeedError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
        if not required <= data.keys():
            missing = sorted(required - data.keys())
            raise SeedError(f"{where}: missing required key {missing[0]!r}")
        self.data, self.where = data, where

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, nullable: bool = False) -> Any:
        value = self.data.get(key, default)
        if value is None and (nullable or key not in self.data):
            return value
        if isinstance(value, bool) and kind in (int, str):
            raise SeedError(f"{self.where}.{key}: must be {kind.__name__}, not a boolean")
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise SeedError(f"{self.where}.{key}: must be {names}, got {json.dumps(value)}")
        return value

    def text(self, key: str, default: str | None = None, nullable: bool = False) -> Any:
        value = self.get(key, str, default, nullable)
        if value == "" and not nullable:
            raise SeedError(f"{self.where}.{key}: must not be empty")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None, nullable: bool = False) -> Any:
        value = self.get(key, str, default, nullable)
        if value is not None and value not in choices:
            raise SeedError(f"{self.where}.{key}: {value!r} is not one of {', '.join(choices)}")
        return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise SeedError(f"{key}: must be a list")
    return value


def _datetime(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SeedError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise SeedError(f"{where}: {value!r} needs a time zone (such as Z)")
    return parsed


def _unique(values: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise SeedError(f"{what}: duplicate {value!r}")
        seen.add(value)


def parse_seed(data: Any) -> Seed:
    """Check a decoded seed document and turn it into a ``Seed``."""
    top = _Reader(
        data,
        "seed",
        {
            "organizations",
            "teams",
            "users",
            "memberships",
            "attributes",
            "assignments",
            "oauthClients",
            "syncRuns",
        },
        {"organizations", "users", "memberships"},
    )
    organizations = []
    for i, raw in enumerate(_list(top.data, "organizations")):
        r = _Reader(
            raw,
            f"organizations[{i}]",
            {"id", "name", "slug", "adminApiEnabled", "isPlatform", "platformPlan"},
            {"id", "name"},
        )
        organizations.append(
            SeedOrganization(
                id=r.get("id", int),
                name=r.text("name"),
                slug=r.text("slug", default=str(raw["name"]).lower().replace(" ", "-")),
                admin_api_enabled=r.get("adminApiEnabled", bool, default=True),
                is_platform=r.get("isPlatform", bool, default=False),
                platform_plan=r.choice("platformPlan", PLATFORM_PLANS, nullable=True),
            )
        )
    org_ids = {org.id for org in organizations}
    teams = []
    for i, raw in enumerate(_list(top.data, "teams")):
        r = _Reader(raw, f"teams[{i}]", {"id", "name", "slug", "parentId"}, {"id", "name"})
        team = SeedTeam(
            id=r.get("id", int),
            name=r.text("name"),
            slug=r.text("slug", default=str(raw["name"]).lower().replace(" ", "-")),
            parent_id=r.get("parentId", int, nullable=True),
        )
        if team.parent_id is not None and team.parent_id not in org_ids:
            raise SeedError(f"teams[{i}].parentId: {team.parent_id} is not an organization id")
        teams.append(team)
    _unique([o.id for o in organizations] + [t.id for t in teams], "organizations and teams: id")

    users = []
    for i, raw in enumerate(_list(top.data, "users")):
        r = _Reader(
            raw, f"users[{i}]", {"id", "email", "name", "apiKey", "apiKeyExpiresAt", "systemAdmin"}, {"id", "email"}
        )
        api_key = r.text("apiKey", nullable=True)
        if api_key is not None and not api_key.startswith("cal_"):
            raise SeedError(f"users[{i}].apiKey: an API key starts with 'cal_'")
        users.append(
            SeedUser(
                id=r.get("id", int),
                email=r.text("email"),
                name=r.text("name", nullable=True),
                api_key=api_key,
                api_key_expires_at=_datetime(r.text("apiKeyExpiresAt", nullable=True), f"users[{i}].apiKeyExpiresAt"),
                system_admin=r.get("systemAdmin", bool, default=False),
            )
        )
    _unique([u.id for u in users], "users: id")
    _unique([u.email for u in users], "users: email")
    _unique([u.api_key for u in users if u.api_key], "users: apiKey")
    user_ids = {u.id for u in users}
    team_ids = org_ids | {t.id for t in teams}

    memberships = []
    for i, raw in enumerate(_list(top.data, "memberships")):
        r = _Reader(raw, f"memberships[{i}]", {"userId", "teamId", "role", "accepted"}, {"userId", "teamId"})
        membership = SeedMembership(
            user_id=r.get("userId", int),
            team_id=r.get("teamId", int),
            role=r.choice("role", ROLES, default="MEMBER"),
            accepted=r.get("accepted", bool, default=True),
        )
        if membership.user_id not in user_ids:
            raise SeedError(f"memberships[{i}].userId: no user has id {membership.user_id}")
        if membership.team_id not in team_ids:
            raise SeedError(f"memberships[{i}].teamId: {membership.team_id} is neither an organization nor a team")
        memberships.append(membership)
    _unique([(m.user_id, m.team_id) for m in memberships], "memberships: (userId, teamId)")

    attributes = []
    option_ids: dict[str, int] = {}
    for i, raw in enumerate(_list(top.data, "attributes")):
        where = f"attributes[{i}]"
        r = _Reader(
            raw,
            where,
            {"id", "orgId", "name", "slug", "type", "enabled", "options", *ATTRIBUTE_FLAGS},
            {"orgId", "name", "slug", "type"},
        )
        options = []
        for j, raw_option in enumerate(_list(raw, "options")):
            o = _Reader(raw_option, f"{where}.options[{j}]", {"id", "value", "slug"}, {"value", "slug"})
            option = SeedOption(id=o.text("id", nullable=True), value=o.text("value"), slug=o.text("slug"))
            if option.id is not None:
                if option.id in option_ids:
                    raise SeedError(f"{where}.options[{j}].id: duplicate {option.id!r}")
                option_ids[option.id] = r.get("orgId", int)
            options.append(option)
        attribute = SeedAttribute(
            id=r.text("id", nullable=True),
            org_id=r.get("orgId", int),
            name=r.text("name"),
            slug=r.text("slug"),
            type=r.choice("type", ATTRIBUTE_TYPES),
            enabled=r.get("enabled", bool, default=True),
            options=tuple(options),
            users_can_edit_relation=r.get("usersCanEditRelation", bool, default=False),
            is_weights_enabled=r.get("isWeightsEnabled", bool, default=False),
            is_locked=r.get("isLocked", bool, default=False),
        )
        if attribute.org_id not in org_ids:
            raise SeedError(f"{where}.orgId: {attribute.org_id} is not an organization id")
        attributes.append(attribute)
    _unique([a.id for a in attributes if a.id], "attributes: id")
    _unique([(a.org_id, a.slug) for a in attributes], "attributes: (orgId, slug)")

    assignments = []
    member_of = {(m.user_id, m.team_id) for m in memberships}
    for i, raw in enumerate(_list(top.data, "assignments")):
        r = _Reader(
            raw, f"assignments[{i}]", {"userId", "orgId", "optionId", "weight"}, {"userId", "orgId", "optionId"}
        )
        assignment = SeedAssignment(
            user_id=r.get("userId", int),
            org_id=r.get("orgId", int),
            option_id=r.text("optionId"),
            weight=r.get("weight", int, nullable=True),
        )
        if (assignment.user_id, assignment.org_id) not in member_of:
            raise SeedError(
                f"assignments[{i}]: user {assignment.user_id} is not a member of organization {assignment.org_id}"
            )
        if assignment.option_id not in option_ids:
            raise SeedError(
                f"assignments[{i}].optionId: no option has id {assignment.option_id!r} (give options ids to assign them)"
            )
        if option_ids[assignment.option_id] != assignment.org_id:
            raise SeedError(f"assignments[{i}].optionId: {assignment.option_id!r} is an option of another organization")
        if assignment.weight is not None and assignment.weight < 0:
            raise SeedError(f"assignments[{i}].weight: must be 0 or more")
        assignments.append(assignment)
    _unique([(a.user_id, a.org_id, a.option_id) for a in assignments], "assignments: (userId, orgId, optionId)")

    clients = []
    for i, raw in enumerate(_list(top.data, "oauthClients")):
        r = _Reader(raw, f"oauthClients[{i}]", {"id", "secret", "orgId"}, {"id", "secret", "orgId"})
        client = SeedOAuthClient(id=r.text("id"), secret=r.text("secret"), org_id=r.get("orgId", int))
        if client.org_id not in org_ids:
            raise SeedError(f"oauthClients[{i}].orgId: {client.org_id} is not an organization id")
        clients.append(client)
    _unique([c.id for c in clients], "oauthClients: id")

    run_validator = Draft202012Validator(
        {"$ref": "#/components/schemas/SyncRun", "components": load_spec()["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    runs = []
    for i, raw in enumerate(_list(top.data, "syncRuns")):
        error = next(iter(run_validator.iter_errors(raw)), None)
        if error is not None:
            place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise SeedError(f"syncRuns[{i}]{place}: {error.message}")
        try:
            uuid.UUID(str(raw["id"]))
        except ValueError:
            raise SeedError(f"syncRuns[{i}].id: {raw['id']!r} is not a UUID (ids are the pagination cursors)") from None
        if raw.get("userId") not in user_ids:
            raise SeedError(f"syncRuns[{i}].userId: no user has id {raw.get('userId')}")
        if raw.get("organizationId") not in org_ids:
            raise SeedError(f"syncRuns[{i}].organizationId: {raw.get('organizationId')} is not an organization id")
        runs.append(raw)
    _unique([run["id"] for run in runs], "syncRuns: id")

    return Seed(
        organizations=tuple(organizations),
        teams=tuple(teams),
        users=tuple(users),
        memberships=tuple(memberships),
        attributes=tuple(attributes),
        assignments=tuple(assignments),
        oauth_clients=tuple(clients),
        sync_runs=tuple(runs),
    )


def load_seed(path: str | Path) -> Seed:
    """Read and check a seed file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"cannot read seed file {path}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SeedError(f"{path}: not valid JSON: {error}") from None
    return parse_seed(data)


def demo_seed() -> Seed:
    """The built-in demo organization (docs/mock.md lists its keys)."""
    data = json.loads((resources.files("cal_attributes_mock") / "demo_seed.json").read_text(encoding="utf-8"))
    return parse_seed(data)
