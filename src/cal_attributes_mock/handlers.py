"""One function per operation: the parsed request in, the status and JSON body out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cal_attributes_mock.envelopes import success
from cal_attributes_mock.store import DEFAULT_ASSIGNED_TAKE, DEFAULT_HISTORY_LIMIT, Caller, Store

LIST_ATTRIBUTES_DEFAULT_TAKE = 250


@dataclass(slots=True)  # not frozen: built for every request, and a frozen init costs 5 times more
class Context:
    """A request that passed the guards and validation."""

    store: Store
    caller: Caller
    org_id: int
    path: Mapping[str, Any]
    query: dict[str, Any]
    body: dict[str, Any]


Result = tuple[int, dict[str, Any]]  # status and JSON body
Handler = Callable[[Context], Result]


def list_attributes(c: Context) -> Result:
    return 200, success(
        c.store.list_attributes(c.org_id, c.query.get("skip", 0), c.query.get("take", LIST_ATTRIBUTES_DEFAULT_TAKE))
    )


def create_attribute(c: Context) -> Result:
    return 201, success(c.store.create_attribute(c.org_id, c.body))


def get_attribute(c: Context) -> Result:
    return 200, success(c.store.get_attribute(c.org_id, c.path["attributeId"]))


def update_attribute(c: Context) -> Result:
    return 200, success(c.store.update_attribute(c.org_id, c.path["attributeId"], c.body))


def delete_attribute(c: Context) -> Result:
    return 200, success(c.store.delete_attribute(c.org_id, c.path["attributeId"]))


def create_option(c: Context) -> Result:
    return 201, success(c.store.create_option(c.path["attributeId"], c.body))


def list_options(c: Context) -> Result:
    return 200, success(c.store.list_options(c.path["attributeId"]))


def delete_option(c: Context) -> Result:
    return 200, success(c.store.delete_option(c.path["attributeId"], c.path["optionId"]))


def update_option(c: Context) -> Result:
    return 200, success(c.store.update_option(c.path["attributeId"], c.path["optionId"], c.body))


def _assigned(c: Context, **selector: str) -> Result:
    options = c.store.assigned_options(
        c.org_id,
        skip=c.query.get("skip", 0),
        take=c.query.get("take", DEFAULT_ASSIGNED_TAKE),
        assigned_option_ids=c.query.get("assignedOptionIds"),
        team_ids=c.query.get("teamIds"),
        **selector,
    )
    return 200, success(options)


def list_assigned_options(c: Context) -> Result:
    return _assigned(c, attribute_id=c.path["attributeId"])


def list_assigned_options_by_slug(c: Context) -> Result:
    return _assigned(c, attribute_slug=c.path["attributeSlug"])


def assign_option_to_user(c: Context) -> Result:
    return 201, success(c.store.assign(c.org_id, c.path["userId"], c.body, c.caller))


def list_user_options(c: Context) -> Result:
    return 200, success(c.store.user_options(c.org_id, c.path["userId"]))


def unassign_option_from_user(c: Context) -> Result:
    return 200, success(c.store.unassign(c.org_id, c.path["userId"], c.path["attributeOptionId"], c.caller))


def update_assignment_weight(c: Context) -> Result:
    return 200, success(
        c.store.update_weight(c.org_id, c.path["userId"], c.path["attributeOptionId"], c.body, c.caller)
    )


def get_assignment_history(c: Context) -> Result:
    limit = c.query.get("limit", DEFAULT_HISTORY_LIMIT)
    return 200, success(c.store.assignment_history(c.org_id, c.path["userId"], limit, c.query.get("cursor")))


def get_user_sync_history(c: Context) -> Result:
    limit = c.query.get("limit", DEFAULT_HISTORY_LIMIT)
    runs, meta = c.store.sync_history(c.org_id, c.path["userId"], limit, c.query.get("cursor"))
    return 200, {**success(runs), "meta": meta}


HANDLERS: dict[str, Handler] = {
    "listAttributes": list_attributes,
    "createAttribute": create_attribute,
    "getAttribute": get_attribute,
    "updateAttribute": update_attribute,
    "deleteAttribute": delete_attribute,
    "createOption": create_option,
    "listOptions": list_options,
    "deleteOption": delete_option,
    "updateOption": update_option,
    "listAssignedOptions": list_assigned_options,
    "listAssignedOptionsBySlug": list_assigned_options_by_slug,
    "assignOptionToUser": assign_option_to_user,
    "listUserOptions": list_user_options,
    "unassignOptionFromUser": unassign_option_from_user,
    "updateAssignmentWeight": update_assignment_weight,
    "getAssignmentHistory": get_assignment_history,
    "getUserSyncHistory": get_user_sync_history,
}
