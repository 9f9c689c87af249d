"""The demo mock in-process (httpx.ASGITransport), with a transport wrapper that counts requests and injects faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from cal_attributes import AsyncCalAttributes
from cal_attributes.state import OrgOperations, RunSettings, State, StateManager, parse_state
from cal_attributes.state.sdk import AsyncSdkOperations
from cal_attributes_mock import MockServer, create_mock

OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"
FAST = RunSettings(max_per_minute=1_000_000, backoff_seconds=0.001)

Fault = Callable[[httpx.Request, int], httpx.Response | None]  # (request, write number) -> a response instead, or None


@dataclass
class Wire(httpx.AsyncBaseTransport):
    """Passes requests to the mock; counts them; lets a test answer some itself or rewrite answers."""

    inner: httpx.AsyncBaseTransport
    reads: int = 0
    writes: int = 0
    statuses: list[int] = field(default_factory=list)
    fault: Fault | None = None
    rewrite: Callable[[httpx.Request, httpx.Response], httpx.Response] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.reads += 1
        else:
            self.writes += 1
        injected = self.fault(request, self.writes) if self.fault and request.method != "GET" else None
        if injected is not None:
            self.statuses.append(injected.status_code)
            return injected
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        if self.rewrite is not None:
            await response.aread()
            return self.rewrite(request, response)
        return response

    def reset_counts(self) -> None:
        self.reads = self.writes = 0
        self.statuses.clear()


@dataclass
class Org:
    server: MockServer
    wire: Wire

    def client(self) -> AsyncCalAttributes:
        return AsyncCalAttributes(
            api_key=OWNER_KEY, org_id=1, base_url="http://mock.test", httpx_args={"transport": self.wire}
        )

    def manager(self, settings: RunSettings = FAST) -> StateManager:
        """Blocking, over AsyncCalAttributes: a client per call, as each call runs its own event loop."""

        @asynccontextmanager
        async def operations() -> AsyncIterator[OrgOperations]:
            async with self.client() as cal:
                yield AsyncSdkOperations(cal)

        return StateManager(operations, settings, org_id=1)

    def export(self) -> State:
        return self.manager().export()

    def converge(self, desired: State, settings: RunSettings = FAST, flags: Mapping[str, bool] | None = None) -> None:
        """Apply, then check that the organization matches: an empty plan."""
        manager = self.manager(settings)
        report = manager.apply(manager.plan(desired, **(flags or {})))
        assert report.ok, report
        assert not manager.plan(desired, **(flags or {})).has_changes


@pytest.fixture(scope="session")
def demo_server() -> MockServer:
    return create_mock()


@pytest.fixture
def org(demo_server: MockServer) -> Iterator[Org]:
    demo_server.reset()
    yield Org(demo_server, Wire(httpx.ASGITransport(app=demo_server)))


def history_queries(server: MockServer) -> list[str]:
    """The queries of the assignment-history reads (by path: the mock logs a refused read without its operation)."""
    return [r.query for r in server.requests if r.path.endswith("/history")]


def state(text: str) -> State:
    return parse_state(text, "test.yaml")
