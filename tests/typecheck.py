"""mypy --strict over the repository once per test run, and over user code starting from its cache.

The repository run analyses everything a user's code can import (the generated client, the
hand-written packages and their dependencies). Checks of code written outside the repository (the
documented examples, the misuse mypy must reject) start from a copy of its cache and so analyse
only their own files: with the same strictness, mypy reuses what the repository run cached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.once import once_per_run
from tests.spec_helpers import ROOT

# The repository run's cache: where `mypy` run by hand keeps it too, so a re-run is incremental.
REPOSITORY_CACHE = ROOT / ".mypy_cache"
USER_CODE_OPTIONS = ("--python-version", "3.11", "--show-error-codes")


def documented_snippets() -> list[tuple[str, str]]:
    """Every ```python block of the README and docs/, as (where, code)."""
    snippets = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL), start=1):
            snippets.append((f"{page.relative_to(ROOT)}#{number}", block))
    return snippets


@dataclass(frozen=True)
class RepositoryCheck:
    returncode: int
    output: str
    cache: Path  # a snapshot of mypy's cache right after the run: copy it before checking more code


def check_repository(folder: Path) -> None:
    """``mypy --strict`` with the settings of pyproject.toml; its outcome and cache go to ``folder``."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(REPOSITORY_CACHE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    shutil.copytree(REPOSITORY_CACHE, folder / "cache")  # copytree keeps the mtimes mypy checks
    outcome = {"returncode": result.returncode, "output": result.stdout + result.stderr}
    (folder / "outcome.json").write_text(json.dumps(outcome), encoding="utf-8")


def repository_check(tmp_path_factory: pytest.TempPathFactory) -> RepositoryCheck:
    folder = once_per_run(tmp_path_factory, "mypy-repository", check_repository)
    outcome = json.loads((folder / "outcome.json").read_text(encoding="utf-8"))
    return RepositoryCheck(outcome["returncode"], outcome["output"], folder / "cache")


def check_user_code(
    sources: Path, tmp_path_factory: pytest.TempPathFactory, work: Path
) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on the files in ``sources`` as a user of the installed packages sees them
    (the generated client and the hand-written packages on its path), run in ``work``."""
    cache = shutil.copytree(repository_check(tmp_path_factory).cache, work / "mypy-cache")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *USER_CODE_OPTIONS, "--cache-dir", str(cache), str(sources)],
        cwd=work,
        env={**os.environ, "MYPYPATH": f"{ROOT / 'generated'}{os.pathsep}{ROOT / 'src'}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
