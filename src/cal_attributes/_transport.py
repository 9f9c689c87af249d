"""The client's default transport: every socket read and write kept inside the attempt's deadline.

httpx applies its timeouts to each socket operation: a server that sends its status line and
headers a byte at a time, each within the read timeout, is never stopped (10.8 s against a 1 s
timeout was measured). httpx's own ``HTTPTransport`` takes no network backend (0.28), so these
transports build httpx's connection pool themselves from httpcore's public API on a network
backend whose streams cap each operation's timeout at the time left, and fail once none is. The
deadline reaches the sockets through a context variable set around the attempt, the same way for
sync and async: an HTTP/1.1 connection serves one request at a time, in the task that sent it
(HTTP/2, where one read may serve several calls, keeps httpx's transport: ``client_arguments``).

The glue to httpx is written against public APIs only: ``httpx.BaseTransport``, httpcore's
``Request``/``Response``/pools/backends, and the exception classes both libraries export under
the same names (``httpx_errors``; a test checks every httpcore error is covered).
"""

from __future__ import annotations

import inspect
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.request import getproxies

import httpcore
import httpx

DEADLINE_PASSED = "the attempt's deadline passed before the response was complete"
ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar("cal_attributes_attempt_deadline", default=None)

# httpcore's errors as httpx's: the client turns these into APIConnectionError / APITimeoutError.
# Most specific first: the first class an error is an instance of decides.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        for core, ours in _HTTPX_ERRORS:
            if isinstance(error, core):
                # A timeout the deadline capped says so: "timed out" alone would blame one read.
                message = (
                    DEADLINE_PASSED if isinstance(error, httpcore.TimeoutException) and past_deadline() else str(error)
                )
                raise ours(message) from error
        raise


def past_deadline() -> bool:
    deadline = ATTEMPT_DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


def time_left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """An operation's timeout capped at what is left of the attempt's deadline."""
    deadline = ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired(DEADLINE_PASSED)
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        seconds = time_left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, seconds))

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        seconds = time_left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._backend.connect_tcp(host, port, seconds, local_address, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, time_left(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, time_left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        seconds = time_left(timeout, httpcore.ConnectTimeout)
        return AsyncDeadlineStream(await self._stream.start_tls(ssl_context, server_hostname, seconds))

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        seconds = time_left(timeout, httpcore.ConnectTimeout)
        return AsyncDeadlineStream(await self._backend.connect_tcp(host, port, seconds, local_address, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


# httpx.Client's arguments under which requests may go through transports of httpx's own.
OTHER_TRANSPORTS = frozenset({"transport", "mounts", "proxy"})
# httpx's default pool limits, read from its public signature rather than copied.
DEFAULT_LIMITS: httpx.Limits = inspect.signature(httpx.HTTPTransport).parameters["limits"].default


def client_arguments(
    args: Mapping[str, Any], transport: Callable[[Mapping[str, Any]], object], base_url: str
) -> dict[str, Any]:
    """httpx client arguments with a deadline transport, unless requests to ``base_url`` may go
    another way: then httpx's transports, and the deadline is checked between body chunks only.

    That is a user's ``transport``, ``mounts`` or ``proxy``; a proxy in the environment for the
    base URL (httpx reads the environment only when it makes its own transports); and HTTP/2,
    where one connection carries concurrent requests and a read for one call may serve another's
    stream (one call's deadline must not fail the others).
    """
    if not OTHER_TRANSPORTS.isdisjoint(args) or args.get("http2"):
        return dict(args)
    if args.get("trust_env", True) and environment_proxy_applies(base_url):
        return dict(args)
    return {**args, "transport": transport(args)}


def environment_proxy_applies(base_url: str) -> bool:
    """Whether the environment names a proxy for ``base_url`` that ``NO_PROXY`` does not exempt
    (the variables httpx reads: ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``)."""
    proxies = getproxies()
    url = httpx.URL(base_url)
    if not (proxies.get(url.scheme) or proxies.get("all")):
        return False
    return not exempt(url.host, url.port, proxies.get("no", ""))


def exempt(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` surely exempts ``host`` (``port``: the URL's explicit port, None for
    the scheme's own) under httpx's reading of it: ``*``; a name or address itself (``localhost``
    only itself), or a domain's hosts (``cal.com`` covers ``api.cal.com``; ``.cal.com`` only its
    subdomains); an entry with a port only a URL naming that port. In doubt (an IPv6 entry),
    httpx's own transports decide (the deadline is then checked between body chunks only), so a
    proxy is never bypassed by mistake."""
    host = host.lower()
    for entry in no_proxy.split(","):
        name = entry.strip().lower()
        if name == "*":
            return True
        if not name or "[" in name or name.count(":") > 1:  # an IPv6 address: leave it to httpx
            continue
        name, _, entry_port = name.partition(":")
        if entry_port and (not entry_port.isdigit() or port != int(entry_port)):
            continue  # httpx compares the port with the URL's explicit one
        if name.startswith("."):
            if host.endswith(name):
                return True
        elif host == name or (name != "localhost" and not is_ipv4(name) and host.endswith("." + name)):
            return True
    return False


def is_ipv4(name: str) -> bool:
    """An IPv4 address, which httpx matches only exactly (not as a domain suffix)."""
    parts = name.split(".")
    return len(parts) == 4 and all(part.isdigit() for part in parts)


def pool_arguments(options: Mapping[str, Any]) -> dict[str, Any]:
    """httpcore pool arguments from httpx.Client's (``verify``, ``cert``, ``trust_env``, ``http1``,
    ``limits``), as httpx's own transport takes them."""
    limits: httpx.Limits = options.get("limits", DEFAULT_LIMITS)
    ssl_context = httpx.create_ssl_context(
        verify=options.get("verify", True), cert=options.get("cert"), trust_env=options.get("trust_env", True)
    )
    return {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": bool(options.get("http1", True)),
    }


def core_request(request: httpx.Request) -> httpcore.Request:
    url = request.url
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


class DeadlineTransport(httpx.BaseTransport):
    """httpx's connection pool on deadline-keeping sockets, for ``httpx.Client``."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        backend = DeadlineBackend(httpcore.SyncBackend())
        self._pool = httpcore.ConnectionPool(network_backend=backend, **pool_arguments(options))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with httpx_errors():
            response = self._pool.handle_request(core_request(request))
        return httpx.Response(
            response.status, headers=response.headers, stream=CoreBody(response), extensions=response.extensions
        )

    def close(self) -> None:
        self._pool.close()


class CoreBody(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        with httpx_errors():
            yield from self._response.iter_stream()

    def close(self) -> None:
        with httpx_errors():
            self._response.close()


class AsyncDeadlineTransport(httpx.AsyncBaseTransport):
    """httpx's connection pool on deadline-keeping sockets, for ``httpx.AsyncClient`` (anyio: asyncio or trio)."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        backend = AsyncDeadlineBackend(httpcore.AnyIOBackend())
        self._pool = httpcore.AsyncConnectionPool(network_backend=backend, **pool_arguments(options))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with httpx_errors():
            response = await self._pool.handle_async_request(core_request(request))
        return httpx.Response(
            response.status, headers=response.headers, stream=AsyncCoreBody(response), extensions=response.extensions
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class AsyncCoreBody(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._response.aiter_stream():
                yield chunk

    async def aclose(self) -> None:
        with httpx_errors():
            await self._response.aclose()
