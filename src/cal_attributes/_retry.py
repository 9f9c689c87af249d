"""When to retry a failed request, and how long to wait: the one place that decides."""

from __future__ import annotations

import httpx
from tenacity import RetryCallState, wait_random_exponential

from cal_attributes.errors import APIConnectionError, APIStatusError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_CAP = 60.0  # seconds: a longer Retry-After is waited only this long before the next try


def request_never_sent(error: BaseException) -> bool:
    """The connection failed before the request reached the server, so repeating it is safe."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def should_retry(method: str, error: BaseException) -> bool:
    """Safe methods: connection errors, timeouts, 408, 429 and 5xx. Others only when the request was
    never sent, or when the server asked for a retry (429 or 503 with Retry-After): a POST, PATCH
    or DELETE that reached the server may have changed state."""
    if isinstance(error, APIStatusError):
        if error.status_code in (429, 503) and error.retry_after is not None:
            return True
        return method in SAFE_METHODS and (error.status_code in (408, 429) or error.status_code >= 500)
    if isinstance(error, APIConnectionError):
        return method in SAFE_METHODS or request_never_sent(error)
    return False


class Backoff:
    """Wait what Retry-After says (up to a cap), else exponential backoff with full jitter."""

    def __init__(self, initial: float, maximum: float = 8.0) -> None:
        self._exponential = wait_random_exponential(multiplier=initial, max=maximum)

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, APIStatusError) and error.retry_after is not None:
            return min(error.retry_after, RETRY_AFTER_CAP)
        return float(self._exponential(state))
