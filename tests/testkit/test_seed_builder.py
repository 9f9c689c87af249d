"""SeedBuilder: a seed in Python, checked like a seed file."""

from __future__ import annotations

import httpx
import pytest

from cal_attributes_mock import SeedError, create_mock, parse_seed
from cal_attributes_mock.testkit import InProcessTransport, SeedBuilder, option_id
from cal_attributes_mock.testkit.layer import TestkitApp


def small_org() -> SeedBuilder:
    return (
        SeedBuilder()
        .organization(7, "Initech")
        .member(1, "boss@initech.test", role="OWNER", api_key="cal_boss")
        .member(2, "peter@initech.test", api_key="cal_peter")
        .attribute("Floor", options=["First", "Second"])
        .assign(2, "floor", "Second", weight=10)
    )


def test_builds_a_seed_the_mock_serves() -> None:
    seed = small_org().build()
    assert [o.id for o in seed.organizations] == [7]
    assert [(m.user_id, m.role) for m in seed.memberships] == [(1, "OWNER"), (2, "MEMBER")]
    (attribute,) = seed.attributes
    assert (attribute.slug, [o.value for o in attribute.options]) == ("floor", ["First", "Second"])
    (assignment,) = seed.assignments
    assert assignment.option_id == option_id(7, "floor", "second")
    assert create_mock(seed).store is not None


def test_to_dict_is_the_seed_file_format() -> None:
    data = small_org().to_dict()
    assert data["users"][0] == {"id": 1, "email": "boss@initech.test", "name": None, "apiKey": "cal_boss"}
    assert data["memberships"][1] == {"userId": 2, "teamId": 7, "role": "MEMBER"}


def test_mistakes_are_seed_errors_naming_the_place() -> None:
    with pytest.raises(SeedError, match=r"users\[0\].apiKey: an API key starts with 'cal_'"):
        SeedBuilder().organization(1, "A").member(1, "a@a.test", api_key="secret").build()
    with pytest.raises(SeedError, match="organization 1 has no attribute 'floor'"):
        SeedBuilder().organization(1, "A").member(1, "a@a.test").assign(1, "floor", "First").build()
    with pytest.raises(ValueError, match="add an organization first"):
        SeedBuilder().member(1, "a@a.test")


def test_flags_the_public_api_cannot_set_come_from_the_seed() -> None:
    seed = (
        SeedBuilder()
        .organization(7, "Initech")
        .member(1, "boss@initech.test", role="OWNER", api_key="cal_boss")
        .attribute("Badge", type="TEXT", locked=True, weights_enabled=True)
        .attribute("Floor", options=["First"])
    )
    with httpx.Client(
        base_url="http://mock.test",
        headers={"Authorization": "Bearer cal_boss"},
        transport=InProcessTransport(TestkitApp(create_mock(seed.build()))),
    ) as http:
        rows = http.get("/v2/organizations/7/attributes").json()["data"]
    flags = {r["slug"]: (r["isLocked"], r["isWeightsEnabled"], r["usersCanEditRelation"]) for r in rows}
    assert flags == {"badge": (True, True, False), "floor": (False, False, False)}
    with pytest.raises(SeedError, match=r"attributes\[0\].isLocked"):
        parse_seed({**seed.to_dict(), "attributes": [{**seed.to_dict()["attributes"][0], "isLocked": "yes"}]})


def test_assigning_what_was_not_declared_names_the_attribute_and_the_value() -> None:
    builder = small_org()
    with pytest.raises(SeedError, match=r"assign\(2, 'floor', 'Third'\): attribute 'floor' has no option 'Third' "):
        builder.assign(2, "floor", "Third")
    with pytest.raises(SeedError, match=r"organization 7 has no attribute 'room' \(add it with attribute\(\) first\)"):
        builder.assign(2, "room", "A")
