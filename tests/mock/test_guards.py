"""The guard chain, in the real order: 401, then 403 for the organization, role, plan and Admin API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attributes import create_attribute, list_attributes
from cal_attributes_client.models import (
    AttributeListResponse,
    AttributeType,
    CreateAttributeInput,
    HttpErrorResponse,
    ValidationErrorResponse,
)

from cal_attributes_mock import MockConfig, create_mock, parse_seed
from cal_attributes_mock.serve import serve_in_thread
from tests.mock.conftest import EXPIRED_KEY, GLOBEX_KEY, MEMBER_KEY, ORG, Mock


def error_of(
    mock: Mock, key: str | None, path: str = "/v2/organizations/1/attributes", **headers: str
) -> tuple[int, dict[str, Any]]:
    with mock.http(key) as http:
        response = http.get(path, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("key", "headers", "message"),
    [
        (
            None,
            {},
            "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or "
            "OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
        ),
        ("cal_not_a_key", {}, "ApiAuthStrategy - api key - Your api key is not valid"),
        (EXPIRED_KEY, {}, "ApiAuthStrategy - api key - Your api key is expired"),
        ("eyJhbGciOi.not.cal", {}, "ApiAuthStrategy - Invalid Bearer token"),
        (
            None,
            {"x-cal-client-id": "demo-platform-client"},
            "ApiAuthStrategy - Only 'x-cal-client-id' header provided, 'x-cal-secret-key' header is missing",
        ),
        (
            None,
            {"x-cal-client-id": "demo-platform-client", "x-cal-secret-key": "wrong"},
            "ApiAuthStrategy - oAuth client - Invalid client secret",
        ),
    ],
    ids=["none", "unknown-key", "expired-key", "not-an-api-key", "client-id-alone", "wrong-secret"],
)
def test_unauthenticated_requests_get_401_with_the_real_message(
    mock: Mock, key: str | None, headers: dict[str, str], message: str
) -> None:
    status, body = error_of(mock, key, **headers)
    assert status == 401
    assert body["error"] == {
        "code": "UnauthorizedException",
        "message": message,
        "details": {"message": message, "error": "Unauthorized", "statusCode": 401},
    }
    assert body["status"] == "error" and body["path"] == "/v2/organizations/1/attributes"


def test_authentication_comes_before_everything_else(mock: Mock) -> None:
    status, _ = error_of(mock, None, "/v2/organizations/999/attributes?take=0")
    assert status == 401


def test_the_bearer_prefix_may_be_missing(mock: Mock) -> None:
    with mock.http(None) as http:
        response = http.get("/v2/organizations/1/attributes", headers={"Authorization": MEMBER_KEY})
    assert response.status_code == 200


def test_a_platform_oauth_client_acts_as_the_organization_owner(mock: Mock) -> None:
    headers = {"x-cal-client-id": "demo-platform-client", "x-cal-secret-key": "demo-platform-secret"}
    with mock.client("", headers=headers) as client:
        created = create_attribute.sync_detailed(
            org_id=ORG,
            client=client,
            body=CreateAttributeInput(name="Level", slug="level", type_=AttributeType.NUMBER, options=[]),
        )
    assert created.status_code == 201


@pytest.mark.parametrize(
    ("key", "path", "message"),
    [
        (
            MEMBER_KEY,
            "/v2/organizations/999/attributes",
            "IsOrgGuard - provided organization id=999 does not represent any existing organization.",
        ),
        (
            MEMBER_KEY,
            "/v2/organizations/20/attributes",
            "IsOrgGuard - provided organization id=20 does not represent any existing organization.",
        ),
        (
            MEMBER_KEY,
            "/v2/organizations/10/attributes",
            "IsOrgGuard - provided organization id=10 does not represent any existing organization.",
        ),
        (
            GLOBEX_KEY,
            "/v2/organizations/1/attributes",
            "RolesGuard - User is not a member of the organization with id=1.",
        ),
    ],
    ids=["missing-org", "plain-team", "sub-team", "other-org-user"],
)
def test_organization_and_membership_failures_are_403_not_404(mock: Mock, key: str, path: str, message: str) -> None:
    status, body = error_of(mock, key, path)
    assert (status, body["error"]["code"], body["error"]["message"]) == (403, "ForbiddenException", message)


def test_a_member_below_the_role_gets_403_even_for_an_invalid_body(mock: Mock) -> None:
    with mock.http(MEMBER_KEY) as http:
        response = http.post("/v2/organizations/1/attributes", json={"name": 5})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "RolesGuard - user with id=103 does not have the minimum required role=ORG_ADMIN within organization with id=1."
    )


def test_an_invalid_body_from_an_admin_is_400(mock: Mock) -> None:
    with mock.client() as client:
        response = client.get_httpx_client().post("/v2/organizations/1/attributes", json={"name": 5})
    assert response.status_code == 400
    parsed = ValidationErrorResponse.from_dict(response.json())
    assert {e.property_ for e in parsed.error.details.errors} == {"name", "slug", "type", "options"}


def _seed(**org: object) -> dict[str, Any]:
    return {
        "organizations": [{"id": 1, "name": "Acme", **org}],
        "users": [
            {"id": 1, "email": "a@x.test", "apiKey": "cal_owner"},
            {"id": 2, "email": "root@x.test", "apiKey": "cal_root", "systemAdmin": True},
        ],
        "memberships": [{"userId": 1, "teamId": 1, "role": "OWNER"}],
    }


@pytest.mark.parametrize(
    ("org", "key", "status", "message"),
    [
        (
            {"adminApiEnabled": False},
            "cal_owner",
            403,
            "IsAdminAPIEnabledGuard - Organization does not have Admin API access, please contact https://cal.com/sales to upgrade",
        ),
        (
            {"isPlatform": True, "platformPlan": "STARTER"},
            "cal_owner",
            403,
            "PlatformPlanGuard - organization with id=1 does not have the minimum required plan ESSENTIALS.",
        ),
        (
            {"isPlatform": True, "platformPlan": None},
            "cal_owner",
            403,
            "PlatformPlanGuard - organization with id=1 does not have the minimum required plan ESSENTIALS.",
        ),
        ({"isPlatform": True, "platformPlan": "ESSENTIALS", "adminApiEnabled": False}, "cal_owner", 200, None),
        ({}, "cal_root", 200, None),
    ],
    ids=["admin-api-off", "plan-too-low", "no-plan", "platform-skips-admin-api", "system-admin-without-membership"],
)
def test_plan_admin_api_and_system_admin(org: dict[str, Any], key: str, status: int, message: str | None) -> None:
    server = create_mock(parse_seed(_seed(**org)))
    with serve_in_thread(server) as url, AuthenticatedClient(base_url=url, token=key) as client:
        response = list_attributes.sync_detailed(org_id=1, client=client)
    assert response.status_code == status
    if message is None:
        assert isinstance(response.parsed, AttributeListResponse)
    else:
        assert isinstance(response.parsed, HttpErrorResponse)
        assert response.parsed.error.message == message


def test_rate_limit_answers_429_with_retry_after_when_enabled() -> None:
    server = create_mock(parse_seed(_seed()), MockConfig(rate_limit=True, api_key_limit=3))
    with serve_in_thread(server) as url, AuthenticatedClient(base_url=url, token="cal_owner") as client:
        statuses = [list_attributes.sync_detailed(org_id=1, client=client) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert 1 <= int(statuses[-1].headers["retry-after"]) <= 60
    assert json.loads(statuses[-1].content)["error"]["code"] == "ThrottlerException"
