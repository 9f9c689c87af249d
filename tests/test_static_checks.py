"""mypy --strict and ruff hold for all Python code, generated code included."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_helpers import ROOT, strict_mypy

EXAMPLES_CACHE = ROOT / ".mypy_cache" / "documented-examples"


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


def documented_snippets() -> list[tuple[str, str]]:
    """Every ```python block of the README and docs/, as (where, code)."""
    snippets = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL), start=1):
            snippets.append((f"{page.relative_to(ROOT)}#{number}", block))
    return snippets


def test_the_documented_examples_type_check(tmp_path: Path) -> None:
    # The examples use the public API as it is now: a renamed function or field fails here.
    snippets = documented_snippets()
    assert len(snippets) >= 4
    files = []
    for where, code in snippets:
        file = tmp_path / (re.sub(r"\W", "_", where) + ".py")
        file.write_text(code, encoding="utf-8")
        files.append(str(file))
    # The cache (kept apart from the repository run's, whose settings differ) makes a re-run
    # check only the examples, not the client and its dependencies again.
    result = strict_mypy("--python-version", "3.11", "--cache-dir", str(EXAMPLES_CACHE), *files, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
