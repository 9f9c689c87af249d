"""scripts/setup.sh installs on a fresh clone and skips what is already up to date.

pip, venv and npm are replaced by recording stubs (through the script's PYTHON and NPM
variables), so the tests see exactly which installs would run without doing any.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_helpers import ROOT

PYTHON_STUB = """#!/usr/bin/env bash
# Records venv and pip runs; anything else goes to the real interpreter.
if [ "${1:-}" = -m ] && [ "${2:-}" = venv ]; then
  echo venv >>"$SETUP_LOG"; mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; exit 0
fi
if [ "${1:-}" = -m ] && [ "${2:-}" = pip ]; then
  echo "pip ${*:3}" >>"$SETUP_LOG"; exit "${PIP_STATUS:-0}"
fi
exec "$REAL_PYTHON" "$@"
"""
NPM_STUB = """#!/usr/bin/env bash
echo "npm $*" >>"$SETUP_LOG"; rm -rf node_modules; mkdir node_modules
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """What setup.sh reads, as in a fresh clone, plus the stubs outside it."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", checkout / "scripts" / "setup.sh")
    for name in ("pyproject.toml", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, checkout / name)
    for name, text in (("python", PYTHON_STUB), ("npm", NPM_STUB)):
        stub = tmp_path / "stubs" / name
        stub.parent.mkdir(exist_ok=True)
        stub.write_text(text)
        stub.chmod(0o755)
    return checkout


def setup(clone: Path, **env: str) -> tuple[list[str], str]:
    """Run setup.sh; the installs it ran and its output."""
    log = clone.parent / "setup.log"
    log.write_text("")
    stubs = clone.parent / "stubs"
    result = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=clone,
        env={
            **os.environ,
            "PYTHON": str(stubs / "python"),
            "NPM": str(stubs / "npm"),
            "REAL_PYTHON": sys.executable,
            "SETUP_LOG": str(log),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == int(env.get("PIP_STATUS", "0")), result.stderr
    return [line.split()[0] for line in log.read_text().splitlines()], result.stdout


def test_a_fresh_clone_installs_everything(clone: Path) -> None:
    installs, _ = setup(clone)
    assert installs == ["venv", "pip", "pip", "npm"]
    assert (clone / ".venv" / ".cal-attributes-setup").is_file()


def test_a_second_run_installs_nothing(clone: Path) -> None:
    setup(clone)
    installs, output = setup(clone)
    assert installs == []
    assert "up to date with pyproject.toml" in output
    assert "up to date with package-lock.json" in output


def test_a_changed_pyproject_reinstalls_the_python_side_only(clone: Path) -> None:
    setup(clone)
    pyproject = clone / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n# a new pin\n", encoding="utf-8")
    installs, _ = setup(clone)
    assert installs == ["pip", "pip"]


def test_a_changed_lock_file_reruns_npm_ci_only(clone: Path) -> None:
    setup(clone)
    lock = clone / "package-lock.json"
    lock.write_text(lock.read_text(encoding="utf-8").replace('"lockfileVersion"', '"lockfileVersion" ', 1))
    installs, _ = setup(clone)
    assert installs == ["npm"]


def test_a_failed_install_is_retried_on_the_next_run(clone: Path) -> None:
    setup(clone)
    (clone / "pyproject.toml").write_text("# changed\n" + (clone / "pyproject.toml").read_text(encoding="utf-8"))
    failed, _ = setup(clone, PIP_STATUS="1")
    assert failed == ["pip"]
    installs, _ = setup(clone)
    assert installs == ["pip", "pip"]


def test_a_removed_environment_is_rebuilt(clone: Path) -> None:
    setup(clone)
    shutil.rmtree(clone / ".venv")
    shutil.rmtree(clone / "node_modules")
    installs, _ = setup(clone)
    assert installs == ["venv", "pip", "pip", "npm"]
