"""Start and stop the servers the benchmarks compare, each in its own process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "benchmarks" / "node_modules" / ".bin" / "prism"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.args!r}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


@contextmanager
def running(command: list[str], port: int) -> Iterator[str]:
    with running_process(command, port) as (url, _):
        yield url


@contextmanager
def running_process(command: list[str], port: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The server's base URL and its process (for its CPU time, say), stopped on exit."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/", process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def mock(seed_file: Path) -> tuple[list[str], int]:
    port = free_port()
    return [sys.executable, "-m", "cal_attributes_mock.cli", "--seed", str(seed_file), "--port", str(port)], port


def floor(seed_file: Path) -> tuple[list[str], int]:
    port = free_port()
    script = str(ROOT / "benchmarks" / "mock_request_cost.py")
    return [sys.executable, script, "--serve-floor", str(seed_file), str(port)], port


def bare(responses_file: Path, *, starlette: bool = False) -> tuple[list[str], int]:
    """The bare app of ``bare_app.py`` (a plain ASGI callable, or with ``starlette`` a Starlette route)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "bare_app.py"), str(responses_file), str(port)]
    return [*command, "--starlette"] if starlette else command, port


def prism() -> tuple[list[str], int]:
    if not PRISM.exists():
        raise RuntimeError("Prism is missing: run `npm ci --prefix benchmarks`")
    port = free_port()
    spec = str(ROOT / "openapi" / "cal-attributes.yaml")
    return [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), spec], port


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process has used so far (Linux; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
