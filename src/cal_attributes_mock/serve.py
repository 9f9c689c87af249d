"""Run a mock on a real socket in a background thread, for tests that need a URL."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from cal_attributes_mock.app import MockServer
from cal_attributes_mock.protocol import KEEP_ALIVE_TIMEOUT, guarded_protocol


def uvicorn_config(server: MockServer, lifespan: str = "off", *, app: ASGIApp | None = None) -> uvicorn.Config:
    """The server stack: uvloop where it installs (not on Windows), the httptools parser with the
    mock's connection limits, keep-alive connections closed after ``KEEP_ALIVE_TIMEOUT`` idle seconds.
    ``app`` (the test kit's layer around ``server``, say) is served instead of ``server`` itself."""
    return uvicorn.Config(
        app or server,
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http=guarded_protocol(server.config.request_timeout),
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,  # type: ignore[arg-type]
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 picks a free port).

    The socket is created with ``IPPROTO_TCP`` explicitly: asyncio sets TCP_NODELAY only on
    sockets whose protocol says TCP, and without it every response waits ~40 ms for Nagle's
    algorithm and delayed ACKs.
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


@contextmanager
def serve_in_thread(
    server: MockServer,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    app: ASGIApp | None = None,
    lifespan: bool = False,
) -> Iterator[str]:
    """Serve ``server`` (or ``app`` on its settings) on ``host`` (a free port by default) and yield
    its base URL; stop on exit. ``lifespan`` runs the app's startup and shutdown (the proxy closes
    its upstream connections on shutdown)."""
    # The server before the socket: nothing to leak if its configuration fails.
    runner = uvicorn.Server(uvicorn_config(server, "on" if lifespan else "off", app=app))
    sock = listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, name="cal-attributes-mock", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the mock server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        sock.close()
