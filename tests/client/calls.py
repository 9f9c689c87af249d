"""One representative call of every operation through the generated client, and what it must
put on the wire. Shared by the wire tests and the response-parsing tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import (
    assign_option_to_user,
    create_option,
    delete_option,
    get_assignment_history,
    list_assigned_options,
    list_assigned_options_by_slug,
    list_options,
    list_user_options,
    unassign_option_from_user,
    update_assignment_weight,
    update_option,
)
from cal_attributes_client.api.attribute_sync_history import get_user_sync_history
from cal_attributes_client.api.attributes import (
    create_attribute,
    delete_attribute,
    get_attribute,
    list_attributes,
    update_attribute,
)
from cal_attributes_client.models import (
    AssignOptionToUserInput,
    AttributeType,
    CreateAttributeInput,
    CreateAttributeOptionInput,
    CreateOptionInput,
    UpdateAssignmentInput,
    UpdateAttributeInput,
    UpdateOptionInput,
)
from cal_attributes_client.types import Response

ATTR = "0b8f5e2a-6c1d-4f3e-9a7b-2d4c6e8f0a1b"
OPT = "7c1d9e4b-2a3f-4b5c-8d6e-9f0a1b2c3d4e"
OPT2 = "2f4e6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"
CURSOR = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
BASE = "/v2/organizations/1/attributes"

SyncCall = Callable[[AuthenticatedClient], Response[Any]]
AsyncCall = Callable[[AuthenticatedClient], Awaitable[Response[Any]]]


@dataclass(frozen=True)
class Call:
    """A call of one operation, sync and async, and the request it must send."""

    operation_id: str
    sync: SyncCall
    asyncio: AsyncCall
    method: str
    path: str
    query: str = ""
    body: Any = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    module: Any = None  # the operation's module (sync_detailed, asyncio_detailed)


def call(
    operation_id: str, module: Any, method: str, path: str, query: str = "", wire_body: Any = None, **kwargs: Any
) -> Call:
    def sync(client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = module.sync_detailed(client=client, **kwargs)
        return response

    async def asyncio(client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = await module.asyncio_detailed(client=client, **kwargs)
        return response

    return Call(operation_id, sync, asyncio, method, path, query, wire_body, kwargs, module)


CALLS = [
    call("listAttributes", list_attributes, "GET", BASE, "take=25&skip=50", org_id=1, take=25, skip=50),
    call(
        "createAttribute",
        create_attribute,
        "POST",
        BASE,
        wire_body={
            "name": "Department",
            "slug": "department",
            "type": "SINGLE_SELECT",
            "options": [{"value": "Engineering", "slug": "engineering"}],
            "enabled": True,
        },
        org_id=1,
        body=CreateAttributeInput(
            name="Department",
            slug="department",
            type_=AttributeType.SINGLE_SELECT,
            options=[CreateAttributeOptionInput(value="Engineering", slug="engineering")],
            enabled=True,
        ),
    ),
    call("getAttribute", get_attribute, "GET", f"{BASE}/{ATTR}", org_id=1, attribute_id=ATTR),
    call(
        "updateAttribute",
        update_attribute,
        "PATCH",
        f"{BASE}/{ATTR}",
        wire_body={"name": "Team"},
        org_id=1,
        attribute_id=ATTR,
        body=UpdateAttributeInput(name="Team"),
    ),
    call("deleteAttribute", delete_attribute, "DELETE", f"{BASE}/{ATTR}", org_id=1, attribute_id=ATTR),
    call(
        "createOption",
        create_option,
        "POST",
        f"{BASE}/{ATTR}/options",
        wire_body={"value": "Sales", "slug": "sales"},
        org_id=1,
        attribute_id=ATTR,
        body=CreateOptionInput(value="Sales", slug="sales"),
    ),
    call("listOptions", list_options, "GET", f"{BASE}/{ATTR}/options", org_id=1, attribute_id=ATTR),
    call(
        "deleteOption",
        delete_option,
        "DELETE",
        f"{BASE}/{ATTR}/options/{OPT}",
        org_id=1,
        attribute_id=ATTR,
        option_id=OPT,
    ),
    call(
        "updateOption",
        update_option,
        "PATCH",
        f"{BASE}/{ATTR}/options/{OPT}",
        wire_body={"value": ""},
        org_id=1,
        attribute_id=ATTR,
        option_id=OPT,
        body=UpdateOptionInput(value=""),
    ),
    call(
        "listAssignedOptions",
        list_assigned_options,
        "GET",
        f"{BASE}/{ATTR}/options/assigned",
        f"skip=0&take=10&assignedOptionIds={OPT},{OPT2}&teamIds=10,20",
        org_id=1,
        attribute_id=ATTR,
        skip=0,
        take=10,
        assigned_option_ids=[OPT, OPT2],
        team_ids=[10, 20],
    ),
    call(
        "listAssignedOptionsBySlug",
        list_assigned_options_by_slug,
        "GET",
        f"{BASE}/slugs/department/options/assigned",
        "teamIds=10",
        org_id=1,
        attribute_slug="department",
        team_ids=[10],
    ),
    call(
        "assignOptionToUser",
        assign_option_to_user,
        "POST",
        f"{BASE}/options/102",
        wire_body={"attributeId": ATTR, "attributeOptionId": OPT, "weight": 0},
        org_id=1,
        user_id=102,
        body=AssignOptionToUserInput(attribute_id=ATTR, attribute_option_id=OPT, weight=0),
    ),
    call("listUserOptions", list_user_options, "GET", f"{BASE}/options/102", org_id=1, user_id=102),
    call(
        "unassignOptionFromUser",
        unassign_option_from_user,
        "DELETE",
        f"{BASE}/options/102/{OPT}",
        org_id=1,
        user_id=102,
        attribute_option_id=OPT,
    ),
    call(
        "updateAssignmentWeight",
        update_assignment_weight,
        "PATCH",
        f"{BASE}/options/102/{OPT}",
        wire_body={"weight": 50},
        org_id=1,
        user_id=102,
        attribute_option_id=OPT,
        body=UpdateAssignmentInput(weight=50),
    ),
    call(
        "getAssignmentHistory",
        get_assignment_history,
        "GET",
        f"{BASE}/assignments/102/history",
        f"limit=10&cursor={CURSOR}",
        org_id=1,
        user_id=102,
        limit=10,
        cursor=UUID(CURSOR),
    ),
    call(
        "getUserSyncHistory",
        get_user_sync_history,
        "GET",
        f"{BASE}/sync-history/user/102",
        "limit=100",
        org_id=1,
        user_id=102,
        limit=100,
    ),
]
