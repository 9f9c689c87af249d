"""The runtime under the generated resources: one request path for sync and async.

A generated method hands over an ``Operation`` (method, path template, how to read the body),
its path arguments, query, body and per-request options. From there the steps are shared: build
an ``httpx.Request`` with an absolute URL, send it on a streamed response, read the body within
``max_response_bytes`` and the attempt's deadline, turn an error status into a typed error, decide
on a retry (``_retry``), and read the success body into the generated models. Only the sending
and the sleeping differ between ``SyncAPIClient`` and ``AsyncAPIClient``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any, Generic, Literal, ParamSpec, Protocol, Self, TypeVar, cast
from urllib.parse import quote

import httpx
import msgspec
import orjson
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.types import LENIENT_ERRORS

from cal_attributes._namespaces import AsyncNamespaces, SyncNamespaces
from cal_attributes._retry import retry_delay, should_retry
from cal_attributes._settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Settings,
    check_count,
    check_int,
    check_seconds,
    checked_timeout,
    resolve_settings,
)
from cal_attributes._transport import ATTEMPT_DEADLINE, AsyncDeadlineTransport, DeadlineTransport, client_arguments
from cal_attributes._validation import first_error
from cal_attributes.errors import (
    APIConnectionError,
    APIError,
    APIResponseTooLargeError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    shown_url,
    status_error,
)

logger = logging.getLogger("cal_attributes")
T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
R = TypeVar("R")
P = ParamSpec("P")


class JsonModel(Protocol):
    """A generated model: ``from_json`` decodes a body into it (msgspec, falling back to ``from_dict``)."""

    @classmethod
    def from_json(cls, data: bytes | str) -> Self: ...


M = TypeVar("M", bound=JsonModel)
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def sdk_version(distribution: str = "cal-attributes") -> str:
    """The installed distribution's version; "unknown" without its metadata (a vendored copy,
    a frozen application built without it), which must not stop the import."""
    try:
        return package_version(distribution)
    except PackageNotFoundError:
        return "unknown"


USER_AGENT = f"cal-attributes/{sdk_version()} python-httpx/{httpx.__version__}"
JSON_HEADERS = {"Content-Type": "application/json"}


class NotGiven:
    """An argument that was not passed (unlike ``None``, which may be a value to send)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@dataclass(frozen=True, slots=True)
class Paging:
    """How a list operation pages: ``offset`` (skip/take) or ``cursor``, by query parameter names."""

    style: str  # "offset" or "cursor"
    limit: str
    offset: str = ""
    cursor: str = ""
    maximum: int | None = None
    default_size: int = 100

    def check(self, page_size: int) -> None:
        check_count("page_size", page_size, 1)
        if self.maximum is not None and page_size > self.maximum:
            raise ValueError(f"page_size must be between 1 and {self.maximum or 'any number'}, got {page_size}")


@dataclass(frozen=True, slots=True)
class PageData(Generic[T]):
    """What one page of a list operation says: its items and, for cursors, where the next starts."""

    items: list[T]
    has_more: bool = True
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Operation(Generic[M, R]):
    """One operation of the spec, as a generated method sends it."""

    method: str
    path: str  # "/v2/organizations/{}/attributes": the path arguments fill the {} in order
    operation_id: str
    success_status: int
    model: type[M]  # the success body's model (the envelope)
    read: Callable[[M], R]  # the envelope -> the result (its data, or a page's items and cursor)
    paging: Paging | None = None


@dataclass(frozen=True, slots=True)
class RequestOptions:
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN  # None: no limit, as httpx
    page_size: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.timeout, NotGiven):  # when given, not when a (lazy) page is sent
            object.__setattr__(self, "timeout", checked_timeout(self.timeout))  # checked once, kept as httpx's


def require_exactly_one(method: str, **selectors: object) -> None:
    """For a method merging operations that differ in one path parameter: exactly one is given."""
    given = [name for name, value in selectors.items() if not isinstance(value, NotGiven)]
    if len(given) != 1:
        raise TypeError(f"{method}() takes exactly one of {', '.join(selectors)}; got {len(given)}")


def require_path_text(name: str, value: str) -> None:
    """A path parameter given as text is not empty, "." or "..": "" would request the collection's
    URL (``.../attributes/``, as openai-python refuses too), and a dot segment is removed from the
    URL, so ``options.delete(a, "..")`` would send DELETE ``.../attributes/{a}``: another resource."""
    if not isinstance(value, str):  # an untyped caller's 0 or None: the wrong type, not "empty"
        raise TypeError(f"`{name}` must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
    if value in (".", ".."):
        raise ValueError(f"`{name}` cannot be {value!r}: a dot segment would address another URL")


def require_path_int(name: str, value: int) -> None:
    """An integer path parameter is an int: ``"5"``, ``5.0`` or ``None`` from an untyped caller
    would go into the URL as text, and ``True`` as ``True``. Its range is the server's to judge."""
    check_int(f"`{name}`", value)


def comma_list(name: str, values: Sequence[object]) -> str:
    """A list query parameter as Cal.com reads it (``a,b``). One string is refused: it is a
    sequence of characters to the type checker and to ``join``, so ``"7c1d…"`` would be sent as
    ``7,c,1,d,…`` and silently match nothing."""
    if isinstance(values, str):
        raise TypeError(f"`{name}` takes a list of values, not one string: pass [{values!r}]")
    return ",".join(str(item) for item in values)


PLAIN_TEXT = re.compile(r"[A-Za-z0-9._~-]*").fullmatch  # what URL encoding leaves as it is


def query_text(query: Mapping[str, object]) -> str:
    """The query as ``httpx.QueryParams`` renders it; plain keys with integers or plain text, the
    usual query, are joined directly (a fifth of the time; QueryParams is about 8 us)."""
    parts = []
    for key, value in query.items():
        if not PLAIN_TEXT(key):
            return str(httpx.QueryParams(cast(Any, query)))
        if type(value) is int or (type(value) is str and PLAIN_TEXT(value)):  # not bool: QueryParams writes "true"
            parts.append(f"{key}={value}")
        else:
            return str(httpx.QueryParams(cast(Any, query)))
    return "&".join(parts)


def path_text(part: object) -> str:
    """A path argument, percent-encoded whole (an integer needs no encoding)."""
    return str(part) if type(part) is int else quote(str(part), safe="")


def cursor_text(value: object) -> str | None:
    """A page's next cursor as sent back, or None when there is none."""
    return value if isinstance(value, str) and value else None


class RawResponse(Generic[T]):
    """The HTTP response of a call; ``parse()`` gives what the method returns."""

    def __init__(self, http_response: httpx.Response, parse: Callable[[], T]) -> None:
        self.http_response = http_response
        self._parse = parse

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        request_id: str | None = self.http_response.headers.get("x-request-id")
        return request_id

    def parse(self) -> T:
        return self._parse()

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} request id {self.request_id}>"


def raw_response_wrapper(method: Callable[P, R]) -> Callable[P, RawResponse[R]]:
    """A raw-mode resource's method, typed as what it returns in raw mode."""
    return cast(Callable[P, RawResponse[R]], method)


def async_raw_response_wrapper(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[RawResponse[R]]]:
    return cast(Callable[P, Awaitable[RawResponse[R]]], method)


def async_page_raw_response_wrapper(
    method: Callable[P, AsyncPaginator[T, AsyncPageT]],
) -> Callable[P, Awaitable[RawResponse[AsyncPageT]]]:
    async def first_page(*args: P.args, **kwargs: P.kwargs) -> RawResponse[AsyncPageT]:
        return cast(RawResponse[AsyncPageT], await method(*args, **kwargs))

    return first_page


# --- the shared steps ------------------------------------------------------------------------


def attempt_deadline(timeout: httpx.Timeout) -> float | None:
    """Seconds one attempt may take in all: the longest of its phase timeouts. None (no deadline)
    when connecting, writing or reading is unbounded: ``read=None`` asks to wait for a slow answer."""
    if timeout.connect is None or timeout.read is None or timeout.write is None:
        return None
    return max(t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t is not None)


class BodyBuffer:
    """A response body read chunk by chunk, stopped past the size limit or the deadline.

    gzip and deflate bodies are inflated here, from ``iter_raw()``, never more than the bytes
    still allowed at a time: httpx's own decoder inflates each network chunk whole, so one
    compressed chunk of a gzip bomb could still take hundreds of megabytes.
    """

    __slots__ = ("_chunks", "_inflater", "_limit", "_request", "_size", "deadline")

    def __init__(self, request: httpx.Request, limit: int, seconds: float | None) -> None:
        """Started when the attempt starts: ``seconds`` bounds the whole attempt."""
        self._request, self._limit = request, limit
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self._chunks: list[bytes] = []
        self._size = 0
        self._inflater: Any = None

    def inflates(self, response: httpx.Response) -> bool:
        """Whether this buffer decodes the body itself (read it with ``iter_raw``), after checking
        a declared length."""
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit():
                self._count(int(declared))
            return False
        if encoding in ("gzip", "x-gzip", "deflate"):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
            return True
        return False  # br, zstd, stacked codings: httpx decodes them chunk by chunk

    def add_raw(self, data: bytes) -> None:
        if self._inflater is None:
            self.add(data)
            return
        while data:
            try:
                chunk = self._inflater.decompress(data, self._limit - self._size + 1)
            except zlib.error as error:
                raise httpx.DecodingError(f"the response body is not valid compressed data: {error}") from error
            self.add(chunk)
            data = self._inflater.unconsumed_tail

    def add(self, chunk: bytes) -> None:
        self._count(self._size + len(chunk))
        self._chunks.append(chunk)
        if self.deadline is not None and time.monotonic() > self.deadline:
            self._chunks.clear()
            raise APITimeoutError(
                f"the response took longer than the attempt's deadline ({self._request.method} {shown_url(self._request.url)})",
                method=self._request.method,
                url=shown_url(self._request.url),
            )

    def _count(self, size: int) -> None:
        if size > self._limit:
            self._chunks.clear()
            raise APIResponseTooLargeError(
                f"the response is larger than max_response_bytes={self._limit} "
                f"({self._request.method} {shown_url(self._request.url)})",
                method=self._request.method,
                url=shown_url(self._request.url),
                limit=self._limit,
            )
        self._size = size

    def content(self) -> bytes:
        if self._inflater is not None:
            self.add(self._inflater.flush())
        return self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)


def merged_headers(*layers: Mapping[str, str]) -> dict[str, str]:
    """Header dicts merged in order, a later name replacing an earlier one whatever its case
    (a dict merge would keep both "User-Agent" and "user-agent"); the names keep their spelling."""
    merged: dict[str, str] = {}
    for layer in layers:
        for name, value in dict(layer).items():
            for earlier in [key for key in merged if key.lower() == name.lower()]:
                del merged[earlier]
            merged[name] = value
    return merged


def new_request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    url: str,
    content: bytes | None,
    headers: Mapping[str, str] | None,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """What ``http.build_request`` makes of an absolute URL when the client holds no cookies or
    query parameters to merge in, without its merging steps (a twentieth of a call's time)."""
    merged = httpx.Headers(http.headers)
    if headers:
        merged.update(headers)
    return httpx.Request(method, url, content=content, headers=merged, extensions={"timeout": timeout.as_dict()})


def transport_error(error: httpx.TransportError | httpx.DecodingError, request: httpx.Request) -> APIConnectionError:
    kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    url = shown_url(request.url)
    failure = kind(f"{type(error).__name__}: {error} ({request.method} {url})", method=request.method, url=url)
    failure.__cause__ = error
    return failure


def log_attempt(request: httpx.Request, outcome: str | int, started: float, attempt: int) -> None:
    """DEBUG: method, URL with its query, outcome, elapsed time and retries so far.

    Never headers or bodies: the credentials travel in headers only.
    """
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1000
        url = shown_url(request.url)
        logger.debug("%s %s -> %s in %.1f ms (retry %d)", request.method, url, outcome, elapsed, attempt)


def check_status(response: httpx.Response, content: bytes) -> None:
    if response.status_code >= 300:
        raise status_error(response, content)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    settings: Settings
    org_id: int | None
    timeout: httpx.Timeout
    max_retries: int
    backoff: float
    max_response_bytes: int
    strict_response_validation: bool


class BaseClient(Generic[HttpT]):
    """Configuration and the steps that do no I/O, shared by the sync and async clients."""

    _config: ClientConfig
    _base_url: str
    _http: HttpT

    def __init__(
        self,
        api_key: str | None = None,
        *,
        org_id: int | None = None,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = 0.5,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        strict_response_validation: bool = False,
        httpx_args: Mapping[str, Any] | None = None,
    ) -> None:
        self._configure(
            api_key,
            org_id,
            base_url,
            client_id,
            client_secret,
            timeout,
            max_retries,
            backoff,
            max_response_bytes,
            strict_response_validation,
        )
        self._httpx_args = dict(httpx_args or {})
        self._http = self._new_http(self._http_args(httpx_args))

    def _new_http(self, args: dict[str, Any]) -> HttpT:
        raise NotImplementedError

    def with_options(
        self, *, timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN, max_retries: int | NotGiven = NOT_GIVEN
    ) -> Self:
        """A copy with other defaults, sharing this client's connection pool."""
        copy = type(self).__new__(type(self))
        copy._set_config(_changed(self._config, timeout, max_retries))
        copy._httpx_args, copy._http = self._httpx_args, self._http
        return copy

    @cached_property
    def generated(self) -> AuthenticatedClient:
        """The generated client, for its ``sync_detailed`` / ``asyncio_detailed`` functions (no retries, no exceptions)."""
        settings = self._config.settings
        # The generated client passes these to httpx.Client itself: given again in httpx_args
        # they would be a TypeError on its first call. They take the resources' meaning here:
        # headers merged under ours, our base URL and timeout, redirects never followed.
        args = self._http_args(self._httpx_args)
        for ours in ("base_url", "timeout", "follow_redirects"):
            args.pop(ours, None)
        cookies, verify = args.pop("cookies", None), args.pop("verify", True)
        return AuthenticatedClient(
            base_url=settings.base_url,
            token=settings.api_key or "",
            headers=args.pop("headers"),
            cookies=dict(httpx.Cookies(cookies)),
            timeout=self._config.timeout,
            verify_ssl=verify,
            httpx_args=args,
        )

    def _configure(
        self,
        api_key: str | None,
        org_id: int | None,
        base_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        backoff: float,
        max_response_bytes: int,
        strict_response_validation: bool,
    ) -> None:
        check_count("max_retries", max_retries, 0)
        check_count("max_response_bytes", max_response_bytes, 1)
        check_seconds("backoff", backoff, zero_allowed=True)
        settings = resolve_settings(api_key, base_url, client_id, client_secret, org_id)
        self._set_config(
            ClientConfig(
                settings,
                settings.org_id,
                checked_timeout(timeout),
                max_retries,
                backoff,
                max_response_bytes,
                strict_response_validation,
            )
        )

    def _set_config(self, config: ClientConfig) -> None:
        self._config = config
        self._base_url = config.settings.base_url
        self._deadline = attempt_deadline(config.timeout)

    def _http_headers(self) -> dict[str, str]:
        settings = self._config.settings
        headers = {"Accept": "application/json", **settings.headers()}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        return headers

    def _http_args(self, httpx_args: Mapping[str, Any] | None) -> dict[str, Any]:
        """The user's httpx arguments with ours: redirects are refused per request, so theirs is
        harmless; a timeout or base URL there would be silently replaced by the client's, and an
        ``auth`` would replace the client's credential, so they are refused with what to use instead."""
        args = dict(httpx_args or {})
        for ours in ("timeout", "base_url"):
            if ours in args:
                raise ConfigurationError(f"pass {ours}= to the client itself, not in httpx_args (it would be ignored)")
        if "auth" in args:  # httpx would replace the client's credential headers with it: a 401
            raise ConfigurationError(
                "pass the credential as api_key= (or client_id/client_secret), not auth= in httpx_args"
            )
        # The User-Agent is a default (the user's own wins); the credentials and Accept are always ours.
        args["headers"] = merged_headers({"User-Agent": USER_AGENT}, args.get("headers") or {}, self._http_headers())
        args["timeout"] = self._config.timeout
        return args

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self._config.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._config.timeout

    @property
    def org_id(self) -> int | None:
        return self._config.org_id

    def __repr__(self) -> str:
        settings = self._config.settings
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, org_id={self._config.org_id!r}, "
            f"credential={settings.credential!r})"
        )

    def _org(self, org_id: int | NotGiven) -> int:
        if not isinstance(org_id, NotGiven):
            require_path_int("org_id", org_id)
            return org_id
        if self._config.org_id is None:
            raise ConfigurationError(
                "no organization: pass org_id=... to the method or to the client, or set CAL_ORG_ID"
            )
        return self._config.org_id

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        operation: Operation[Any, Any],
        path: tuple[object, ...],
        query: Mapping[str, object] | None,
        body: Mapping[str, object] | None,
        options: RequestOptions,
    ) -> tuple[httpx.Request, float | None]:
        """The request and the seconds one attempt may take.

        The query goes into the URL string (httpx parses a URL once, a URL plus ``params=`` twice),
        unless the client has query parameters of its own: httpx then replaces the URL's query with
        the merged ``params=``, so ours must go there too.
        """
        url = self._base_url + operation.path.format(*map(path_text, path))
        if options.extra_query:
            query = {**(query or {}), **options.extra_query}
        if options.extra_body:
            body = {**(body or {}), **options.extra_body}
        if isinstance(options.timeout, NotGiven):
            timeout, deadline = self._config.timeout, self._deadline
        else:
            timeout = (
                options.timeout if isinstance(options.timeout, httpx.Timeout) else checked_timeout(options.timeout)
            )
            deadline = attempt_deadline(timeout)
        content = None if body is None else orjson.dumps(body)
        headers = self._headers(body is not None, options.extra_headers)
        if http.cookies or http.params:  # the client's own to send too: httpx merges them
            params = cast(Any, query) or None
            request = http.build_request(
                operation.method, url, content=content, params=params, headers=headers, timeout=timeout
            )
            return request, deadline
        if query:
            url = f"{url}?{query_text(query)}"
        return new_request(http, operation.method, url, content, headers, timeout), deadline

    @staticmethod
    def _headers(has_body: bool, extra: Mapping[str, str] | None) -> Mapping[str, str] | None:
        if extra:
            return {**JSON_HEADERS, **extra} if has_body else extra
        return JSON_HEADERS if has_body else None

    def _read(self, operation: Operation[Any, R], response: httpx.Response, content: bytes) -> R:
        """The success result, or APIResponseValidationError for a body that is not what the spec says."""

        def invalid(reason: str) -> APIResponseValidationError:
            request = response.request
            text = content[:1000].decode("utf-8", "replace")
            status = response.status_code
            return APIResponseValidationError(
                reason, method=request.method, url=shown_url(request.url), status_code=status, body=text
            )

        if response.status_code != operation.success_status:
            raise invalid(f"status {response.status_code} is not documented for this operation")
        try:
            if self._config.strict_response_validation:  # jsonschema checks the decoded JSON
                problem = first_error(operation.operation_id, response.status_code, msgspec.json.decode(content))
                if problem is not None:
                    raise invalid(f"the response does not match the spec: {problem}")
            return operation.read(operation.model.from_json(content))
        except msgspec.ValidationError as error:  # JSON, but neither reader could make the model of it
            raise invalid(f"the response does not match the spec ({error})") from error
        except (msgspec.DecodeError, UnicodeDecodeError) as error:  # not JSON (ValidationError is a DecodeError)
            raise invalid(f"the response is not JSON ({error})") from error
        except RecursionError as error:  # msgspec's or jsonschema's depth: Python's recursion limit
            raise invalid("the response is nested too deeply to read") from error
        except LENIENT_ERRORS as error:  # an envelope's unwrapping refused what from_json made
            raise invalid(f"the response does not match the spec ({type(error).__name__}: {error})") from error

    @staticmethod
    def _paging(operation: Operation[Any, Any]) -> Paging:
        if operation.paging is None:
            raise TypeError(f"{operation.operation_id} is not a list operation")
        return operation.paging

    def _first_page_query(
        self, operation: Operation[Any, Any], query: Mapping[str, object] | None, options: RequestOptions
    ) -> dict[str, object]:
        paging = self._paging(operation)
        size = paging.default_size if options.page_size is None else options.page_size
        paging.check(size)
        if paging.style == "offset":
            return {**(query or {}), paging.offset: 0, paging.limit: size}
        return {**(query or {}), paging.limit: size}

    @staticmethod
    def _next_query(paging: Paging, query: Mapping[str, object], data: PageData[Any]) -> dict[str, object] | None:
        """The query of the page after this one, or None when this is the last."""
        if paging.style == "cursor":
            # A cursor the server sends back unchanged would fetch this page again, forever.
            if not data.has_more or data.next_cursor is None or data.next_cursor == query.get(paging.cursor):
                return None
            return {**query, paging.cursor: data.next_cursor}
        size = query[paging.limit]
        if not isinstance(size, int) or len(data.items) < size:
            return None
        offset = query.get(paging.offset, 0)
        return {**query, paging.offset: (offset if isinstance(offset, int) else 0) + len(data.items)}


class BasePage(Generic[T]):
    """One page of a list: its ``items`` and how to fetch the next."""

    def __init__(self, items: list[T], next_query: dict[str, object] | None, data: PageData[T]) -> None:
        self.items = items
        self._next_query = next_query
        self.has_more = data.has_more
        self.next_cursor = data.next_cursor

    @property
    def data(self) -> list[T]:
        return self.items

    def has_next_page(self) -> bool:
        return self._next_query is not None

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self.items)} items, next page: {self.has_next_page()}>"


class SyncPage(BasePage[T]):
    """An offset (skip/take) page; iterating it yields every item of every page, fetched lazily."""

    def __init__(
        self,
        items: list[T],
        next_query: dict[str, object] | None,
        data: PageData[T],
        fetch: Callable[[dict[str, object]], SyncPage[T]],
    ) -> None:
        super().__init__(items, next_query, data)
        self._fetch = fetch

    def get_next_page(self) -> SyncPage[T]:
        if self._next_query is None:
            raise RuntimeError("this is the last page: check has_next_page() first")
        return self._fetch(self._next_query)

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page and the ones after it, each requested when the previous one is done with.
        An empty last page after the first is not yielded (an offset list whose last page is
        exactly full cannot tell, so the next request finds nothing); an empty cursor page that
        says there is more is, and the walk goes on."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()
            if not page.items and not page.has_next_page():
                return

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


class SyncCursorPage(SyncPage[T]):
    """A cursor page: ``has_more`` and ``next_cursor`` as the server sent them."""


class AsyncPage(BasePage[T]):
    """An offset (skip/take) page; ``async for`` yields every item of every page, fetched lazily."""

    def __init__(
        self,
        items: list[T],
        next_query: dict[str, object] | None,
        data: PageData[T],
        fetch: Callable[[dict[str, object]], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(items, next_query, data)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncPage[T]:
        if self._next_query is None:
            raise RuntimeError("this is the last page: check has_next_page() first")
        return await self._fetch(self._next_query)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """As SyncPage.iter_pages: no empty last page after the first."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()
            if not page.items and not page.has_next_page():
                return

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncCursorPage(AsyncPage[T]):
    """A cursor page: ``has_more`` and ``next_cursor`` as the server sent them."""


AsyncPageT = TypeVar("AsyncPageT", bound=AsyncPage[Any])
SyncPageT = TypeVar("SyncPageT", bound=SyncPage[Any])


class AsyncPaginator(Generic[T, AsyncPageT]):
    """``await`` it for the first page, or ``async for`` over every item of every page."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPageT]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPageT]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page: AsyncPage[T] = await self._first_page()
        async for item in page:
            yield item


# --- the clients ------------------------------------------------------------------------------


class SyncAPIClient(BaseClient[httpx.Client], SyncNamespaces):
    """The synchronous client's runtime; the generated ``CalAttributes`` adds the resources."""

    def _new_http(self, args: dict[str, Any]) -> httpx.Client:
        return httpx.Client(**client_arguments(args, DeadlineTransport, self._base_url))

    def _request(
        self,
        operation: Operation[Any, R],
        path: tuple[object, ...],
        query: Mapping[str, object] | None,
        body: Mapping[str, object] | None,
        options: RequestOptions,
        raw: bool,
    ) -> R:
        response, content = self._send(*self._build_request(self._http, operation, path, query, body, options))
        if raw:
            return cast(R, RawResponse(response, lambda: self._read(operation, response, content)))
        return self._read(operation, response, content)

    def _paginate(
        self,
        page_class: type[SyncPageT],
        operation: Operation[Any, PageData[T]],
        path: tuple[object, ...],
        query: Mapping[str, object] | None,
        body: Mapping[str, object] | None,
        options: RequestOptions,
        raw: bool,
    ) -> SyncPageT:
        """The first page (in raw mode: its RawResponse); each page fetches the next on demand."""
        paging = self._paging(operation)

        def page(page_query: dict[str, object], data: PageData[T]) -> SyncPageT:
            return page_class(data.items, self._next_query(paging, page_query, data), data, fetch)

        def fetch(page_query: dict[str, object]) -> SyncPageT:
            return page(page_query, self._request(operation, path, page_query, body, options, False))

        first = self._first_page_query(operation, query, options)
        if not raw:
            return fetch(first)
        response, content = self._send(*self._build_request(self._http, operation, path, first, body, options))
        return cast(SyncPageT, RawResponse(response, lambda: page(first, self._read(operation, response, content))))

    def _send(self, request: httpx.Request, deadline: float | None) -> tuple[httpx.Response, bytes]:
        """Attempts until one succeeds or the retry policy gives up."""
        attempts = 0
        while True:
            try:
                return self._attempt(request, deadline, attempts)
            except APIError as error:
                attempts += 1
                if attempts > self._config.max_retries or not should_retry(request.method, error):
                    raise
                time.sleep(retry_delay(error, attempts, self._config.backoff))

    def _attempt(self, request: httpx.Request, deadline: float | None, retry: int) -> tuple[httpx.Response, bytes]:
        started = time.perf_counter()
        buffer = BodyBuffer(request, self._config.max_response_bytes, deadline)
        deadline_set = ATTEMPT_DEADLINE.set(buffer.deadline)
        try:
            response = self._http.send(request, stream=True, follow_redirects=False)
            try:
                if response.is_stream_consumed:  # already read by the transport (MockTransport): check its size
                    buffer.add(response.content)
                else:
                    for chunk in response.iter_raw() if buffer.inflates(response) else response.iter_bytes():
                        buffer.add_raw(chunk)
            finally:
                response.close()
        except (httpx.TransportError, httpx.DecodingError) as error:  # a body that is not the encoding it says
            log_attempt(request, type(error).__name__, started, retry)
            raise transport_error(error, request) from error
        except APIError as error:
            log_attempt(request, type(error).__name__, started, retry)
            raise
        finally:
            ATTEMPT_DEADLINE.reset(deadline_set)
        content = buffer.content()
        log_attempt(request, response.status_code, started, retry)
        check_status(response, content)
        return response, content

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncAPIClient(BaseClient[httpx.AsyncClient], AsyncNamespaces):
    """The asynchronous client's runtime; the generated ``AsyncCalAttributes`` adds the resources."""

    def _new_http(self, args: dict[str, Any]) -> httpx.AsyncClient:
        return httpx.AsyncClient(**client_arguments(args, AsyncDeadlineTransport, self._base_url))

    async def _request(
        self,
        operation: Operation[Any, R],
        path: tuple[object, ...],
        query: Mapping[str, object] | None,
        body: Mapping[str, object] | None,
        options: RequestOptions,
        raw: bool,
    ) -> R:
        response, content = await self._send(*self._build_request(self._http, operation, path, query, body, options))
        if raw:
            return cast(R, RawResponse(response, lambda: self._read(operation, response, content)))
        return self._read(operation, response, content)

    def _paginate(
        self,
        page_class: type[AsyncPageT],
        operation: Operation[Any, PageData[T]],
        path: tuple[object, ...],
        query: Mapping[str, object] | None,
        body: Mapping[str, object] | None,
        options: RequestOptions,
        raw: bool,
    ) -> AsyncPaginator[T, AsyncPageT]:
        """Awaitable for the first page (in raw mode: its RawResponse), iterable over every item."""
        paging = self._paging(operation)
        first = self._first_page_query(operation, query, options)

        def page(page_query: dict[str, object], data: PageData[T]) -> AsyncPageT:
            return page_class(data.items, self._next_query(paging, page_query, data), data, fetch)

        async def fetch(page_query: dict[str, object]) -> AsyncPageT:
            return page(page_query, await self._request(operation, path, page_query, body, options, False))

        async def first_page() -> AsyncPageT:
            if not raw:
                return await fetch(first)
            response, content = await self._send(
                *self._build_request(self._http, operation, path, first, body, options)
            )
            return cast(
                AsyncPageT, RawResponse(response, lambda: page(first, self._read(operation, response, content)))
            )

        return AsyncPaginator(first_page)

    async def _send(self, request: httpx.Request, deadline: float | None) -> tuple[httpx.Response, bytes]:
        attempts = 0
        while True:
            try:
                return await self._attempt(request, deadline, attempts)
            except APIError as error:
                attempts += 1
                if attempts > self._config.max_retries or not should_retry(request.method, error):
                    raise
                await asyncio.sleep(retry_delay(error, attempts, self._config.backoff))

    async def _attempt(
        self, request: httpx.Request, deadline: float | None, retry: int
    ) -> tuple[httpx.Response, bytes]:
        started = time.perf_counter()
        buffer = BodyBuffer(request, self._config.max_response_bytes, deadline)
        deadline_set = ATTEMPT_DEADLINE.set(buffer.deadline)
        try:
            response = await self._http.send(request, stream=True, follow_redirects=False)
            try:
                if response.is_stream_consumed:  # already read by the transport (MockTransport): check its size
                    buffer.add(response.content)
                else:
                    async for chunk in response.aiter_raw() if buffer.inflates(response) else response.aiter_bytes():
                        buffer.add_raw(chunk)
            finally:
                await response.aclose()
        except (httpx.TransportError, httpx.DecodingError) as error:  # a body that is not the encoding it says
            log_attempt(request, type(error).__name__, started, retry)
            raise transport_error(error, request) from error
        except APIError as error:
            log_attempt(request, type(error).__name__, started, retry)
            raise
        finally:
            ATTEMPT_DEADLINE.reset(deadline_set)
        content = buffer.content()
        log_attempt(request, response.status_code, started, retry)
        check_status(response, content)
        return response, content

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _changed(
    config: ClientConfig, timeout: float | httpx.Timeout | NotGiven | None, max_retries: int | NotGiven
) -> ClientConfig:
    if not isinstance(max_retries, NotGiven):
        check_count("max_retries", max_retries, 0)
    return replace(
        config,
        timeout=config.timeout if isinstance(timeout, NotGiven) else checked_timeout(timeout),
        max_retries=config.max_retries if isinstance(max_retries, NotGiven) else max_retries,
    )


class SyncAPIResource:
    """A namespace of the sync client (``cal.attributes``, ``cal.attributes.options``, ...)."""

    def __init__(self, client: SyncAPIClient, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw


class AsyncAPIResource:
    def __init__(self, client: AsyncAPIClient, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw
