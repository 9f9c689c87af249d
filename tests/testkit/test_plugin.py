"""The pytest plugin as users meet it: fixtures, the cal_seed marker, isolation between tests."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

FRESH = """
import httpx
from cal_attributes_mock.testkit import CalMock

ATTRIBUTES = "/v2/organizations/1/attributes"

def count(cal_mock: CalMock) -> int:
    headers = {"Authorization": "Bearer " + cal_mock.keys["admin"]}
    with httpx.Client(base_url=cal_mock.url, headers=headers) as http:
        return len(http.get(ATTRIBUTES).json()["data"])

def test_writes(cal_mock):
    headers = {"Authorization": "Bearer " + cal_mock.keys["admin"]}
    with httpx.Client(base_url=cal_mock.url, headers=headers) as http:
        created = http.post(ATTRIBUTES, json={"name": "T", "slug": "t", "type": "TEXT", "options": []})
    assert created.status_code == 201
    assert count(cal_mock) == 5
    cal_mock.fail(None, times=None)

def test_sees_the_seed_again(cal_mock):
    assert cal_mock.faults() == []
    assert cal_mock.requests() == []
    assert count(cal_mock) == 4
"""


def test_each_test_gets_a_fresh_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FRESH)
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_cal_seed_marker_takes_a_dict_a_file_a_builder_and_a_seed(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".json",
        org="""{"organizations": [{"id": 5, "name": "Five"}],
                "users": [{"id": 1, "email": "a@five.test", "apiKey": "cal_five"}],
                "memberships": [{"userId": 1, "teamId": 5, "role": "ADMIN"}]}""",
    )
    pytester.makepyfile(
        """
        import pytest
        from cal_attributes_mock.testkit import SeedBuilder

        BUILDER = SeedBuilder().organization(3, "Three").member(1, "o@three.test", role="OWNER", api_key="cal_three")
        SEED = BUILDER.build()
        DICT = BUILDER.to_dict()

        @pytest.mark.cal_seed("org.json")
        def test_file(cal_mock):
            assert (cal_mock.org_id, cal_mock.keys) == (5, {"admin": "cal_five"})

        @pytest.mark.cal_seed(DICT)
        def test_dict(cal_mock):
            assert (cal_mock.org_id, cal_mock.keys) == (3, {"owner": "cal_three"})

        @pytest.mark.cal_seed(BUILDER)
        def test_builder(cal_mock):
            assert cal_mock.keys == {"owner": "cal_three"}

        @pytest.mark.cal_seed(SEED)
        def test_seed(cal_mock):
            assert cal_mock.seed is SEED

        def test_demo_by_default(cal_mock):
            assert cal_mock.org_id == 1
            assert sorted(cal_mock.keys) == ["admin", "member", "owner"]
            assert "cal_demo" not in repr(cal_mock)
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=5)


def test_a_bad_seed_fails_the_test_with_the_seed_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.cal_seed({"organizations": []})
        def test_bad(cal_mock):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cal_seed: seed: missing required key 'memberships'"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_cal_and_async_cal_are_bound_to_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        from cal_attributes import AsyncCalAttributes, CalAttributes

        def test_sync(cal, cal_mock):
            assert isinstance(cal, CalAttributes)
            assert [a.slug for a in cal.attributes.list()] == ["department", "skills", "office", "seniority"]
            assert [e.operation_id for e in cal_mock.requests()] == ["listAttributes"]

        def test_async(async_cal, cal_mock):
            assert isinstance(async_cal, AsyncCalAttributes)
            async def slugs():
                return [a.slug async for a in async_cal.attributes.list()]
            assert len(asyncio.run(slugs())) == 4
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_cal_falls_back_to_the_owner_key_and_names_a_missing_one(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from cal_attributes_mock.testkit import SeedBuilder

        OWNER_ONLY = SeedBuilder().organization(3, "Three").member(1, "o@three.test", role="OWNER", api_key="cal_three")
        MEMBER_ONLY = SeedBuilder().organization(3, "Three").member(1, "m@three.test", role="MEMBER", api_key="cal_m")
        KEYLESS = SeedBuilder().organization(3, "Three").member(1, "o@three.test", role="OWNER")

        @pytest.mark.cal_seed(OWNER_ONLY)
        def test_owner(cal, cal_mock):
            assert list(cal.attributes.list()) == []
            assert cal_mock.requests()[0].headers["authorization"] == "Bearer [redacted]"
            assert cal_mock.default_key() == "cal_three"

        @pytest.mark.cal_seed(MEMBER_ONLY)
        def test_member(async_cal, cal_mock):
            assert cal_mock.default_key() == "cal_m"

        @pytest.mark.cal_seed(KEYLESS)
        def test_keyless(cal):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*cal/async_cal: the seed gives organization 3 no member with a live API key*"])
    result.stdout.no_fnmatch_line("*KeyError*")
    result.stdout.no_fnmatch_line("*Traceback*")
