"""Every operation, called through the generated client, puts exactly the right request on the wire."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from cal_attributes_client.api.attribute_options import (
    get_assignment_history,
    list_assigned_options,
    list_assigned_options_by_slug,
)
from cal_attributes_client.api.attribute_sync_history import get_user_sync_history
from cal_attributes_client.api.attributes import list_attributes

from tests.client.calls import ATTR, CALLS, Call
from tests.client.transport import API_KEY, Recorder
from tests.spec_helpers import media_examples, operation_by_id, operations


def success_example(operation_id: str) -> tuple[int, Any]:
    for status, response in operation_by_id(operation_id).responses().items():
        if status.startswith("2"):
            return int(status), next(iter(media_examples(response["content"]["application/json"]).values()))
    raise AssertionError(operation_id)


def assert_request(request: httpx.Request, call: Call) -> None:
    assert request.method == call.method
    assert request.url.raw_path.decode().split("?")[0] == call.path
    assert request.url.query.decode() == call.query
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    if call.body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == call.body


def test_every_operation_is_covered() -> None:
    assert sorted(c.operation_id for c in CALLS) == sorted(op.operation_id for op in operations())


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.operation_id)
def test_sync_request_on_the_wire(call: Call) -> None:
    recorder = Recorder(*success_example(call.operation_id))
    with recorder.client() as client:
        response = call.sync(client)
    assert_request(recorder.only, call)
    assert response.parsed is not None


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.operation_id)
def test_async_request_on_the_wire(call: Call) -> None:
    recorder = Recorder(*success_example(call.operation_id))

    async def run() -> None:
        async with recorder.async_client() as client:
            response = await call.asyncio(client)
        assert response.parsed is not None

    asyncio.run(run())
    assert_request(recorder.only, call)


@pytest.mark.parametrize(
    ("operation_id", "module", "kwargs"),
    [
        ("listAttributes", list_attributes, {"org_id": 1}),
        ("listAssignedOptions", list_assigned_options, {"org_id": 1, "attribute_id": ATTR}),
        ("listAssignedOptionsBySlug", list_assigned_options_by_slug, {"org_id": 1, "attribute_slug": "department"}),
        ("getAssignmentHistory", get_assignment_history, {"org_id": 1, "user_id": 102}),
        ("getUserSyncHistory", get_user_sync_history, {"org_id": 1, "user_id": 102}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_no_query_parameter_is_sent_that_the_caller_did_not_give(
    operation_id: str, module: Any, kwargs: dict[str, Any]
) -> None:
    recorder = Recorder(*success_example(operation_id))
    with recorder.client() as client:
        module.sync_detailed(client=client, **kwargs)
    assert recorder.only.url.query == b""


def test_a_list_value_holding_a_comma_is_escaped_so_the_server_cannot_split_it() -> None:
    recorder = Recorder(*success_example("listAssignedOptions"))
    with recorder.client() as client:
        list_assigned_options.sync_detailed(
            org_id=1, attribute_id=ATTR, client=client, assigned_option_ids=["a,b", "c d"]
        )
    assert recorder.only.url.query == b"assignedOptionIds=a%2Cb,c%20d"


def test_a_one_item_list_is_sent_as_one_value() -> None:
    recorder = Recorder(*success_example("listAssignedOptions"))
    with recorder.client() as client:
        list_assigned_options.sync_detailed(org_id=1, attribute_id=ATTR, client=client, assigned_option_ids=["a"])
    assert recorder.only.url.query == b"assignedOptionIds=a"


def test_the_callers_own_request_hooks_still_run_and_see_the_comma_list() -> None:
    seen: list[bytes] = []
    recorder = Recorder(*success_example("listAssignedOptions"))
    hooks = {"request": [lambda request: seen.append(request.url.query)]}
    with recorder.client(httpx_args={"event_hooks": hooks}) as client:
        list_assigned_options.sync_detailed(org_id=1, attribute_id=ATTR, client=client, team_ids=[1, 2])
    assert seen == [b"teamIds=1,2"]


def test_platform_client_headers_alone_send_no_authorization_header() -> None:
    recorder = Recorder(*success_example("listAttributes"))
    headers = {"x-cal-client-id": "client-id", "x-cal-secret-key": "client-secret"}
    with recorder.client(token="", headers=headers) as client:
        list_attributes.sync_detailed(org_id=1, client=client)
    request = recorder.only
    assert "authorization" not in request.headers
    assert request.headers["x-cal-client-id"] == "client-id"
    assert request.headers["x-cal-secret-key"] == "client-secret"
