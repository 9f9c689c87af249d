"""Pacing: a bounded burst then evenly spaced starts, a hard limit per window, pauses for Retry-After."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from cal_attributes.errors import APIConnectionError, APIResponseTooLargeError, APIResponseValidationError
from cal_attributes.state import RunSettings
from cal_attributes.state.ops import OperationError
from cal_attributes.state.runner import DEFAULT_BURST, Pacer, Requester
from cal_attributes.state.sdk import operation_errors


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def starts(pacer: Pacer, clock: Clock, count: int, lateness: random.Random | None = None) -> list[float]:
    """Start ``count`` requests as soon as allowed (each woken up to 0.3 s late if ``lateness``)."""
    times = []
    for _ in range(count):
        while (wait := pacer.wait()) > 0:
            clock.now += wait + (lateness.uniform(0, 0.3) if lateness else 0)
        pacer.start()
        times.append(clock.now)
    return times


def relative(times: list[float]) -> list[float]:
    return [round(t - times[0], 6) for t in times]


def test_a_burst_starts_at_once_then_starts_are_evenly_spaced() -> None:
    clock = Clock()
    pacer = Pacer(10, 1.0, clock, burst=3)  # 10 a second
    assert relative(starts(pacer, clock, 5)) == [0.0, 0.0, 0.0, 0.1, 0.2]
    clock.now += 60  # idle (or a very late wake-up): the bucket refills to the burst, no further
    assert relative(starts(pacer, clock, 5)) == [0.0, 0.0, 0.0, 0.1, 0.2]
    clock.now += 0.15  # a short pause gives back the slots of that time only
    assert relative(starts(pacer, clock, 3)) == [0.0, 0.05, 0.15]


def test_without_a_burst_every_start_waits_its_turn() -> None:
    clock = Clock()
    assert relative(starts(Pacer(10, 1.0, clock, burst=1), clock, 3)) == [0.0, 0.1, 0.2]
    with pytest.raises(ValueError, match="burst"):
        Pacer(10, 1.0, clock, burst=0)


def test_a_burst_never_exceeds_the_window_limit() -> None:
    clock = Clock()
    pacer = Pacer(10, 1.0, clock, burst=10)  # the whole window's budget at once
    times = starts(pacer, clock, 40)
    assert relative(times)[:11] == [0.0] * 10 + [1.0]  # the 11th waits for the first to leave the window
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 10


def test_late_wake_ups_never_exceed_the_window_limit() -> None:
    clock = Clock()
    pacer = Pacer(10, 1.0, clock, burst=5)
    times = starts(pacer, clock, 200, random.Random(3))
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 10
    assert len(times) / (times[-1] - times[0]) > 8  # and the lateness is mostly made up


def test_retry_after_pauses() -> None:
    clock = Clock()
    pacer = Pacer(10, 1.0, clock, burst=5)
    pacer.pause_until(clock.now + 3)
    assert pacer.wait() == pytest.approx(3.0)


def test_settings_are_checked_and_default_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RunSettings(max_per_minute=0)
    with pytest.raises(ValueError, match="burst"):
        RunSettings(burst=0)
    assert RunSettings(burst=7).pacer().burst == 7
    # one default burst, whether the pacer comes from the settings or is made directly
    assert RunSettings().burst == Pacer(10, 1.0).burst == DEFAULT_BURST == 20
    monkeypatch.setenv("CAL_MAX_PER_MINUTE", "30")
    assert RunSettings().max_per_minute == 30
    monkeypatch.delenv("CAL_MAX_PER_MINUTE")
    assert RunSettings().max_per_minute == 100


@pytest.mark.parametrize("rate", [math.inf, math.nan, -1.0, 1e-9, 0.5])
def test_the_rate_must_be_finite_and_at_least_one(rate: float) -> None:
    with pytest.raises(ValueError, match="a finite number of at least 1"):
        RunSettings(max_per_minute=rate)
    assert RunSettings(max_per_minute=1).max_per_minute == 1


def fast(**overrides: float) -> RunSettings:
    """Settings whose pacing never waits, so only concurrency and retries shape a run."""
    values: dict[str, float] = {"max_per_minute": 1_000_000, "window_seconds": 60.0, "backoff_seconds": 0.001}
    values.update(overrides)
    return RunSettings(
        max_per_minute=values["max_per_minute"],
        window_seconds=values["window_seconds"],
        concurrency=int(values.get("concurrency", 4)),
        max_retries=int(values.get("max_retries", 2)),
        backoff_seconds=values["backoff_seconds"],
    )


def test_requests_overlap_up_to_the_concurrency_and_never_beyond() -> None:
    requester = Requester(fast(concurrency=3))
    in_flight = most = 0

    async def send() -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)  # latency the other slots overlap
        in_flight -= 1

    async def run() -> None:
        await asyncio.gather(*(requester.call(send) for _ in range(12)))

    asyncio.run(run())
    assert most == 3 and requester.sent == 12


def test_a_transient_failure_is_retried_and_a_write_that_may_have_landed_is_not() -> None:
    requester = Requester(fast(max_retries=2))
    attempts: list[str] = []

    def flaky(name: str, failures: int) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            attempts.append(name)
            if attempts.count(name) <= failures:
                raise OperationError("503 from the server", status=503)
            return name

        return send

    assert asyncio.run(requester.call(flaky("read", 2))) == "read"  # two 503s, then the answer
    with pytest.raises(OperationError):
        asyncio.run(requester.call(flaky("create", 1), repeatable=False))
    with pytest.raises(OperationError):
        asyncio.run(requester.call(flaky("hopeless", 3)))  # outlasts the retries
    assert attempts.count("read") == 3 and attempts.count("create") == 1 and attempts.count("hopeless") == 3


def test_each_retry_and_429_wait_is_told_to_the_notice() -> None:
    told: list[str] = []
    requester = Requester(replace(fast(max_retries=2), notice=told.append))
    answers = iter(
        [OperationError("429 slow down", status=429, retry_after=0.001), OperationError("503 busy", status=503)]
    )

    async def send() -> str:
        answer = next(answers, None)
        if answer is not None:
            raise answer
        return "ok"

    assert asyncio.run(requester.call(send)) == "ok"
    assert told == ["rate limited (429): waiting 0.001 s", "503 busy: retry 1 of 2"]


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_beyond_the_cap_is_raised_not_waited_in_a_loop(status: int) -> None:
    """A 429 (or 503) asking for an hour: the server would refuse every earlier retry (20 of
    them, a minute apart, before), so the error is raised at once, saying how long it asked for."""
    requester = Requester(fast(max_retries=2))
    sent: list[int] = []

    async def send() -> str:
        sent.append(1)
        raise OperationError(f"{status} slow down", status=status, retry_after=3600.0)

    with pytest.raises(OperationError) as raised:
        asyncio.run(asyncio.wait_for(requester.call(send), timeout=10))  # a regression fails, not hangs
    assert raised.value.retry_after == 3600.0 and len(sent) == 1 and requester.rate_limited == 0
    assert "the server asks to wait 3600 s, more than the 60 s a run waits" in str(raised.value)


@pytest.mark.parametrize(
    ("raised", "transient"),
    [
        (APIConnectionError("ConnectError: refused", method="GET", url="u"), True),
        (APIResponseTooLargeError("too large", method="GET", url="u", limit=1), False),
        (APIResponseValidationError("not JSON", method="GET", url="u", status_code=200, body="<"), False),
    ],
    ids=["no-answer", "too-large", "malformed"],
)
def test_the_sdk_adapter_marks_an_unreadable_answer_as_not_worth_another_try(
    raised: Exception, transient: bool
) -> None:
    with pytest.raises(OperationError) as error, operation_errors():
        raise raised
    assert error.value.status is None and error.value.transient is transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OperationError("ConnectError", status=None), True),
        (OperationError("408 too slow", status=408), True),
        (OperationError("502 bad gateway", status=502), True),
        (OperationError("APIResponseTooLargeError", status=None, unreadable=True), False),
        (OperationError("404 gone", status=404), False),
    ],
    ids=["network", "408", "5xx", "unreadable-answer", "404"],
)
def test_what_is_worth_another_try_matches_the_sdk_policy(error: OperationError, transient: bool) -> None:
    """As the SDK's retry policy: 408 too; not an answer too large or malformed, which the same
    request would get again."""
    assert error.transient is transient
