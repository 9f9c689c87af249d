"""Whatever hypothesis sends (any JSON body, path segment, query string and header) gets a 2xx or
a 4xx in the Cal.com envelope, never a 5xx, and the organization's reads keep answering."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cal_attributes_mock import MockServer, create_mock
from cal_attributes_mock.spec import operations
from tests.mock.conftest import ADMIN_KEY, DEPARTMENT, ENGINEERING, MEMBER_KEY, OFFICE, OWNER_KEY, PYTHON

KNOWN = {
    "orgId": ["1", "1", "1", "1", "1", "2", "0", "-1", "1.5"],
    "attributeId": [DEPARTMENT, OFFICE],
    "attributeSlug": ["department", "office"],
    "optionId": [ENGINEERING, PYTHON],
    "attributeOptionId": [ENGINEERING, PYTHON],
    "userId": ["101", "103", "104", "999"],
}
QUERY_NAMES = ["take", "skip", "teamIds", "assignedOptionIds", "limit", "cursor", "x"]
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)

HOSTILE_CHARACTERS = st.sampled_from(["\ud800", "\udfff", "\x00", "\uffff", "\u202e"])  # lone surrogates...
TEXT = st.text(st.characters() | HOSTILE_CHARACTERS, max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
ATTRIBUTE_IDS = st.sampled_from([DEPARTMENT, OFFICE])
OPTION_IDS = st.sampled_from([ENGINEERING, PYTHON])
NEW_ATTRIBUTE = st.fixed_dictionaries(
    {
        "name": TEXT,
        "slug": TEXT,
        "type": st.sampled_from(["TEXT", "NUMBER", "SINGLE_SELECT", "MULTI_SELECT"]),
        "options": st.lists(st.fixed_dictionaries({"value": TEXT, "slug": TEXT}), max_size=2),
    }
)
WELL_FORMED = {  # bodies that pass validation, so hostile strings and numbers reach the store
    "createAttribute": NEW_ATTRIBUTE,
    "updateAttribute": st.fixed_dictionaries({}, optional={"name": TEXT, "slug": TEXT, "enabled": st.booleans()}),
    "createOption": st.fixed_dictionaries({"value": TEXT, "slug": TEXT}),
    "updateOption": st.fixed_dictionaries({}, optional={"value": TEXT, "slug": TEXT}),
    "assignOptionToUser": st.fixed_dictionaries({"attributeId": ATTRIBUTE_IDS, "value": TEXT})
    | st.fixed_dictionaries({"attributeId": ATTRIBUTE_IDS, "attributeOptionId": OPTION_IDS, "weight": st.integers()}),
    "updateAssignmentWeight": st.fixed_dictionaries({"weight": st.integers() | st.floats()}),
}
OPERATIONS = operations()


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, Any]:
    """An operation's method (or any), its path with known or drawn segments, a query, a body."""
    operation = draw(st.sampled_from(OPERATIONS))
    usually = draw(st.integers(0, 9)) < 8  # mostly the operation as the spec has it, so bodies reach the store
    method = operation.method if usually else draw(st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT"]))
    path = operation.path_template
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        segment = draw(st.sampled_from(KNOWN[name]) if usually else st.text(min_size=1, max_size=20))
        path = path.replace("{" + name + "}", quote(segment, safe=""))
    query = draw(
        st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=8), st.text(max_size=12)), max_size=4)
    )
    body = draw(WELL_FORMED.get(operation.operation_id, json_values) if usually else json_values)
    return method, f"{path}?{urlencode(query)}" if query else path, body


@dataclass
class Answer:
    status: int
    body: bytes


async def send(server: MockServer, method: str, target: str, body: bytes, headers: dict[str, str]) -> Answer:
    """One request straight into the ASGI app, as uvicorn would pass it (thousands per second,
    where an HTTP client in front costs milliseconds each)."""
    raw_path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
    }
    request = [{"type": "http.request", "body": body, "more_body": False}]
    answer = Answer(0, b"")

    async def receive() -> dict[str, Any]:
        return request.pop() if request else {"type": "http.disconnect"}

    async def reply(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        else:
            answer.body += message.get("body", b"")

    await server(scope, receive, reply)
    return answer


def assert_answer(answer: Answer) -> None:
    assert answer.status < 300 or 400 <= answer.status < 500, (answer.status, answer.body)
    body: Any = json.loads(answer.body)
    if answer.status >= 400:
        assert body["status"] == "error" and body["error"]["code"] and body["error"]["message"], body


SERVER = create_mock()
READS = ("/v2/organizations/1/attributes", "/v2/organizations/1/attributes/options/103")
OWNER = {"Authorization": f"Bearer {OWNER_KEY}"}


@settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@example(  # the defects issue 11 found, always tried first
    ("POST", "/v2/organizations/1/attributes", {"name": "a\ud800b", "slug": "s", "type": "TEXT", "options": []}),
    OWNER_KEY,
    {},
)
@example(
    ("POST", "/v2/organizations/1/attributes/options/102", {"attributeId": OFFICE, "value": "\udfff"}), OWNER_KEY, {}
)
@example(("GET", "/v2/organizations/1/attributes?take=" + "9" * 5000, None), OWNER_KEY, {})
@given(
    request=requests(),
    key=st.sampled_from([OWNER_KEY, ADMIN_KEY, MEMBER_KEY]) | HEADER_TEXT,
    headers=st.dictionaries(
        st.sampled_from(["x-cal-client-id", "x-cal-secret-key", "x-request-id", "content-type", "x-other"]),
        HEADER_TEXT,
        max_size=3,
    ),
)
def test_any_request_gets_a_2xx_or_a_4xx_envelope_and_reads_keep_answering(
    request: tuple[str, str, Any], key: str, headers: dict[str, str]
) -> None:
    method, path, body = request
    content = json.dumps(body).encode()  # ensure_ascii: lone surrogates travel as \ud800 escapes
    headers = {"content-type": "application/json", **headers, "Authorization": f"Bearer {key}"}

    async def exchange() -> None:
        assert_answer(await send(SERVER, method, path, content, headers))
        for read in READS:
            assert (await send(SERVER, "GET", read, b"", OWNER)).status == 200

    asyncio.run(exchange())
