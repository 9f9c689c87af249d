"""The attempt's deadline bounds the status line and headers too, not only the body.

httpx times each socket read: a server that sends its status line and headers a byte at a time,
each byte within the read timeout, used to hold a call for as long as it liked (10.8 s against a
1 s timeout). The client's transport caps every read at the time left of the attempt, on a new
connection and on a pooled one alike, sync and async. A user's own transport or proxy keeps
httpx's transports (and then the deadline is checked between body chunks only).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import trustme

from cal_attributes import APIConnectionError, APITimeoutError, AsyncCalAttributes, CalAttributes

BODY = b'{"status": "success", "data": []}'
QUICK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
STEP = 0.05  # seconds between trickled bytes: the whole answer would take len(QUICK) * STEP = 4.5 s


@dataclass
class ScriptedServer:
    """Answers the n-th request with ``answers[n]``: "quick" at once, "trickle" a byte per STEP.

    Keeps connections open (HTTP/1.1), so a second request can reuse the first's connection.
    """

    answers: list[str]
    tls: ssl.SSLContext | None = None  # the server's side of TLS, when it speaks https
    step: float = STEP
    connections: int = 0
    targets: list[str] = field(default_factory=list)
    listener: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))
    stopped: threading.Event = field(default_factory=threading.Event)
    hung_up: threading.Event = field(default_factory=threading.Event)  # after a "quick-close" answer

    @property
    def url(self) -> str:
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.listener.getsockname()[1]}"

    def serve(self) -> None:
        self.listener.settimeout(0.05)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self.answer, args=(connection,), daemon=True).start()

    def answer(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:  # a handshake the client refused, or a client gone
            if self.tls is None:
                self.converse(connection)
                return
            connection.settimeout(5)
            with self.tls.wrap_socket(connection, server_side=True) as secured:
                secured.settimeout(None)
                self.converse(secured)

    def converse(self, connection: socket.socket) -> None:
        received = b""
        while not self.stopped.is_set():
            chunk = connection.recv(65536)
            if not chunk:
                return
            received += chunk
            while b"\r\n\r\n" in received:
                head, received = received.split(b"\r\n\r\n", 1)
                self.targets.append(head.split(b" ")[1].decode())
                self.reply(connection, self.answers[len(self.targets) - 1])

    def reply(self, connection: socket.socket, answer: str) -> None:
        if answer == "quick":
            connection.sendall(QUICK)
            return
        if answer == "quick-close":  # answers, then hangs up without saying so (no Connection: close)
            connection.sendall(QUICK)
            connection.shutdown(socket.SHUT_RDWR)
            self.hung_up.set()
            return
        for byte in QUICK:  # stops when the client gives up: the next send fails
            if self.stopped.is_set():
                return
            connection.sendall(bytes([byte]))
            time.sleep(self.step)


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[tuple[ScriptedServer, threading.Thread]] = []

    def start(answers: list[str], tls: ssl.SSLContext | None = None, step: float = STEP) -> ScriptedServer:
        server = ScriptedServer(answers, tls, step)
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.stopped.set()
        thread.join()
        server.listener.close()


TIMEOUT = 1.0
BOUND = 3.0  # the deadline (1 s) plus slack for a loaded machine; the trickled answer takes 4.5 s


def cut_at_the_deadline(server: ScriptedServer, httpx_args: dict[str, object] | None = None) -> APITimeoutError:
    """Calls the server as scripted: an answer for each "quick" before the last, then the last
    call, trickled, must end in APITimeoutError within BOUND."""
    args = httpx_args or {}
    with CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0, timeout=TIMEOUT, httpx_args=args) as cal:
        for _ in server.answers[:-1]:
            assert cal.attributes.list().items == []
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="deadline") as raised:
            cal.attributes.list()
        elapsed = time.monotonic() - started
    assert elapsed < BOUND
    return raised.value


@pytest.mark.parametrize("answers", [["trickle"], ["quick", "trickle"]], ids=["new-connection", "pooled-connection"])
def test_a_trickled_status_line_and_headers_stop_at_the_deadline(
    scripted: Callable[..., ScriptedServer], answers: list[str]
) -> None:
    server = scripted(answers)
    assert isinstance(cut_at_the_deadline(server).__cause__, httpx.ReadTimeout)
    assert server.connections == 1  # the second call went over the first call's connection


@pytest.mark.parametrize("answers", [["trickle"], ["quick", "trickle"]], ids=["new-connection", "pooled-connection"])
def test_async_a_trickled_status_line_and_headers_stop_at_the_deadline(
    scripted: Callable[..., ScriptedServer], answers: list[str]
) -> None:
    server = scripted(answers)

    async def calls() -> float:
        async with AsyncCalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0, timeout=TIMEOUT) as cal:
            if len(answers) == 2:
                assert (await cal.attributes.list()).items == []
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match="deadline"):
                await cal.attributes.list()
            return time.monotonic() - started

    assert asyncio.run(calls()) < BOUND
    assert server.connections == 1


def test_the_deadline_is_per_attempt_and_a_retry_gets_a_fresh_one(
    scripted: Callable[..., ScriptedServer],
) -> None:
    """A GET that hit the deadline is retried (a timeout is retryable) and the retry, given its own
    deadline, succeeds: the first attempt's deadline does not leak into the next."""
    server = scripted(["trickle", "quick"])
    with CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=1, backoff=0, timeout=TIMEOUT) as cal:
        assert cal.attributes.list().items == []
    assert len(server.targets) == 2


def test_an_unbounded_read_timeout_means_no_deadline(scripted: Callable[..., ScriptedServer]) -> None:
    """read=None asks to wait for a slow answer: no deadline then, though the other phases are
    0.3 s (the deadline used to be the longest bounded phase). The answer takes 0.9 s."""
    server = scripted(["trickle"], step=0.01)
    timeout = httpx.Timeout(0.3, read=None)
    with CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0, timeout=timeout) as cal:
        started = time.monotonic()
        assert cal.attributes.list().items == []
    assert time.monotonic() - started >= 0.3


def test_a_pooled_connection_the_server_closed_is_not_reused(scripted: Callable[..., ScriptedServer]) -> None:
    """httpcore asks an idle connection's stream whether it is readable (the server hung up)
    before reusing it; the deadline stream passes the question through, so the next call opens
    a new connection instead of failing on the dead one (no retries here to hide it)."""
    server = scripted(["quick-close", "quick"])
    with CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0) as cal:
        assert cal.attributes.list().items == []
        assert server.hung_up.wait(5)
        time.sleep(0.05)  # the hang-up reaches the client's socket
        assert cal.attributes.list().items == []
    assert server.connections == 2


@pytest.mark.parametrize("how", ["argument", "environment", "environment-all", "mounts"])
def test_a_proxy_still_carries_the_requests(
    scripted: Callable[..., ScriptedServer], how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline transport would bypass a proxy (httpx honours HTTP_PROXY only with its own
    transports): with a proxy the client keeps httpx's. The scripted server plays the proxy."""
    proxy = scripted(["quick"])
    args: dict[str, object] = {}
    if how == "argument":
        args["proxy"] = proxy.url
    elif how == "mounts":
        args["mounts"] = {"http://": httpx.HTTPTransport(proxy=proxy.url)}
    else:
        monkeypatch.setenv("HTTP_PROXY" if how == "environment" else "ALL_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "localhost,.example.com")
    with CalAttributes("cal_k", base_url="http://cal.invalid", org_id=1, max_retries=0, httpx_args=args) as cal:
        assert cal.attributes.list().items == []
    assert proxy.targets == ["http://cal.invalid/v2/organizations/1/attributes?skip=0&take=100"]


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_contexts(authority: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """The server's context (a certificate for 127.0.0.1) and a client context trusting its CA."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return server, client


def test_over_tls_verify_is_honoured_and_a_trickle_stops_at_the_deadline(
    scripted: Callable[..., ScriptedServer], authority: trustme.CA
) -> None:
    """https through the deadline transport: the user's ``verify`` decides whom to trust, and a
    trickle after the handshake (the stream start_tls returns) is bounded too."""
    server_side, client_side = tls_contexts(authority)
    server = scripted(["quick", "trickle"], server_side)
    cut_at_the_deadline(server, {"verify": client_side})
    assert server.connections == 1


def test_over_tls_an_untrusted_certificate_is_refused(
    scripted: Callable[..., ScriptedServer], authority: trustme.CA
) -> None:
    server_side, _ = tls_contexts(authority)
    server = scripted(["quick"], server_side)
    cal = CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0)
    with cal, pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        cal.attributes.list()
    assert server.targets == []


@pytest.mark.parametrize(("keepalive", "connections"), [(None, 1), (0, 2)], ids=["default", "no-keepalive"])
def test_the_users_limits_reach_the_connection_pool(
    scripted: Callable[..., ScriptedServer], keepalive: int | None, connections: int
) -> None:
    """``httpx_args={"limits": ...}`` configures the deadline transport's pool as it would httpx's."""
    server = scripted(["quick", "quick"])
    args = {} if keepalive is None else {"limits": httpx.Limits(max_keepalive_connections=keepalive)}
    with CalAttributes("cal_k", base_url=server.url, org_id=1, httpx_args=args) as cal:
        cal.attributes.list()
        cal.attributes.list()
    assert server.connections == connections


@pytest.mark.parametrize(
    ("environment", "trust_env"),
    [
        ({"HTTP_PROXY": "{proxy}", "NO_PROXY": "127.0.0.1"}, True),
        ({"HTTP_PROXY": "{proxy}", "NO_PROXY": "*"}, True),
        ({"HTTP_PROXY": "{proxy}", "NO_PROXY": "localhost, .cal.com,127.0.0.1"}, True),
        ({"HTTP_PROXY": "{proxy}", "NO_PROXY": "127.0.0.1:{port}"}, True),
        ({"HTTPS_PROXY": "{proxy}"}, True),  # for https only: the base URL is http
        ({"HTTP_PROXY": "{proxy}"}, False),  # the user told httpx not to read the environment
    ],
    ids=["no-proxy-host", "no-proxy-star", "no-proxy-list", "no-proxy-host-and-port", "other-scheme", "trust-env-off"],
)
def test_an_environment_proxy_that_does_not_apply_keeps_the_deadline(
    scripted: Callable[..., ScriptedServer],
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    trust_env: bool,
) -> None:
    """Requests go straight to the server (it sees a path, not a proxy's absolute URL) and a
    trickle still stops at the deadline: the proxy variables do not cover the base URL."""
    proxy = scripted(["quick"])
    server = scripted(["quick", "trickle"])
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(proxy=proxy.url, port=httpx.URL(server.url).port))
    cut_at_the_deadline(server, {"trust_env": trust_env})
    assert server.targets[0].startswith("/v2/") and proxy.targets == []


def test_async_over_tls_a_trickle_stops_at_the_deadline(
    scripted: Callable[..., ScriptedServer], authority: trustme.CA
) -> None:
    """The async stream start_tls returns keeps the deadline too."""
    server_side, client_side = tls_contexts(authority)
    server = scripted(["trickle"], server_side)

    async def call() -> None:
        async with AsyncCalAttributes(
            "cal_k", base_url=server.url, org_id=1, max_retries=0, timeout=TIMEOUT, httpx_args={"verify": client_side}
        ) as cal:
            await cal.attributes.list()

    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="deadline"):
        asyncio.run(call())
    assert time.monotonic() - started < BOUND


@pytest.mark.parametrize("trust_env", [True, False])
def test_ssl_cert_file_is_read_only_when_the_environment_is_trusted(
    scripted: Callable[..., ScriptedServer],
    authority: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    trust_env: bool,
) -> None:
    """As httpx's own transport: SSL_CERT_FILE names the CAs to trust, unless trust_env=False."""
    server_side, _ = tls_contexts(authority)
    server = scripted(["quick"], server_side)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    args = {"trust_env": trust_env}
    with CalAttributes("cal_k", base_url=server.url, org_id=1, max_retries=0, httpx_args=args) as cal:
        if trust_env:
            assert cal.attributes.list().items == []
        else:
            with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
                cal.attributes.list()
