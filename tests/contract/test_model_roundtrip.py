"""Every response and error model: instances generated from its schema round-trip through the client.

The spec's component schemas become request bodies of a derived spec, so schemathesis generates
instances of them; each must parse with ``from_dict`` and serialise back with ``to_dict`` to the
same JSON (timestamps compared as instants: the client writes ``+00:00`` where the server wrote
``Z``), and ``from_json`` of the instance's JSON bytes (msgspec's decoding, what the SDK reads a
body with) must give a model equal to ``from_dict``'s, additional properties included. Arrays hold at most three items: a list is parsed item by item, so a longer one only
costs generation time (six times the CPU for the nested histories), and every item model has
a round trip of its own.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
import schemathesis
from cal_attributes_client import models
from cal_attributes_client.types import json_decoder
from hypothesis import HealthCheck, given, settings

from tests.client.test_responses import comparable
from tests.spec_helpers import load_spec

OUTPUT_SCHEMAS = sorted(
    name
    for name, schema in load_spec()["components"]["schemas"].items()
    if not name.endswith("Input") and schema.get("type") == "object"
)


MAX_ITEMS = 3


def with_short_arrays(node: Any) -> Any:
    """``node`` with every array schema in it limited to ``MAX_ITEMS`` items (its own limit if lower)."""
    if isinstance(node, list):
        return [with_short_arrays(item) for item in node]
    if not isinstance(node, dict):
        return node
    short = {key: with_short_arrays(value) for key, value in node.items()}
    types = node.get("type")
    if types == "array" or (isinstance(types, list) and "array" in types):
        short["maxItems"] = min(node.get("maxItems", MAX_ITEMS), MAX_ITEMS)
    return short


def derived_spec() -> dict[str, Any]:
    spec = load_spec()
    return {
        "openapi": "3.1.0",
        "info": {"title": "model round trips", "version": "1"},
        "paths": {
            f"/{name}": {
                "post": {
                    "operationId": name,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
            for name in OUTPUT_SCHEMAS
        },
        "components": {"schemas": with_short_arrays(spec["components"]["schemas"])},
    }


ROUND_TRIP = schemathesis.openapi.from_dict(derived_spec(), config=schemathesis.Config.from_dict({}))


def has_additional_properties(value: object) -> bool:
    """Whether a Struct model in ``value`` kept a key its schema does not name (so msgspec refuses
    the body and ``from_json`` falls back to ``from_dict``)."""
    if isinstance(value, list):
        return any(has_additional_properties(item) for item in value)
    if not isinstance(value, msgspec.Struct):
        return False  # a plain value, or a free-form object model (decoded by its from_dict)
    if getattr(value, "additional_properties", None):
        return True
    return any(has_additional_properties(getattr(value, field.name)) for field in msgspec.structs.fields(value))


def test_every_output_model_is_covered() -> None:
    assert {"AttributeListResponse", "HttpErrorResponse", "PrismaErrorResponse", "SyncRun"} <= set(OUTPUT_SCHEMAS)
    assert len(OUTPUT_SCHEMAS) >= 35


@pytest.mark.parametrize("name", OUTPUT_SCHEMAS)
def test_generated_instances_round_trip(name: str) -> None:
    model = getattr(models, name)

    @given(case=ROUND_TRIP[f"/{name}"]["POST"].as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
    @settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case[Any]) -> None:
        instance = case.body
        lenient = model.from_dict(instance)
        assert comparable(lenient.to_dict()) == comparable(instance)
        body = json.dumps(instance).encode()  # orjson cannot write integers past 64 bits
        fast = model.from_json(body)
        assert fast == lenient
        assert comparable(fast.to_dict()) == comparable(instance)
        if not has_additional_properties(lenient):  # msgspec decodes it itself, no fallback
            assert json_decoder(model).decode(body) == lenient

    check()
