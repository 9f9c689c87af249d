"""Every response and error model: instances generated from its schema round-trip through the client.

The spec's component schemas become request bodies of a derived spec, so schemathesis generates
instances of them; each must parse with ``from_dict`` and serialise back with ``to_dict`` to the
same JSON (timestamps compared as instants: the client writes ``+00:00`` where the server wrote
``Z``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
from cal_attributes_client import models
from hypothesis import HealthCheck, given, settings

from tests.client.test_responses import comparable
from tests.spec_helpers import load_spec

OUTPUT_SCHEMAS = sorted(
    name
    for name, schema in load_spec()["components"]["schemas"].items()
    if not name.endswith("Input") and schema.get("type") == "object"
)


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
        "components": {"schemas": copy.deepcopy(spec["components"]["schemas"])},
    }


ROUND_TRIP = schemathesis.openapi.from_dict(derived_spec(), config=schemathesis.Config.from_dict({}))


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
        assert comparable(model.from_dict(instance).to_dict()) == comparable(instance)

    check()
