"""Bounds: size (also decompressed), total time per attempt, redirects; each against a local server."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from cal_attributes import (
    APIConnectionError,
    APIResponseTooLargeError,
    APITimeoutError,
    CalAttributes,
    UnexpectedRedirectError,
)

Behaviour = Callable[[BaseHTTPRequestHandler], None]


def endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 65536
    while True:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def gzipped(body: bytes) -> Behaviour:
    """Answers with ``body`` as it is, declared as gzip."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def bomb() -> Behaviour:
    """256 MiB inflated from ~1 MiB (before the bound, a 1 GiB bomb reached 4.1 GB).

    Built by the test that uses it, not at import: compressing takes a second or more.
    """
    return gzipped(gzip.compress(bytes(256 * 2**20), compresslevel=1))


def forever() -> Behaviour:
    return endless


def trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.1)


def redirect(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(302)
    handler.send_header("Location", "https://elsewhere.example/steal")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(behaviour: Behaviour) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
                    behaviour(self)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def peak_memory(call: Callable[[], object]) -> tuple[float, BaseException]:
    """Peak traced allocation (MiB) and the error raised by ``call``."""
    tracemalloc.start()
    try:
        call()
    except Exception as error:  # the test asserts the type
        raised: BaseException = error
    else:
        raise AssertionError("no error")
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peak, raised


@pytest.mark.parametrize(("behaviour", "limit_mib"), [(forever, 40), (bomb, 16)], ids=["endless", "gzip-bomb"])
def test_a_huge_body_stops_at_the_size_limit(
    serve: Callable[[Behaviour], str], behaviour: Callable[[], Behaviour], limit_mib: float
) -> None:
    url = serve(behaviour())
    with CalAttributes("cal_k", base_url=url, org_id=1, max_retries=0, max_response_bytes=4 * 2**20) as cal:
        started = time.monotonic()
        peak, error = peak_memory(lambda: cal.attributes.list())
    assert isinstance(error, APIResponseTooLargeError) and error.limit == 4 * 2**20
    assert peak < limit_mib and time.monotonic() - started < 10


@pytest.mark.parametrize("transport", ["the client's", "httpx's"])
def test_a_trickled_body_stops_at_the_attempt_deadline(serve: Callable[[Behaviour], str], transport: str) -> None:
    """On the client's transport the sockets keep the deadline; on httpx's own (a user's
    transport, mounts or proxy) the body buffer checks it between chunks."""
    url = serve(trickle)
    args = {} if transport == "the client's" else {"transport": httpx.HTTPTransport()}
    with CalAttributes("cal_k", base_url=url, org_id=1, max_retries=0, timeout=1.0, httpx_args=args) as cal:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="deadline"):
            cal.attributes.list()
    assert time.monotonic() - started < 2.5  # the deadline (1 s) plus at most one read (0.1 s) and slack


def test_a_redirect_is_an_error_even_when_the_user_asked_httpx_to_follow(serve: Callable[[Behaviour], str]) -> None:
    url = serve(redirect)
    cal = CalAttributes("cal_k", base_url=url, org_id=1, httpx_args={"follow_redirects": True})
    with cal, pytest.raises(UnexpectedRedirectError) as raised:
        cal.attributes.list()
    assert raised.value.status_code == 302 and raised.value.location == "https://elsewhere.example/steal"


def test_a_corrupt_compressed_body_is_a_connection_error(serve: Callable[[Behaviour], str]) -> None:
    url = serve(gzipped(b"not gzip!"))
    with CalAttributes("cal_k", base_url=url, org_id=1, max_retries=0) as cal, pytest.raises(APIConnectionError):
        cal.attributes.list()


def test_a_compressed_page_is_read_whole(serve: Callable[[Behaviour], str]) -> None:
    compressed = gzipped(gzip.compress(b'{"status": "success", "data": []}'))
    with CalAttributes("cal_k", base_url=serve(compressed), org_id=1) as cal:
        assert cal.attributes.list().items == []


def test_the_default_size_limit_is_32_mib_and_a_limit_must_be_positive() -> None:
    def endless_chunks() -> Iterator[bytes]:
        chunk = b"x" * 65536
        while True:
            yield chunk

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=endless_chunks()))
    with (
        CalAttributes("cal_k", base_url="https://api.cal.test", org_id=1, httpx_args={"transport": transport}) as cal,
        pytest.raises(APIResponseTooLargeError) as raised,
    ):
        cal.attributes.list()
    assert raised.value.limit == 32 * 2**20
    for limit in (0, -1):
        with pytest.raises(ValueError, match="max_response_bytes must be 1 or more"):
            CalAttributes("cal_k", max_response_bytes=limit)
