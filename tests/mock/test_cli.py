"""``cal-attributes-mock``: starts on 127.0.0.1, prints its URL and keys, stops on SIGTERM/Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cal_attributes_mock.cli import main


def start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "cal_attributes_mock.cli", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = [process.stdout.readline()]
    return process, lines


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serves_the_demo_seed_and_stops_cleanly(stop: signal.Signals) -> None:
    process, lines = start()
    try:
        assert lines[0].startswith("cal-attributes-mock listening on http://127.0.0.1:"), lines
        url = lines[0].split()[-1]
        assert process.stdout is not None
        keys = [process.stdout.readline() for _ in range(5)]
        assert any("cal_demo_owner_0f1e2d3c4b5a" in line and "owner of 1" in line for line in keys), keys
        response = httpx.get(
            f"{url}/v2/organizations/1/attributes", headers={"Authorization": "Bearer cal_demo_member_9f8e7d6c5b4a"}
        )
        assert response.status_code == 200
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "cal-attributes-mock stopped" in out


def test_an_invalid_seed_file_stops_it_with_a_clear_message(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"organizations": [], "users": [], "memberships": [], "extra": 1}))
    result = subprocess.run(
        [sys.executable, "-m", "cal_attributes_mock.cli", "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "invalid seed: seed: unknown key 'extra'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "http"])
def test_a_port_outside_0_to_65535_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The operating system would silently wrap 99999 to another port.
    with pytest.raises(SystemExit) as stopped:
        main([f"--port={port}"])
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert f"argument --port: invalid port {port}" in err.replace("'", "") and out == ""
