"""``cal-attributes-fuzz`` end to end: the embedded mock, and a server standing in for a live Cal.com."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cal_attributes_mock import MockServer, create_mock
from cal_attributes_mock.serve import serve_in_thread

ADMIN_KEY = "cal_demo_admin_1a2b3c4d5e6f"
QUICK = ["--max-examples", "3", "--phases", "examples,coverage,fuzzing,stateful"]


def fuzz(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cal_attributes_fuzz.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def state(server: MockServer) -> Any:
    store = server.store
    return copy.deepcopy(
        (
            {k: v.row() for k, v in store.attributes.items()},
            {k: v.row() for k, v in store.options.items()},
            {k: (v.option_id, v.weight) for k, v in store.assignments.items()},
        )
    )


@pytest.fixture
def live() -> Iterator[tuple[MockServer, str]]:
    """A mock on a real port, standing in for api.cal.com."""
    server = create_mock()
    with serve_in_thread(server) as url:
        yield server, url


def test_the_default_run_fuzzes_the_embedded_mock_and_writes_reports(tmp_path: Path) -> None:
    result = fuzz(*QUICK, "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "fuzzing the embedded mock" in result.stdout
    assert "operations: 17 tested of 17 selected" in result.stdout
    assert "failures by check: none" in result.stdout
    assert list(tmp_path.glob("junit-*.xml")) and list(tmp_path.glob("json-*.json"))
    assert list(tmp_path.glob("html-*/index.html"))


def test_a_live_target_is_read_only_by_default_and_the_key_never_printed(
    live: tuple[MockServer, str], tmp_path: Path
) -> None:
    server, url = live
    before = state(server)
    result = fuzz(
        "--url", url, "--org-id", "1", "--max-per-minute", "100000", "--max-examples", "3",
        "--report-dir", str(tmp_path), env={"CAL_API_KEY": ADMIN_KEY},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "read-only" in result.stdout
    methods = {r.method for r in server.requests}
    assert {"GET", "OPTIONS", "TRACE"} >= methods and "GET" in methods, methods
    assert state(server) == before
    assert ADMIN_KEY not in result.stdout + result.stderr
    report = next(tmp_path.glob("json-*.json")).read_text()
    assert ADMIN_KEY not in report


def test_writes_are_tagged_and_deleted_at_the_end(live: tuple[MockServer, str], tmp_path: Path) -> None:
    server, url = live
    before = state(server)
    result = fuzz(
        "--url", url, "--org-id", "1", "--user-ids", "101,102,103", "--allow-writes",
        "--max-per-minute", "100000", *QUICK, "--report-dir", str(tmp_path),
        env={"CAL_API_KEY": ADMIN_KEY},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    created = [r for r in server.requests if r.method == "POST" and r.status == 201]
    assert len(created) > 5
    assert "cleanup:" in result.stdout and " 0 failed" in result.stdout
    assert state(server) == before


def test_an_interrupted_run_still_cleans_up(live: tuple[MockServer, str], tmp_path: Path) -> None:
    server, url = live
    before = state(server)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "cal_attributes_fuzz.cli", "--url", url, "--org-id", "1",
            "--user-ids", "101,102,103", "--allow-writes", "--max-per-minute", "100000",
            "--max-examples", "200", "--report-dir", str(tmp_path),
        ],
        env={**os.environ, "CAL_API_KEY": ADMIN_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(r.status == 201 for r in list(server.requests)) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "interrupted" in err and "cleanup:" in out, out[-2000:] + err[-2000:]
    assert state(server) == before


def test_a_broken_server_fails_the_run(tmp_path: Path) -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"boom"})

    with serve_in_thread(broken) as url:  # type: ignore[arg-type]
        result = fuzz("--url", url, "--org-id", "1", "--max-examples", "2", "--phases", "examples",
                      "--report-dir", str(tmp_path), env={"CAL_API_KEY": ADMIN_KEY})  # fmt: skip
    assert result.returncode != 0
    assert "failures by check: " in result.stdout and "failures by check: none" not in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "http://127.0.0.1:9"], {}, "--org-id is required with --url"),
        (["--org-id", "3"], {}, "--org-id and --allow-writes need --url"),
        (["--url", "http://127.0.0.1:9", "--org-id", "1"], {"CAL_API_KEY": ""}, "set CAL_API_KEY"),
        (["--user-ids", "a,b"], {}, "--user-ids must be comma-separated integers"),
    ],
)
def test_bad_invocations_get_a_clear_message(args: list[str], env: dict[str, str], message: str) -> None:
    result = fuzz(*args, env=env, timeout=60)
    assert result.returncode == 2 or result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rate_limited_target_is_retried_after_retry_after(tmp_path: Path) -> None:
    from cal_attributes_mock import MockConfig, demo_seed

    server = create_mock(demo_seed(), MockConfig(rate_limit=True, api_key_limit=15, rate_window_seconds=1))
    with serve_in_thread(server) as url:
        result = fuzz(
            "--url", url, "--org-id", "1", "--max-per-minute", "100000", "--max-examples", "2",
            "--phases", "examples,fuzzing", "--report-dir", str(tmp_path), env={"CAL_API_KEY": ADMIN_KEY},
        )  # fmt: skip
    statuses = [r.status for r in server.requests]
    assert 429 in statuses
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
