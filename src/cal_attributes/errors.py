"""The exceptions of the high-level client: one class per kind of failure, all under CalAttributesError.

Each carries what a caller needs to act on or report the failure, and nothing secret: the
request's method and URL (no headers), the status, Cal.com's error ``code``, ``message`` and
``details``, and the ``X-Request-Id`` to quote to Cal.com support.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

import httpx
import orjson

BODY_EXCERPT = 200


# A query parameter whose name says it is secret (apiKey, access_token, client_secret, ...).
SECRET_PARAMETER = re.compile(r"key|token|secret|passw|pwd|auth|sig|jwt|bearer|credential|session", re.IGNORECASE)


def shown_url(url: httpx.URL) -> str:
    """A request's URL as errors and logs show it: without a user or password, and with the value
    of every query (or fragment) parameter whose name says it is secret replaced by
    ``[redacted]`` (an ``extra_query={"apiKey": ...}`` would otherwise be printed whole)."""
    if url.userinfo:
        url = url.copy_with(userinfo=b"")
    return redacted_pairs(str(url))


def redacted_pairs(text: str) -> str:
    """``text`` with the value of each ``name=value`` pair after its ``?`` or ``#`` whose name
    says it is secret replaced by ``[redacted]``; the rest as it was."""
    start = re.search(r"[?#]", text)
    if start is None:
        return text
    shown = []
    for part in re.split(r"([?#&])", text[start.start() :]):  # the separators are kept as parts
        name, equals, _value = part.partition("=")
        shown.append(f"{name}=[redacted]" if equals and SECRET_PARAMETER.search(unquote(name)) else part)
    return text[: start.start()] + "".join(shown)


def shown_location(location: str) -> str:
    """A redirect's Location as errors show it: ``shown_url``'s redaction; for a Location httpx
    cannot read, the same redaction of the text, and no user or password."""
    try:
        return shown_url(httpx.URL(location))
    except httpx.InvalidURL:
        return redacted_pairs(re.sub(r"//[^/?#@]*@", "//", location, count=1))


class PicklableError(Exception):
    """An error that survives pickle and copy (a worker process's error reaching its pool, a test
    runner's report), whatever its ``__init__`` takes: rebuilt from its message arguments and
    attributes, not by calling ``__init__`` again with ``args`` alone. As with any exception,
    ``__cause__`` and the traceback do not travel."""

    def __reduce__(self) -> tuple[Any, ...]:
        return restore_error, (type(self), self.args, dict(self.__dict__))


def restore_error(kind: type[BaseException], args: tuple[object, ...], state: dict[str, object]) -> BaseException:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class CalAttributesError(PicklableError):
    """Base class of every error this package raises."""


class ConfigurationError(CalAttributesError):
    """The client was built without what it needs (credentials, a valid URL)."""


class APIError(CalAttributesError):
    """A request to the API failed."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No response: the connection failed or broke off."""


class APITimeoutError(APIConnectionError):
    """No response within the timeout, or the whole response not within the attempt's deadline."""


class APIResponseTooLargeError(APIError):
    """The response body (decompressed) is larger than the client's ``max_response_bytes``."""

    def __init__(self, message: str, *, method: str, url: str, limit: int) -> None:
        super().__init__(message, method=method, url=url)
        self.limit = limit


class APIResponseValidationError(APIError):
    """A response that is not JSON or does not match the spec."""

    def __init__(self, message: str, *, method: str, url: str, status_code: int, body: str) -> None:
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.body_excerpt = body[:BODY_EXCERPT]

    def __str__(self) -> str:
        return f"{self.message} ({self.method} {self.url} -> {self.status_code}): {self.body_excerpt!r}"


class APIStatusError(APIError):
    """The API answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status_code: int,
        code: str | None,
        details: Any,
        request_id: str | None,
        retry_after: float | None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.code = code
        self.details = details
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        reasons = validation_reasons(self.details)
        because = f" [{'; '.join(reasons)}]" if reasons else ""
        return (
            f"{self.status_code}{code}: {self.message}{because} "
            f"({self.method} {self.url}, request id {self.request_id})"
        )


MAX_REASONS = 3


def validation_reasons(details: object) -> list[str]:
    """The first few broken rules of Cal.com's validation envelope (``details.errors[*].constraints``,
    children included), so that ``str(error)`` says what was wrong, not only "Bad Request Exception"."""
    reasons: list[str] = []
    pending = list(details.get("errors") or []) if isinstance(details, dict) else []
    while pending and len(reasons) < MAX_REASONS:
        item = pending.pop(0)
        if not isinstance(item, dict):
            continue
        constraints = item.get("constraints")
        if isinstance(constraints, dict):
            reasons.extend(str(text)[:200] for text in constraints.values())
        children = item.get("children")
        if isinstance(children, list):
            pending.extend(children)
    return reasons[:MAX_REASONS]


class BadRequestError(APIStatusError):
    """400: validation failed, or a referenced record does not exist."""


class AuthenticationError(APIStatusError):
    """401: missing, unknown or expired credentials."""


class PermissionDeniedError(APIStatusError):
    """403: not an organization, not a member, role too low, or plan / Admin API not enabled."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409: the record already exists (a duplicate slug or assignment)."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says when to try again, if the server said."""


class InternalServerError(APIStatusError):
    """5xx."""


class UnexpectedRedirectError(APIStatusError):
    """3xx: redirects are never followed (they could carry the credentials to another host)."""

    @property
    def location(self) -> str | None:
        return self.details if isinstance(self.details, str) else None


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def status_error(response: httpx.Response, content: bytes) -> APIStatusError:
    """The typed error for an error (or redirect) response, from whichever Cal.com envelope it carries."""
    request = response.request
    status = response.status_code
    code: str | None = None
    details: Any = None
    message = f"HTTP {status}"
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        body = None
        text = content.decode("utf-8", "replace").strip()
        if text:
            message = f"HTTP {status}: {text[:BODY_EXCERPT]}"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # the Cal.com envelopes
            code = str(error["code"]) if "code" in error else None
            message = str(error.get("message", message))
            details = error.get("details")
        elif "message" in body:  # NestJS's plain body: {"statusCode": 500, "message": "..."}
            message = str(body["message"])
    if 300 <= status < 400:
        kind: type[APIStatusError] = UnexpectedRedirectError
        location = response.headers.get("location")
        details = None if location is None else shown_location(location)  # a redirect keeps the query
        message = f"redirect to {details!r} not followed"
    else:
        kind = STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return kind(
        message,
        method=request.method,
        url=shown_url(request.url),
        status_code=status,
        code=code,
        details=details,
        request_id=response.headers.get("x-request-id"),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
