"""Query values as the real API reads them (JavaScript's parseInt) by default, and exactly with
``MockConfig(strict=True)``. Each expected answer is what Cal.com's code gives."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cal_attributes_mock import MockConfig, MockServer, create_mock
from cal_attributes_mock.spec import load_spec
from tests.mock.conftest import DEPARTMENT, ENGINEERING, SALES, call

ATTRIBUTES = "/v2/organizations/1/attributes"
ASSIGNED = f"{ATTRIBUTES}/{DEPARTMENT}/options/assigned"
ALL_SLUGS = ["department", "skills", "office", "seniority"]


@pytest.fixture(scope="module")
def default() -> MockServer:
    return create_mock()


@pytest.fixture(scope="module")
def strict() -> MockServer:
    return create_mock(config=MockConfig(strict=True))


def slugs(server: MockServer, query: str) -> list[str]:
    response = call(server, "GET", f"{ATTRIBUTES}?{query}")
    assert response.status_code == 200, response.text
    return [a["slug"] for a in response.json()["data"]]


def errors(server: MockServer, path: str) -> list[dict[str, Any]]:
    response = call(server, "GET", path)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequestException"
    found: list[dict[str, Any]] = response.json()["error"]["details"]["errors"]
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("take=10.0&skip=0.0", ALL_SLUGS),  # what a client generated from Cal.com's document sends
        ("take=2abc", ALL_SLUGS[:2]),
        ("take=%202", ALL_SLUGS[:2]),  # leading blanks are skipped
        ("take=0x2", ALL_SLUGS[:2]),  # parseInt reads hex
        ("take=&skip=", ALL_SLUGS),  # empty: the defaults 250 and 0
        ("take=1&take=3", ALL_SLUGS[:1]),  # an array, read as "1,3"
        ("skip=1.9", ALL_SLUGS[1:]),
    ],
)
def test_list_reads_take_and_skip_with_parse_int_by_default(
    default: MockServer, query: str, expected: list[str]
) -> None:
    assert slugs(default, query) == expected


@pytest.mark.parametrize("query", ["take=10.0", "take=2abc", "take=0x2", "take=", "take=1&take=3", "skip=1.9"])
def test_strict_mode_refuses_what_parse_int_would_coerce(strict: MockServer, query: str) -> None:
    assert errors(strict, f"{ATTRIBUTES}?{query}")[0]["property"] in ("take", "skip")


def test_list_checks_the_parsed_number_with_the_real_constraint_names(default: MockServer) -> None:
    nan = errors(default, f"{ATTRIBUTES}?take=abc")[0]
    assert nan["value"] is None  # NaN, as JSON.stringify writes it
    assert nan["constraints"] == {
        "max": "take must not be greater than 250",
        "min": "take must not be less than 1",
        "isNumber": "take must be a number conforming to the specified constraints",
    }
    assert errors(default, f"{ATTRIBUTES}?take=0.5")[0]["constraints"] == {"min": "take must not be less than 1"}
    assert errors(default, f"{ATTRIBUTES}?take=251x")[0]["constraints"] == {"max": "take must not be greater than 250"}
    assert errors(default, f"{ATTRIBUTES}?skip=-1")[0]["constraints"] == {"min": "skip must not be less than 0"}


def test_strict_mode_keeps_the_integer_message(strict: MockServer) -> None:
    assert errors(strict, f"{ATTRIBUTES}?take=10.0")[0]["constraints"] == {"isInt": "take must be an integer number"}


def assigned_values(server: MockServer, query: str) -> list[str]:
    response = call(server, "GET", f"{ASSIGNED}?{query}")
    assert response.status_code == 200, response.text
    return [o["value"] for o in response.json()["data"]]


def test_assigned_options_parse_skip_and_take_without_validating_them(default: MockServer) -> None:
    assert assigned_values(default, "") == ["Engineering", "Sales"]
    assert assigned_values(default, "take=1.9") == ["Engineering"]
    assert assigned_values(default, "skip=1abc&take=") == ["Sales"]
    assert assigned_values(default, "take=99999999999") == ["Engineering", "Sales"]  # no maximum
    # Where the real code crashes (NaN or a negative number reaching Prisma) the mock keeps its 400.
    for query in ("take=abc", "skip=-1", "take=-1"):
        assert errors(default, f"{ASSIGNED}?{query}")[0]["property"] in ("take", "skip")


def test_team_ids_items_are_parsed_with_parse_int(default: MockServer, strict: MockServer) -> None:
    # Team 10 "Sales" holds users 102 (Sales) and 103 (Engineering).
    assert (
        assigned_values(default, "teamIds=10abc") == assigned_values(default, "teamIds=10") == ["Engineering", "Sales"]
    )
    assert assigned_values(default, "teamIds=11.0") == ["Engineering"]  # team 11: user 101
    item = errors(default, f"{ASSIGNED}?teamIds=10,abc")[0]
    assert item["value"] == [10, None]
    assert item["constraints"] == {
        "isNumber": "each value in teamIds must be a number conforming to the specified constraints"
    }
    assert errors(strict, f"{ASSIGNED}?teamIds=10abc")[0]["property"] == "teamIds"


def test_repeated_assigned_option_ids_keys_are_accepted_like_a_comma_list(
    default: MockServer, strict: MockServer
) -> None:
    repeated = assigned_values(default, f"assignedOptionIds={ENGINEERING}&assignedOptionIds={SALES}")
    assert repeated == assigned_values(default, f"assignedOptionIds={ENGINEERING},{SALES}") == ["Engineering", "Sales"]
    assert errors(strict, f"{ASSIGNED}?assignedOptionIds={ENGINEERING}&assignedOptionIds={SALES}")[0][
        "constraints"
    ] == {"isSingle": "assignedOptionIds must be separated by a comma, not repeated"}


@pytest.mark.parametrize("config", [MockConfig(), MockConfig(strict=True)], ids=["default", "strict"])
@pytest.mark.parametrize(
    "path",
    [
        f"{ATTRIBUTES}?take={'9' * 5000}",
        f"{ATTRIBUTES}?skip={'9' * 5000}",
        f"{ASSIGNED}?take={'9' * 5000}",
        f"{ASSIGNED}?teamIds=10,{'9' * 5000}",
        f"/v2/organizations/{'9' * 5000}/attributes",
        f"{ATTRIBUTES}/options/{'9' * 5000}",
    ],
    ids=["take", "skip", "assigned-take", "teamIds", "orgId", "userId"],
)
def test_integers_beyond_a_double_are_a_400_envelope(config: MockConfig, path: str) -> None:
    # JavaScript reads them as Infinity: ParseIntPipe and @IsNumber refuse it. Python's int() would
    # raise for more than 4,300 digits.
    response = call(create_mock(config=config), "GET", path)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "error"


def test_every_operation_names_cal_com_s_own_operation_id() -> None:
    ids = {op["operationId"]: op.get("x-calcom-operation-id", "") for op in _spec_operations()}
    assert len(ids) == 17
    assert all(re.fullmatch(r"Organization\w*Controller_\w+", calcom) for calcom in ids.values()), ids
    assert ids["listAttributes"] == "OrganizationsAttributesController_getOrganizationAttributes"
    assert len(set(ids.values())) == 17


def _spec_operations() -> list[dict[str, Any]]:
    spec = load_spec()
    return [
        item[method]
        for item in spec["paths"].values()
        for method in ("get", "post", "patch", "delete")
        if method in item
    ]
