"""Success bodies that are not what the spec says: the SDK gives its result as an instance of the
declared model, or APIResponseValidationError naming the problem; never a RecursionError, a raw
dict or a cryptic message. (A body with a key the spec does not name is read leniently, field
values as they are, as README's "Models" says: the instance is the model's, its values unchecked.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from cal_attributes_client.models import Attribute
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cal_attributes import APIResponseValidationError

from .faults import Script

ROW: dict[str, Any] = {"id": "a", "teamId": 1, "type": "TEXT", "name": "n", "slug": "s", "enabled": True}


def deeply_nested(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return b'{"status":"success","data":' + opener * depth + closer * depth + b"}"


def list_sync(body: bytes, strict: bool) -> object:
    with Script(httpx.Response(200, content=body)).client(strict_response_validation=strict) as cal:
        return cal.attributes.list(org_id=1).items


def list_async(body: bytes, strict: bool) -> object:
    async def run() -> object:
        async with Script(httpx.Response(200, content=body)).async_client(strict_response_validation=strict) as cal:
            return (await cal.attributes.list(org_id=1)).items

    return asyncio.run(run())


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("call", [list_sync, list_async], ids=["sync", "async"])
@pytest.mark.parametrize("depth", [5000, 100_000])
def test_deep_nesting_is_a_validation_error_not_a_recursion_error(call: Any, strict: bool, depth: int) -> None:
    with pytest.raises(APIResponseValidationError, match="nested too deeply"):
        call(deeply_nested(depth), strict)


def test_deep_nesting_within_the_decoder_s_reach_is_still_read_or_refused_cleanly() -> None:
    # Depths msgspec decodes but jsonschema's recursive check (strict) may not: same outcome.
    for depth in (200, 900, 1500):
        for strict in (False, True):
            with pytest.raises(APIResponseValidationError):
                list_sync(deeply_nested(depth, b'{"a":', b"}"), strict)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


def success_bodies() -> st.SearchStrategy[bytes]:
    depth = st.integers(min_value=1, max_value=20_000)
    nested = st.builds(deeply_nested, depth) | st.builds(lambda n: deeply_nested(n, b'{"k":', b"}"), depth)
    envelope = JSON_VALUES.map(lambda data: json.dumps({"status": "success", "data": data}).encode())
    rows = st.lists(st.fixed_dictionaries({}, optional={k: JSON_VALUES | st.just(v) for k, v in ROW.items()}))
    return (
        st.binary(max_size=64)
        | nested
        | envelope
        | rows.map(lambda d: json.dumps({"status": "success", "data": d}).encode())
    )


@settings(max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=success_bodies(), strict=st.booleans())
@example(body=b'{"status":"success","data":["\xff"]}', strict=False)
@example(body=deeply_nested(3000), strict=True)
def test_any_success_body_gives_a_result_or_a_validation_error(body: bytes, strict: bool) -> None:
    try:
        items = list_sync(body, strict)
    except APIResponseValidationError:
        return
    assert isinstance(items, list) and all(isinstance(item, Attribute) for item in items)


@pytest.mark.parametrize(
    "data",
    [{**ROW, "type": "COLOUR"}, {k: v for k, v in ROW.items() if k != "slug"}, [], "text", 5],
    ids=["unknown-enum", "missing-field", "empty-list", "string", "number"],
)
@pytest.mark.parametrize("extra_key", [False, True], ids=["spec-keys", "with-an-unknown-key"])
def test_retrieve_never_returns_a_raw_value_as_the_model(data: object, extra_key: bool) -> None:
    # Upstream's union parser returned what it could not build as it was, typed `Attribute | None`.
    body = {"status": "success", "data": data, **({"note": 1} if extra_key else {})}
    with Script(httpx.Response(200, json=body)).client() as cal, pytest.raises(APIResponseValidationError):
        cal.attributes.retrieve("a", org_id=1)


@pytest.mark.parametrize("data", [ROW, None], ids=["attribute", "null"])
def test_retrieve_still_reads_an_attribute_or_null(data: object) -> None:
    body = {"status": "success", "data": data, "note": 1}
    with Script(httpx.Response(200, json=body)).client() as cal:
        result = cal.attributes.retrieve("a", org_id=1)
    assert result == (None if data is None else Attribute.from_dict(ROW))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"status":"success","data":[{"id":"\xff"}]}', "the response is not JSON (JSON is malformed"),
        (
            json.dumps({"status": "success", "data": [{k: v for k, v in ROW.items() if k != "slug"}]}).encode(),
            "the response does not match the spec (Object missing required field `slug` - at `$.data[0]`",
        ),
        (
            json.dumps({"status": "success", "data": [{**ROW, "type": "COLOUR"}]}).encode(),
            "the response does not match the spec (Invalid enum value 'COLOUR' - at `$.data[0].type`",
        ),
    ],
    ids=["invalid-utf8", "missing-field", "unknown-enum"],
)
def test_the_message_names_the_problem(content: bytes, message: str) -> None:
    with (
        Script(httpx.Response(200, content=content)).client() as cal,
        pytest.raises(APIResponseValidationError) as raised,
    ):
        cal.attributes.list(org_id=1)
    assert message in str(raised.value)
