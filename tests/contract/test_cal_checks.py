"""Each Cal.com-aware check fails on a server with exactly its defect and passes on the correct mock.

The cases are sent with the contract suite's default checks (no ``checks=`` argument), which
also shows that the checks are on by default there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis

from cal_attributes_fuzz import checks
from cal_attributes_mock import MockServer, create_mock
from tests.contract import faults
from tests.contract.conftest import CONFIG
from tests.spec_helpers import SPEC_PATH

DEPARTMENT = "0b8f5e2a-6c1d-4f3e-9a7b-2d4c6e8f0a1b"
ENGINEERING = "7c1d9e4b-2a3f-4b5c-8d6e-9f0a1b2c3d4e"
OFFICE = "3e5a7c9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"
OWNER = {"Authorization": f"Bearer {faults.OWNER_KEY}"}
Fault = Callable[[MockServer], Any]


@pytest.fixture(autouse=True)
def identities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(checks.MEMBER_KEY_ENV, faults.MEMBER_KEY)
    monkeypatch.setenv(checks.OTHER_ORG_KEY_ENV, faults.GLOBEX_KEY)


@pytest.fixture
def mock() -> Iterator[MockServer]:
    checks.forget()
    yield create_mock()
    checks.forget()


def schema_for(app: Any) -> Any:
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
    schema.app = app
    return schema


def send(app: Any, operation_id: str, path: dict[str, Any], **kwargs: Any) -> schemathesis.Response:
    """The case, sent as the owner and validated with every configured check."""
    operation = schema_for(app).find_operation_by_id(operation_id)
    if "body" in kwargs:
        kwargs["media_type"] = "application/json"
    case = operation.Case(path_parameters={"orgId": 1, **path}, headers=dict(OWNER), **kwargs)
    response: schemathesis.Response = case.call_and_validate()
    return response


def assert_caught(
    check: str, fault: Fault, mock: MockServer, operation_id: str, path: dict[str, Any], **kwargs: Any
) -> str:
    with pytest.raises(schemathesis.errors.FailureGroup) as caught:
        send(fault(mock), operation_id, path, **kwargs)
    titles = [failure.title for failure in caught.value.exceptions]
    assert f"Custom check failed: `{check}`" in titles, str(caught.value)
    return str(caught.value)


NEW_ATTRIBUTE = {"body": {"name": "Level", "slug": "level", "type": "TEXT", "options": []}}
CASES: list[tuple[str, Fault, str, dict[str, Any], dict[str, Any]]] = [
    ("cal_roles", faults.everyone_is_the_owner, "createAttribute", {}, NEW_ATTRIBUTE),
    ("cal_roles", faults.everyone_is_the_owner, "getAttribute", {"attributeId": DEPARTMENT}, {}),
    ("cal_organization_scope", faults.other_orgs_attributes_listed, "listAttributes", {}, {}),
    ("cal_organization_scope", faults.other_orgs_options_listed, "listUserOptions", {"userId": 103}, {}),
    ("cal_page_limits", faults.take_ignored, "listAttributes", {}, {"query": {"take": 1}}),
    (
        "cal_page_limits",
        faults.more_after_a_short_page,
        "getAssignmentHistory",
        {"userId": 103},
        {"query": {"limit": 5}},
    ),
    (
        "cal_page_limits",
        faults.cursor_without_more,
        "getAssignmentHistory",
        {"userId": 103},
        {"query": {"limit": 5}},
    ),
    ("cal_unique_slugs", faults.duplicate_slugs_accepted, "createAttribute", {}, NEW_ATTRIBUTE),
    (
        "cal_writes_take_effect",
        faults.patch_ignores_name,
        "updateAttribute",
        {"attributeId": DEPARTMENT},
        {"body": {"name": "Teams"}},
    ),
    (
        "cal_writes_take_effect",
        faults.patch_echoes_but_does_not_store_name,
        "updateAttribute",
        {"attributeId": DEPARTMENT},
        {"body": {"name": "Teams"}},
    ),
    (
        "cal_writes_take_effect",
        faults.assignments_not_listed,
        "assignOptionToUser",
        {"userId": 102},
        {"body": {"attributeId": OFFICE, "value": "Lisbon"}},
    ),
]


@pytest.mark.parametrize(
    ("check", "fault", "operation_id", "path", "kwargs"), CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES]
)
def test_the_check_catches_its_defect_and_passes_on_the_mock(
    mock: MockServer, check: str, fault: Fault, operation_id: str, path: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    assert_caught(check, fault, mock, operation_id, path, **kwargs)
    checks.forget()
    correct = create_mock()
    assert send(correct, operation_id, path, **kwargs).status_code < 300


def test_each_foreign_identity_is_replayed_on_its_own(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(checks.MEMBER_KEY_ENV)
    text = assert_caught("cal_roles", faults.everyone_is_the_owner, mock, "createAttribute", {}, **NEW_ATTRIBUTE)
    assert "another organization" in text
    checks.forget()
    monkeypatch.setenv(checks.MEMBER_KEY_ENV, faults.MEMBER_KEY)
    monkeypatch.delenv(checks.OTHER_ORG_KEY_ENV)
    text = assert_caught(
        "cal_roles", faults.everyone_is_the_owner, create_mock(), "createAttribute", {}, **NEW_ATTRIBUTE
    )
    assert "organization member" in text


def test_without_identities_nothing_is_replayed(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(checks.MEMBER_KEY_ENV)
    monkeypatch.delenv(checks.OTHER_ORG_KEY_ENV)
    send(mock, "getAttribute", {"attributeId": DEPARTMENT})
    keys = [r for r in mock.requests if r.status == 403]
    assert not keys


def test_a_page_the_spec_caps_is_checked_against_the_cap_when_no_size_is_sent() -> None:
    operation = schema_for(create_mock()).find_operation_by_id("listAttributes")
    assert checks.page_bound(operation.Case(path_parameters={"orgId": 1}), "take") == 250
    assert checks.page_bound(operation.Case(path_parameters={"orgId": 1}, query={"take": 3}), "take") == 3
    assert checks.page_bound(operation.Case(path_parameters={"orgId": 1}, query={"take": 900}), "take") == 250


def test_every_check_is_registered_and_enabled_by_the_configuration() -> None:
    enabled = CONFIG.projects.get_default().checks_config_for()
    for name in checks.CHECK_NAMES:
        assert callable(getattr(checks, name))
        assert enabled.get_by_name(name=name).enabled, name


def test_each_operation_is_replayed_once_per_identity(mock: MockServer) -> None:
    def refused() -> int:
        return sum(1 for r in mock.requests if r.status == 403)

    send(mock, "getAttribute", {"attributeId": DEPARTMENT})
    assert refused() == 1  # ORG_MEMBER: only the other organization's identity is below it
    send(mock, "getAttribute", {"attributeId": OFFICE})
    assert refused() == 1
    send(mock, "getAssignmentHistory", {"userId": 103})
    assert refused() == 3  # ORG_ADMIN: the member and the other organization
