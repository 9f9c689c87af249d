"""mypy --strict and ruff hold for all Python code, generated code included; so do the documented examples."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_helpers import ROOT
from tests.typecheck import check_user_code, documented_snippets, repository_check


def test_mypy_strict_passes(tmp_path_factory: pytest.TempPathFactory) -> None:
    # files and settings: [tool.mypy] in pyproject.toml; run once per test run (tests/typecheck.py)
    check = repository_check(tmp_path_factory)
    assert check.returncode == 0, check.output


@pytest.mark.parametrize("command", [["ruff", "check", "."], ["ruff", "format", "--check", "."]], ids=" ".join)
def test_ruff_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_documented_examples_type_check(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The examples use the public API as it is now: a renamed function or field fails here.
    snippets = documented_snippets()
    assert len(snippets) >= 4
    examples = tmp_path / "examples"
    examples.mkdir()
    for where, code in snippets:
        (examples / (re.sub(r"\W", "_", where) + ".py")).write_text(code, encoding="utf-8")
    result = check_user_code(examples, tmp_path_factory, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
