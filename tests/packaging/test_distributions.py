"""The built wheel and sdist: metadata, file lists, and what a user without the extras sees."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cal_attributes_cli import FUZZ_MODULES, MOCK_MODULES, missing_modules
from tests.once import once_per_run
from tests.spec_helpers import ROOT

DIST_INFO = "cal_attributes-0.1.0.dist-info"
REPOSITORY = "https://github.com/cal-attributes/cal-attributes"


def build_wheel(out: Path) -> None:
    # What `pip wheel .` does, offline: the pinned hatchling from the dev extra, no build isolation.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            out,
            ROOT,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def build_sdist(out: Path) -> None:
    # The PEP 517 hook that `python -m build --sdist` calls.
    code = "import sys, hatchling.build; hatchling.build.build_sdist(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, out], cwd=ROOT, check=True, capture_output=True, timeout=120)


# Building is the expensive part: done once per test run (tests.once), however many workers.
@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (built,) = once_per_run(tmp_path_factory, "wheel", build_wheel).glob("*.whl")
    return built


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (built,) = once_per_run(tmp_path_factory, "sdist", build_sdist).glob("*.tar.gz")
    return built


@pytest.fixture(scope="module")
def metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        return email.parser.Parser().parsestr(archive.read(f"{DIST_INFO}/METADATA").decode())


def test_metadata_names_the_license_and_ships_its_file(metadata: Message, wheel: Path) -> None:
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(f"{DIST_INFO}/licenses/LICENSE").decode()
    assert shipped == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert shipped.startswith("MIT License")


def test_metadata_describes_the_project(metadata: Message) -> None:
    classifiers = metadata.get_all("Classifier") or []
    assert {"Typing :: Typed", "Programming Language :: Python :: 3.11", "Development Status :: 3 - Alpha"} <= set(
        classifiers
    )
    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL") or [])
    assert urls["Source"] == REPOSITORY
    assert urls["Issues"] == f"{REPOSITORY}/issues"
    assert "schemathesis" in metadata["Keywords"].split(",")
    assert metadata["Author"] or metadata["Author-email"]


def requirements_by_extra(metadata: Message) -> dict[str, list[tuple[str, str]]]:
    """(name, version specifier) of each requirement, by extra ("" for the base dependencies)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    extras = metadata.get_all("Provides-Extra") or []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        marker = requirement.marker
        (extra,) = [e for e in extras if marker.evaluate({"extra": e})] if marker else [""]
        grouped.setdefault(extra, []).append((canonicalize_name(requirement.name), str(requirement.specifier)))
    return grouped


def test_no_requirement_is_listed_twice(metadata: Message) -> None:
    grouped = requirements_by_extra(metadata)
    assert set(grouped) == {"", "mock", "fuzz", "dev"}
    for extra, requirements in grouped.items():
        names = [name for name, _ in requirements]
        assert len(names) == len(set(names)), (extra, sorted(names))


def test_the_dev_extra_pins_every_extra_exactly(metadata: Message) -> None:
    grouped = requirements_by_extra(metadata)
    dev = dict(grouped["dev"])
    assert all(version.startswith("==") for version in dev.values()), dev
    assert {name for name, _ in grouped["mock"] + grouped["fuzz"]} <= set(dev)


def test_the_extras_modules_are_the_ones_the_launcher_checks(metadata: Message) -> None:
    grouped = requirements_by_extra(metadata)
    optional = {"uvloop"}  # a speed-up the mock does without where it does not install
    assert {name for name, _ in grouped["mock"]} - optional == set(MOCK_MODULES)
    assert {name for name, _ in grouped["fuzz"]} - optional == set(FUZZ_MODULES)


def test_the_wheel_holds_the_packages_and_nothing_else(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
    tops = {name.split("/")[0] for name in files}
    assert tops == {
        "cal_attributes",
        "cal_attributes_cli",
        "cal_attributes_client",
        "cal_attributes_fuzz",
        "cal_attributes_mock",
        DIST_INFO,
    }
    for package in tops - {DIST_INFO}:
        assert f"{package}/py.typed" in files, package
    assert "cal_attributes/openapi/cal-attributes.yaml" in files
    assert "cal_attributes_fuzz/schemathesis.toml" in files
    assert "cal_attributes/state/state.schema.json" in files  # the state file's public JSON Schema
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "cal-attributes-mock = cal_attributes_cli:mock" in entry_points
    assert "cal-attributes-fuzz = cal_attributes_cli:fuzz" in entry_points
    assert "cal-attributes = cal_attributes.cli:main" in entry_points
    assert "[pytest11]\ncal_attributes_mock = cal_attributes_cli.pytest_plugin" in entry_points


def test_the_sdist_can_rebuild_the_wheel_and_carries_the_license_and_docs(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        files = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "docs/real-api.md", "openapi/cal-attributes.yaml"} <= files
    assert "src/cal_attributes_cli/__init__.py" in files
    assert "generated/cal_attributes_client/client.py" in files
    assert not [name for name in files if "__pycache__" in name or name.startswith((".venv/", "node_modules/"))]


@pytest.fixture(scope="module")
def bare_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and none of the extras' packages."""

    def create(folder: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", folder / "venv"], check=True, timeout=60)
        # The dev environment's pip installs into it; --no-deps keeps starlette & co. out (and the
        # base dependencies, which the launcher does not import).
        python = folder / "venv" / "bin" / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
            check=True,
            capture_output=True,
            timeout=120,
        )

    return once_per_run(tmp_path_factory, "bare-venv", create) / "venv"


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["cal-attributes-mock"], "mock"),
        (["cal-attributes-mock", "--help"], "mock"),
        (["cal-attributes-fuzz", "--url", "http://127.0.0.1:1"], "fuzz"),
    ],
    ids=" ".join,
)
def test_without_the_extra_a_command_says_which_to_install(bare_venv: Path, command: list[str], extra: str) -> None:
    result = subprocess.run(
        [bare_venv / "bin" / command[0], *command[1:]], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"install cal-attributes with its '{extra}' extra, e.g. pip install '.[{extra}]' in a checkout" in lines[0]
    assert lines[0].startswith(f"{command[0]}: ")


@pytest.mark.parametrize("command", ["cal-attributes", "cal-attributes-mock", "cal-attributes-fuzz"])
def test_with_the_extras_the_commands_run(command: str) -> None:
    # The development environment has every extra: the launcher hands over to the real command.
    result = subprocess.run(
        [Path(sys.executable).parent / command, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ")


def test_only_the_missing_modules_are_named() -> None:
    assert missing_modules(("json", "no_such_module_cal_attributes", "email")) == ["no_such_module_cal_attributes"]
    assert missing_modules(MOCK_MODULES) == []
