"""``cal.state`` on both clients: the same plan and apply from Python."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import assert_type

import httpx
import pytest

from cal_attributes import AsyncCalAttributes, CalAttributes
from cal_attributes.state import ApplyReport, AsyncStateManager, Held, Plan, RunSettings, State, StateManager
from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread
from tests.state.conftest import FAST, OWNER_KEY


@pytest.fixture
def url() -> Iterator[str]:
    with serve_in_thread(create_mock()) as served:
        yield served


def office_moves_to(state: State, city: str) -> State:
    members = {user: dict(values) for user, values in state.members.items()}
    members[103]["office"] = (Held(city),)
    return State(state.attributes, members, state.organization)


def test_sync_client_state_namespace(url: str) -> None:
    with CalAttributes(api_key=OWNER_KEY, org_id=1, base_url=url) as cal:
        assert_type(cal.state, StateManager)
        assert cal.state.settings == RunSettings()  # 100 requests a minute, as the CLI
        state = cal.state.with_settings(FAST)
        desired = office_moves_to(state.export(), "Lisbon")
        plan = state.plan(desired)
        assert_type(plan, Plan)
        assert [c.kind for c in plan.changes] == ["create option", "assign", "unassign"]
        report = state.apply(plan)
        assert_type(report, ApplyReport)
        assert report.ok and report.requests == 3
        assert not state.plan(desired).has_changes


def test_async_client_state_namespace() -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=create_mock())
        async with AsyncCalAttributes(
            api_key=OWNER_KEY, org_id=1, base_url="http://mock.test", httpx_args={"transport": transport}
        ) as cal:
            assert_type(cal.state, AsyncStateManager)
            state = cal.state.with_settings(FAST)
            desired = office_moves_to(await state.export(), "Porto")
            report = await state.apply(await state.plan(desired))
            assert report.ok
            assert not (await state.plan(desired)).has_changes

    asyncio.run(scenario())


def test_settings_for_a_client() -> None:
    cal = AsyncCalAttributes(api_key=OWNER_KEY, org_id=1, base_url="http://mock.test")
    manager = AsyncStateManager.for_client(cal, RunSettings(max_per_minute=30))
    assert manager.settings.max_per_minute == 30 and manager.org_id == 1
    asyncio.run(cal.aclose())
