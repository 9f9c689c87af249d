"""One folder per fuzz run under the report directory: created, compressed after the run, rotated."""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

RUN_FOLDER = re.compile(r"^run-\d{8}T\d{6}Z(-\d+)?$")


def new_run_folder(report_dir: Path, now: datetime | None = None) -> Path:
    """A fresh, empty ``run-<UTC time>`` folder; a suffix keeps two runs in the same second apart."""
    stamp = (now or datetime.now(UTC)).strftime("run-%Y%m%dT%H%M%SZ")
    report_dir.mkdir(parents=True, exist_ok=True)
    candidate, n = report_dir / stamp, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = report_dir / f"{stamp}-{n}"


def compress_events(run_folder: Path) -> list[Path]:
    """Gzip the NDJSON event logs (about 11 MB a default run; a tenth of that compressed)."""
    compressed = []
    for events in run_folder.glob("*.ndjson"):
        target = events.with_name(events.name + ".gz")
        with events.open("rb") as source, gzip.open(target, "wb") as sink:
            shutil.copyfileobj(source, sink)
        events.unlink()
        compressed.append(target)
    return compressed


def rotate(report_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` run folders; anything else in ``report_dir`` is left alone."""
    runs = sorted(p for p in report_dir.iterdir() if p.is_dir() and RUN_FOLDER.match(p.name))
    removed = runs[: max(0, len(runs) - keep)]
    for folder in removed:
        shutil.rmtree(folder)
    return removed
