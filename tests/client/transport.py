"""An in-process httpx transport that records requests and answers with a canned response."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cal_attributes_client import AuthenticatedClient

API_KEY = "cal_test_0123456789abcdef"


class Recorder:
    """Answers every request with one status and JSON body, and keeps the requests."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status = status
        self.body = {"status": "success", "data": None} if body is None else body
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(
            self.status, content=json.dumps(self.body).encode(), headers={"content-type": "application/json"}
        )

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.handle(request)

    def client(
        self, token: str = API_KEY, httpx_args: dict[str, Any] | None = None, **kwargs: Any
    ) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url="https://api.cal.test",
            token=token,
            httpx_args={"transport": httpx.MockTransport(self.handle), **(httpx_args or {})},
            **kwargs,
        )

    def async_client(self, token: str = API_KEY) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url="https://api.cal.test",
            token=token,
            httpx_args={"transport": httpx.MockTransport(self.handle_async)},
        )

    @property
    def only(self) -> httpx.Request:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]
