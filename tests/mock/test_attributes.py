"""Attributes: list, create, get, update, delete, with the real API's answers and quirks."""

from __future__ import annotations

from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import list_options, list_user_options
from cal_attributes_client.api.attributes import (
    create_attribute,
    delete_attribute,
    get_attribute,
    list_attributes,
    update_attribute,
)
from cal_attributes_client.models import (
    AttributeListResponse,
    AttributeOptionListResponse,
    AttributeResponse,
    AttributeType,
    CreateAttributeInput,
    CreateAttributeOptionInput,
    NullableAttributeResponse,
    PrismaErrorCode,
    PrismaErrorResponse,
    UpdateAttributeInput,
    ValidationErrorResponse,
)

from tests.mock.conftest import DEPARTMENT, ENGINEERING, GLOBEX_DEPARTMENT, ORG, SENIORITY, Mock


def new_attribute(slug: str, type_: AttributeType, *options: str) -> CreateAttributeInput:
    return CreateAttributeInput(
        name=slug.title(),
        slug=slug,
        type_=type_,
        options=[CreateAttributeOptionInput(value=o, slug=o.lower()) for o in options],
    )


def slugs(client: AuthenticatedClient, **paging: int) -> list[str]:
    page = list_attributes.sync(org_id=ORG, client=client, **paging)
    assert isinstance(page, AttributeListResponse)
    return [a.slug for a in page.data]


def test_list_returns_the_organizations_attributes_disabled_ones_included(member: AuthenticatedClient) -> None:
    assert slugs(member) == ["department", "skills", "office", "seniority"]
    page = list_attributes.sync(org_id=ORG, client=member)
    assert isinstance(page, AttributeListResponse)
    seniority = next(a for a in page.data if a.id == SENIORITY)
    assert seniority.enabled is False and seniority.team_id == ORG and seniority.type_ is AttributeType.NUMBER
    assert seniority.is_locked is False and seniority.created_at is not None


def test_list_pages_with_skip_and_take(member: AuthenticatedClient) -> None:
    assert slugs(member, skip=1, take=2) == ["skills", "office"]
    assert slugs(member, skip=10) == []
    assert slugs(member, take=250) == ["department", "skills", "office", "seniority"]


def test_list_rejects_take_and_skip_out_of_range(mock: Mock) -> None:
    with mock.http() as http:
        for query in ("take=0", "take=251", "take=abc", "skip=-1"):
            response = http.get(f"/v2/organizations/1/attributes?{query}")
            assert response.status_code == 400, query
            assert ValidationErrorResponse.from_dict(response.json()).error.details.errors[0].property_ in query


def test_create_stores_select_options_and_returns_the_row_without_them(owner: AuthenticatedClient) -> None:
    response = create_attribute.sync_detailed(
        org_id=ORG, client=owner, body=new_attribute("region", AttributeType.MULTI_SELECT, "EMEA", "APAC")
    )
    assert response.status_code == 201
    assert isinstance(response.parsed, AttributeResponse)
    created = response.parsed.data
    assert (created.slug, created.enabled, created.team_id, created.is_weights_enabled) == ("region", True, ORG, False)
    assert "options" not in response.parsed.to_dict()["data"]
    options = list_options.sync(org_id=ORG, attribute_id=created.id, client=owner)
    assert isinstance(options, AttributeOptionListResponse) and [o.value for o in options.data] == ["EMEA", "APAC"]


def test_create_ignores_options_of_text_and_number_attributes(owner: AuthenticatedClient) -> None:
    for type_ in (AttributeType.TEXT, AttributeType.NUMBER):
        created = create_attribute.sync(
            org_id=ORG, client=owner, body=new_attribute(f"a-{type_.value.lower()}", type_, "X")
        )
        assert isinstance(created, AttributeResponse)
        options = list_options.sync(org_id=ORG, attribute_id=created.data.id, client=owner)
        assert isinstance(options, AttributeOptionListResponse) and options.data == []


def test_create_with_a_taken_slug_is_409_and_changes_nothing(owner: AuthenticatedClient) -> None:
    response = create_attribute.sync_detailed(
        org_id=ORG, client=owner, body=new_attribute("department", AttributeType.TEXT)
    )
    assert response.status_code == 409
    assert isinstance(response.parsed, PrismaErrorResponse)
    assert response.parsed.error.code is PrismaErrorCode.CONFLICT
    assert "details" not in response.parsed.to_dict()["error"]
    assert slugs(owner).count("department") == 1


def test_the_same_slug_in_another_organization_is_fine(owner: AuthenticatedClient) -> None:
    # Globex has "department" too; Acme may still create its own "skills2" and keep "department".
    assert (
        create_attribute.sync_detailed(
            org_id=ORG, client=owner, body=new_attribute("research", AttributeType.TEXT)
        ).status_code
        == 201
    )


def test_create_strips_unknown_properties(mock: Mock) -> None:
    with mock.http() as http:
        body = {"name": "Floor", "slug": "floor", "type": "NUMBER", "options": [], "colour": "red", "teamId": 2}
        response = http.post("/v2/organizations/1/attributes", json=body)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["teamId"] == 1 and "colour" not in data


def test_get_returns_null_data_for_a_missing_or_foreign_attribute(member: AuthenticatedClient) -> None:
    found = get_attribute.sync(org_id=ORG, attribute_id=DEPARTMENT, client=member)
    assert isinstance(found, NullableAttributeResponse) and found.data is not None
    assert found.data.slug == "department"
    for attribute_id in ("no-such-attribute", GLOBEX_DEPARTMENT):
        response = get_attribute.sync_detailed(org_id=ORG, attribute_id=attribute_id, client=member)
        assert response.status_code == 200
        assert isinstance(response.parsed, NullableAttributeResponse) and response.parsed.data is None


def test_update_changes_only_what_is_given(owner: AuthenticatedClient) -> None:
    updated = update_attribute.sync(
        org_id=ORG, attribute_id=DEPARTMENT, client=owner, body=UpdateAttributeInput(name="Team", enabled=False)
    )
    assert isinstance(updated, AttributeResponse)
    assert (updated.data.name, updated.data.slug, updated.data.enabled) == ("Team", "department", False)
    unchanged = update_attribute.sync(org_id=ORG, attribute_id=DEPARTMENT, client=owner, body=UpdateAttributeInput())
    assert isinstance(unchanged, AttributeResponse) and unchanged.data.name == "Team"


def test_update_allows_empty_strings_and_keeps_options_on_a_type_change(owner: AuthenticatedClient) -> None:
    updated = update_attribute.sync(
        org_id=ORG, attribute_id=DEPARTMENT, client=owner, body=UpdateAttributeInput(name="", type_=AttributeType.TEXT)
    )
    assert (
        isinstance(updated, AttributeResponse) and updated.data.name == "" and updated.data.type_ is AttributeType.TEXT
    )
    options = list_options.sync(org_id=ORG, attribute_id=DEPARTMENT, client=owner)
    assert isinstance(options, AttributeOptionListResponse) and len(options.data) == 3


def test_update_of_a_missing_or_foreign_attribute_is_a_prisma_404(owner: AuthenticatedClient) -> None:
    for attribute_id in ("missing", GLOBEX_DEPARTMENT):
        response = update_attribute.sync_detailed(
            org_id=ORG, attribute_id=attribute_id, client=owner, body=UpdateAttributeInput(name="x")
        )
        assert response.status_code == 404
        assert isinstance(response.parsed, PrismaErrorResponse)
        assert response.parsed.error.message == "Invalid Query: The requested record was not found."


def test_update_to_a_taken_slug_is_409(owner: AuthenticatedClient) -> None:
    response = update_attribute.sync_detailed(
        org_id=ORG, attribute_id=DEPARTMENT, client=owner, body=UpdateAttributeInput(slug="skills")
    )
    assert response.status_code == 409
    assert slugs(owner)[0] == "department"


def test_delete_cascades_to_options_and_assignments(owner: AuthenticatedClient) -> None:
    deleted = delete_attribute.sync(org_id=ORG, attribute_id=DEPARTMENT, client=owner)
    assert isinstance(deleted, AttributeResponse) and deleted.data.id == DEPARTMENT
    assert "department" not in slugs(owner)
    options = list_options.sync(org_id=ORG, attribute_id=DEPARTMENT, client=owner)
    assert isinstance(options, AttributeOptionListResponse) and options.data == []
    held = list_user_options.sync(org_id=ORG, user_id=103, client=owner)
    assert isinstance(held, AttributeOptionListResponse)
    assert ENGINEERING not in {o.id for o in held.data} and len(held.data) == 2  # Python and Berlin remain
    again = delete_attribute.sync_detailed(org_id=ORG, attribute_id=DEPARTMENT, client=owner)
    assert again.status_code == 404 and isinstance(again.parsed, PrismaErrorResponse)
