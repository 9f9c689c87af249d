"""A progress line every few seconds while schemathesis runs with its output going to a file or pipe.

schemathesis draws its progress only on a terminal; this follows its NDJSON event log instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MAIN_PHASES = ("examples", "coverage", "fuzzing", "stateful")


class EventFollower:
    """Reads the complete lines appended to the run's NDJSON log since the last call; tracks the phase and
    how many operations it has finished."""

    def __init__(self, run_folder: Path) -> None:
        self.run_folder = run_folder
        self.events: Path | None = None
        self.offset = 0
        self.phase: str | None = None
        self.finished_in_phase = 0

    def update(self) -> None:
        if self.events is None:
            self.events = next(self.run_folder.glob("ndjson-*.ndjson"), None)
            if self.events is None:
                return
        with self.events.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next call
        self.offset += end
        for line in chunk[:end].splitlines():
            if line.startswith(b'{"PhaseStarted"'):
                name = json.loads(line)["PhaseStarted"]["phase"]["name"]
                if name in MAIN_PHASES:
                    self.phase, self.finished_in_phase = name, 0
            elif line.startswith(b'{"ScenarioFinished"'):
                self.finished_in_phase += 1

    def line(self, elapsed: float, operations: int) -> str:
        if self.phase is None:
            return f"... {elapsed:.0f} s: starting"
        return f"... {elapsed:.0f} s: {self.phase} phase, {min(self.finished_in_phase, operations)} of {operations} operations done"


@contextmanager
def reporting(run_folder: Path, operations: int, every: float, write: Callable[[str], None]) -> Iterator[EventFollower]:
    """While the block runs, write a progress line every ``every`` seconds (first after ``every``)."""
    follower = EventFollower(run_folder)
    stop = threading.Event()
    start = time.monotonic()

    def run() -> None:
        while not stop.wait(every):
            follower.update()
            write(follower.line(time.monotonic() - start, operations))

    thread = threading.Thread(target=run, name="cal-fuzz-progress", daemon=True)
    thread.start()
    try:
        yield follower
    finally:
        stop.set()
        thread.join()
