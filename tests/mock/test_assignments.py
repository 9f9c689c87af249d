"""Assigning options to users, weights, unassigning, and the history of it all."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import (
    assign_option_to_user,
    get_assignment_history,
    list_options,
    list_user_options,
    unassign_option_from_user,
    update_assignment_weight,
)
from cal_attributes_client.api.attribute_sync_history import get_user_sync_history
from cal_attributes_client.models import (
    AssignmentHistoryResponse,
    AssignmentHistoryValue,
    AssignOptionToUserInput,
    AttributeAssignmentResponse,
    AttributeOptionListResponse,
    HttpErrorResponse,
    PrismaErrorCode,
    PrismaErrorResponse,
    SyncHistoryResponse,
    SyncRunStatus,
    UpdateAssignmentInput,
    ValidationErrorResponse,
)
from cal_attributes_client.types import Unset

from tests.mock.conftest import (
    ADMIN_KEY,
    DEPARTMENT,
    ENGINEERING,
    GLOBEX_DEPARTMENT,
    MEMBER_KEY,
    OFFICE,
    ORG,
    PYTHON,
    RESEARCH,
    SALES,
    SENIORITY,
    SKILLS,
    Mock,
)


def assign(client: AuthenticatedClient, user_id: int, **body: Any) -> Any:
    return assign_option_to_user.sync_detailed(
        org_id=ORG, user_id=user_id, client=client, body=AssignOptionToUserInput.from_dict(body)
    )


def held(client: AuthenticatedClient, user_id: int) -> list[str]:
    options = list_user_options.sync(org_id=ORG, user_id=user_id, client=client)
    assert isinstance(options, AttributeOptionListResponse)
    return [o.value for o in options.data]


def test_assigning_an_option_returns_the_raw_assignment_row(owner: AuthenticatedClient) -> None:
    response = assign(owner, 102, attributeId=SKILLS, attributeOptionId=PYTHON, weight=7)
    assert response.status_code == 201
    assert isinstance(response.parsed, AttributeAssignmentResponse)
    row = response.parsed.to_dict()["data"]
    assert set(row) == {
        "id", "memberId", "attributeOptionId", "weight", "createdAt", "createdById",
        "createdByDSyncId", "updatedAt", "updatedById", "updatedByDSyncId",
    }  # fmt: skip
    assert (row["memberId"], row["attributeOptionId"], row["weight"]) == (2, PYTHON, 7)
    assert held(owner, 102) == ["Sales", "Python"]


def test_a_single_select_attribute_does_not_stop_several_options(owner: AuthenticatedClient) -> None:
    assert assign(owner, 103, attributeId=DEPARTMENT, attributeOptionId=SALES).status_code == 201
    assert held(owner, 103) == ["Engineering", "Sales", "Python", "Berlin"]


def test_a_value_creates_a_new_option_every_time(owner: AuthenticatedClient) -> None:
    for user_id in (101, 102):
        response = assign(owner, user_id, attributeId=OFFICE, value="  Café Zürich! ")
        assert response.status_code == 201
    options = list_options.sync(org_id=ORG, attribute_id=OFFICE, client=owner)
    assert isinstance(options, AttributeOptionListResponse)
    created = [(o.value, o.slug) for o in options.data][1:]
    assert created == [("  Café Zürich! ", "cafe-zurich")] * 2
    assert len({o.id for o in options.data}) == 3


def test_a_value_on_a_number_attribute_is_not_checked_to_be_numeric(owner: AuthenticatedClient) -> None:
    assert assign(owner, 101, attributeId=SENIORITY, value="senior").status_code == 201


def test_attribute_option_id_wins_over_value(owner: AuthenticatedClient) -> None:
    assert assign(owner, 101, attributeId=OFFICE, attributeOptionId=PYTHON, value="ignored").status_code == 201
    assert held(owner, 101) == ["Engineering", "Python"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"attributeId": DEPARTMENT, "value": "Ops"}, 400, "Attribute type does not support value"),
        (
            {"attributeId": DEPARTMENT, "attributeOptionId": SALES, "value": "Ops"},
            400,
            "Attribute type does not support value",
        ),
        ({"attributeId": GLOBEX_DEPARTMENT, "attributeOptionId": RESEARCH}, 404, "Attribute not found"),
        ({"attributeId": "missing", "attributeOptionId": SALES}, 404, "Attribute not found"),
    ],
    ids=["value-on-select", "value-beside-option-on-select", "foreign-attribute", "unknown-attribute"],
)
def test_assign_refusals_with_http_exception_envelopes(
    owner: AuthenticatedClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = assign(owner, 102, **body)
    assert response.status_code == status
    assert isinstance(response.parsed, HttpErrorResponse)
    assert response.parsed.error.message == message


@pytest.mark.parametrize(
    ("user_id", "message"),
    [
        (999, "Membership for user with id 999 within organization id 1 not found"),
        (201, "Membership for user with id 201 within organization id 1 not found"),
        (104, "User is not a member of the organization"),
    ],
    ids=["unknown-user", "other-org-user", "invitation-not-accepted"],
)
def test_assign_to_a_non_member_is_404(owner: AuthenticatedClient, user_id: int, message: str) -> None:
    response = assign(owner, user_id, attributeId=DEPARTMENT, attributeOptionId=SALES)
    assert response.status_code == 404
    assert isinstance(response.parsed, HttpErrorResponse) and response.parsed.error.message == message


def test_an_unknown_option_is_a_prisma_400_and_a_repeat_is_a_prisma_409(owner: AuthenticatedClient) -> None:
    unknown = assign(owner, 102, attributeId=DEPARTMENT, attributeOptionId="missing")
    assert unknown.status_code == 400
    assert isinstance(unknown.parsed, PrismaErrorResponse) and unknown.parsed.error.code is PrismaErrorCode.BAD_REQUEST
    repeat = assign(owner, 101, attributeId=DEPARTMENT, attributeOptionId=ENGINEERING)
    assert repeat.status_code == 409
    assert isinstance(repeat.parsed, PrismaErrorResponse) and repeat.parsed.error.code is PrismaErrorCode.CONFLICT


def test_an_option_of_another_attribute_or_organization_is_assigned_anyway(owner: AuthenticatedClient) -> None:
    # The real API checks neither: the option is only looked up by id.
    assert assign(owner, 102, attributeId=DEPARTMENT, attributeOptionId=RESEARCH).status_code == 201


def test_neither_option_nor_value_is_a_400_where_the_real_api_crashes(owner: AuthenticatedClient) -> None:
    response = assign(owner, 102, attributeId=DEPARTMENT)
    assert response.status_code == 400
    assert isinstance(response.parsed, ValidationErrorResponse)
    assert response.parsed.error.details.errors[0].property_ == "attributeOptionId"


def test_assigning_needs_an_admin(mock: Mock) -> None:
    with mock.client(MEMBER_KEY) as member:
        assert assign(member, 103, attributeId=DEPARTMENT, attributeOptionId=SALES).status_code == 403


def test_user_options_span_attributes_and_an_unknown_user_has_none(member: AuthenticatedClient) -> None:
    assert held(member, 103) == ["Engineering", "Python", "Berlin"]
    assert held(member, 999) == []


def test_unassign_returns_the_row_and_keeps_the_option(owner: AuthenticatedClient) -> None:
    response = unassign_option_from_user.sync_detailed(
        org_id=ORG, user_id=103, attribute_option_id=PYTHON, client=owner
    )
    assert response.status_code == 200
    assert (
        isinstance(response.parsed, AttributeAssignmentResponse) and response.parsed.data.attribute_option_id == PYTHON
    )
    assert held(owner, 103) == ["Engineering", "Berlin"]
    options = list_options.sync(org_id=ORG, attribute_id=SKILLS, client=owner)
    assert isinstance(options, AttributeOptionListResponse) and "Python" in [o.value for o in options.data]


@pytest.mark.parametrize(
    ("user_id", "option_id", "message"),
    [
        (999, PYTHON, "Membership for user with id 999 within organization id 1 not found"),
        (102, PYTHON, "Attribute does not belong to this user"),
    ],
)
def test_unassign_and_weight_update_404s(
    owner: AuthenticatedClient, user_id: int, option_id: str, message: str
) -> None:
    for response in (
        unassign_option_from_user.sync_detailed(
            org_id=ORG, user_id=user_id, attribute_option_id=option_id, client=owner
        ),
        update_assignment_weight.sync_detailed(
            org_id=ORG,
            user_id=user_id,
            attribute_option_id=option_id,
            client=owner,
            body=UpdateAssignmentInput(weight=1),
        ),
    ):
        assert response.status_code == 404
        assert isinstance(response.parsed, HttpErrorResponse) and response.parsed.error.message == message


def test_unassign_needs_an_admin_as_documented(mock: Mock) -> None:
    with mock.client(MEMBER_KEY) as member:
        response = unassign_option_from_user.sync_detailed(
            org_id=ORG, user_id=103, attribute_option_id=PYTHON, client=member
        )
    assert response.status_code == 403


def test_weight_update(owner: AuthenticatedClient) -> None:
    response = update_assignment_weight.sync_detailed(
        org_id=ORG, user_id=103, attribute_option_id=ENGINEERING, client=owner, body=UpdateAssignmentInput(weight=5)
    )
    assert response.status_code == 200
    assert isinstance(response.parsed, AttributeAssignmentResponse)
    assert response.parsed.data.weight == 5 and response.parsed.data.updated_at is not None


def test_a_negative_weight_is_400(mock: Mock) -> None:
    with mock.http() as http:
        response = http.patch(f"/v2/organizations/1/attributes/options/103/{ENGINEERING}", json={"weight": -1})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["errors"][0]["constraints"] == {"min": "weight must not be less than 0"}


def history(client: AuthenticatedClient, user_id: int = 102, **query: Any) -> Any:
    response = get_assignment_history.sync_detailed(org_id=ORG, user_id=user_id, client=client, **query)
    return response


def test_history_records_assign_weight_change_and_unassign_newest_first(mock: Mock) -> None:
    with mock.client(ADMIN_KEY) as admin:
        assign(admin, 102, attributeId=SKILLS, attributeOptionId=PYTHON, weight=1)
        update_assignment_weight.sync(
            org_id=ORG, user_id=102, attribute_option_id=PYTHON, client=admin, body=UpdateAssignmentInput(weight=3)
        )
        unassign_option_from_user.sync(org_id=ORG, user_id=102, attribute_option_id=PYTHON, client=admin)
        response = history(admin)
    assert response.status_code == 200
    assert isinstance(response.parsed, AssignmentHistoryResponse)
    data = response.parsed.data
    assert (data.user_id, data.membership_id, data.has_more) == (102, 2, False)

    def weight(value: AssignmentHistoryValue | Unset | None) -> object:
        return value.weight if isinstance(value, AssignmentHistoryValue) else None

    changes = [(log.changes[0].type_, log.changes[0].previous, log.changes[0].current) for log in data.audit_logs]
    assert [(kind, weight(before), weight(after)) for kind, before, after in changes] == [
        ("UNASSIGNED", 3, None),
        ("WEIGHT_CHANGED", 1, 3),
        ("ASSIGNED", None, 1),
    ]
    first = data.audit_logs[0]
    assert (first.actor.display_name, first.actor.display_email, first.source) == (
        "Ada Admin",
        "admin@acme.test",
        "API_V2",
    )
    assert first.changes[0].attribute.slug == "skills"


def test_history_pages_with_limit_and_cursor(owner: AuthenticatedClient) -> None:
    for option in (ENGINEERING, PYTHON, OFFICE):
        if option == OFFICE:
            assign(owner, 102, attributeId=OFFICE, value="Remote")
        else:
            assign(owner, 102, attributeId=DEPARTMENT, attributeOptionId=option)
    seen, cursor, pages = [], None, 0
    while True:
        kwargs: dict[str, Any] = {"limit": 2} | ({"cursor": UUID(cursor)} if cursor else {})
        page = history(owner, **kwargs).parsed
        assert isinstance(page, AssignmentHistoryResponse)
        seen += [log.id for log in page.data.audit_logs]
        pages += 1
        if not page.data.has_more:
            assert isinstance(page.data.next_cursor, Unset)
            break
        cursor = page.data.next_cursor
    assert pages == 2 and len(seen) == len(set(seen)) == 3


def test_history_of_a_non_member_is_404_and_limits_are_checked(mock: Mock, owner: AuthenticatedClient) -> None:
    assert history(owner, user_id=999).status_code == 404
    with mock.http() as http:
        for query in ("limit=0", "limit=51", "cursor=not-a-uuid"):
            assert http.get(f"/v2/organizations/1/attributes/assignments/102/history?{query}").status_code == 400, query


def test_sync_history_returns_seeded_runs_newest_first_and_pages(owner: AuthenticatedClient) -> None:
    response = get_user_sync_history.sync_detailed(org_id=ORG, user_id=103, client=owner)
    assert response.status_code == 200
    assert isinstance(response.parsed, SyncHistoryResponse)
    assert [run.status for run in response.parsed.data] == [SyncRunStatus.APPLIED, SyncRunStatus.NO_RULES_MATCHED]
    assert response.parsed.meta.has_more is False
    first = get_user_sync_history.sync(org_id=ORG, user_id=103, client=owner, limit=1)
    assert isinstance(first, SyncHistoryResponse) and first.meta.has_more is True
    rest = get_user_sync_history.sync(
        org_id=ORG, user_id=103, client=owner, limit=1, cursor=UUID(str(first.meta.next_cursor))
    )
    assert isinstance(rest, SyncHistoryResponse) and [r.status for r in rest.data] == [SyncRunStatus.NO_RULES_MATCHED]
    assert rest.meta.has_more is False
    none = get_user_sync_history.sync(org_id=ORG, user_id=102, client=owner)
    assert isinstance(none, SyncHistoryResponse) and none.data == []
