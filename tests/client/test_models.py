"""The generated models' ``from_dict`` (codegen/templates/model.py.jinja): fields, extras, bad input."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from cal_attributes_client.models import (
    Attribute,
    AttributeAssignment,
    AttributeListResponse,
    AttributeType,
    CreateOptionInput,
)
from cal_attributes_client.types import UNSET

ROW: dict[str, Any] = {
    "id": "0b8f5e2a-6c1d-4f3e-9a7b-2d4c6e8f0a1b",
    "teamId": 7,
    "type": "SINGLE_SELECT",
    "name": "Department",
    "slug": "department",
    "enabled": True,
    "usersCanEditRelation": False,
    "isWeightsEnabled": True,
    "isLocked": False,
    "createdAt": "2025-11-02T09:30:00.000Z",
    "updatedAt": "2025-11-03T10:00:00.000Z",
}


def test_every_field_lands_in_its_own_attribute() -> None:
    # The fields are passed to the class positionally: a swapped pair would show here.
    attribute = Attribute.from_dict(ROW)
    assert (attribute.id, attribute.team_id, attribute.type_, attribute.name, attribute.slug) == (
        ROW["id"],
        7,
        AttributeType.SINGLE_SELECT,
        "Department",
        "department",
    )
    assert (attribute.enabled, attribute.users_can_edit_relation, attribute.is_weights_enabled) == (True, False, True)
    assert attribute.is_locked is False
    assert attribute.created_at == datetime.datetime(2025, 11, 2, 9, 30, tzinfo=datetime.UTC)
    assert attribute.updated_at == datetime.datetime(2025, 11, 3, 10, 0, tzinfo=datetime.UTC)
    assert attribute.additional_properties == {}


def test_absent_optional_fields_are_unset() -> None:
    required = {key: ROW[key] for key in ("id", "teamId", "type", "name", "slug", "enabled")}
    attribute = Attribute.from_dict(required)
    assert attribute.is_locked is UNSET and attribute.created_at is UNSET
    assert attribute.to_dict() == required


def test_unknown_keys_are_kept_as_additional_properties_and_written_back() -> None:
    body = {**ROW, "teamName": "Acme", "position": 3}
    attribute = Attribute.from_dict(body)
    assert attribute.additional_properties == {"teamName": "Acme", "position": 3}
    assert attribute["teamName"] == "Acme"
    assert attribute.to_dict()["position"] == 3


def test_the_body_is_neither_changed_nor_shared() -> None:
    body = {**ROW, "extra": {"nested": [1]}}
    before = copy.deepcopy(body)
    attribute = Attribute.from_dict(body)
    assert body == before
    attribute.additional_properties["more"] = 1
    assert "more" not in body


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({key: value for key, value in ROW.items() if key != "slug"}, KeyError),
        ({**ROW, "type": "NOT_A_TYPE"}, ValueError),
        ({**ROW, "type": ["SINGLE_SELECT"]}, ValueError),
        ({**ROW, "createdAt": "yesterday"}, ValueError),
        (["not", "an", "object"], TypeError),
        (None, TypeError),
    ],
    ids=["missing-required", "unknown-enum", "unhashable-enum", "bad-timestamp", "list", "null"],
)
def test_a_body_that_is_not_the_model_raises_what_the_parsers_catch(body: Any, error: type[Exception]) -> None:
    # The generated response parsers catch (TypeError, ValueError, AttributeError, KeyError).
    with pytest.raises(error):
        Attribute.from_dict(body)


def test_an_input_model_reads_its_body_too() -> None:
    option = CreateOptionInput.from_dict({"value": "Engineering", "slug": "engineering"})
    assert (option.value, option.slug) == ("Engineering", "engineering")


@pytest.mark.parametrize(("body", "weight"), [({"weight": 3}, 3), ({"weight": None}, None), ({}, UNSET)])
def test_a_nullable_plain_value_is_taken_as_it_is(body: dict[str, Any], weight: object) -> None:
    # The template reads a union of plain JSON values without upstream's per-call parse function.
    assignment = AttributeAssignment.from_dict({"id": 1, "memberId": 2, "attributeOptionId": "o", **body})
    assert assignment.weight == weight
    assert assignment.to_dict().get("weight", UNSET) == weight


def test_a_list_of_models_is_read_into_models_in_order() -> None:
    page = AttributeListResponse.from_dict({"status": "success", "data": [ROW, {**ROW, "slug": "second"}]})
    assert [type(item) for item in page.data] == [Attribute, Attribute]
    assert [item.slug for item in page.data] == ["department", "second"]
