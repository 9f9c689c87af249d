"""The generated models (codegen/templates/model.py.jinja): msgspec Structs read by ``from_json``
(msgspec straight from the bytes, falling back to ``from_dict``) and ``from_dict`` (the lenient
path): fields, extras, bad input."""

from __future__ import annotations

import copy
import datetime
import json
import pickle
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from cal_attributes_client.models import (
    AssignmentHistoryEntry,
    AssignmentHistoryEntrySourceContext,
    Attribute,
    AttributeAssignment,
    AttributeListResponse,
    AttributeType,
    CreateOptionInput,
    ValidationErrorItem,
)
from cal_attributes_client.types import UNSET, Unset, json_decoder
from hypothesis import given, settings
from hypothesis import strategies as st

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


def from_json_of(body: Any) -> Attribute:
    return Attribute.from_json(json.dumps(body).encode())


READERS: list[Callable[[Any], Attribute]] = [Attribute.from_dict, from_json_of]
BOTH = pytest.mark.parametrize("read", READERS, ids=["from_dict", "from_json"])


@BOTH
def test_every_field_lands_in_its_own_attribute(read: Callable[[Any], Attribute]) -> None:
    # from_dict passes the fields to the class positionally, from_json finds them by their JSON
    # names: a swapped pair or a wrong name would show here.
    attribute = read(ROW)
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


def test_a_body_of_the_spec_s_fields_is_decoded_by_msgspec_itself() -> None:
    # No fallback to from_dict: the fast path is taken for what the server normally sends.
    body = json.dumps({"status": "success", "data": [ROW]}).encode()
    page = json_decoder(AttributeListResponse).decode(body)
    assert page == AttributeListResponse.from_json(body) == AttributeListResponse.from_dict(json.loads(body))


@BOTH
def test_absent_optional_fields_are_unset(read: Callable[[Any], Attribute]) -> None:
    required = {key: ROW[key] for key in ("id", "teamId", "type", "name", "slug", "enabled")}
    attribute = read(required)
    assert attribute.is_locked is UNSET and attribute.created_at is UNSET
    assert attribute.to_dict() == required


def test_unset_is_msgspec_s_falsy_marker() -> None:
    # The generated api modules test `isinstance(x, Unset)` and rely on `not UNSET`.
    assert UNSET is msgspec.UNSET and isinstance(UNSET, Unset) and bool(UNSET) is False


@BOTH
def test_unknown_keys_are_kept_as_additional_properties_and_written_back(read: Callable[[Any], Attribute]) -> None:
    body = {**ROW, "teamName": "Acme", "position": 3}
    attribute = read(body)
    assert attribute.additional_properties == {"teamName": "Acme", "position": 3}
    assert (
        attribute["teamName"] == "Acme"
        and "position" in attribute
        and attribute.additional_keys == ["teamName", "position"]
    )
    assert attribute.to_dict()["position"] == 3


def test_an_unknown_key_in_a_nested_model_is_kept_through_from_json() -> None:
    body = {"status": "success", "data": [ROW, {**ROW, "slug": "second", "teamName": "Acme"}]}
    page = AttributeListResponse.from_json(json.dumps(body).encode())
    assert [item.additional_properties for item in page.data] == [{}, {"teamName": "Acme"}]
    assert page.to_dict()["data"][1]["teamName"] == "Acme"


def test_models_are_equal_only_with_equal_additional_properties() -> None:
    assert Attribute.from_dict(ROW) == Attribute.from_dict(ROW)
    assert Attribute.from_dict(ROW) != Attribute.from_dict({**ROW, "teamName": "Acme"})
    assert Attribute.from_dict(ROW) != Attribute.from_dict({**ROW, "slug": "other"})
    assert Attribute.from_dict(ROW) != ROW


@pytest.mark.parametrize(
    "duplicate",
    [copy.copy, copy.deepcopy, lambda model: pickle.loads(pickle.dumps(model))],
    ids=["copy", "deepcopy", "pickle"],
)
def test_a_copy_keeps_the_additional_properties(duplicate: Callable[[Any], Any]) -> None:
    attribute = Attribute.from_dict({**ROW, "teamName": "Acme"})
    page = AttributeListResponse.from_dict({"status": "success", "data": [{**ROW, "teamName": "Acme"}], "meta": 1})
    assert duplicate(attribute).additional_properties == {"teamName": "Acme"} and duplicate(attribute) == attribute
    assert duplicate(page) == page and duplicate(page).data[0]["teamName"] == "Acme"


def test_a_free_form_object_model_is_read_by_its_from_dict_inside_msgspec() -> None:
    # sourceContext has no named fields: msgspec hands the object to the model's from_dict.
    entry = {
        "id": "e1",
        "timestamp": "2026-03-14T15:09:26.000Z",
        "source": "API_V2",
        "actor": {"type": "USER", "displayName": "Ada Admin"},
        "sourceContext": {"kind": "API_V2", "depth": [1, 2]},
        "changes": [],
    }
    decoded = AssignmentHistoryEntry.from_json(json.dumps(entry).encode())
    assert isinstance(decoded.source_context, AssignmentHistoryEntrySourceContext)
    assert decoded.source_context.additional_properties == {"kind": "API_V2", "depth": [1, 2]}
    assert decoded == AssignmentHistoryEntry.from_dict(entry)
    assert json_decoder(AssignmentHistoryEntry).decode(json.dumps(entry).encode()) == decoded  # no fallback
    item = {"property": "type", "constraints": {"isEnum": "type must be one of ..."}}
    assert (
        ValidationErrorItem.from_json(json.dumps(item).encode()).constraints
        == ValidationErrorItem.from_dict(item).constraints
    )
    # A free-form object that is not an object is msgspec's error, with the value's path.
    with pytest.raises(msgspec.ValidationError, match=r"Expected `object`, got `str` - at `\$\.sourceContext`"):
        AssignmentHistoryEntry.from_json(json.dumps({**entry, "sourceContext": "x"}).encode())


@pytest.mark.parametrize(
    ("change", "read_back"),
    [
        ({"teamId": "7"}, "7"),
        ({"enabled": 1}, 1),
        ({"slug": None}, None),
    ],
)
def test_a_value_of_another_type_falls_back_to_the_lenient_path(change: dict[str, Any], read_back: object) -> None:
    # msgspec refuses it; from_dict takes it as it is (strict_response_validation reports it).
    body = {**ROW, **change}
    with pytest.raises(msgspec.ValidationError):
        json_decoder(Attribute).decode(json.dumps(body).encode())
    attribute = from_json_of(body)
    assert (
        getattr(attribute, {"teamId": "team_id", "enabled": "enabled", "slug": "slug"}[next(iter(change))]) == read_back
    )
    assert attribute == Attribute.from_dict(body)


def test_json_that_is_not_well_formed_raises_msgspec_s_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError):
        Attribute.from_json(b'{"id": "a", ')


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
@BOTH
def test_a_body_that_is_not_the_model_raises_what_the_parsers_catch(
    body: Any, error: type[Exception], read: Callable[[Any], Attribute]
) -> None:
    # The generated response parsers catch (TypeError, ValueError, AttributeError, KeyError);
    # from_json falls back to from_dict and, when that fails too, raises msgspec's own
    # ValidationError (a ValueError) with msgspec's text, which names the problem.
    with pytest.raises(error if read == Attribute.from_dict else msgspec.ValidationError):
        read(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"status": "success", "data": [{k: v for k, v in ROW.items() if k != "slug"}]},
            "missing required field `slug`",
        ),
        (
            {"status": "success", "data": [{**ROW, "type": "COLOUR"}]},
            "Invalid enum value 'COLOUR' - at `$.data[0].type`",
        ),
        ({"status": "success", "data": "rows"}, "Expected `array`, got `str` - at `$.data`"),
    ],
)
def test_a_body_neither_path_reads_raises_msgspec_s_text(body: Any, message: str) -> None:
    with pytest.raises(msgspec.ValidationError) as raised:
        AttributeListResponse.from_json(json.dumps(body))
    assert message in str(raised.value)
    assert "read leniently" in str(raised.value)  # and what the lenient path said


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"status": "success", "data": ["\xff"]}', "JSON is malformed"),
        (b'{"status": "success", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
        (b'{"other": 1, "status": "success", "data": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
    ],
    ids=["invalid-utf8", "deep", "deep-after-an-unknown-key"],
)
def test_what_is_not_json_raises_msgspec_s_decode_error_only(body: bytes, message: str) -> None:
    # msgspec raises UnicodeDecodeError for a string's invalid UTF-8 and RecursionError past
    # Python's recursion limit: from_json gives its documented DecodeError for both.
    with pytest.raises(msgspec.DecodeError, match=message):
        AttributeListResponse.from_json(body)


def test_an_input_model_reads_its_body_too() -> None:
    option = CreateOptionInput.from_dict({"value": "Engineering", "slug": "engineering"})
    assert (option.value, option.slug) == ("Engineering", "engineering")


@pytest.mark.parametrize(("body", "weight"), [({"weight": 3}, 3), ({"weight": None}, None), ({}, UNSET)])
def test_a_nullable_plain_value_is_taken_as_it_is(body: dict[str, Any], weight: object) -> None:
    # The template reads a union of plain JSON values without upstream's per-call parse function.
    source = {"id": 1, "memberId": 2, "attributeOptionId": "o", **body}
    assignment = AttributeAssignment.from_dict(source)
    assert assignment.weight == weight
    assert assignment.to_dict().get("weight", UNSET) == weight
    assert AttributeAssignment.from_json(json.dumps(source).encode()) == assignment


@pytest.mark.parametrize(
    "read", [AttributeListResponse.from_dict, lambda body: AttributeListResponse.from_json(json.dumps(body))]
)
def test_a_list_of_models_is_read_into_models_in_order(read: Callable[[Any], AttributeListResponse]) -> None:
    page = read({"status": "success", "data": [ROW, {**ROW, "slug": "second"}]})
    assert [type(item) for item in page.data] == [Attribute, Attribute]
    assert [item.slug for item in page.data] == ["department", "second"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00.1234567Z", datetime.datetime(2024, 1, 1, 10, 0, 0, 123457, tzinfo=datetime.UTC)),
        ("2024-12-31T23:59:59.9999999Z", datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)),
        ("2024-01-01T10:00:00z", datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.UTC)),
        ("2024-01-01t10:00:00Z", datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.UTC)),
        ("2024-01-01", datetime.datetime(2024, 1, 1)),  # msgspec refuses it; fromisoformat reads it on both paths
    ],
)
@pytest.mark.parametrize("extra", [{}, {"unknownKey": 1}], ids=["msgspec-path", "lenient-path"])
def test_a_timestamp_reads_the_same_on_both_paths(
    text: str, expected: datetime.datetime, extra: dict[str, Any]
) -> None:
    # An unrelated unknown key sends the body to from_dict: the value must not change with it.
    body = {**ROW, "createdAt": text, **extra}
    assert Attribute.from_json(json.dumps(body)).created_at == expected
    assert Attribute.from_dict(body).created_at == expected
    # an optional nullable date-time (a union) too
    row = {"id": 1, "memberId": 2, "attributeOptionId": "o", "updatedAt": text, **extra}
    assert AttributeAssignment.from_json(json.dumps(row)).updated_at == expected
    assert AttributeAssignment.from_dict(row).updated_at == expected


def test_a_nullable_date_time_that_is_no_date_time_raises() -> None:
    # upstream's union parser took it as it was, typed as a date-time
    row = {"id": 1, "memberId": 2, "attributeOptionId": "o", "updatedAt": "yesterday"}
    with pytest.raises(ValueError):
        AttributeAssignment.from_dict(row)
    with pytest.raises(msgspec.ValidationError):
        AttributeAssignment.from_json(json.dumps(row))


class Subclassed(Attribute):
    """A user's subclass: comparing it with the model is the subclass's decision."""


def test_equality_passes_notimplemented_on() -> None:
    attribute = Attribute.from_dict(ROW)
    other = Subclassed.from_dict(ROW)
    assert attribute.__eq__(other) is NotImplemented  # msgspec's answer for another class
    assert attribute.__eq__(Attribute.from_dict(ROW)) is True
    assert attribute.__eq__(Attribute.from_dict({**ROW, "slug": "other"})) is False


def test_reading_the_additional_properties_leaves_the_object_as_it_is() -> None:
    attribute = Attribute.from_json(json.dumps(ROW))
    assert "additional_properties" not in attribute.__dict__
    _ = (attribute == Attribute.from_dict(ROW), attribute.to_dict(), repr(attribute), "x" in attribute)
    _ = (attribute.additional_keys, copy.copy(attribute))
    with pytest.raises(KeyError):
        attribute["x"]
    assert attribute.__dict__ == {}
    # the getter still gives a live dict to add to
    attribute.additional_properties["note"] = 1
    assert attribute["note"] == 1 and attribute.to_dict()["note"] == 1


def test_repr_shows_the_additional_properties_when_there_are_any() -> None:
    plain = Attribute.from_dict(ROW)
    extra = Attribute.from_dict({**ROW, "teamName": "Acme"})
    assert "additional_properties" not in repr(plain) and repr(plain).startswith("Attribute(id=")
    assert repr(extra) == repr(plain)[:-1] + ", additional_properties={'teamName': 'Acme'})"


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)),
    digits=st.integers(min_value=0, max_value=9),
    separator=st.sampled_from("Tt "),
    zone=st.sampled_from(["Z", "z", "+00:00", "+05:30", "-08:00", ""]),
)
def test_any_rfc3339_timestamp_reads_the_same_on_both_paths(
    moment: datetime.datetime, digits: int, separator: str, zone: str
) -> None:
    # from_dict reads the usual form with fromisoformat (faster) and the rest with msgspec: the
    # value must be msgspec's either way.
    fraction = f".{moment.microsecond:06d}{moment.microsecond % 1000:03d}"[: digits + 1] if digits else ""
    text = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + fraction + zone
    body = {**ROW, "createdAt": text}
    try:
        expected = Attribute.from_json(json.dumps(body)).created_at
    except msgspec.ValidationError:
        return  # neither path reads it
    assert Attribute.from_dict(body).created_at == expected
    assert Attribute.from_json(json.dumps({**body, "unknownKey": 1})).created_at == expected
