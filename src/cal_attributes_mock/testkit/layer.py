"""The test kit as an ASGI layer around a mock: fault injection, the request journal and their
HTTP controls under /_mock (outside /v2, so they never collide with the API)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.types import Message, Receive, Scope, Send

from cal_attributes_mock.app import MAX_BODY_BYTES, RESET_PATH, SPEC_PATH, MockServer
from cal_attributes_mock.envelopes import ApiError, http_error, timestamp
from cal_attributes_mock.spec import Operation, route
from cal_attributes_mock.testkit.faults import JSON, Fault, FaultError, Faults, add_from_json, check_operation
from cal_attributes_mock.testkit.journal import Journal

FAULTS_PATH = "/_mock/faults"
REQUESTS_PATH = "/_mock/requests"
RATE_LIMIT_PATH = "/_mock/rate-limit"
CONTROL_PATHS = (FAULTS_PATH, REQUESTS_PATH, RATE_LIMIT_PATH)
MAX_CONTROL_BODY = 64 * 1024
KNOWN_STATUSES = frozenset(s.value for s in HTTPStatus)
MALFORMED_BODY = b'{"status":"success","data":'  # a JSON document cut short


def operation_for(operations: tuple[Operation, ...], method: str, path: str) -> str | None:
    """The id of the operation a request is routed to by the mock's own rule, or None."""
    operation = route(operations, method, path).operation
    return None if operation is None else operation.operation_id


@dataclass
class _Answer:
    """What the wrapped app answered (kept when the fault discards it)."""

    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)


class TestkitApp:
    """A mock with faults and a journal; itself an ASGI application."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, server: MockServer, journal: Journal | None = None) -> None:
        self.server = server
        self.faults = Faults(frozenset(op.operation_id for op in server.operations))
        self.journal = journal or Journal()

    def reset(self) -> None:
        """The seed's state, no faults, an empty journal, no rate limit."""
        self.faults.clear()
        self.journal.clear()
        self.server.set_rate_limit(False)
        self.server.reset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.server(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path.startswith("/_mock/") or path == SPEC_PATH:
            await self._mock_paths(scope, receive, send)
        elif self.faults:
            await self._faulty(scope, receive, send)
        else:  # the API with nothing to inject (most requests): the mock's answer, sent as it is
            answer = await self.server.answer(scope, receive)
            raw = answer.request_body
            if raw is None and _has_body(scope, answer.request_headers):  # unread by the mock: read it for the journal
                raw, _ = await _buffer(receive)
            query = scope.get("query_string", b"").decode("latin-1")
            # Recorded before the answer leaves: a test that has its response finds the request in the journal.
            self.journal.record_raw(
                method, path, query, raw or b"", answer.request_headers, answer.status, answer.operation_id
            )
            await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.payload})

    async def _mock_paths(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The test kit's controls, then the mock's own paths outside the API (reset, the spec)."""
        path, method = scope["path"], scope["method"]
        if path in CONTROL_PATHS:
            await self._control(scope, receive, send)
            return
        if path == RESET_PATH and method == "POST":
            self.faults.clear()
            self.journal.clear()
            self.server.set_rate_limit(False)
        await self.server(scope, receive, send)

    async def _faulty(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A request while faults are registered: buffered, so a fault may replace the mock's answer."""
        operation_id = self.server.operation_id_for(scope["method"], scope["path"])
        raw, replay = await _buffer(receive)
        fired = self.faults.fire(operation_id)
        if fired.delay:
            await asyncio.sleep(fired.delay)
        fault = fired.fault
        answer = _Answer()
        if fault is None or fault.apply:
            await self.server(scope, replay, _capture(answer, None))
        status = answer.status if fault is None else _fault_status(fault, answer)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        kind = fault.kind if fault else None
        # Recorded before the answer leaves: a test that has its response finds the request in the journal.
        self.journal.record_raw(scope["method"], scope["path"], query, raw, headers, status, operation_id, kind)
        if fault is not None:
            request_id = (
                headers.get("x-request-id") or self.server.new_request_id().decode()
            )  # echoed, as the mock does
            await _inject(fault, answer, scope, send, request_id)
        elif answer.status is not None:
            await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
            await send({"type": "http.response.body", "body": b"".join(answer.body)})

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        full_path = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
        try:
            status, data = await self._controlled(scope, receive, full_path)
        except ApiError as error:
            await _send_json(send, error.status, error.body, error.headers)
            return
        await _send_json(send, status, {"status": "success", "data": data})

    async def _controlled(self, scope: Scope, receive: Receive, full_path: str) -> tuple[int, JSON]:
        path, method = scope["path"], scope["method"]
        allowed = {FAULTS_PATH: ("DELETE", "GET", "POST"), REQUESTS_PATH: ("DELETE", "GET"), RATE_LIMIT_PATH: ("PUT",)}
        if method not in allowed[path]:
            error = http_error(405, f"Cannot {method} {path}", full_path)
            error.headers["Allow"] = ", ".join(allowed[path])
            raise error
        if path == FAULTS_PATH:
            if method == "GET":
                return 200, [f.to_json() for f in self.faults.all()]
            if method == "DELETE":
                self.faults.clear()
                return 200, None
            try:
                fault = add_from_json(self.faults, await _control_body(receive, full_path))
            except FaultError as error:
                raise http_error(400, str(error), full_path) from None
            return 201, fault.to_json()
        if path == REQUESTS_PATH:
            if method == "DELETE":
                self.journal.clear()
                return 200, None
            try:
                wanted = check_operation(_query_value(scope, "operationId"), self.faults.operation_ids)
            except FaultError as error:  # a misspelt filter would otherwise match nothing, silently
                raise http_error(400, str(error), full_path) from None
            return 200, [e.to_json() for e in self.journal.entries(wanted)]
        settings = await _control_body(receive, full_path)
        enabled, limit, window = _rate_limit_settings(settings, full_path)
        self.server.set_rate_limit(enabled, limit=limit, window_seconds=window)
        return 200, {"enabled": enabled, "limit": limit, "windowSeconds": window}


def _rate_limit_settings(data: Any, full_path: str) -> tuple[bool, int | None, float | None]:
    """``{"enabled": bool, "limit": int|null, "windowSeconds": number|null}`` for PUT /_mock/rate-limit."""
    if not isinstance(data, dict) or not isinstance(data.get("enabled"), bool):
        raise http_error(
            400, 'the body must be {"enabled": true|false, "limit"?: int, "windowSeconds"?: number}', full_path
        )
    unknown = sorted(set(data) - {"enabled", "limit", "windowSeconds"})
    if unknown:
        raise http_error(400, f"unknown field {unknown[0]!r} (allowed: enabled, limit, windowSeconds)", full_path)
    limit, window = data.get("limit"), data.get("windowSeconds")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1_000_000):
        raise http_error(400, f"limit must be an integer from 1 to 1000000, or null; got {limit!r}", full_path)
    valid_window = isinstance(window, int | float) and not isinstance(window, bool) and 0.001 <= window <= 86_400
    if window is not None and not valid_window:
        raise http_error(400, f"windowSeconds must be a number from 0.001 to 86400, or null; got {window!r}", full_path)
    return data["enabled"], limit, float(window) if window is not None else None


def _query_value(scope: Scope, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[-1] if values else None


async def _control_body(receive: Receive, full_path: str) -> Any:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise http_error(400, "the client disconnected before sending the body", full_path)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_CONTROL_BODY:
            raise http_error(413, "request entity too large", full_path)
        more = message.get("more_body", False)
    try:
        return orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError as error:
        raise http_error(400, f"Malformed JSON body: {error}", full_path) from None


def _has_body(scope: Scope, headers: dict[str, str]) -> bool:
    """Whether a request may have a body: in HTTP/1, only if Content-Length or Transfer-Encoding
    says so (HTTP/2 frames a body without either)."""
    if scope.get("http_version", "1.1") not in ("1.0", "1.1"):
        return True
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the request body (up to just past the mock's limit, so it still answers 413 itself) and
    a ``receive`` that hands it to the mock again."""
    chunks, size, more = [], 0, True
    while more and size <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    raw = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": raw, "more_body": more}

    return (raw if size <= MAX_BODY_BYTES else b""), replay


def _capture(answer: _Answer, send: Send | None) -> Send:
    """A ``send`` that records the answer and forwards it, or swallows it (``send`` None)."""

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body.append(message.get("body", b""))
        if send is not None:
            await send(message)

    return capture


def _fault_status(fault: Fault, answer: _Answer) -> int | None:
    """The status the client sees when ``fault`` answers (None: the connection is dropped)."""
    if fault.kind == "drop_connection":
        return None
    if fault.kind == "malformed":
        return answer.status if fault.apply and answer.status is not None else 200
    return fault.status


async def _inject(fault: Fault, answer: _Answer, scope: Scope, send: Send, request_id: str) -> None:
    """Answer with the fault instead of the mock (with the status ``_fault_status`` gives)."""
    if fault.kind == "drop_connection":
        # Start an answer that promises a body and never send it: the server closes the connection
        # and the client fails reading it, as on a reset (ASGI offers no way to abort earlier).
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        return
    if fault.kind == "malformed":
        body = MALFORMED_BODY
        if fault.apply and answer.status is not None:
            whole = b"".join(answer.body)
            body = whole[: len(whole) // 2] or MALFORMED_BODY
        await _send_raw(send, _fault_status(fault, answer) or 200, body, {"X-Request-Id": request_id})
        return
    payload = fault.body if fault.body is not None else _error_envelope(fault.status, scope)
    headers = {"X-Request-Id": request_id}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    await _send_json(send, fault.status, payload, headers)


def _error_envelope(status: int, scope: Scope) -> dict[str, JSON]:
    """A Cal.com-shaped error envelope for an injected status (``ServiceUnavailableException`` ...)."""
    phrase = HTTPStatus(status).phrase if status in KNOWN_STATUSES else "Error"
    code = phrase.replace(" ", "").replace("-", "") + "Exception"
    message = f"Injected fault: {status} {phrase}"
    details: dict[str, JSON] = {"message": message, "error": phrase, "statusCode": status}
    error: dict[str, JSON] = {"code": code, "message": message, "details": details}
    return {"status": "error", "timestamp": timestamp(), "path": scope["path"], "error": error}


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    await _send_raw(send, status, orjson.dumps(body), headers or {})


async def _send_raw(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
