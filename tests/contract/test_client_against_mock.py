"""Generated client against the mock: cases drawn from the spec, sent through the client functions.

Each drawn case is mapped to the arguments of the operation's generated function, sent by the
client (so its serialisation is what reaches the server), and the raw response is validated
against the spec with every configured check; the client must parse each documented response.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest
import schemathesis
from cal_attributes_client import AuthenticatedClient, models
from hypothesis import HealthCheck, given, settings

from cal_attributes_mock.serve import serve_in_thread
from tests.contract.conftest import OWNER_KEY, mocked_schema
from tests.spec_helpers import Operation, operations, schema_ref_names

MOCK, SCHEMA = mocked_schema()

OPERATIONS = list(operations())


def snake(name: str) -> str:
    """openapi-python-client's Python name for a spec name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace(" ", "_").lower()


def client_function(operation: Operation) -> Any:
    tag = snake(operation.operation["tags"][0])
    return importlib.import_module(f"cal_attributes_client.api.{tag}.{snake(operation.operation_id)}")


def arguments(operation: Operation, case: schemathesis.Case[Any]) -> dict[str, Any]:
    """The generated function's keyword arguments for a drawn case."""
    kwargs: dict[str, Any] = {snake(k): v for k, v in (case.path_parameters or {}).items()}
    for name, value in (case.query or {}).items():
        schema = next(p for p in operation.parameters() if p["name"] == name and p["in"] == "query")["schema"]
        if schema.get("type") == "array" and isinstance(value, str):
            # schemathesis hands over `style: form, explode: false` lists already joined: "a,b".
            items = value.split(",")
            value = [int(item) for item in items] if schema["items"].get("type") == "integer" else items
        kwargs[snake(name)] = UUID(value) if schema.get("format") == "uuid" else value
    if "requestBody" in operation.operation and case.body is not None:
        body_ref = operation.operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        model = getattr(models, body_ref.rsplit("/", 1)[-1])
        if isinstance(case.body, dict):
            kwargs["body"] = model.from_dict(case.body)
    return kwargs


@pytest.fixture(scope="module")
def client() -> Iterator[tuple[AuthenticatedClient, list[httpx.Response]]]:
    responses: list[httpx.Response] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        responses.append(response)

    with serve_in_thread(MOCK) as url:
        http = AuthenticatedClient(base_url=url, token=OWNER_KEY, httpx_args={"event_hooks": {"response": [keep]}})
        with http:
            yield http, responses


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_client_requests_conform(
    operation: Operation, client: tuple[AuthenticatedClient, list[httpx.Response]]
) -> None:
    http, responses = client
    api_operation = SCHEMA[operation.path][operation.method.upper()]
    function = client_function(operation)
    documented = {
        int(status): tuple(
            getattr(models, name) for name in schema_ref_names(response["content"]["application/json"]["schema"])
        )
        for status, response in operation.responses().items()
    }
    MOCK.reset()

    @given(case=api_operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
    @settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case[Any]) -> None:
        responses.clear()
        result = function.sync_detailed(client=http, **arguments(operation, case))
        (raw,) = responses
        case.validate_response(raw)
        expected = documented.get(raw.status_code)
        assert expected is not None, f"undocumented status {raw.status_code}"
        assert isinstance(result.parsed, expected), (raw.status_code, type(result.parsed))

    check()
