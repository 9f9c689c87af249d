"""Build something expensive once per test run, however many pytest-xdist workers need it.

pytest 9 ignores the node ids that pytest-xdist 3.8's `--dist loadgroup` rewrites, so tests
cannot be pinned to one worker. Instead, a worker that needs the result takes a lock in the
run's shared temporary folder: the first builds, the others wait and reuse it (the pattern the
pytest-xdist docs give for session fixtures). Without workers, it simply builds.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name`, filled by `build(folder)` exactly once in this test run."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    # Each worker's base temp is <run>/popen-gwN: the parent is this run's, shared by its workers.
    shared = tmp_path_factory.getbasetemp().parent
    folder = shared / name
    done = shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build of another worker left
            folder.mkdir()
            build(folder)
            done.touch()
    return folder
