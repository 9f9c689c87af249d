"""Servers with exactly one defect each: the mock behind an ASGI wrapper that bends requests or answers.

Only tests use these; the shipped mock has no fault switches.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cal_attributes_mock import MockServer

OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"
MEMBER_KEY = "cal_demo_member_9f8e7d6c5b4a"
GLOBEX_KEY = "cal_demo_globex_7a6b5c4d3e2f"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None


RequestRewrite = Callable[[Request], Request]
ResponseRewrite = Callable[[Request, Any], Any]  # the request as sent on, the answer's JSON -> new JSON


class Faulty:
    """``app`` with ``request`` applied to what it receives and ``response`` to the JSON it answers."""

    def __init__(self, app: ASGIApp, request: RequestRewrite | None = None, response: ResponseRewrite | None = None):
        self.app, self.request, self.response = app, request, response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = b""
        more = True
        while more:
            message = await receive()
            raw += message.get("body", b"")
            more = message.get("more_body", False)
        incoming = Request(
            scope["method"],
            scope["path"],
            dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)),
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            json.loads(raw) if raw.strip() else None,
        )
        sent = self.request(incoming) if self.request else incoming
        body = raw if sent.body == incoming.body else json.dumps(sent.body).encode()
        headers = [(k.encode(), v.encode()) for k, v in sent.headers.items() if k != "content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        scope = {**scope, "query_string": urlencode(sent.query).encode(), "headers": headers}

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        if self.response is None:
            await self.app(scope, replay, send)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, replay, keep)
        start, answer = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
        rewritten = json.dumps(self.response(sent, json.loads(answer))).encode()
        response_headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        response_headers.append((b"content-length", str(len(rewritten)).encode()))
        await send({**start, "headers": response_headers})
        await send({"type": "http.response.body", "body": rewritten})


ATTRIBUTES = re.compile(r"^/v2/organizations/\d+/attributes$")
ATTRIBUTE = re.compile(r"^/v2/organizations/\d+/attributes/(?!options|slugs|assignments|sync-history)[^/]+$")
USER_OPTIONS = re.compile(r"^/v2/organizations/\d+/attributes/options/\d+$")
HISTORY = re.compile(r"^/v2/organizations/\d+/attributes/assignments/\d+/history$")


def is_(request: Request, method: str, pattern: re.Pattern[str]) -> bool:
    return request.method == method and pattern.match(request.path) is not None


def everyone_is_the_owner(mock: MockServer) -> Faulty:
    """Roles not enforced: any valid key acts with the owner's rights."""

    def rewrite(request: Request) -> Request:
        if request.headers.get("authorization") in (f"Bearer {MEMBER_KEY}", f"Bearer {GLOBEX_KEY}"):
            return replace(request, headers={**request.headers, "authorization": f"Bearer {OWNER_KEY}"})
        return request

    return Faulty(mock, request=rewrite)


def other_orgs_attributes_listed(mock: MockServer) -> Faulty:
    """GET /attributes leaks organization 2's attributes."""

    def rewrite(request: Request, answer: Any) -> Any:
        if is_(request, "GET", ATTRIBUTES) and isinstance(answer.get("data"), list):
            answer["data"] += mock.store.list_attributes(2, 0, 250)
        return answer

    return Faulty(mock, response=rewrite)


def other_orgs_options_listed(mock: MockServer) -> Faulty:
    """A user's options include an option of another organization's attribute."""

    def rewrite(request: Request, answer: Any) -> Any:
        if is_(request, "GET", USER_OPTIONS) and isinstance(answer.get("data"), list):
            answer["data"] += mock.store.user_options(2, 201)
        return answer

    return Faulty(mock, response=rewrite)


def take_ignored(mock: MockServer) -> Faulty:
    def rewrite(request: Request) -> Request:
        return replace(request, query={k: v for k, v in request.query.items() if k != "take"})

    return Faulty(mock, request=rewrite)


def more_after_a_short_page(mock: MockServer) -> Faulty:
    """History says more follows (with a cursor) after a page shorter than the limit."""

    def rewrite(request: Request, answer: Any) -> Any:
        if is_(request, "GET", HISTORY) and isinstance(answer.get("data"), dict):
            answer["data"].update(auditLogs=[], hasMore=True, nextCursor=str(uuid.uuid4()))
        return answer

    return Faulty(mock, response=rewrite)


def cursor_without_more(mock: MockServer) -> Faulty:
    """History gives a next cursor while saying nothing more follows."""

    def rewrite(request: Request, answer: Any) -> Any:
        if is_(request, "GET", HISTORY) and isinstance(answer.get("data"), dict):
            answer["data"].update(hasMore=False, nextCursor=str(uuid.uuid4()))
        return answer

    return Faulty(mock, response=rewrite)


def duplicate_slugs_accepted(mock: MockServer) -> Faulty:
    """Each create gets a fresh slug, so the same slug twice is never refused."""

    def rewrite(request: Request) -> Request:
        if is_(request, "POST", ATTRIBUTES) and isinstance(request.body, dict) and "slug" in request.body:
            return replace(request, body={**request.body, "slug": f"{request.body['slug']}-{uuid.uuid4().hex}"})
        return request

    return Faulty(mock, request=rewrite)


def drop_name(request: Request) -> Request:
    if is_(request, "PATCH", ATTRIBUTE) and isinstance(request.body, dict):
        return replace(request, body={k: v for k, v in request.body.items() if k != "name"})
    return request


def patch_ignores_name(mock: MockServer) -> Faulty:
    """A PATCH that ignores `name` and echoes the old value."""
    return Faulty(mock, request=drop_name)


def patch_echoes_but_does_not_store_name(mock: MockServer) -> Faulty:
    """A PATCH that answers with the `name` sent but never stores it."""
    sent_names: dict[str, Any] = {}

    def remember(request: Request) -> Request:
        if is_(request, "PATCH", ATTRIBUTE) and isinstance(request.body, dict) and "name" in request.body:
            sent_names[request.path] = request.body["name"]
        return drop_name(request)

    def echo(request: Request, answer: Any) -> Any:
        if request.path in sent_names and request.method == "PATCH" and isinstance(answer.get("data"), dict):
            answer["data"]["name"] = sent_names.pop(request.path)
        return answer

    return Faulty(mock, request=remember, response=echo)


def assignments_not_listed(mock: MockServer) -> Faulty:
    def rewrite(request: Request, answer: Any) -> Any:
        if is_(request, "GET", USER_OPTIONS) and isinstance(answer.get("data"), list):
            answer["data"] = []
        return answer

    return Faulty(mock, response=rewrite)
