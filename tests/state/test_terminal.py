"""The cal-attributes command on a pseudo-terminal: the confirmation prompt, a coloured grouped plan, the progress bar."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from cal_attributes_mock import MockServer
from tests.state.test_cli import cli, exported, mock, served, writes

__all__ = ["mock", "served"]  # fixtures reused from test_cli

PROMPT = b"Apply 3 changes? [y/N] "


def on_terminal(args: list[str], answer: bytes | None = None, deadline: float = 60.0) -> tuple[int, str]:
    """Runs the command with stdin, stdout and stderr on a pseudo-terminal; answers the prompt; returns (exit, output)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    command = [sys.executable, "-m", "cal_attributes", *args, "--max-per-minute", "60000"]
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output, answered = b"", answer is None
    try:
        for _ in range(int(deadline / 0.1)):  # bounded: each round waits at most 0.1 s
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the command exited and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if not answered and answer is not None and PROMPT in output:
                os.write(master, answer + b"\n")
                answered = True
            if not ready and process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, output.decode("utf-8", "replace")


@pytest.fixture
def changed(mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("    office: Berlin\n", "    office: Munich\n"))  # 3 changes
    return path


def test_apply_on_a_terminal_asks_and_n_applies_nothing(mock: MockServer, changed: Path) -> None:
    code, output = on_terminal(["apply", str(changed)], answer=b"n")
    assert PROMPT.decode() in output and "aborted: nothing applied" in output
    assert code == 1 and writes(mock) == 0
    assert cli("plan", str(changed)) == 2


def test_apply_on_a_terminal_asks_and_y_applies(mock: MockServer, changed: Path) -> None:
    code, output = on_terminal(["apply", str(changed)], answer=b"y")
    assert PROMPT.decode() in output and "aborted" not in output
    assert code == 0 and writes(mock) > 0
    assert cli("plan", str(changed)) == 0


def plain(output: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)


def test_plan_on_a_terminal_is_coloured_and_grouped(changed: Path) -> None:
    code, output = on_terminal(["plan", str(changed)])
    assert code == 2
    assert "\x1b[1mOptions\x1b[0m" in output and "\x1b[1mAssignments and weights\x1b[0m" in output  # bold headings
    assert "\x1b[32m+ office: add option munich" in output  # additions green
    assert "\x1b[31m- user " in output  # removals red
    text = plain(output)
    assert "Unassignments (1)\r\n  - user 103: office -= Berlin" in text
    assert (
        "Options (1)\r\n  + office: add option munich" in text and "Plan: 2 to add, 0 to change, 1 to remove." in text
    )


def test_apply_on_a_terminal_shows_a_progress_bar_with_counts(mock: MockServer, changed: Path) -> None:
    code, output = on_terminal(["apply", str(changed), "--yes"])
    text = plain(output)
    assert code == 0 and "applying" in text and "3/3" in text  # BarProgress: "applying", the bar, done/total
    assert "[1/3] done" not in text  # the bar, not the lines written off a terminal
    assert "3 done" in text
    clock = r"(?:\d+:\d\d:\d\d|-:--:--)"
    assert re.search(rf"3/3 {clock} {clock}", text), text  # done/total, time elapsed, then the ETA
