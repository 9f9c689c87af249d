"""httpx transports that hand requests to an ASGI app in the calling thread: no socket, no
server thread, so a test's call costs what the mock's own work costs."""

from __future__ import annotations

import asyncio
import weakref
from urllib.parse import unquote

import httpx
from starlette.types import ASGIApp, Message


async def exchange(app: ASGIApp, request: httpx.Request) -> httpx.Response:
    """One request through ``app``; an answer the app does not complete is a dropped connection,
    and the request's read timeout applies as it would on a socket."""
    raw_path, _, query = request.url.raw_path.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.url.scheme,
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in request.headers.raw],
        "server": (request.url.host, request.url.port or 80),
        "client": ("127.0.0.1", 0),
    }
    body, sent = request.content, False
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    complete = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers, complete
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            complete = not message.get("more_body", False)

    timeout = request.extensions.get("timeout", {}).get("read")
    try:
        await asyncio.wait_for(app(scope, receive, send), timeout)
    except TimeoutError:
        raise httpx.ReadTimeout("the mock did not answer within the read timeout", request=request) from None
    if status is None or not complete:
        raise httpx.RemoteProtocolError("the mock closed the connection without a complete answer", request=request)
    return httpx.Response(status, headers=headers, content=b"".join(chunks), request=request)


class InProcessTransport(httpx.BaseTransport):
    """For ``httpx.Client``: runs the app on an event loop of its own (do not use it from inside a
    running event loop; use ``AsyncInProcessTransport`` there)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._loop: asyncio.AbstractEventLoop | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            weakref.finalize(self, self._loop.close)  # a client never closed leaves no open loop behind
        return self._loop.run_until_complete(exchange(self.app, request))

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """For ``httpx.AsyncClient``: runs the app on the caller's event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await exchange(self.app, request)
