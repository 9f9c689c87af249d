"""The mock's ASGI application: routing, body limits, the guard chain, validation, envelopes."""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive, Scope, Send

from cal_attributes_mock.envelopes import (
    ApiError,
    encode,
    http_error,
    prisma_error,
    rate_limit_error,
    validation_error,
)
from cal_attributes_mock.guards import RateLimiter, authenticate, authorize, credential
from cal_attributes_mock.handlers import HANDLERS, Context
from cal_attributes_mock.seed import Seed, demo_seed
from cal_attributes_mock.spec import Operation, load_spec, operations, route
from cal_attributes_mock.store import Caller, Failure, HttpFailure, PrismaFailure, Store, ValidationFailure
from cal_attributes_mock.validation import RequestValidator, parse_int_path

logger = logging.getLogger("cal_attributes_mock")

MAX_BODY_BYTES = 1024 * 1024
READ_CACHE_SIZE = 4096  # rendered reads, and routes, kept (each cleared when full)
RESET_PATH = "/_mock/reset"
SPEC_PATH = "/openapi.json"
INT_PATH_PARAMS = ("userId",)  # orgId is parsed before the organization guard


@dataclass(frozen=True)
class MockConfig:
    """Behaviour switches; the defaults suit tests and fuzzing."""

    rate_limit: bool = False  # Cal.com's throttler: 120 requests a minute per API key, 500 per OAuth client
    api_key_limit: int = 120
    oauth_limit: int = 500
    rate_window_seconds: float = 60.0
    max_captured_requests: int = 10_000
    # Audit entries kept across all members, oldest dropped first: bounds memory under endless writes.
    max_history_entries: int = 10_000
    # True: query values must be exact (take=10, not 10.0 or 10abc); False follows the real parseInt.
    strict: bool = False
    request_timeout: float = 10.0  # seconds for a whole request to arrive on a connection


@dataclass(frozen=True)
class CapturedRequest:
    method: str
    path: str
    query: str
    status: int
    operation_id: str | None


@functools.cache
def _compiled_spec(strict: bool) -> tuple[tuple[Operation, ...], Mapping[str, RequestValidator], bytes]:
    """The operations, their compiled request validators and the served spec: derived from the
    (immutable) spec alone, so built once per process and shared by every mock. Compiling the
    validators was most of the cost of a new mock (about 60 ms), which a fresh mock per test pays."""
    spec = load_spec()
    found = operations(spec)
    validators = MappingProxyType(
        {op.operation_id: RequestValidator(op, spec["components"], strict=strict) for op in found}
    )
    return found, validators, json.dumps(spec).encode()


@dataclass
class MockServer:
    """A fresh mock, itself an ASGI application: its ``store``, the ``spec`` it serves, a request log."""

    seed: Seed
    config: MockConfig = field(default_factory=MockConfig)

    def __post_init__(self) -> None:
        self.spec = load_spec()
        self.store = Store(self.seed, self.config.max_history_entries)
        self.operations, self.validators, self._spec_json = _compiled_spec(self.config.strict)
        self.requests: deque[CapturedRequest] = deque(maxlen=self.config.max_captured_requests)
        self.rate_limiter = (
            RateLimiter(self.config.api_key_limit, self.config.oauth_limit, self.config.rate_window_seconds)
            if self.config.rate_limit
            else None
        )
        # Read responses as bytes, by request, with the store version they were rendered at:
        # a repeated read costs its guards and validation, not rebuilding and encoding rows.
        self._reads: dict[tuple[Any, ...], tuple[int, bytes]] = {}
        self._routes: dict[tuple[str, str], tuple[Operation, dict[str, str]]] = {}
        self._request_id_prefix = os.urandom(6).hex()  # unique across mocks; the counter within one
        self._request_count = itertools.count(1)

    def reset(self) -> None:
        """Back to the seed; the request log is cleared too."""
        self.store.reset()
        self.requests.clear()

    def set_rate_limit(self, enabled: bool, *, limit: int | None = None, window_seconds: float | None = None) -> None:
        """Switch Cal.com's throttler on (fresh counters) or off while serving; ``limit`` overrides
        the per-API-key and per-OAuth-client limits, so a test can reach a 429 in a few requests."""
        self.rate_limiter = (
            RateLimiter(
                limit or self.config.api_key_limit,
                limit or self.config.oauth_limit,
                window_seconds or self.config.rate_window_seconds,
            )
            if enabled
            else None
        )

    def calls_to(self, operation_id: str) -> list[CapturedRequest]:
        return [r for r in self.requests if r.operation_id == operation_id]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        incoming = _Incoming.from_scope(scope)
        operation_id: str | None = None
        try:
            operation_id, status, body, headers = await self._handle(incoming, receive)
        except ApiError as error:
            status, body, headers = error.status, error.body, error.headers
        except Exception:  # a bug in the mock must still answer, and say so in the log
            logger.exception("unhandled error for %s %s", incoming.method, incoming.full_path)
            status, body, headers = 500, {"statusCode": 500, "message": "Internal server error"}, {}
        self.requests.append(CapturedRequest(incoming.method, incoming.path, incoming.query, status, operation_id))
        payload = body if isinstance(body, bytes) else encode(body)
        given_id = incoming.headers.get("x-request-id")  # echoed, as Cal.com does; else a new one
        response_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"x-request-id", (given_id or self._new_request_id()).encode("latin-1")),
        ] + [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": payload})

    async def _handle(self, incoming: _Incoming, receive: Receive) -> tuple[str | None, int, Any, dict[str, str]]:
        method, path, full_path = incoming.method, incoming.path, incoming.full_path
        if path == SPEC_PATH and method == "GET":
            return None, 200, self.spec, {}
        if path == RESET_PATH and method == "POST":
            self.reset()
            return None, 200, {"status": "success", "data": None}, {}
        operation, path_params = self._route(method, path, full_path)
        try:
            body = await self._read_body(incoming, receive, operation)
            if self.rate_limiter is not None:
                retry_after = self.rate_limiter.check(credential(incoming.headers))
                if retry_after is not None:
                    raise rate_limit_error(full_path, retry_after)
            context = self._admit(incoming, operation, path_params, body)
            if operation.method == "GET":
                return operation.operation_id, 200, self._read(operation, context), {}
            status, payload = HANDLERS[operation.operation_id](context)
        except Failure as failure:
            raise _render(failure, full_path) from None
        return operation.operation_id, status, payload, {}

    def _new_request_id(self) -> str:
        return f"{self._request_id_prefix}-{next(self._request_count)}"

    def _read(self, operation: Operation, context: Context) -> bytes:
        """A read's body: rendered again only when the store changed since it was last rendered."""
        key = (operation.operation_id, context.org_id, *context.path.values(), repr(context.query))
        version = self.store.version
        cached = self._reads.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        status, payload = HANDLERS[operation.operation_id](context)
        assert status == 200  # every read answers 200 or raises
        encoded = encode(payload)
        if len(self._reads) >= READ_CACHE_SIZE:
            self._reads.clear()
        self._reads[key] = (version, encoded)
        return encoded

    def _route(self, method: str, path: str, full_path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for the request (remembered per method and path: clients repeat URLs)."""
        found = self._routes.get((method, path))
        if found is None:
            found = self._match(method, path, full_path)
            if len(self._routes) >= READ_CACHE_SIZE:
                self._routes.clear()
            self._routes[(method, path)] = found
        return found

    def _match(self, method: str, path: str, full_path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for the request, by the mock's routing rule (``spec.route``)."""
        found = route(self.operations, method, path)
        if found.operation is not None:
            return found.operation, found.params
        if found.allowed:
            error = http_error(405, f"Cannot {method} {path}", full_path)
            error.headers["Allow"] = ", ".join(found.allowed)
            raise error
        raise http_error(404, f"Cannot {method} {path}", full_path)

    async def _read_body(self, incoming: _Incoming, receive: Receive, operation: Operation) -> Any:
        """The JSON body of an operation that takes one; others ignore theirs, like the real API."""
        full_path = incoming.full_path
        declared = incoming.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise http_error(413, "request entity too large", full_path)
        if operation.body_schema is None:
            return {}
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise http_error(400, "the client disconnected before sending the body", full_path)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise http_error(413, "request entity too large", full_path)
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        if not raw.strip():
            return {}
        media_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise http_error(
                415, f"Unsupported content type {media_type or '(none)'}: send application/json", full_path
            )
        try:
            # orjson refuses what would break the store or a later response: invalid UTF-8,
            # lone surrogates, nesting over 1,024 levels, numbers beyond a double.
            return orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise http_error(400, f"Malformed JSON body: {error}", full_path) from None

    def _admit(self, incoming: _Incoming, operation: Operation, path_params: dict[str, str], body: Any) -> Context:
        """Guards first, then pipes: a caller without the role gets 403 even for a bad request."""
        full_path = incoming.full_path
        caller: Caller = authenticate(self.store, incoming.headers)
        org_id = parse_int_path(path_params["orgId"], full_path)
        authorize(self.store, caller, org_id, operation.minimum_role)
        params: dict[str, Any] = dict(path_params)
        for name in INT_PATH_PARAMS:
            if name in params:
                params[name] = parse_int_path(params[name], full_path)
        validator = self.validators[operation.operation_id]
        items = parse_qsl(incoming.query, keep_blank_values=True) if incoming.query else []
        query = validator.query(items, full_path)
        checked_body = validator.body(body, full_path) if operation.body_schema is not None else {}
        return Context(self.store, caller, org_id, params, query, checked_body)


@dataclass(frozen=True)
class _Incoming:
    """What the mock reads of an HTTP request's scope."""

    method: str
    path: str  # decoded, for routing
    query: str
    full_path: str  # as sent, with the query: the envelopes' `path`, like Express's request.url
    headers: dict[str, str]  # lower-case names

    @classmethod
    def from_scope(cls, scope: Scope) -> _Incoming:
        query = scope.get("query_string", b"").decode("latin-1")
        raw_path = scope.get("raw_path") or scope["path"].encode()
        full_path = raw_path.decode("latin-1") + (f"?{query}" if query else "")
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        return cls(scope["method"], scope["path"], query, full_path, headers)


def _render(failure: Failure, full_path: str) -> ApiError:
    if isinstance(failure, HttpFailure):
        return http_error(failure.status, failure.message, full_path)
    if isinstance(failure, PrismaFailure):
        return prisma_error(failure.code, full_path)
    assert isinstance(failure, ValidationFailure)
    return validation_error(failure.errors, full_path)


def create_mock(seed: Seed | None = None, config: MockConfig | None = None) -> MockServer:
    """A fresh, isolated mock over ``seed`` (the demo seed when omitted)."""
    return MockServer(seed or demo_seed(), config or MockConfig())
