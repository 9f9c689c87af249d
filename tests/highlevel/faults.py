"""Scripted answers for the high-level client's transport: one entry per attempt."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from cal_attributes_client.models import Attribute

from cal_attributes import AsyncCalAttributes, CalAttributes

KEY = "cal_secret_key_do_not_print_0123456789"
Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": [] if data is None else data})


def envelope(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {
        "status": "error",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "path": "/v2/organizations/1/attributes",
        "error": {
            "code": code,
            "message": message,
            "details": {"message": message, "error": "x", "statusCode": status},
        },
    }
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"x-request-id": "req-7", **(headers or {})}
    )


class Script:
    """Answers attempt N with step N (the last step repeats) and counts the attempts."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return httpx.Response(step.status_code, headers=step.headers, content=step.content)
        return step(request)

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._answer(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._answer(request)

    @property
    def attempts(self) -> int:
        return len(self.requests)

    def client(self, **kwargs: Any) -> CalAttributes:
        kwargs.setdefault("backoff", 0.01)
        return CalAttributes(
            KEY, base_url="https://api.cal.test", httpx_args={"transport": httpx.MockTransport(self.handle)}, **kwargs
        )

    def async_client(self, **kwargs: Any) -> AsyncCalAttributes:
        kwargs.setdefault("backoff", 0.01)
        return AsyncCalAttributes(
            KEY,
            base_url="https://api.cal.test",
            httpx_args={"transport": httpx.MockTransport(self.handle_async)},
            **kwargs,
        )


def create_team(cal: CalAttributes) -> Attribute:
    """A write (POST) through the resources."""
    return cal.attributes.create(org_id=1, name="Team", slug="team", type_="TEXT", options=[])
