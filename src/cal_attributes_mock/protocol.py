"""The HTTP/1.1 connections the mock serves: uvicorn's httptools protocol, plus the limits a
public server has and uvicorn lacks.

uvicorn closes a keep-alive connection that stays idle after a response, but never one that
opens and sends nothing, nor one that stops half-way through a request: each would hold a
socket (and, for a growing header block, memory) forever. Here every request, and a fresh
connection's first one, must arrive whole within ``request_timeout`` seconds (checked by a
periodic sweep, so closed by 1.25 times that at the latest), and its header
block must fit in ``MAX_HEADER_BYTES`` (Node's default, which Cal.com runs on). Requests the
parser rejects are answered in the Cal.com error envelope instead of uvicorn's plain text.

``Config(http=...)`` takes a protocol class: that public hook is how this plugs in; only
methods uvicorn documents as callbacks or overridable (``send_400_response``) are extended.
"""

from __future__ import annotations

import asyncio
import math
import uuid
import weakref

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cal_attributes_mock.envelopes import ApiError, encode, http_error

DEFAULT_REQUEST_TIMEOUT = 10.0  # seconds for a whole request to arrive (nginx allows 60 for headers)
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle keep-alive connection stays open (uvicorn's default)
MAX_HEADER_BYTES = 16 * 1024
SWEEP_SLACK = 1.25  # an overdue request's connection is closed within this many times its timeout


class _Sweeper:
    """The request deadlines of one event loop's connections, checked by one periodic sweep
    instead of a timer per request (a timer costs a request ~2.5 µs to arm and cancel): an overdue
    connection is closed between ``request_timeout`` and ``SWEEP_SLACK`` times it. It holds no
    reference to its loop while no connection is open, so a finished loop can be freed."""

    def __init__(self) -> None:
        self.connections: set[GuardedHttpProtocol] = set()
        self.interval = math.inf
        self._next: asyncio.TimerHandle | None = None

    def watch(self, connection: GuardedHttpProtocol) -> None:
        self.connections.add(connection)
        loop = asyncio.get_running_loop()
        interval = connection.request_timeout * (SWEEP_SLACK - 1)
        if interval < self.interval:  # a server with a shorter timeout joined this loop: sweep sooner
            self.interval = interval
            if self._next is not None and self._next.when() > loop.time() + interval:
                self._next.cancel()
                self._next = None
        if self._next is None:
            self._next = loop.call_later(self.interval, self._sweep)

    def forget(self, connection: GuardedHttpProtocol) -> None:
        self.connections.discard(connection)
        if not self.connections and self._next is not None:
            self._next.cancel()
            self._next = None

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for connection in list(self.connections):
            try:
                connection.expire_if_late(now)
            except Exception as error:  # one connection's trouble: reported, and every other one still checked
                loop.call_exception_handler(
                    {"message": "request deadline check failed", "exception": error, "protocol": connection}
                )
        self._next = loop.call_later(self.interval, self._sweep) if self.connections else None


_sweepers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sweeper] = weakref.WeakKeyDictionary()


class GuardedHttpProtocol(HttpToolsProtocol):
    """One connection; ``request_timeout`` is set per server by ``guarded_protocol``."""

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_bytes: int | None = 0  # None once the current request's headers are complete
        super().connection_made(transport)
        # A fresh connection must send its first request in time too.
        self._started: float | None = self.loop.time()
        sweeper = _sweepers.get(self.loop)
        if sweeper is None:
            sweeper = _sweepers[self.loop] = _Sweeper()
        self._sweeper = sweeper
        sweeper.watch(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._sweeper.forget(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._header_bytes is not None:  # the current request's headers are still arriving
            room = MAX_HEADER_BYTES - self._header_bytes
            if len(data) > room and b"\r\n\r\n" not in data[: room + 4]:  # no end of headers in the limit
                self._reply_and_close(http_error(431, "Request header fields too large", ""))
                return
            self._header_bytes += len(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._started = self.loop.time()

    def on_headers_complete(self) -> None:
        self._header_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._started = None  # arrived whole: the response may take as long as it takes
        super().on_message_complete()

    def expire_if_late(self, now: float) -> None:
        """Close the connection if its current request has been arriving for too long."""
        if self._started is not None and now - self._started >= self.request_timeout:
            self._started = None
            if not self.transport.is_closing():
                self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """A request the HTTP parser rejects: the Cal.com envelope, then close (the stream is lost)."""
        self._reply_and_close(http_error(400, msg, ""))

    def _reply_and_close(self, error: ApiError) -> None:
        self._started = None
        if self.transport.is_closing():
            return
        body = encode(error.body)
        head = [b"HTTP/1.1 %d %s\r\n" % (error.status, error.body["error"]["details"]["error"].encode())]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body))
        head.append(b"x-request-id: " + str(uuid.uuid4()).encode() + b"\r\nconnection: close\r\n\r\n")
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def guarded_protocol(request_timeout: float = DEFAULT_REQUEST_TIMEOUT) -> type[asyncio.Protocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with this server's request timeout."""
    return type("GuardedHttpProtocol", (GuardedHttpProtocol,), {"request_timeout": request_timeout})
