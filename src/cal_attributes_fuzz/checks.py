"""Cal.com-aware schemathesis checks: what a schema-valid answer with a documented status can still get wrong.

Registered with ``schemathesis.check`` when this module is imported (the fuzz command loads it
through its hooks module; the contract tests import it), so every run with ``checks.enabled``
includes them:

- ``cal_roles``: the first 2xx answer of each operation, replayed with an identity below the
  operation's ``x-cal-minimum-role`` and with an identity of another organization, must be
  refused (403).
- ``cal_organization_scope``: every attribute row carries the path's organization, and every
  option row of a user- or attribute-scoped list belongs to one of the organization's attributes.
- ``cal_page_limits``: lists never exceed ``take``/``limit`` nor the spec's maximum; ``hasMore``
  and ``nextCursor`` agree with each other and with the page.
- ``cal_unique_slugs``: repeating a successful attribute create gives 409.
- ``cal_writes_take_effect``: a PATCH echoes every property sent and a fresh read agrees; an
  assigned option is listed for the user afterwards.

Identities for ``cal_roles`` come from the environment (never from arguments, never printed):
CAL_FUZZ_MEMBER_KEY (an organization member, below ORG_ADMIN) and CAL_FUZZ_OTHER_ORG_KEY (a
member of another organization). A missing one skips that replay.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, TypeAlias

import requests
import schemathesis

from cal_attributes.spec import resolve

Case: TypeAlias = schemathesis.Case[Any]
MEMBER_KEY_ENV = "CAL_FUZZ_MEMBER_KEY"
OTHER_ORG_KEY_ENV = "CAL_FUZZ_OTHER_ORG_KEY"
# The real API's RolesGuard answers 403 both for a role below the minimum and for a non-member.
REFUSED = 403
RATE_LIMITED = 429
CHECK_NAMES = (
    "cal_roles",
    "cal_organization_scope",
    "cal_page_limits",
    "cal_unique_slugs",
    "cal_writes_take_effect",
)


def operation_id(case: Case) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def json_body(response: schemathesis.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def org_id_of(case: Case) -> int | None:
    value = (case.path_parameters or {}).get("orgId")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def sent_authorization(response: schemathesis.Response) -> dict[str, str]:
    """The Authorization header the checked request really carried, to send follow-up reads with it."""
    value = response.request.headers.get("Authorization")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return {"Authorization": value} if value else {}


_SESSIONS = threading.local()


def session() -> requests.Session:
    """One keep-alive session per thread for the checks' own requests (a new one per request costs a
    connection each time, which made the checks' requests several times slower)."""
    current: requests.Session | None = getattr(_SESSIONS, "session", None)
    if current is None:
        current = _SESSIONS.session = requests.Session()
    return current


def send(case: Case, headers: dict[str, str]) -> schemathesis.Response:
    return case.call(session=session(), headers=headers)


def call_operation(
    case: Case, target: str, path: dict[str, Any], headers: dict[str, str], query: dict[str, Any] | None = None
) -> schemathesis.Response:
    """Send one request to operation ``target`` of the same schema (and app, if in-process)."""
    operation = case.operation.schema.find_operation_by_id(target)
    return send(operation.Case(path_parameters=path, query=query or {}, headers=headers), headers)


# -- roles ----------------------------------------------------------------------------------


def identities_below(minimum_role: str) -> list[tuple[str, str]]:
    """(description, API key) of each configured identity that must be refused at ``minimum_role``."""
    identities = []
    member = os.environ.get(MEMBER_KEY_ENV)
    if member and minimum_role == "ORG_ADMIN":
        identities.append(("an organization member (below ORG_ADMIN)", member))
    other = os.environ.get(OTHER_ORG_KEY_ENV)
    if other:
        identities.append(("a member of another organization", other))
    return identities


# (operation, identity) already replayed. The guards decide from the caller, the organization and
# the operation's minimum role before they look at any resource, so the first 2xx of each operation
# shows what every later one would; replaying each (the stateful phase makes thousands) tripled the
# default run.
_REPLAYED: set[tuple[str, str]] = set()


def first_replay(case: Case, who: str) -> bool:
    key = (operation_id(case), who)
    if key in _REPLAYED:
        return False
    _REPLAYED.add(key)
    return True


@schemathesis.check
def cal_roles(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """A 2xx answer replayed with a lower or foreign identity must be refused with 403."""
    if not 200 <= response.status_code < 300 or not sent_authorization(response):
        return None
    minimum_role = str(case.operation.definition.raw.get("x-cal-minimum-role", ""))
    for who, key in identities_below(minimum_role):
        if not first_replay(case, who):
            continue
        replay = send(case, {"Authorization": f"Bearer {key}"})
        if replay.status_code == RATE_LIMITED:
            continue  # inconclusive: the target is pacing us
        assert replay.status_code == REFUSED, (
            f"{operation_id(case)} (minimum role {minimum_role}) answered {response.status_code} to the run's "
            f"identity and {replay.status_code} to {who}; expected {REFUSED}"
        )
    return None


# -- organization scope ---------------------------------------------------------------------

ATTRIBUTE_ROW_OPERATIONS = {"listAttributes", "getAttribute", "createAttribute", "updateAttribute", "deleteAttribute"}
# Option rows that the real API filters by `attribute.teamId = orgId` (listOptions does not).
SCOPED_OPTION_LIST_OPERATIONS = {"listUserOptions", "listAssignedOptions", "listAssignedOptionsBySlug"}
# Attribute ids already seen to belong to an organization; an attribute never changes organization.
_KNOWN_ATTRIBUTES: set[tuple[int, str]] = set()


def rows_of(data: Any) -> list[dict[str, Any]]:
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def belongs_to(case: Case, response: schemathesis.Response, org_id: int, attribute_id: str) -> bool:
    if (org_id, attribute_id) in _KNOWN_ATTRIBUTES:
        return True
    path = {"orgId": org_id, "attributeId": attribute_id}
    answer = call_operation(case, "getAttribute", path, sent_authorization(response))
    data = (json_body(answer) or {}).get("data") if answer.status_code == 200 else None
    if answer.status_code == RATE_LIMITED:
        return True  # inconclusive
    if isinstance(data, dict) and data.get("teamId") == org_id:
        _KNOWN_ATTRIBUTES.add((org_id, attribute_id))
        return True
    return False


@schemathesis.check
def cal_organization_scope(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """Nothing of another organization in an answer about the path's organization."""
    org_id = org_id_of(case)
    body = json_body(response)
    if response.status_code // 100 != 2 or org_id is None or not isinstance(body, dict):
        return None
    rows = rows_of(body.get("data"))
    if operation_id(case) in ATTRIBUTE_ROW_OPERATIONS:
        foreign = [row.get("id") for row in rows if "teamId" in row and row["teamId"] != org_id]
        assert not foreign, f"attributes of another organization in an answer about organization {org_id}: {foreign}"
        _KNOWN_ATTRIBUTES.update((org_id, str(row["id"])) for row in rows if row.get("teamId") == org_id)
    elif operation_id(case) in SCOPED_OPTION_LIST_OPERATIONS:
        attribute_ids = sorted({str(row["attributeId"]) for row in rows if "attributeId" in row})
        foreign = [a for a in attribute_ids if not belongs_to(case, response, org_id, a)]
        assert not foreign, f"options of attributes outside organization {org_id} listed: attributes {foreign}"
    return None


def forget() -> None:
    """Forget what earlier responses showed (replays done, attributes seen): for a fresh server."""
    _REPLAYED.clear()
    _KNOWN_ATTRIBUTES.clear()


# -- page limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paged:
    """Where a list operation takes its page size and puts its items and cursor."""

    size_parameter: str
    items_in: str  # "data" or "data.auditLogs"
    cursor_in: str | None  # the object holding hasMore/nextCursor: "data", "meta" or None


PAGED = {
    "listAttributes": Paged("take", "data", None),
    "listAssignedOptions": Paged("take", "data", None),
    "listAssignedOptionsBySlug": Paged("take", "data", None),
    "getAssignmentHistory": Paged("limit", "data.auditLogs", "data"),
    "getUserSyncHistory": Paged("limit", "data", "meta"),
}


def query_parameter_schema(case: Case, name: str) -> dict[str, Any]:
    """The spec's schema of query parameter ``name`` of the case's operation (local refs followed)."""
    raw = case.operation.schema.raw_schema
    path_item = raw["paths"][case.operation.path]
    for reference in [*path_item.get("parameters", []), *case.operation.definition.raw.get("parameters", [])]:
        parameter = resolve(reference, raw)
        if parameter.get("in") == "query" and parameter.get("name") == name:
            schema: dict[str, Any] = parameter.get("schema", {})
            return schema
    return {}


def dig(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        body = body.get(part) if isinstance(body, dict) else None
    return body


def sent_page_size(case: Case, parameter: str) -> int | None:
    value = (case.query or {}).get(parameter)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def page_bound(case: Case, parameter: str) -> int | None:
    """The most items a page may hold: the size sent, capped by the spec's maximum (the maximum alone if
    none was sent: the spec gives servers' defaults in prose only)."""
    maximum = query_parameter_schema(case, parameter).get("maximum")
    bounds = [b for b in (sent_page_size(case, parameter), maximum) if isinstance(b, int)]
    return min(bounds) if bounds else None


@schemathesis.check
def cal_page_limits(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """Pages no longer than asked (or allowed), and cursors that agree with the page."""
    paged = PAGED.get(operation_id(case))
    body = json_body(response)
    if paged is None or response.status_code != 200 or not isinstance(body, dict):
        return None
    items = dig(body, paged.items_in)
    bound = page_bound(case, paged.size_parameter)
    if isinstance(items, list) and bound is not None:
        assert len(items) <= bound, (
            f"{len(items)} items returned where at most {bound} may be "
            f"({paged.size_parameter}={(case.query or {}).get(paged.size_parameter)!r} and the spec's maximum)"
        )
    if paged.cursor_in is None:
        return None
    meta = dig(body, paged.cursor_in)
    if not isinstance(meta, dict):
        return None
    has_more, next_cursor = meta.get("hasMore"), meta.get("nextCursor")
    assert bool(has_more) == (next_cursor is not None), f"hasMore={has_more!r} but nextCursor={next_cursor!r}"
    size = sent_page_size(case, paged.size_parameter)
    if has_more and isinstance(items, list) and size is not None and bound == size:
        assert len(items) == size, f"hasMore is true after a short page: {len(items)} of {size}"
    sent_cursor = (case.query or {}).get("cursor")
    assert next_cursor is None or next_cursor != sent_cursor, (
        f"nextCursor repeats the cursor sent ({sent_cursor}): a paging loop"
    )
    return None


# -- uniqueness -----------------------------------------------------------------------------


@schemathesis.check
def cal_unique_slugs(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """The same attribute create, sent again, is a 409: slugs are unique within an organization."""
    if operation_id(case) != "createAttribute" or response.status_code != 201:
        return None
    again = send(case, sent_authorization(response))
    if again.status_code == RATE_LIMITED:
        return None
    assert again.status_code == 409, (
        f"a second attribute with slug {case.body.get('slug')!r} was answered {again.status_code}, expected 409"
        if isinstance(case.body, dict)
        else f"repeating an attribute create was answered {again.status_code}, expected 409"
    )
    return None


# -- writes take effect ---------------------------------------------------------------------

# The properties each write sets, as the request names them and the answer echoes them.
WRITTEN_PROPERTIES = {
    "updateAttribute": ("name", "slug", "type", "enabled"),
    "updateOption": ("value", "slug"),
    "updateAssignmentWeight": ("weight",),
}


def differences(sent: dict[str, Any], row: Any, properties: tuple[str, ...]) -> list[str]:
    row = row if isinstance(row, dict) else {}
    return [f"{p}: sent {sent[p]!r}, got {row.get(p)!r}" for p in properties if p in sent and row.get(p) != sent[p]]


def read_back(case: Case, response: schemathesis.Response, data: Any) -> Any:
    """The written resource as a fresh read shows it, or None when there is no read of it."""
    path = case.path_parameters or {}
    headers = sent_authorization(response)
    if operation_id(case) == "updateAttribute":
        answer = call_operation(
            case, "getAttribute", {"orgId": path["orgId"], "attributeId": path["attributeId"]}, headers
        )
        return (json_body(answer) or {}).get("data") if answer.status_code == 200 else None
    if operation_id(case) == "updateOption":
        answer = call_operation(
            case, "listOptions", {"orgId": path["orgId"], "attributeId": path["attributeId"]}, headers
        )
        rows = (json_body(answer) or {}).get("data") if answer.status_code == 200 else None
        return next((row for row in rows_of(rows) if row.get("id") == path["optionId"]), {})
    return None


def listed_option_ids(case: Case, response: schemathesis.Response) -> set[str] | None:
    path = case.path_parameters or {}
    answer = call_operation(
        case, "listUserOptions", {"orgId": path["orgId"], "userId": path["userId"]}, sent_authorization(response)
    )
    if answer.status_code != 200:
        return None
    return {str(row.get("id")) for row in rows_of((json_body(answer) or {}).get("data"))}


@schemathesis.check
def cal_writes_take_effect(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """A successful update echoes what was sent and a fresh read agrees; an assignment is then listed."""
    body = json_body(response)
    if response.status_code // 100 != 2 or not isinstance(body, dict):
        return None
    data = body.get("data")
    if operation_id(case) == "assignOptionToUser" and isinstance(data, dict) and "attributeOptionId" in data:
        listed = listed_option_ids(case, response)
        assert listed is None or str(data["attributeOptionId"]) in listed, (
            f"option {data['attributeOptionId']} was assigned but the user's options do not list it"
        )
        return None
    properties = WRITTEN_PROPERTIES.get(operation_id(case))
    if properties is None or not isinstance(case.body, dict):
        return None
    echoed = differences(case.body, data, properties)
    assert not echoed, f"{operation_id(case)} answered without the values sent: {'; '.join(echoed)}"
    stored = read_back(case, response, data)
    if stored is not None:
        read = differences(case.body, stored, properties)
        assert not read, f"after {operation_id(case)}, a fresh read disagrees: {'; '.join(read)}"
    return None
