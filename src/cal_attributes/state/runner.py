"""Sending requests at a steady pace under a hard window limit, with bounded concurrency, 429 waits and retries."""

from __future__ import annotations

import asyncio
import math
import os
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from cal_attributes._retry import RETRY_AFTER_CAP
from cal_attributes.state.ops import OperationError

T = TypeVar("T")
Notice = Callable[[str], None]  # told, in a sentence, that a request is retried or a 429 waited out

MAX_RATE_LIMITED = 20  # 429s in a row for one request before giving up
DEFAULT_BURST = 20  # requests that may start at once after an idle time (a short run need not wait)


def default_max_per_minute() -> float:
    """CAL_MAX_PER_MINUTE, else 100: under Cal.com's 120 requests a minute per API key."""
    text = os.environ.get("CAL_MAX_PER_MINUTE", "").strip()
    try:
        rate = float(text) if text else 100.0
    except ValueError:
        rate = math.nan
    if not sane_rate(rate):
        raise ValueError(f"CAL_MAX_PER_MINUTE must be a finite number of at least 1, got {text!r}")
    return rate


def sane_rate(max_per_minute: float) -> bool:
    """At least one request a window, finite: below, a run would wait practically forever (1e-9),
    and inf or nan would break the pacer."""
    return math.isfinite(max_per_minute) and max_per_minute >= 1


@dataclass(frozen=True)
class RunSettings:
    max_per_minute: float = field(default_factory=default_max_per_minute)  # requests per window, reads included
    window_seconds: float = 60.0  # the window the maximum applies to (tests shorten it)
    burst: int = DEFAULT_BURST
    concurrency: int = 4  # requests in flight, to overlap latency
    max_retries: int = 2  # extra tries of a request that failed on the network, with a 408 or a 5xx
    backoff_seconds: float = 0.25  # first retry delay, doubled each time, with jitter
    notice: Notice | None = field(default=None, compare=False)  # so a silent wait is not taken for a hang

    def __post_init__(self) -> None:
        if not sane_rate(self.max_per_minute):
            raise ValueError(
                f"the maximum requests per minute must be a finite number of at least 1, got {self.max_per_minute}"
            )
        if not (math.isfinite(self.window_seconds) and self.window_seconds > 0):
            raise ValueError(f"window_seconds must be a finite positive number, got {self.window_seconds}")
        if self.concurrency < 1 or self.max_retries < 0 or self.burst < 1:
            raise ValueError("concurrency and burst must be at least 1, max_retries at least 0")

    def pacer(self) -> Pacer:
        return Pacer(self.max_per_minute, self.window_seconds, burst=self.burst)


class Pacer:
    """Starts at ``max_requests / window`` a second on average, with a hard limit: never more
    than ``max_requests`` actual starts in any ``window`` seconds (what a throttler counts).

    A token bucket of ``burst`` slots: after an idle time (or at first) up to ``burst`` requests
    start at once, so an export of a small organization does not wait a second per request; then
    slots come back one per ``window / max_requests`` seconds, which also makes up a late start
    (a busy event loop). No event-loop objects, so one pacer can pace several event loops in turn
    (the blocking API runs one per call)."""

    def __init__(
        self,
        max_requests: float,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        burst: int = DEFAULT_BURST,
    ) -> None:
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.interval = window / max_requests
        self.window = window
        self.limit = max(1, int(max_requests))
        self.burst = burst
        self._clock = clock
        self._next = -math.inf  # the first call to wait() fills the bucket
        self._starts: deque[float] = deque()

    def wait(self) -> float:
        """Seconds until the next start is allowed (0: now)."""
        now = self._clock()
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        self._next = max(self._next, now - self.interval * (self.burst - 1))  # at most a full bucket
        earliest = self._next
        if len(self._starts) >= self.limit:
            earliest = max(earliest, self._starts[0] + self.window)
        return max(0.0, earliest - now)

    def start(self) -> None:
        """A request starts now (call when ``wait()`` is 0)."""
        self._starts.append(self._clock())
        self._next += self.interval

    def pause_until(self, moment: float) -> None:
        """No start before ``moment`` (a 429's Retry-After)."""
        self._next = max(self._next, moment)


class Requester:
    """Runs one organization request at a time per slot, counting what it sends."""

    def __init__(self, settings: RunSettings, pacer: Pacer | None = None) -> None:
        self.settings = settings
        self.pacer = pacer or settings.pacer()
        self.slots = asyncio.Semaphore(settings.concurrency)
        self._pace = asyncio.Lock()  # starts are taken one at a time, so they stay evenly spaced
        self.sent = 0
        self.rate_limited = 0

    async def call(self, send: Callable[[], Awaitable[T]], *, repeatable: bool = True) -> T:
        """Send, waiting out 429s; retry network errors, 408 and 5xx if ``repeatable``."""
        failures = limited = 0
        while True:
            async with self.slots:
                async with self._pace:
                    while (wait := self.pacer.wait()) > 0:
                        await asyncio.sleep(wait)
                    self.pacer.start()
                self.sent += 1
                try:
                    return await send()
                except OperationError as error:
                    # A server asking for more than RETRY_AFTER_CAP would refuse an earlier retry
                    # too (the SDK raises at once as well), whatever the status: say how long it asked.
                    if error.retry_after is not None and error.retry_after > RETRY_AFTER_CAP:
                        raise OperationError(
                            f"{error} (the server asks to wait {error.retry_after:g} s, "
                            f"more than the {RETRY_AFTER_CAP:g} s a run waits)",
                            status=error.status,
                            retry_after=error.retry_after,
                            server_message=error.server_message,
                        ) from None
                    if error.rate_limited and limited < MAX_RATE_LIMITED:
                        limited += 1
                        self.rate_limited += 1
                        wait = error.retry_after if error.retry_after is not None else 1.0
                        self.pacer.pause_until(time.monotonic() + wait)
                        self.tell(f"rate limited (429): waiting {wait:g} s")
                        continue
                    if not (error.transient and repeatable and failures < self.settings.max_retries):
                        raise
                    retried = error
            delay = self.settings.backoff_seconds * 2**failures
            failures += 1
            self.tell(f"{retried}: retry {failures} of {self.settings.max_retries}")
            await asyncio.sleep(delay / 2 + random.uniform(0, delay / 2))

    def tell(self, text: str) -> None:
        if self.settings.notice is not None:
            self.settings.notice(text)
