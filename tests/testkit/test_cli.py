"""The CLI serves the test kit's HTTP controls, and ``--proxy`` runs the validating proxy."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.mock.test_cli import start

ADMIN = {"Authorization": "Bearer cal_demo_admin_1a2b3c4d5e6f"}
ATTRIBUTES = "/v2/organizations/1/attributes"


@contextmanager
def running(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The CLI on a free port: its base URL while it runs; SIGTERM afterwards."""
    process, (first,) = start(*args)
    try:
        yield first.split()[first.split().index("on") + 1], process
    finally:
        process.send_signal(signal.SIGTERM)


def test_the_mock_cli_takes_faults_over_http() -> None:
    with running() as (url, process):
        added = httpx.post(f"{url}/_mock/faults", json={"kind": "fail", "operationId": "listAttributes", "times": 1})
        assert added.status_code == 201
        assert [httpx.get(url + ATTRIBUTES, headers=ADMIN).status_code for _ in range(2)] == [503, 200]
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err


def test_the_proxy_cli_reports_violations_as_json_lines(tmp_path: Path) -> None:
    report = tmp_path / "drift.jsonl"
    with running() as (mock_url, mock), running("--proxy", mock_url, "--report", str(report)) as (url, proxy):
        assert httpx.get(url + ATTRIBUTES, headers=ADMIN).status_code == 200
        assert httpx.get(url + ATTRIBUTES, params={"take": "x"}, headers=ADMIN).status_code == 400
    out, err = proxy.communicate(timeout=15)
    mock.communicate(timeout=15)
    assert proxy.returncode == 0, err
    assert "1 violation(s)" in out
    (line,) = report.read_text().splitlines()
    assert json.loads(line)["kind"] == "request_parameter"
    assert "listAttributes request_parameter $.query.take" in err
    assert "cal_demo_admin" not in report.read_text() + err + out
