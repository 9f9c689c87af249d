"""Sending requests at a steady pace: a token bucket, bounded concurrency, 429 waits and retries."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cal_attributes.state.ops import OperationError

T = TypeVar("T")

MAX_RETRY_AFTER = 60.0  # a longer Retry-After is capped: the pacing keeps us under the limit anyway
MAX_RATE_LIMITED = 20  # 429s in a row for one request before giving up


@dataclass(frozen=True)
class RunSettings:
    max_per_minute: float = 100  # requests per window, reads included
    window_seconds: float = 60.0  # the window the maximum applies to (tests shorten it)
    concurrency: int = 4  # requests in flight, to overlap latency
    max_retries: int = 2  # extra tries of a request that failed on the network or with a 5xx
    backoff_seconds: float = 0.25  # first retry delay, doubled each time, with jitter

    def __post_init__(self) -> None:
        if self.max_per_minute <= 0 or self.window_seconds <= 0 or self.concurrency < 1 or self.max_retries < 0:
            raise ValueError(
                "max_per_minute and window_seconds must be positive, concurrency at least 1, max_retries at least 0"
            )

    def bucket(self) -> TokenBucket:
        return TokenBucket(self.max_per_minute / self.window_seconds)


class TokenBucket:
    """Start times at least ``1 / rate`` apart, no bursts: at most ``rate * w`` requests (plus the
    one at its edge) start within any window ``w``. A lock-free clock so one bucket can pace
    several event loops in turn (the blocking API runs one per call)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._next = clock()

    def reserve(self) -> float:
        """Take the next slot; returns the seconds to wait for it."""
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        return start - now

    def started(self, moment: float) -> None:
        """A request started at ``moment``: if it was late (a busy event loop), the next waits a full interval."""
        self._next = max(self._next, moment + self.interval)

    def pause_until(self, moment: float) -> None:
        """No slot before ``moment`` (a 429's Retry-After)."""
        self._next = max(self._next, moment)


class Requester:
    """Runs one organization request at a time per slot, counting what it sends."""

    def __init__(self, settings: RunSettings, bucket: TokenBucket | None = None) -> None:
        self.settings = settings
        self.bucket = bucket or settings.bucket()
        self.slots = asyncio.Semaphore(settings.concurrency)
        self._pace = asyncio.Lock()  # starts are taken one at a time, so they stay evenly spaced
        self.sent = 0
        self.rate_limited = 0

    async def call(self, send: Callable[[], Awaitable[T]], *, repeatable: bool = True) -> T:
        """Send, waiting out 429s; retry network errors and 5xx if ``repeatable``."""
        failures = limited = 0
        while True:
            async with self.slots:
                async with self._pace:
                    await asyncio.sleep(self.bucket.reserve())
                    self.bucket.started(time.monotonic())
                self.sent += 1
                try:
                    return await send()
                except OperationError as error:
                    if error.rate_limited and limited < MAX_RATE_LIMITED:
                        limited += 1
                        self.rate_limited += 1
                        wait = min(error.retry_after if error.retry_after is not None else 1.0, MAX_RETRY_AFTER)
                        self.bucket.pause_until(time.monotonic() + wait)
                        continue
                    if not (error.transient and repeatable and failures < self.settings.max_retries):
                        raise
            delay = self.settings.backoff_seconds * 2**failures
            failures += 1
            await asyncio.sleep(delay / 2 + random.uniform(0, delay / 2))
