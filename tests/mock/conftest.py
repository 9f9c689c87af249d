"""A demo-seeded mock on 127.0.0.1 for the whole session, reset before every test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cal_attributes_client import AuthenticatedClient

from cal_attributes_mock import MockServer, create_mock
from cal_attributes_mock.serve import serve_in_thread

OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"
ADMIN_KEY = "cal_demo_admin_1a2b3c4d5e6f"
MEMBER_KEY = "cal_demo_member_9f8e7d6c5b4a"
EXPIRED_KEY = "cal_demo_expired_5e4d3c2b1a09"
GLOBEX_KEY = "cal_demo_globex_7a6b5c4d3e2f"

DEPARTMENT = "0b8f5e2a-6c1d-4f3e-9a7b-2d4c6e8f0a1b"
SKILLS = "5d7f9b1c-3e5a-4c7e-9b1d-3f5a7c9e1b2d"
OFFICE = "3e5a7c9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"
SENIORITY = "1c3e5a7b-9d1f-4c3e-a5b7-d9f1b3d5f7a9"
GLOBEX_DEPARTMENT = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
ENGINEERING = "7c1d9e4b-2a3f-4b5c-8d6e-9f0a1b2c3d4e"
SALES = "2f4e6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"
SUPPORT = "4a6c8e0b-2d4f-4a6c-8e0b-2d4f6a8c0e1f"
PYTHON = "6e8a0c2d-4f6b-4d8f-a0c2-4e6b8d0f2a3c"
BERLIN = "9b1d3f5a-7c9e-4b1d-8f3a-5c7e9b1d3f4a"
RESEARCH = "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9"
ORG = 1


@dataclass
class Mock:
    server: MockServer
    url: str

    def client(self, key: str = OWNER_KEY, headers: dict[str, str] | None = None) -> AuthenticatedClient:
        return AuthenticatedClient(base_url=self.url, token=key, headers=headers or {}, raise_on_unexpected_status=True)

    def http(self, key: str | None = OWNER_KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


@pytest.fixture(scope="session")
def running_mock() -> Iterator[Mock]:
    server = create_mock()
    with serve_in_thread(server) as url:
        yield Mock(server, url)


@pytest.fixture
def mock(running_mock: Mock) -> Mock:
    running_mock.server.reset()
    return running_mock


@pytest.fixture
def owner(mock: Mock) -> Iterator[AuthenticatedClient]:
    with mock.client(OWNER_KEY) as client:
        yield client


@pytest.fixture
def member(mock: Mock) -> Iterator[AuthenticatedClient]:
    with mock.client(MEMBER_KEY) as client:
        yield client


def call(server: MockServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``server`` in-process (no socket), as the owner unless headers say otherwise."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=server)
        headers = {"Authorization": f"Bearer {OWNER_KEY}", **kwargs.pop("headers", {})}
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.request(method, path, headers=headers, **kwargs)

    return asyncio.run(send())
