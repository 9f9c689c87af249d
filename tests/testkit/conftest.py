"""The test kit's own tests use its fixtures (the plugin is installed through its entry point)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from cal_attributes_mock.testkit import CalMock, InProcessTransport

pytest_plugins = ["pytester"]

ATTRIBUTES = "/v2/organizations/1/attributes"


@pytest.fixture
def http(cal_mock: CalMock) -> Iterator[httpx.Client]:
    """Plain HTTP to the mock in-process, as the admin."""
    headers = {"Authorization": f"Bearer {cal_mock.keys['admin']}"}
    with httpx.Client(
        base_url="http://mock.test", headers=headers, transport=InProcessTransport(cal_mock.app), timeout=5
    ) as client:
        yield client


def new_attribute(slug: str) -> dict[str, object]:
    return {"name": slug.title(), "slug": slug, "type": "TEXT", "options": []}


def slugs(http: httpx.Client) -> list[str]:
    return [a["slug"] for a in http.get(ATTRIBUTES, params={"take": 250}).json()["data"]]
