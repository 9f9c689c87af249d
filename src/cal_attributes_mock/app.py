"""The mock's ASGI application: routing, body limits, the guard chain, validation, envelopes."""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import orjson
from starlette.types import Message, Receive, Scope, Send

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
from cal_attributes_mock.spec import Operation, Route, load_spec, operations, route
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

    def __post_init__(self) -> None:
        if not 0 < self.request_timeout < math.inf:  # also refuses nan
            raise ValueError(
                f"request_timeout must be a positive, finite number of seconds; got {self.request_timeout!r}"
            )


class CapturedRequest(NamedTuple):
    """One entry of the request log (a named tuple: built for every request, at a fifth of the
    cost of a frozen dataclass)."""

    method: str
    path: str
    query: str
    status: int
    operation_id: str | None


@dataclass(slots=True)
class Answer:
    """What the mock answers a request, before it is sent: ``request_body`` is the body the mock
    read (None when the operation takes none, or the mock refused it before reading it whole)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    payload: bytes
    operation_id: str | None  # the operation the request was routed to, whatever the answer
    # Lower-case names, as received: credentials included, so never in the repr (tracebacks, pytest's locals).
    request_headers: dict[str, str] = field(repr=False)
    request_body: bytes | None = field(repr=False)


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
        self._routes: dict[tuple[str, str], _Target] = {}
        self._request_id_prefix = os.urandom(6).hex().encode()  # unique across mocks; the counter within one
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
        answer = await self.answer(scope, receive)
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.payload})

    async def answer(self, scope: Scope, receive: Receive) -> Answer:
        """The answer to an HTTP request, not yet sent (the test kit's layer sends or replaces it)."""
        incoming = _Incoming(scope)
        operation_id: str | None = None
        try:
            target = self._route(incoming.method, incoming.path)
            if target.operation is not None:
                incoming.routed_to = target.operation.operation_id
                if target.operation.body_schema is not None:
                    await _receive_body(incoming, receive)  # the only wait: the rest answers at once
            operation_id, status, body, headers = self._handle(incoming, target)
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
            (b"x-request-id", given_id.encode("latin-1") if given_id else self.new_request_id()),
        ]
        if headers:
            response_headers += [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]
        return Answer(status, response_headers, payload, incoming.routed_to, incoming.headers, incoming.body)

    def _handle(self, incoming: _Incoming, target: _Target) -> tuple[str | None, int, Any, dict[str, str]]:
        """The answer to a request whose body, if its operation takes one, has been received."""
        method, path = incoming.method, incoming.path
        if path == SPEC_PATH and method == "GET":
            return None, 200, self.spec, {}
        if path == RESET_PATH and method == "POST":
            self.reset()
            return None, 200, {"status": "success", "data": None}, {}
        operation = target.operation
        if operation is None:
            raise _unrouted(target, method, path, incoming.full_path)
        try:
            if operation.body_schema is not None:
                body = _decode_body(incoming)  # received whole, within the limit
            else:
                _refuse_declared_excess(incoming)
                body = {}
            if self.rate_limiter is not None:
                retry_after = self.rate_limiter.check(credential(incoming.headers))
                if retry_after is not None:
                    raise rate_limit_error(incoming.full_path, retry_after)
            context = self._admit(incoming, target, operation, body)
            if operation.method == "GET":
                return operation.operation_id, 200, self._read(target, operation, context), {}
            status, payload = HANDLERS[operation.operation_id](context)
        except Failure as failure:
            raise _render(failure, incoming.full_path) from None
        return operation.operation_id, status, payload, {}

    def new_request_id(self) -> bytes:
        """A fresh ``X-Request-Id`` value, unique across mocks (the test kit's injected answers carry one too)."""
        return b"%s-%d" % (self._request_id_prefix, next(self._request_count))

    def operation_id_for(self, method: str, path: str) -> str | None:
        """The id of the operation a request goes to by the mock's routing rule, or None."""
        operation = self._route(method, path).operation
        return None if operation is None else operation.operation_id

    def _read(self, target: _Target, operation: Operation, context: Context) -> bytes:
        """A read's body: rendered again only when the store changed since it was last rendered."""
        key = (*target.read_key, repr(context.query)) if context.query else target.read_key
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

    def _route(self, method: str, path: str) -> _Target:
        """Where the request goes (remembered per method and path: clients repeat URLs)."""
        found = self._routes.get((method, path))
        if found is None:
            found = _Target.of(route(self.operations, method, path))
            if len(self._routes) >= READ_CACHE_SIZE:
                self._routes.clear()
            self._routes[(method, path)] = found
        return found

    def _admit(self, incoming: _Incoming, target: _Target, operation: Operation, body: Any) -> Context:
        """Guards first, then pipes: a caller without the role gets 403 even for a bad request."""
        caller: Caller = authenticate(self.store, incoming.headers)
        org_id = target.org_id
        if org_id is None:
            raise _not_numeric(incoming.full_path)
        authorize(self.store, caller, org_id, operation.minimum_role)
        if not target.numeric:
            raise _not_numeric(incoming.full_path)
        validator = self.validators[operation.operation_id]
        query: dict[str, Any] = {}
        if incoming.query:
            query = validator.query(parse_qsl(incoming.query, keep_blank_values=True), incoming.full_path)
        checked_body = validator.body(body, incoming.full_path) if operation.body_schema is not None else {}
        return Context(self.store, caller, org_id, target.params, query, checked_body)


async def _receive_body(incoming: _Incoming, receive: Receive) -> None:
    """The request's body, kept on ``incoming``; 413 past ``MAX_BODY_BYTES`` (declared or sent)."""
    _refuse_declared_excess(incoming)
    incoming.body = b""  # being read: if it is refused part-way, there is no body to show
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body"):
        raw = message.get("body", b"")  # the whole body in one message: the common case
        if len(raw) > MAX_BODY_BYTES:
            raise http_error(413, "request entity too large", incoming.full_path)
    else:
        raw = await _rest_of_body(message, receive, incoming.full_path)
    incoming.body = raw


def _decode_body(incoming: _Incoming) -> Any:
    """The received body as JSON, for an operation that takes one (others ignore theirs, like the
    real API); an empty body is an empty object."""
    raw = incoming.body or b""
    if not raw.strip():
        return {}
    media_type = incoming.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise http_error(
            415, f"Unsupported content type {media_type or '(none)'}: send application/json", incoming.full_path
        )
    try:
        # orjson refuses what would break the store or a later response: invalid UTF-8,
        # lone surrogates, nesting over 1,024 levels, numbers beyond a double.
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise http_error(400, f"Malformed JSON body: {error}", incoming.full_path) from None


def _refuse_declared_excess(incoming: _Incoming) -> None:
    """413 for a body declared larger than ``MAX_BODY_BYTES``, whatever the operation, unread."""
    declared = incoming.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise http_error(413, "request entity too large", incoming.full_path)


async def _rest_of_body(first: Message, receive: Receive, full_path: str) -> bytes:
    """A body that arrives in several messages, joined; 413 past ``MAX_BODY_BYTES``."""
    chunks, size, message = [], 0, first
    while True:
        if message["type"] != "http.request":
            raise http_error(400, "the client disconnected before sending the body", full_path)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise http_error(413, "request entity too large", full_path)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
        message = await receive()


def _not_numeric(full_path: str) -> ApiError:
    return http_error(400, "Validation failed (numeric string is expected)", full_path)


def _unrouted(target: _Target, method: str, path: str, full_path: str) -> ApiError:
    """404 for a URL no template matches; 405, with the methods its template takes, otherwise."""
    if not target.allowed:
        return http_error(404, f"Cannot {method} {path}", full_path)
    error = http_error(405, f"Cannot {method} {path}", full_path)
    error.headers["Allow"] = ", ".join(target.allowed)
    return error


@dataclass(frozen=True, slots=True)
class _Target:
    """A routed request, remembered per method and path: its operation (None: 404 or 405, with the
    ``allowed`` methods), its path parameters with the numeric ones read by ParseIntPipe, and
    whether they all were numbers (``org_id`` None: orgId was not; ``numeric`` False: another)."""

    operation: Operation | None
    params: Mapping[str, Any]
    org_id: int | None
    numeric: bool
    allowed: tuple[str, ...]
    read_key: tuple[Any, ...]  # what the rendered body of a read is kept under, before its query

    @classmethod
    def of(cls, found: Route) -> _Target:
        path_params: dict[str, Any] = dict(found.params)
        org_id = _path_int(path_params["orgId"]) if found.operation is not None else None  # every operation's
        numeric = True
        for name in INT_PATH_PARAMS:
            if name in path_params:
                number = _path_int(path_params[name])
                numeric = numeric and number is not None
                path_params[name] = number if number is not None else path_params[name]
        operation_id = found.operation.operation_id if found.operation else None
        read_key = (operation_id, org_id, *path_params.values())
        return cls(found.operation, MappingProxyType(path_params), org_id, numeric, found.allowed, read_key)


def _path_int(text: str) -> int | None:
    try:
        return parse_int_path(text, "")
    except ApiError:
        return None


class _Incoming:
    """What the mock reads of an HTTP request's scope, and the body once read."""

    __slots__ = ("_scope", "body", "headers", "method", "path", "query", "routed_to")

    def __init__(self, scope: Scope) -> None:
        self._scope = scope
        self.method: str = scope["method"]
        self.path: str = scope["path"]  # decoded, for routing
        self.query: str = scope.get("query_string", b"").decode("latin-1")
        # lower-case names; ASGI servers send them so, other callers may not
        self.headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        self.body: bytes | None = None
        self.routed_to: str | None = None  # the operation's id once routed

    @property
    def full_path(self) -> str:
        """As sent, with the query: the envelopes' ``path``, like Express's request.url."""
        raw_path = self._scope.get("raw_path") or self.path.encode()
        return raw_path.decode("latin-1") + (f"?{self.query}" if self.query else "")


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
