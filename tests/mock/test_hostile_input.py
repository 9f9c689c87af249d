"""Bad input gets a clear 4xx in the Cal.com envelope and never changes state or yields a 5xx."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.mock.conftest import DEPARTMENT, Mock

ATTRIBUTES = "/v2/organizations/1/attributes"


def snapshot(mock: Mock) -> Any:
    store = mock.server.store
    return copy.deepcopy((store.attributes, store.options, store.assignments, store.history))


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        (
            "POST",
            ATTRIBUTES,
            {"content": b'{"name": "x",', "headers": {"content-type": "application/json"}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"content": b"[1, 2]", "headers": {"content-type": "application/json"}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"content": b'"text"', "headers": {"content-type": "application/json"}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"json": {"name": "x", "slug": "x", "type": "TEXT", "options": "none"}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"json": {"name": ["x"], "slug": None, "type": 1, "options": [1]}},
            400,
            "BadRequestException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"content": b"name=x", "headers": {"content-type": "application/x-www-form-urlencoded"}},
            415,
            "UnsupportedMediaTypeException",
        ),
        (
            "POST",
            ATTRIBUTES,
            {"content": b'{"a": "' + b"x" * (1024 * 1024) + b'"}', "headers": {"content-type": "application/json"}},
            413,
            "PayloadTooLargeException",
        ),
        ("PATCH", f"{ATTRIBUTES}/{DEPARTMENT}", {"json": {"enabled": "yes"}}, 400, "BadRequestException"),
        ("GET", "/v2/organizations/abc/attributes", {}, 400, "BadRequestException"),
        ("GET", f"{ATTRIBUTES}/options/abc", {}, 400, "BadRequestException"),
        ("GET", f"{ATTRIBUTES}/options/1.5", {}, 400, "BadRequestException"),
        ("GET", "/v2/organizations/1/nothing-here", {}, 404, "NotFoundException"),
        ("GET", "/v3/anything", {}, 404, "NotFoundException"),
    ],
    ids=[
        "truncated-json",
        "not-utf8",
        "array-body",
        "string-body",
        "options-not-a-list",
        "every-field-wrong",
        "form-encoded",
        "over-1-mib",
        "wrong-type-in-patch",
        "non-numeric-org",
        "non-numeric-user",
        "fractional-user",
        "unknown-route",
        "unknown-prefix",
    ],
)
def test_bad_requests_get_4xx_envelopes_and_leave_state_alone(
    mock: Mock, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot(mock)
    with mock.http() as http:
        response = http.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["error"]["code"] == code
    assert body["path"] == path
    assert snapshot(mock) == before


def test_an_unsupported_method_is_405_with_allow(mock: Mock) -> None:
    with mock.http() as http:
        response = http.put(f"{ATTRIBUTES}/{DEPARTMENT}")
        options = http.request("OPTIONS", ATTRIBUTES)
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"
    assert response.json()["error"]["code"] == "MethodNotAllowedException"
    assert options.status_code == 405 and options.headers["allow"] == "GET, POST"


def test_the_request_id_is_echoed_or_else_new_for_every_response(mock: Mock) -> None:
    with mock.http() as http:
        tagged = http.get(ATTRIBUTES, headers={"X-Request-Id": "req-42"})
        failed = http.get("/nowhere", headers={"X-Request-Id": "req-43"})
        untagged = [http.get(ATTRIBUTES), http.get(ATTRIBUTES), http.get("/nowhere"), http.post(ATTRIBUTES, json={})]
    assert tagged.headers["x-request-id"] == "req-42"
    assert failed.headers["x-request-id"] == "req-43"
    ids = {response.headers["x-request-id"] for response in untagged}
    assert len(ids) == len(untagged) and "unknown-request-id" not in ids


def test_unknown_query_parameters_are_ignored_like_the_real_api(mock: Mock) -> None:
    with mock.http() as http:
        assert http.get(f"{ATTRIBUTES}?colour=red&take=1").json()["data"][0]["slug"] == "department"


def test_a_body_on_a_get_is_ignored(mock: Mock) -> None:
    with mock.http() as http:
        response = http.request("GET", ATTRIBUTES, content=b"not json", headers={"content-type": "text/plain"})
    assert response.status_code == 200


def test_the_mock_serves_its_spec_and_resets_to_its_seed(mock: Mock) -> None:
    with mock.http() as http:
        spec = http.get("/openapi.json").json()
        assert spec["info"]["title"].startswith("Cal.com API v2")
        assert http.delete(f"{ATTRIBUTES}/{DEPARTMENT}").status_code == 200
        assert http.get(f"{ATTRIBUTES}/{DEPARTMENT}").json()["data"] is None
        assert http.post("/_mock/reset").status_code == 200
        assert http.get(f"{ATTRIBUTES}/{DEPARTMENT}").json()["data"]["slug"] == "department"


def test_requests_are_captured(mock: Mock) -> None:
    with mock.http() as http:
        http.get(f"{ATTRIBUTES}?take=1")
        http.get(f"{ATTRIBUTES}/{DEPARTMENT}/options")
    (captured,) = mock.server.calls_to("listAttributes")
    assert (captured.method, captured.query, captured.status) == ("GET", "take=1", 200)
    assert len(mock.server.calls_to("listOptions")) == 1
