"""/_mock/faults, /_mock/requests and /_mock/rate-limit for black-box users: the same rules as the
Python API, clear 4xx answers for bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cal_attributes_mock.testkit import CalMock
from tests.testkit.conftest import ATTRIBUTES, new_attribute, slugs


def test_add_list_fire_and_clear_faults(cal_mock: CalMock, http: httpx.Client) -> None:
    added = http.post(
        "/_mock/faults", json={"kind": "fail", "operationId": "listAttributes", "status": 429, "retryAfter": 2}
    )
    assert added.status_code == 201
    assert added.json()["data"]["remaining"] == 2  # fail defaults to twice, as in Python
    assert [f["kind"] for f in http.get("/_mock/faults").json()["data"]] == ["fail"]
    assert http.get(ATTRIBUTES).status_code == 429
    assert http.delete("/_mock/faults").status_code == 200
    assert http.get("/_mock/faults").json()["data"] == []
    assert http.get(ATTRIBUTES).status_code == 200


def test_an_applied_fault_over_http(cal_mock: CalMock, http: httpx.Client) -> None:
    http.post("/_mock/faults", json={"kind": "fail", "operationId": "createAttribute", "times": 1, "apply": True})
    assert http.post(ATTRIBUTES, json=new_attribute("team")).status_code == 503
    assert "team" in slugs(http)


def test_requests_lists_the_journal_by_operation(cal_mock: CalMock, http: httpx.Client) -> None:
    http.get(ATTRIBUTES)
    http.post(ATTRIBUTES, json=new_attribute("team"))
    entries = http.get("/_mock/requests", params={"operationId": "createAttribute"}).json()["data"]
    assert [(e["method"], e["status"], e["json"]["slug"]) for e in entries] == [("POST", 201, "team")]
    assert entries[0]["headers"]["authorization"] == "Bearer [redacted]"
    assert http.delete("/_mock/requests").status_code == 200
    assert http.get("/_mock/requests").json()["data"] == []


def test_rate_limit_switch(cal_mock: CalMock, http: httpx.Client) -> None:
    assert http.put("/_mock/rate-limit", json={"enabled": True, "limit": 1}).status_code == 200
    assert [http.get(ATTRIBUTES).status_code for _ in range(2)] == [200, 429]
    assert http.put("/_mock/rate-limit", json={"enabled": False}).status_code == 200
    assert http.get(ATTRIBUTES).status_code == 200


def test_reset_over_http_clears_faults(cal_mock: CalMock, http: httpx.Client) -> None:
    http.post("/_mock/faults", json={"kind": "fail", "times": None})
    assert http.post("/_mock/reset").status_code == 200
    assert http.get("/_mock/faults").json()["data"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the body must be a JSON object"),
        ({}, "kind is required"),
        ({"kind": "explode"}, "kind must be one of fail, delay, drop_connection, malformed"),
        ({"kind": "fail", "operationID": "x"}, "unknown field 'operationID'"),
        ({"kind": "fail", "operationId": "nope"}, "unknown operationId 'nope'"),
        ({"kind": "fail", "operationId": 3}, "operationId must be a string or null"),
        ({"kind": "fail", "status": "503"}, "status must be an HTTP error status"),
        ({"kind": "fail", "status": 700}, "status must be an HTTP error status"),
        ({"kind": "fail", "times": True}, "times must be an integer"),
        ({"kind": "fail", "retryAfter": 1.5}, "retryAfter must be whole seconds"),
        ({"kind": "fail", "apply": "yes"}, "apply must be true or false"),
        ({"kind": "delay"}, "seconds is required for a delay"),
        ({"kind": "delay", "seconds": 1e9}, "seconds must be a number from 0 to 60"),
    ],
)
def test_bad_faults_get_a_400_naming_the_field(http: httpx.Client, body: Any, message: str) -> None:
    answer = http.post("/_mock/faults", json=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]
    assert http.get("/_mock/faults").json()["data"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "the body must be"),
        ({"enabled": True, "limit": 0}, "limit must be an integer"),
        ({"enabled": True, "windowSeconds": "1"}, "windowSeconds must be a number"),
        ({"enabled": True, "burst": 1}, "unknown field 'burst'"),
    ],
)
def test_bad_rate_limit_settings_get_a_400(http: httpx.Client, body: Any, message: str) -> None:
    answer = http.put("/_mock/rate-limit", json=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]


def test_malformed_and_oversized_control_bodies(http: httpx.Client) -> None:
    broken = http.post("/_mock/faults", content=b'{"kind": ', headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert "Malformed JSON body" in broken.json()["error"]["message"]
    assert http.post("/_mock/faults", content=b" " * 70_000).status_code == 413


def test_wrong_method_is_405_with_allow(http: httpx.Client) -> None:
    answer = http.patch("/_mock/faults", json={})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "DELETE, GET, POST"
