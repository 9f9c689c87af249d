"""The planner is a pure function: current snapshot + desired state + flags -> ordered changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cal_attributes.state import (
    AttributeRow,
    CreateOption,
    CurrentAttribute,
    DeleteAttribute,
    DuplicateOptionSlugError,
    NotAMemberError,
    NotANumberError,
    OptionRow,
    PlanOptions,
    Snapshot,
    Unassign,
    UpdateWeight,
    make_plan,
)
from cal_attributes.state.model import is_number
from cal_attributes.state.planner import slugify
from tests.state.conftest import state

DEPT = AttributeRow("a1", "department", "Department", "SINGLE_SELECT", True, False)
OFFICE = AttributeRow("a2", "office", "Office", "TEXT", True, True)  # locked
CURRENT = Snapshot(
    (
        CurrentAttribute(DEPT, (OptionRow("o1", "a1", "eng", "Engineering"), OptionRow("o2", "a1", "sales", "Sales"))),
        CurrentAttribute(OFFICE, (OptionRow("o3", "a2", "berlin", "Berlin"),)),
    ),
    {101: frozenset({"o1", "o3"}), 102: frozenset({"o2"})},
    {(102, "o2"): 5},
)
DESIRED = """\
attributes:
- slug: department
  name: Department
  type: SINGLE_SELECT
  options: [{slug: eng, value: Engineering}, {slug: sales, value: Sales}]
- {slug: office, name: Office, type: TEXT}
members:
"""


def test_locked_attributes_are_skipped_unless_included() -> None:
    desired = state(DESIRED + "  101: {office: Paris}\n")
    plan = make_plan(CURRENT, desired)
    assert plan.changes == () and {c.kind for c in plan.skipped} == {"create option", "assign", "unassign"}
    included = make_plan(CURRENT, desired, PlanOptions(include_locked=True))
    assert [c.kind for c in included.changes] == ["create option", "assign", "unassign"] and included.skipped == ()


def test_prune_deletes_an_attribute_without_unassigning_its_holders_first() -> None:
    desired = state(DESIRED.split("- {slug: office")[0] + "members: {}\n")
    plan = make_plan(CURRENT, desired, PlanOptions(prune=True, include_locked=True))
    office = [c for c in plan.changes if c.attribute == "office"]
    assert office == [DeleteAttribute("office", "a2")]  # the API cascades: an unassign would be a wasted request
    kept = make_plan(CURRENT, desired)
    assert kept.changes == () and (kept.left_alone.attributes, kept.left_alone.assignments) == (1, 3)


def test_weights_known_are_compared_unknown_are_set() -> None:
    desired = state(
        DESIRED + "  101: {department: {value: eng, weight: 5}}\n  102: {department: {value: sales, weight: 5}}\n"
    )
    plan = make_plan(CURRENT, desired)
    assert plan.changes == (UpdateWeight(101, "department", "eng", "o1", 5, None, known=False),)


def test_a_new_text_value_is_created_once_for_all_members() -> None:
    desired = state(DESIRED + "  101: {office: Paris Nord}\n  102: {office: Paris Nord}\n")
    plan = make_plan(CURRENT, desired, PlanOptions(include_locked=True))
    created = [c for c in plan.changes if isinstance(c, CreateOption)]
    assert created == [CreateOption("office", "Paris Nord", "paris-nord", "Paris Nord", "a2")]
    assert [c.user_id for c in plan.changes if isinstance(c, Unassign)] == [101]


def test_a_member_listed_with_an_attribute_holds_exactly_those_values() -> None:
    plan = make_plan(CURRENT, state(DESIRED + "  102: {department: eng}\n"))
    assert [c.describe() for c in plan.changes] == ["user 102: department += eng", "user 102: department -= sales"]


def test_slugify_follows_cal_com() -> None:
    assert slugify("  Zürich Office / HQ  ") == "zurich-office-hq"
    assert slugify("---") == "value"


def test_a_type_change_of_a_locked_attribute_is_skipped_not_refused() -> None:
    desired = state(DESIRED.replace("type: TEXT", "type: NUMBER") + "  101: {office: 7}\n")
    plan = make_plan(CURRENT, desired)
    assert plan.refused == () and plan.skipped[0].kind == "update attribute" and plan.changes == ()
    included = make_plan(CURRENT, desired, PlanOptions(include_locked=True))
    assert [c.kind for c in included.refused] == ["update attribute"]


def test_a_single_valued_attribute_takes_a_one_item_list_as_its_value_and_an_empty_list_as_none() -> None:
    # docs/state-file.md: `[engineering]` is `engineering`; `[]` holds none (unassigns); 2+ values are refused
    assert make_plan(CURRENT, state(DESIRED + "  101: {department: [eng]}\n")).changes == ()
    plan = make_plan(CURRENT, state(DESIRED + "  101: {department: []}\n  102: {department: [eng]}\n"))
    assert [c.describe() for c in plan.changes] == [
        "user 102: department += eng",
        "user 101: department -= eng",
        "user 102: department -= sales",
    ]


def test_a_number_value_is_refused_only_where_the_plan_would_assign_it() -> None:
    level = AttributeRow("a3", "level", "Level", "NUMBER", True, False)
    current = Snapshot((CurrentAttribute(level, (OptionRow("o4", "a3", "abc", "abc"),)),), {101: frozenset({"o4"})})
    desired = "attributes:\n- {slug: level, name: Level, type: NUMBER}\nmembers:\n  101: {level: abc}\n"
    assert make_plan(current, state(desired)).changes == ()  # held already: left as it is
    with pytest.raises(NotANumberError, match="member 102: level is NUMBER but 'abc' is not a number"):
        make_plan(current, state(desired + "  102: {level: abc}\n"))  # held by another, but a write for 102
    numbers = make_plan(current, state(desired + "  102: {level: '2.5'}\n  103: {level: 7}\n"))
    assert [c.describe() for c in numbers.changes if c.kind == "assign"] == [
        "user 102: level += 2.5",
        "user 103: level += 7",
    ]
    # a locked attribute is left alone (no change is planned for it), so its values are not checked
    locked = AttributeRow("a3", "level", "Level", "NUMBER", True, True)
    locked_current = Snapshot((CurrentAttribute(locked, current.attributes[0].options),), current.holdings)
    assert make_plan(locked_current, state(desired + "  102: {level: abc}\n")).changes == ()


@pytest.mark.parametrize("text", ["5", "-2.5", "+7", ".5", "5.", "1e3", "1.5E-2", "0"])
def test_a_decimal_number_is_a_number(text: str) -> None:
    assert is_number(text)


@pytest.mark.parametrize("text", ["", " 5 ", "1_000", "\u0663", "nan", "inf", "-Infinity", "0x1F", "1e400", "5,0", "."])
def test_what_only_python_s_float_reads_is_not_a_number(text: str) -> None:
    # not a plain finite decimal: what only Python's float() reads, or what JavaScript reads
    # otherwise (NaN, Infinity, "" as 0, hex, padding)
    assert not is_number(text)


def test_a_snapshot_with_a_repeated_option_slug_is_no_state_file() -> None:
    # A plan reads the organization and refuses duplicates only where the file compares options;
    # the snapshot it read must still never become a file that names one of the two.
    team = AttributeRow("a9", "team", "Team", "SINGLE_SELECT", True, False)
    options = (OptionRow("o1", "a9", "red", "Red"), OptionRow("o2", "a9", "red", "Red (EMEA)"))
    with pytest.raises(
        DuplicateOptionSlugError, match="attribute 'team' has 2 options with slug 'red' \\(ids o1, o2\\)"
    ):
        Snapshot((CurrentAttribute(team, options),), {}).to_state()


def test_a_non_member_given_only_a_value_of_a_locked_attribute_is_not_refused() -> None:
    # The assignment is skipped (locked), so nothing would be refused by the API.
    current = replace(CURRENT, non_members={104: "404 NotFoundException: Membership for user with id 104 ..."})
    desired = state(DESIRED + "  104: {office: Paris}\n")
    plan = make_plan(current, desired)
    assert plan.changes == () and [c.kind for c in plan.skipped] == ["create option", "assign"]
    with pytest.raises(NotAMemberError) as raised:
        make_plan(current, desired, PlanOptions(include_locked=True))
    assert raised.value.users == [104]


def test_a_membership_the_reader_could_not_check_is_a_warning() -> None:
    note = "membership not checked for 1 of 1 user holding nothing yet (...)"
    assert make_plan(replace(CURRENT, unchecked=note), state(DESIRED + "  104: {department: eng}\n")).warnings == (
        note,
    )
