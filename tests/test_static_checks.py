"""mypy --strict and ruff hold for all Python code, generated code included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.documented_examples import examples_type_check
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


def test_the_documented_examples_type_check(tmp_path_factory: pytest.TempPathFactory) -> None:
    # The examples use the public API as it is now: a renamed function or field fails here.
    check = examples_type_check(tmp_path_factory)
    assert check.files >= 4
    assert check.returncode == 0, check.output
