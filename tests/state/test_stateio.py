"""The state file: schema, line-numbered errors, stable dump."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from cal_attributes.state import Held, StateFileError, dump_state, parse_state, state_schema
from cal_attributes.state.stateio import state_to_data

EXAMPLE = """\
organization: 1
attributes:
  - slug: department
    name: Department
    type: SINGLE_SELECT
    enabled: true
    options:
      - {slug: engineering, value: Engineering}
      - {slug: sales, value: Sales}
  - slug: skills
    name: Skills
    type: MULTI_SELECT
    options: [{slug: python, value: Python}, {slug: go, value: Go}]
  - {slug: office, name: Office, type: TEXT}
  - {slug: level, name: Level, type: NUMBER}
members:
  103:
    department: {value: engineering, weight: 100}
    skills: [python, go]
    office: Berlin
    level: 3
"""


def test_the_schema_is_valid_and_accepts_the_example() -> None:
    jsonschema.Draft202012Validator.check_schema(state_schema())
    data = yaml.safe_load(EXAMPLE)
    data["members"] = {str(k): v for k, v in data["members"].items()}  # JSON object keys are strings
    jsonschema.validate(data, state_schema())


def test_the_example_loads_as_typed_values() -> None:
    state = parse_state(EXAMPLE)
    assert state.organization == 1
    assert [a.slug for a in state.attributes] == ["department", "skills", "office", "level"]
    assert state.members[103] == {
        "department": (Held("engineering", 100),),
        "skills": (Held("python"), Held("go")),
        "office": (Held("Berlin"),),
        "level": (Held("3"),),
    }


def test_dump_is_sorted_stable_and_valid() -> None:
    text = dump_state(parse_state(EXAMPLE))
    assert dump_state(parse_state(text)) == text
    assert text.index("slug: department") < text.index("slug: level") < text.index("slug: office")
    assert "- go\n    - python" in text
    jsonschema.validate({**state_to_data(parse_state(text)), "members": {"103": {}}}, state_schema())


BAD = [
    ("type: SINGLE_SELECT\n    enabled", "type: SINGLE\n    enabled", 5, "attributes/0/type"),
    ("weight: 100", "weight: -1", 18, "members/103/department"),
    ("[python, go]", "[python, rust]", 19, "'rust' is not an option slug of skills"),
    ("{value: engineering, weight: 100}", "marketing", 18, "'marketing' is not an option slug of department"),
    (
        "  - {slug: office",
        "  - {slug: skills, name: S, type: TEXT}\n  - {slug: office",
        14,
        "duplicate attribute slug 'skills'",
    ),
    ("{slug: sales, value: Sales}", "{slug: engineering, value: Sales}", 9, "duplicate option slug 'engineering'"),
    ("    office: Berlin\n", "    office: Berlin\n    office: Paris\n", 21, "duplicate key 'office'"),
    ("    office: Berlin\n", "    team: blue\n", 20, "attribute 'team' is not declared"),
    ("    office: Berlin\n", "    office: [Berlin, Paris]\n", 20, "takes one value, not a list of 2"),
    (
        "{slug: office, name: Office, type: TEXT}",
        "{slug: office, name: Office, type: TEXT, options: [{slug: a, value: A}]}",
        14,
        "options are only for",
    ),
    ("members:\n", "members: [\n", 18, "not valid YAML"),  # where the parser noticed
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BAD, ids=[b[3][:30] for b in BAD])
def test_a_bad_file_names_the_line(old: str, new: str, line: int, message: str) -> None:
    assert old in EXAMPLE
    with pytest.raises(StateFileError) as caught:
        parse_state(EXAMPLE.replace(old, new, 1), "org.yaml")
    assert any(p.line == line and message in p.message for p in caught.value.problems), caught.value.problems
    assert f"org.yaml:{line}: " in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    text = EXAMPLE.replace("[python, go]", "[python, rust]").replace("    office: Berlin\n", "    team: blue\n")
    with pytest.raises(StateFileError) as caught:
        parse_state(text)
    assert len(caught.value.problems) == 2


MEMBER_TYPES = (
    "attributes:\n- {slug: zip, name: Zip, type: TEXT}\n- {slug: n, name: N, type: NUMBER}\nmembers:\n  101:\n"
)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("01234", "01234"),
        ("9:30", "9:30"),
        ("2024-01-01", "2024-01-01"),
        ("0x1F", "0x1F"),
        ("42", "42"),
        ("2.50", "2.5"),
    ],
)
def test_an_unquoted_member_value_is_kept_as_written(written: str, value: str) -> None:
    """YAML 1.1 would read 01234 as 668, 9:30 as 570 and 2024-01-01 as a date; a plain decimal is a number."""
    state = parse_state(MEMBER_TYPES + f"    zip: {written}\n    n: {{value: 7, weight: 3}}\n")
    assert state.members[101] == {"zip": (Held(value),), "n": (Held("7", 3),)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organization: 2024-01-01\n", "quote it"),
        (MEMBER_TYPES + "    zip: !!binary aGVsbG8=\n", "quote it"),
        (MEMBER_TYPES + "    n: {value: 7, weight: 010}\n", "weight '010' is not a plain decimal integer"),
    ],
)
def test_a_value_json_cannot_hold_is_a_problem_with_its_line(text: str, message: str) -> None:
    with pytest.raises(StateFileError) as caught:
        parse_state(text, "f.yaml")
    line = text.count("\n")
    assert str(caught.value).startswith(f"f.yaml:{line}: ") and message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("attributes: &a [*a]\n", "f.yaml:1: YAML anchors and aliases"),
        ("a: &x [1, 1, 1]\nb: &y [*x, *x, *x]\nc: [*y, *y, *y]\n", "f.yaml:1: YAML anchors and aliases"),
        ("members:\n  1:\n    x: " + "[" * 3000 + "]" * 3000 + "\n", "f.yaml:3: nested more than 32 levels deep"),
        ("members:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)), "nested more than 32 levels deep"),
    ],
)
def test_hostile_yaml_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(StateFileError) as caught:
        parse_state(text, "f.yaml")
    assert message in str(caught.value)


def test_the_public_json_helpers_are_typed_without_any() -> None:
    from cal_attributes.state.render import plan_to_json

    for function in (state_schema, plan_to_json):
        assert function.__annotations__["return"] == "dict[str, JSON]"


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_an_empty_file_is_refused_not_read_as_no_attributes(text: str) -> None:
    with pytest.raises(StateFileError) as raised:
        parse_state(text, "empty.yaml")
    assert "empty" in str(raised.value)


@pytest.mark.parametrize("text", ["organization: 1\n", "members: {}\n", "{}\n"])
def test_a_file_without_attributes_is_refused_not_read_as_no_attributes(text: str) -> None:
    # A file cut off after `export`'s first line must not let --prune delete every attribute.
    with pytest.raises(StateFileError) as raised:
        parse_state(text, "cut.yaml")
    assert "attributes" in str(raised.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{value: 7, weight: -1}", "n/weight: -1 is less than the minimum of 0"),
        (
            "{value: 7, wieght: 3}",
            "n: Additional properties are not allowed ('wieght' was unexpected) (did you mean 'weight'?)",
        ),
        ("{weight: 3}", 'n: "value" is a required property'),
        ("[7, {value: 8, weight: 1.5}]", 'n/1/weight: 1.5 is not of type "integer"'),
        ("true", 'n: true is not of types "number", "string"'),
        ('""', 'n: "" is shorter than 1 character'),
    ],
)
def test_a_bad_member_value_says_what_is_wrong_with_it(value: str, message: str) -> None:
    """Not 'is not valid under any of the schemas listed in anyOf': the schema branches on the value's shape."""
    text = MEMBER_TYPES + f"    n: {value}\n"
    with pytest.raises(StateFileError) as caught:
        parse_state(text, "f.yaml")
    assert str(caught.value) == f"f.yaml:6: members/101/{message}"


def test_a_misspelt_key_anywhere_gets_the_closest_allowed_one() -> None:
    text = "organisation: 1\nattributes:\n- {slug: a, name: A, type: TEXT, enabeld: true, nmae: B}\n"
    with pytest.raises(StateFileError) as caught:
        parse_state(text, "f.yaml")
    message = str(caught.value)
    assert (
        "f.yaml:1: the file: Additional properties are not allowed ('organisation' was unexpected) (did you mean 'organization'?)"
        in message
    )
    assert "(did you mean 'enabled' for 'enabeld', 'name' for 'nmae'?)" in message
