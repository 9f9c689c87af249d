"""What the mock stamps and keeps per write: timestamps as JavaScript writes them, and audit
entries that keep the attribute and option as they were at the time of the change."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from cal_attributes_mock import create_mock
from cal_attributes_mock.envelopes import timestamp
from tests.mock.conftest import DEPARTMENT, ENGINEERING, call

ORG = "/v2/organizations/1"


def test_timestamps_are_the_current_millisecond_as_date_to_iso_string_writes_it() -> None:
    now = datetime.now(UTC)
    before = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the text has milliseconds only
    first = timestamp()
    time.sleep(0.002)  # another millisecond: a new text, not the one remembered
    second = timestamp()
    after = datetime.now(UTC)
    assert first.endswith("Z") and len(first) == len("2026-01-02T03:04:05.678Z")
    parsed = [datetime.fromisoformat(text.replace("Z", "+00:00")) for text in (first, second)]
    assert before <= parsed[0] < parsed[1] <= after


def test_history_shows_the_attribute_and_option_as_they_were_when_changed() -> None:
    server = create_mock()
    assign = {"attributeId": DEPARTMENT, "attributeOptionId": ENGINEERING}
    assert call(server, "POST", f"{ORG}/attributes/options/102", json=assign).status_code == 201
    renamed = call(server, "PATCH", f"{ORG}/attributes/{DEPARTMENT}", json={"name": "Division", "slug": "division"})
    assert renamed.status_code == 200
    option = call(server, "PATCH", f"{ORG}/attributes/{DEPARTMENT}/options/{ENGINEERING}", json={"slug": "eng"})
    assert option.status_code == 200
    (entry,) = call(server, "GET", f"{ORG}/attributes/assignments/102/history").json()["data"]["auditLogs"]
    change = entry["changes"][0]
    assert (change["type"], change["previous"]) == ("ASSIGNED", None)
    assert (change["attribute"]["name"], change["attribute"]["slug"]) == ("Department", "department")
    assert (change["current"]["optionId"], change["current"]["optionSlug"]) == (ENGINEERING, "engineering")
    assert entry["sourceContext"] == {"kind": "API_V2"}
