"""``cal-attributes-mock --proxy URL``: a validating proxy that forwards every request to a live
Cal.com and checks the request and the answer against openapi/cal-attributes.yaml.

Each violation (an undocumented operation or status, a body or parameter that does not match its
schema) is logged with the operation and the JSON path and written as one JSON line to the report.
The upstream's answer is passed through unchanged (status, headers minus hop-by-hop ones, body).
Headers are never recorded, and neither are query strings, so no credential reaches the report.
A path that could reach another host or another path than the one checked (``//host/...``, dot
segments, even percent-encoded) is refused with a 400 and never forwarded.
"""

from __future__ import annotations

import json
import logging
import signal
import ssl
import sys
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, unquote_to_bytes

import httpcore
import httpx
import jsonschema_rs
import orjson
import uvicorn
from starlette.types import Receive, Scope, Send

from cal_attributes.spec import resolve
from cal_attributes_mock.envelopes import timestamp
from cal_attributes_mock.serve import listen
from cal_attributes_mock.spec import Operation, load_spec, operations
from cal_attributes_mock.testkit.faults import JSON
from cal_attributes_mock.testkit.layer import operation_for
from cal_attributes_mock.validation import parse_int

logger = logging.getLogger("cal_attributes_mock.proxy")
# httpx maps httpcore's failures to its own, but one from a connect that fails inside the server's
# event loop was seen to escape unmapped under load: both kinds are an upstream that did not answer.
UPSTREAM_FAILURES = (httpx.HTTPError, httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError)

# RFC 9110 section 7.6.1, plus what httpx sets itself for the upstream connection.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "host", "content-length"}
)
MAX_REQUEST_BYTES = 1024 * 1024  # the real API's body limit
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ERRORS_PER_BODY = 20
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass(frozen=True)
class Violation:
    """One way a request or an answer differs from the spec."""

    operation_id: str | None
    method: str
    path: str  # without the query string: it may carry credentials
    status: int | None
    kind: str  # undocumented_operation, request_parameter, request_body, undocumented_status, response_body
    json_path: str  # where in the body or the query ("$" for all of it)
    message: str

    def to_json(self) -> dict[str, JSON]:
        return {
            "time": timestamp(),
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "kind": self.kind,
            "jsonPath": self.json_path,
            "message": self.message,
        }


class SpecChecks:
    """The spec's rules for requests and answers, compiled once (jsonschema-rs)."""

    def __init__(self, spec: Mapping[str, JSON] | None = None) -> None:
        self._spec: dict[str, Any] = dict(spec) if spec else load_spec()
        self.operations = operations(self._spec)
        self._by_id = {op.operation_id: op for op in self.operations}
        components = self._spec["components"]
        self._bodies = {
            op.operation_id: _compile(op.body_schema, components) for op in self.operations if op.body_schema
        }
        self._parameters = {
            (op.operation_id, p.name): _compile(p.schema, components) for op in self.operations for p in op.parameters
        }
        self._responses: dict[str, dict[str, Any]] = {}
        for item in self._spec["paths"].values():
            for raw in item.values():
                if isinstance(raw, dict) and "operationId" in raw and "responses" in raw:
                    self._responses[raw["operationId"]] = {
                        status: _response_validator(response, self._spec)
                        for status, response in raw["responses"].items()
                    }

    def operation(self, method: str, path: str) -> Operation | None:
        operation_id = operation_for(self.operations, method, path)
        return self._by_id[operation_id] if operation_id else None

    def request(self, operation: Operation, query: str, body: bytes) -> Iterator[tuple[str, str, str]]:
        """(kind, JSON path, message) for each way the request breaks the spec."""
        declared = {p.name: p for p in operation.parameters if p.location == "query"}
        given = parse_qsl(query, keep_blank_values=True)
        for name, value in given:
            parameter = declared.get(name)
            if parameter is None:
                yield "request_parameter", f"$.query.{name}", "not a parameter of this operation"
                continue
            coerced = _coerce(value, parameter.schema, parameter.comma_separated)
            for where, message in _errors(self._parameters[operation.operation_id, name], coerced):
                yield "request_parameter", f"$.query.{name}{where[1:]}", message
        check = self._bodies.get(operation.operation_id)
        if check is not None:
            yield from _body_errors("request_body", check, body)

    def response(self, operation: Operation, status: int, body: bytes | None) -> Iterator[tuple[str, str, str]]:
        documented = self._responses.get(operation.operation_id, {})
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in documented), None)
        if key is None:
            yield "undocumented_status", "$", f"status {status} is not documented (documented: {', '.join(documented)})"
            return
        check = documented[key]
        if check is None:
            return
        if body is None:
            yield "response_body", "$", "the body could not be decoded (unsupported content-encoding), not checked"
            return
        yield from _body_errors("response_body", check, body)


def _compile(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for({**schema, "components": components})


def _response_validator(response: Any, spec: dict[str, Any]) -> Any:
    schema = resolve(response, spec).get("content", {}).get("application/json", {}).get("schema")
    return _compile(schema, spec["components"]) if schema is not None else None


def _body_errors(kind: str, check: Any, body: bytes) -> Iterator[tuple[str, str, str]]:
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        yield kind, "$", "the body is not JSON"
        return
    for where, message in _errors(check, decoded):
        yield kind, where, message


def _errors(check: Any, instance: Any) -> Iterator[tuple[str, str]]:
    """(JSON path, message) of each schema error, up to a bound (a wrong list is not 10,000 lines)."""
    for error, _ in zip(check.iter_errors(instance), range(MAX_ERRORS_PER_BODY), strict=False):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
        # Not error.message: it quotes the offending value, and bodies may hold tokens or emails.
        rule = "/".join(str(part) for part in error.schema_path)
        message = f"breaks the schema's {type(error.kind).__name__.lower()} rule at #/{rule}"
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
            # the name comes from the schema, not the body: safe to show, and it says what to fix
            message += f": property {error.kind.property!r} is missing"
        yield path, message


def _coerce(value: str, schema: dict[str, Any], comma_separated: bool) -> Any:
    """A query string value as the JSON value its schema describes, read as the spec says the API
    reads it (integers with JavaScript's parseInt: ``10.0`` is 10); left a string if it is not one."""
    if schema.get("type") == "array":
        items = value.split(",") if comma_separated else [value]
        return [_coerce(item, schema.get("items", {}), False) for item in items]
    if schema.get("type") == "integer":
        number = parse_int(value)
        return value if number is None else number
    if schema.get("type") == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if schema.get("type") == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


class ViolationReport:
    """Logs each violation and appends it as a JSON line to ``stream`` (flushed at once)."""

    def __init__(self, stream: IO[str] | None) -> None:
        self.stream = stream
        self.count = 0

    def add(self, violation: Violation) -> None:
        self.count += 1
        logger.warning(
            "%s %s %s (%s) %s: %s",
            violation.operation_id or "-",
            violation.kind,
            violation.json_path,
            violation.method + " " + violation.path,
            violation.status if violation.status is not None else "-",
            violation.message,
        )
        if self.stream is not None:
            self.stream.write(json.dumps(violation.to_json()) + "\n")
            self.stream.flush()


class ValidatingProxy:
    """The proxy as an ASGI application."""

    def __init__(
        self,
        upstream: str,
        report: ViolationReport,
        *,
        checks: SpecChecks | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.upstream = httpx.URL(upstream)
        self.report = report
        self.checks = checks or SpecChecks()
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        """The one client to the upstream (its connections kept alive across requests), created on
        first use inside the server's event loop."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                verify=ssl.create_default_context(),
                follow_redirects=False,
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the upstream connections (on the server's lifespan shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await self.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        if not _safe_path(raw_path):
            await _refuse(send, 400, "the path must be absolute, without dot segments", path)
            return
        body = await _read(receive)
        if body is None:
            await _refuse(send, 413, "request entity too large", path)
            return
        operation = self.checks.operation(method, path)

        def violation(kind: str, json_path: str, message: str, status: int | None = None) -> None:
            op_id = operation.operation_id if operation else None
            self.report.add(Violation(op_id, method, path, status, kind, json_path, message))

        if operation is None:
            violation("undocumented_operation", "$", f"{method} {path} is not an operation of the spec")
        else:
            for found in self.checks.request(operation, query, body):
                violation(*found)
        try:
            status, headers, raw = await self._forward(scope, raw_path, body)
        except UPSTREAM_FAILURES as error:
            logger.warning("upstream error for %s %s: %s", method, path, type(error).__name__)
            await _refuse(send, 502, f"the upstream did not answer: {type(error).__name__}", path)
            return
        if raw is None:
            await _refuse(send, 502, "the upstream's answer is larger than the proxy's limit", path)
            return
        if operation is not None:
            decoded = _decoded(raw, headers)
            for kind, json_path, message in self.checks.response(operation, status, decoded):
                violation(kind, json_path, message, status)
        await _answer(send, status, raw, headers)

    def _upstream_url(self, raw_path: bytes, query: bytes) -> httpx.URL:
        """The upstream's base path followed by the request's path, on the upstream's host only
        (appended, never resolved with ``join``: ``//other.host/x`` would change the host)."""
        target = self.upstream.raw_path.split(b"?")[0].rstrip(b"/") + raw_path
        return self.upstream.copy_with(raw_path=target + (b"?" + query if query else b""))

    async def _forward(
        self, scope: Scope, raw_path: bytes, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes | None]:
        headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in HOP_BY_HOP]
        url = self._upstream_url(raw_path, scope.get("query_string", b""))
        client = self.client()
        request = client.build_request(scope["method"], url, headers=headers, content=body)
        response = await client.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > self.max_response_bytes:
                    return response.status_code, [], None
                chunks.append(chunk)
        finally:
            await response.aclose()
        passed = [(k.lower(), v) for k, v in response.headers.raw if k.decode("latin-1").lower() not in HOP_BY_HOP]
        return response.status_code, passed, b"".join(chunks)


def _safe_path(raw_path: bytes) -> bool:
    """Whether the path is one the upstream reads as the proxy did: absolute but not ``//host``
    (network-path reference), with no ``.``/``..`` segment, not even percent-encoded or behind a
    backslash (which some servers read as ``/``)."""
    if not raw_path.startswith(b"/") or raw_path.startswith(b"//"):
        return False
    decoded = unquote_to_bytes(raw_path).replace(b"\\", b"/")
    return not any(segment in (b".", b"..") for segment in decoded.split(b"/"))


def _decoded(raw: bytes, headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """The body without its content-encoding (gzip or deflate; bounded), None if unsupported."""
    encoding = dict(headers).get(b"content-encoding", b"identity").decode("latin-1").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "deflate"):
        return None
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    try:
        out = inflater.decompress(raw, MAX_RESPONSE_BYTES)
    except zlib.error:
        return b""  # reported as "not JSON"
    return out


async def _read(receive: Receive) -> bytes | None:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_REQUEST_BYTES:
            return None
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _refuse(send: Send, status: int, message: str, path: str) -> None:
    """The proxy's own error answer, in Cal.com's error envelope."""
    body = orjson.dumps(
        {"status": "error", "timestamp": timestamp(), "path": path, "error": {"code": "ProxyError", "message": message}}
    )
    await _answer(send, status, body, [(b"content-type", b"application/json")])


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    """Send ``headers`` as given (an upstream's answer without a content-type stays without one)."""
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def open_report(path: str | None) -> IO[str] | None:
    """The report file, appended to (None: violations are only logged)."""
    return Path(path).open("a", encoding="utf-8") if path else None


def serve_proxy(upstream: str, report_path: str | None, host: str, port: int) -> int:
    """Run the proxy until Ctrl-C or SIGTERM (the CLI's ``--proxy``); the exit status."""
    url = httpx.URL(upstream) if "://" in upstream else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        print(
            f"cal-attributes-mock: --proxy needs an http(s) URL such as https://api.cal.com; got {upstream!r}",
            file=sys.stderr,
        )
        return 2
    try:
        stream = open_report(report_path)
    except OSError as error:
        print(f"cal-attributes-mock: cannot write the report {report_path}: {error.strerror}", file=sys.stderr)
        return 1
    report = ViolationReport(stream)
    try:
        sock = listen(host, port)
    except OSError as error:
        print(f"cal-attributes-mock: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    bound_host, bound_port = sock.getsockname()[:2]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(f"cal-attributes-mock proxy on http://{bound_host}:{bound_port} -> {url}", flush=True)
    for stop in (signal.SIGINT, signal.SIGTERM):  # uvicorn re-raises the signal to this no-op: exit 0
        signal.signal(stop, lambda *_: None)
    try:
        uvicorn.Server(uvicorn.Config(ValidatingProxy(str(url), report), log_level="warning")).run(sockets=[sock])
    finally:
        if stream is not None:
            stream.close()
    print(f"cal-attributes-mock proxy stopped; {report.count} violation(s)", flush=True)
    return 0
