"""mypy --strict and ruff hold for all Python code, generated code included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.spec_helpers import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["mypy", "--strict"],  # files and settings: [tool.mypy] in pyproject.toml
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
    ],
    ids=" ".join,
)
def test_static_check_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
