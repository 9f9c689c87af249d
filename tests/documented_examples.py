"""The README's and docs/' Python examples, and the one mypy --strict run over them per test run.

That run also leaves mypy's cache of the SDK as its users see it (the generated client and the
hand-written packages, imported from outside the repository): other checks of user code start
from a copy of it and check only their own files, instead of the SDK and its dependencies again.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.once import once_per_run
from tests.spec_helpers import ROOT, strict_mypy

# Kept between runs (apart from the repository run's cache, whose settings differ), so that a
# re-run checks only the examples.
EXAMPLES_CACHE = ROOT / ".mypy_cache" / "documented-examples"
# The options of every user-code check that starts from the examples' cache: the same, or mypy
# checks everything again.
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
class TypeCheck:
    files: int
    returncode: int
    output: str
    cache: Path  # mypy's cache right after the run; copy it before checking more code with it


def type_check_examples(folder: Path) -> None:
    """Check every example (a file each) with mypy --strict; the outcome and the cache go to ``folder``."""
    examples = folder / "examples"
    examples.mkdir()
    for where, code in documented_snippets():
        (examples / (re.sub(r"\W", "_", where) + ".py")).write_text(code, encoding="utf-8")
    result = strict_mypy(*USER_CODE_OPTIONS, "--cache-dir", str(EXAMPLES_CACHE), str(examples), cwd=folder)
    shutil.copytree(EXAMPLES_CACHE, folder / "cache")  # copytree keeps the mtimes mypy checks
    outcome = {"files": len(list(examples.iterdir())), "returncode": result.returncode}
    (folder / "outcome.json").write_text(json.dumps({**outcome, "output": result.stdout + result.stderr}))


def examples_type_check(tmp_path_factory: pytest.TempPathFactory) -> TypeCheck:
    folder = once_per_run(tmp_path_factory, "documented-examples-mypy", type_check_examples)
    outcome = json.loads((folder / "outcome.json").read_text())
    return TypeCheck(outcome["files"], outcome["returncode"], outcome["output"], folder / "cache")
