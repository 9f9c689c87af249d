"""Attribute options: create, list, update, delete, and the assigned-options queries."""

from __future__ import annotations

from typing import Any

import pytest
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import (
    create_option,
    delete_option,
    list_assigned_options,
    list_assigned_options_by_slug,
    list_options,
    list_user_options,
    update_option,
)
from cal_attributes_client.models import (
    AssignedOptionListResponse,
    AttributeOptionListResponse,
    AttributeOptionResponse,
    CreateOptionInput,
    HttpErrorResponse,
    PrismaErrorCode,
    PrismaErrorResponse,
    UpdateOptionInput,
)

from tests.mock.conftest import (
    BERLIN,
    DEPARTMENT,
    ENGINEERING,
    GLOBEX_DEPARTMENT,
    OFFICE,
    ORG,
    PYTHON,
    RESEARCH,
    SALES,
    SKILLS,
    SUPPORT,
    Mock,
)


def option_values(client: AuthenticatedClient, attribute_id: str) -> list[str]:
    options = list_options.sync(org_id=ORG, attribute_id=attribute_id, client=client)
    assert isinstance(options, AttributeOptionListResponse)
    return [o.value for o in options.data]


def test_create_returns_the_raw_row(owner: AuthenticatedClient) -> None:
    response = create_option.sync_detailed(
        org_id=ORG, attribute_id=DEPARTMENT, client=owner, body=CreateOptionInput(value="Legal", slug="legal")
    )
    assert response.status_code == 201
    assert isinstance(response.parsed, AttributeOptionResponse)
    row = response.parsed.to_dict()["data"]
    assert {k: v for k, v in row.items() if k != "id"} == {
        "attributeId": DEPARTMENT,
        "value": "Legal",
        "slug": "legal",
        "isGroup": False,
        "contains": [],
    }
    assert option_values(owner, DEPARTMENT)[-1] == "Legal"


def test_create_allows_text_attributes_duplicate_slugs_and_other_organizations(owner: AuthenticatedClient) -> None:
    for attribute_id, value in ((OFFICE, "Paris"), (DEPARTMENT, "Sales"), (GLOBEX_DEPARTMENT, "Acme wrote this")):
        body = CreateOptionInput(value=value, slug=value.lower())
        assert (
            create_option.sync_detailed(org_id=ORG, attribute_id=attribute_id, client=owner, body=body).status_code
            == 201
        )
    assert option_values(owner, DEPARTMENT).count("Sales") == 2


def test_create_on_an_unknown_attribute_is_a_prisma_400(owner: AuthenticatedClient) -> None:
    response = create_option.sync_detailed(
        org_id=ORG, attribute_id="missing", client=owner, body=CreateOptionInput(value="X", slug="x")
    )
    assert response.status_code == 400
    assert isinstance(response.parsed, PrismaErrorResponse)
    assert response.parsed.error.code is PrismaErrorCode.BAD_REQUEST


def test_create_needs_non_empty_value_and_slug(mock: Mock) -> None:
    with mock.http() as http:
        response = http.post(f"/v2/organizations/1/attributes/{DEPARTMENT}/options", json={"value": "", "slug": 3})
    assert response.status_code == 400
    constraints = {e["property"]: e["constraints"] for e in response.json()["error"]["details"]["errors"]}
    assert constraints == {
        "value": {"isNotEmpty": "value should not be empty"},
        "slug": {"isString": "slug must be a string"},
    }


def test_list_of_an_unknown_attribute_is_empty(member: AuthenticatedClient) -> None:
    assert option_values(member, "missing") == []
    assert option_values(member, DEPARTMENT) == ["Engineering", "Sales", "Support"]


def test_update_changes_value_and_slug_and_allows_empty_strings(owner: AuthenticatedClient) -> None:
    updated = update_option.sync(
        org_id=ORG,
        attribute_id=DEPARTMENT,
        option_id=SUPPORT,
        client=owner,
        body=UpdateOptionInput(value="", slug="help"),
    )
    assert isinstance(updated, AttributeOptionResponse) and (updated.data.value, updated.data.slug) == ("", "help")


def test_update_of_an_option_of_another_attribute_is_a_prisma_404(owner: AuthenticatedClient) -> None:
    response = update_option.sync_detailed(
        org_id=ORG, attribute_id=SKILLS, option_id=SUPPORT, client=owner, body=UpdateOptionInput(value="x")
    )
    assert response.status_code == 404 and isinstance(response.parsed, PrismaErrorResponse)


def test_delete_removes_the_option_and_its_assignments(owner: AuthenticatedClient) -> None:
    deleted = delete_option.sync(org_id=ORG, attribute_id=DEPARTMENT, option_id=ENGINEERING, client=owner)
    assert isinstance(deleted, AttributeOptionResponse) and deleted.data.value == "Engineering"
    assert option_values(owner, DEPARTMENT) == ["Sales", "Support"]
    held = list_user_options.sync(org_id=ORG, user_id=101, client=owner)
    assert isinstance(held, AttributeOptionListResponse) and held.data == []


def test_delete_of_a_missing_option_is_a_not_found_exception(owner: AuthenticatedClient) -> None:
    response = delete_option.sync_detailed(org_id=ORG, attribute_id=SKILLS, option_id=ENGINEERING, client=owner)
    assert response.status_code == 404
    assert isinstance(response.parsed, HttpErrorResponse)
    assert (response.parsed.error.code, response.parsed.error.message) == (
        "NotFoundException",
        "Attribute option not found",
    )


def assigned(client: AuthenticatedClient, by_slug: bool = False, **query: Any) -> list[tuple[str, list[int]]]:
    if by_slug:
        response = list_assigned_options_by_slug.sync_detailed(
            org_id=ORG, attribute_slug="department", client=client, **query
        )
    else:
        response = list_assigned_options.sync_detailed(org_id=ORG, attribute_id=DEPARTMENT, client=client, **query)
    assert response.status_code == 200, response.content
    assert isinstance(response.parsed, AssignedOptionListResponse)
    return [(o.value, o.assigned_user_ids) for o in response.parsed.data]


@pytest.mark.parametrize("by_slug", [False, True], ids=["by-id", "by-slug"])
def test_assigned_options_list_only_held_options_with_all_holders(member: AuthenticatedClient, by_slug: bool) -> None:
    assert assigned(member, by_slug) == [("Engineering", [101, 103]), ("Sales", [102])]
    assert assigned(member, by_slug, skip=1) == [("Sales", [102])]
    assert assigned(member, by_slug, take=0) == []


@pytest.mark.parametrize("by_slug", [False, True], ids=["by-id", "by-slug"])
def test_team_ids_keep_options_held_in_those_teams_without_narrowing_holders(
    member: AuthenticatedClient, by_slug: bool
) -> None:
    # Team 10 (Sales) has users 102 and 103; team 11 (Platform) has user 101.
    assert assigned(member, by_slug, team_ids=[11]) == [("Engineering", [101, 103])]
    assert assigned(member, by_slug, team_ids=[10]) == [("Engineering", [101, 103]), ("Sales", [102])]
    assert assigned(member, by_slug, team_ids=[20]) == []


def test_assigned_option_ids_keep_options_whose_holders_also_hold_a_listed_option(member: AuthenticatedClient) -> None:
    # Only user 103 holds Python; 103 also holds Engineering.
    assert assigned(member, assigned_option_ids=[PYTHON]) == [("Engineering", [101, 103])]
    assert assigned(member, assigned_option_ids=[SALES, BERLIN]) == [("Engineering", [101, 103]), ("Sales", [102])]


def test_assigned_option_ids_nobody_holds_in_the_teams_is_404(member: AuthenticatedClient) -> None:
    response = list_assigned_options.sync_detailed(
        org_id=ORG, attribute_id=DEPARTMENT, client=member, assigned_option_ids=[PYTHON], team_ids=[11]
    )
    assert response.status_code == 404
    assert isinstance(response.parsed, HttpErrorResponse)
    assert response.parsed.error.message.startswith("Options provided in assignedOptionIds are not assigned to anyone")


def test_assigned_option_ids_of_another_organization_match_nothing(member: AuthenticatedClient) -> None:
    # Research is Globex's: not in this organization, so only (vacuously) unassigned Acme options match.
    assert assigned(member, assigned_option_ids=[RESEARCH]) == []


def test_assigned_options_of_an_unknown_attribute_are_empty(member: AuthenticatedClient) -> None:
    response = list_assigned_options_by_slug.sync(org_id=ORG, attribute_slug="nope", client=member)
    assert isinstance(response, AssignedOptionListResponse) and response.data == []


@pytest.mark.parametrize("query", ["take=abc", "skip=-1", "teamIds=abc", "teamIds=1,x", "teamIds="])
def test_assigned_options_reject_malformed_queries_with_400(mock: Mock, query: str) -> None:
    with mock.http() as http:
        response = http.get(f"/v2/organizations/1/attributes/{DEPARTMENT}/options/assigned?{query}")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequestException"
