"""When to retry a failed request, and how long to wait: pure decisions shared by sync and async."""

from __future__ import annotations

import random

import httpx

from cal_attributes.errors import APIConnectionError, APIStatusError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_CAP = 60.0  # seconds: a longer Retry-After is not waited out; the error is raised at once
MAX_BACKOFF = 8.0


def request_never_sent(error: BaseException) -> bool:
    """The connection failed before the request reached the server, so repeating it is safe."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def should_retry(method: str, error: BaseException) -> bool:
    """Safe methods: connection errors, timeouts, 408, 429 and 5xx. Others only when the request was
    never sent, or when the server asked for a retry (429 or 503 with Retry-After): a POST, PATCH
    or DELETE that reached the server may have changed state. Never when Retry-After asks for more
    than RETRY_AFTER_CAP: a retry sooner would be refused again, and waiting longer silently would
    look like a hang (the error carries ``retry_after`` for the caller to decide)."""
    if isinstance(error, APIStatusError):
        if error.retry_after is not None and error.retry_after > RETRY_AFTER_CAP:
            return False  # the server asks for a longer wait than a call should block: say so now
        if error.status_code in (429, 503) and error.retry_after is not None:
            return True
        return method in SAFE_METHODS and (error.status_code in (408, 429) or error.status_code >= 500)
    if isinstance(error, APIConnectionError):
        return method in SAFE_METHODS or request_never_sent(error)
    return False


def retry_delay(error: BaseException, attempts: int, initial: float, maximum: float = MAX_BACKOFF) -> float:
    """Seconds to wait after ``attempts`` failed attempts: what Retry-After says (up to a cap),
    else exponential backoff with full jitter (anywhere from 0 to initial * 2**(attempts-1))."""
    if isinstance(error, APIStatusError) and error.retry_after is not None:
        return min(error.retry_after, RETRY_AFTER_CAP)
    ceiling = min(maximum, initial * 2 ** max(attempts - 1, 0))
    return random.uniform(0, ceiling)
