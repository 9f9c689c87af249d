"""The deadline transport's parts on their own: each network operation's timeout is capped at
the time left of the attempt (connect, TLS, read, write; sync and async), an operation after the
deadline fails without touching the network, and every httpcore error becomes httpx's."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx
import pytest

from cal_attributes._transport import (
    ATTEMPT_DEADLINE,
    DEADLINE_PASSED,
    AsyncDeadlineBackend,
    DeadlineBackend,
    DeadlineTransport,
    client_arguments,
    exempt,
    httpx_errors,
)

LEFT = 0.5  # seconds left of the attempt in these tests
GIVEN = 30.0  # the operation's own timeout, longer than what is left


class Recorder:
    """What the inner backend and its streams were asked: (operation, timeout)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float | None]] = []


class RecordingStream(httpcore.NetworkStream):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.recorder.calls.append(("read", timeout))
        return b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.recorder.calls.append(("write", timeout))

    def close(self) -> None:
        self.recorder.calls.append(("close", None))

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.recorder.calls.append(("start_tls", timeout))
        return RecordingStream(self.recorder)

    def get_extra_info(self, info: str) -> object:
        return f"info:{info}"


class RecordingBackend(httpcore.NetworkBackend):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        self.recorder.calls.append(("connect_tcp", timeout))
        return RecordingStream(self.recorder)


class AsyncRecordingStream(httpcore.AsyncNetworkStream):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.recorder.calls.append(("read", timeout))
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.recorder.calls.append(("write", timeout))

    async def aclose(self) -> None:
        self.recorder.calls.append(("close", None))

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self.recorder.calls.append(("start_tls", timeout))
        return AsyncRecordingStream(self.recorder)

    def get_extra_info(self, info: str) -> object:
        return f"info:{info}"


class AsyncRecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.recorder.calls.append(("connect_tcp", timeout))
        return AsyncRecordingStream(self.recorder)


@contextmanager
def deadline_in(seconds: float | None) -> Iterator[None]:
    token = ATTEMPT_DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        ATTEMPT_DEADLINE.reset(token)


def every_operation(backend: httpcore.NetworkBackend) -> None:
    stream = backend.connect_tcp("api.cal.test", 443, timeout=GIVEN)
    secured = stream.start_tls(ssl.create_default_context(), "api.cal.test", timeout=GIVEN)
    secured.write(b"GET / HTTP/1.1\r\n\r\n", timeout=GIVEN)
    secured.read(65536, timeout=GIVEN)
    assert secured.get_extra_info("is_readable") == "info:is_readable"


async def every_async_operation(backend: httpcore.AsyncNetworkBackend) -> None:
    stream = await backend.connect_tcp("api.cal.test", 443, timeout=GIVEN)
    secured = await stream.start_tls(ssl.create_default_context(), "api.cal.test", timeout=GIVEN)
    await secured.write(b"GET / HTTP/1.1\r\n\r\n", timeout=GIVEN)
    await secured.read(65536, timeout=GIVEN)
    assert secured.get_extra_info("is_readable") == "info:is_readable"


OPERATIONS = ["connect_tcp", "start_tls", "write", "read"]


def run_all(kind: str, recorder: Recorder) -> None:
    if kind == "sync":
        every_operation(DeadlineBackend(RecordingBackend(recorder)))
    else:
        asyncio.run(every_async_operation(AsyncDeadlineBackend(AsyncRecordingBackend(recorder))))


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_each_operation_waits_at_most_the_time_left(kind: str) -> None:
    recorder = Recorder()
    with deadline_in(LEFT):
        run_all(kind, recorder)
    assert [name for name, _ in recorder.calls] == OPERATIONS
    assert all(timeout is not None and 0 < timeout <= LEFT for _, timeout in recorder.calls), recorder.calls


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_without_a_deadline_each_operation_keeps_its_own_timeout(kind: str) -> None:
    recorder = Recorder()
    with deadline_in(None):
        run_all(kind, recorder)
    assert recorder.calls == [(name, GIVEN) for name in OPERATIONS]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_unbounded_operation_is_bounded_by_the_deadline(kind: str) -> None:
    recorder = Recorder()
    backend = DeadlineBackend(RecordingBackend(recorder))
    with deadline_in(LEFT):
        if kind == "sync":
            backend.connect_tcp("api.cal.test", 443, timeout=None).read(1, timeout=None)
        else:

            async def unbounded() -> None:
                stream = await AsyncDeadlineBackend(AsyncRecordingBackend(recorder)).connect_tcp("h", 1, timeout=None)
                await stream.read(1, timeout=None)

            asyncio.run(unbounded())
    assert all(timeout is not None and timeout <= LEFT for _, timeout in recorder.calls)


@pytest.mark.parametrize(
    ("operation", "error"),
    [("connect_tcp", httpcore.ConnectTimeout), ("write", httpcore.WriteTimeout), ("read", httpcore.ReadTimeout)],
)
def test_after_the_deadline_an_operation_fails_without_touching_the_network(
    operation: str, error: type[Exception]
) -> None:
    recorder = Recorder()
    backend = DeadlineBackend(RecordingBackend(recorder))
    stream = backend.connect_tcp("api.cal.test", 443, timeout=GIVEN)
    recorder.calls.clear()
    with deadline_in(-1.0), pytest.raises(error, match=DEADLINE_PASSED):
        if operation == "connect_tcp":
            backend.connect_tcp("api.cal.test", 443, timeout=GIVEN)
        elif operation == "write":
            stream.write(b"x", timeout=GIVEN)
        else:
            stream.read(1, timeout=GIVEN)
    assert recorder.calls == []


HTTPCORE_ERRORS = [
    getattr(httpcore, name)
    for name in httpcore.__all__
    if isinstance(getattr(httpcore, name), type)
    and issubclass(getattr(httpcore, name), Exception)
    and name != "ConnectionNotAvailable"  # httpcore's pool retries it itself; it never leaves the pool
]


@pytest.mark.parametrize("core_error", HTTPCORE_ERRORS, ids=lambda error: error.__name__)
def test_every_httpcore_error_becomes_httpx_s_of_the_same_name(core_error: type[Exception]) -> None:
    with pytest.raises(httpx.TransportError) as raised, httpx_errors():
        raise core_error("boom")
    assert type(raised.value).__name__ == core_error.__name__ and str(raised.value) == "boom"
    assert isinstance(raised.value.__cause__, core_error)


def test_a_timeout_after_the_deadline_says_so() -> None:
    """A read cut short because the deadline capped its timeout reports the deadline, not one
    read's "timed out"."""
    with deadline_in(-1.0), pytest.raises(httpx.ReadTimeout, match=DEADLINE_PASSED), httpx_errors():
        raise httpcore.ReadTimeout("timed out")


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "exempted"),
    [
        ("api.cal.com", None, "", False),
        ("api.cal.com", None, "*", True),
        ("api.cal.com", None, "cal.com", True),
        ("cal.com", None, "cal.com", True),
        ("api.cal.com", None, ".cal.com", True),
        ("cal.com", None, ".cal.com", False),  # httpx: a leading dot covers subdomains only
        ("api.cal.com", None, " other.example , cal.com", True),
        ("api.cal.com", None, "cal.com:443", False),  # httpx compares the entry's port with the URL's explicit one
        ("api.cal.com", 8443, "cal.com:8443", True),
        ("127.0.0.1", 18091, "127.0.0.1:18091", True),
        ("127.0.0.1", 18092, "127.0.0.1:18091", False),
        ("notcal.com", None, "cal.com", False),
        ("127.0.0.1", None, "localhost,127.0.0.1", True),
        ("x.127.0.0.1", None, "127.0.0.1", False),  # httpx: an address only itself
        ("foo.localhost", None, "localhost", False),  # httpx: localhost only itself
        ("::1", None, "[::1]", False),  # left to httpx
        ("API.CAL.COM", None, "api.cal.com", True),
    ],
)
def test_no_proxy_entries(host: str, port: int | None, no_proxy: str, exempted: bool) -> None:
    assert exempt(host, port, no_proxy) is exempted


@pytest.mark.parametrize("args", [{"http2": True}, {"proxy": "http://127.0.0.1:9"}, {"mounts": {}}])
def test_http2_or_a_users_routing_keeps_httpxs_transports(args: dict[str, object]) -> None:
    """With HTTP/2 one connection carries concurrent calls, and one call's deadline must not cut
    the others; a proxy or mounts route requests elsewhere: httpx builds its transports then."""
    assert "transport" not in client_arguments(args, DeadlineTransport, "https://api.cal.com")
    assert "transport" in client_arguments({}, DeadlineTransport, "https://api.cal.com")
