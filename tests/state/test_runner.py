"""Pacing: evenly spaced starts, pauses for Retry-After, late starts push the next one."""

from __future__ import annotations

import pytest

from cal_attributes.state import RunSettings
from cal_attributes.state.runner import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_starts_are_spaced_by_the_rate_with_no_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(2.0, clock)  # 2 a second
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.5, 1.0]
    clock.now += 5  # idle time is not saved up as a burst
    assert [bucket.reserve() for _ in range(2)] == [0.0, 0.5]


def test_retry_after_pauses_and_a_late_start_pushes_the_next() -> None:
    clock = Clock()
    bucket = TokenBucket(10.0, clock)
    bucket.pause_until(clock.now + 3)
    assert bucket.reserve() == pytest.approx(3.0)
    bucket.started(clock.now + 4)  # the event loop was busy: that request started a second late
    assert bucket.reserve() == pytest.approx(4.1)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        RunSettings(max_per_minute=0)
