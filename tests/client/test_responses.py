"""Every documented response of every operation, from the spec's examples, parses into its model."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from cal_attributes_client import models
from dateutil.parser import isoparse

from tests.client.calls import CALLS, Call
from tests.client.transport import Recorder
from tests.spec_helpers import media_examples, operation_by_id, schema_ref_names

ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def documented_responses() -> list[tuple[Call, int, str, Any, list[str]]]:
    cases = []
    for call in CALLS:
        for status, response in operation_by_id(call.operation_id).responses().items():
            media = response["content"]["application/json"]
            for name, example in media_examples(media).items():
                cases.append((call, int(status), name, example, schema_ref_names(media["schema"])))
    return cases


def comparable(value: Any) -> Any:
    """JSON with ISO timestamps as datetimes, so `.000Z` and `+00:00` compare equal."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value[:19]):
        return isoparse(value)
    return value


CASES = documented_responses()


def test_every_operation_documents_several_responses() -> None:
    per_operation = {call.operation_id for call, *_ in CASES}
    assert len(per_operation) == 17
    assert len(CASES) >= 17 * 5


@pytest.mark.parametrize(
    ("call", "status", "name", "example", "model_names"),
    CASES,
    ids=[f"{c.operation_id}-{s}-{n}" for c, s, n, _, _ in CASES],
)
def test_documented_response_parses_into_its_model(
    call: Call, status: int, name: str, example: Any, model_names: list[str]
) -> None:
    recorder = Recorder(status, example)
    with recorder.client() as client:
        response = call.sync(client)
    assert response.status_code == status
    expected = tuple(getattr(models, model_name) for model_name in model_names)
    assert isinstance(response.parsed, expected), type(response.parsed)
    assert comparable(response.parsed.to_dict()) == comparable(example)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.operation_id)
def test_async_parses_the_error_envelopes_too(call: Call) -> None:
    example = media_examples(operation_by_id(call.operation_id).responses()["403"]["content"]["application/json"])
    recorder = Recorder(403, next(iter(example.values())))

    async def run() -> Any:
        async with recorder.async_client() as client:
            return (await call.asyncio(client)).parsed

    parsed = asyncio.run(run())
    assert isinstance(parsed, models.HttpErrorResponse)
    assert parsed.error.code == "ForbiddenException"
    assert parsed.error.details.status_code == 403
