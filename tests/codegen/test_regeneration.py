"""generated/ is exactly what the pinned generator makes of the spec, and the drift check bites."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.once import once_per_run
from tests.spec_helpers import ROOT

PACKAGE = ROOT / "generated" / "cal_attributes_client"
OVERRIDES = ROOT / "codegen" / "templates"


def installed_package(name: str) -> Path:
    """The folder of an installed package, found without importing it (the generator takes 0.6 s)."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


UPSTREAM = installed_package("openapi_python_client") / "templates"


def run_check(root: Path, generator: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`scripts/regenerate.sh --check` in `root`; with `generator`, its `$PYTHON` stands in for the generator."""
    return subprocess.run(
        ["bash", str(root / "scripts" / "regenerate.sh"), "--check"],
        cwd=root,
        env={**os.environ, "PYTHON": str(generator or sys.executable)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_checkout(target: Path) -> Path:
    """A copy of what regeneration reads and writes."""
    for name in ("openapi", "codegen", "scripts", "generated"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the checkout to break on purpose."""
    return copy_checkout(tmp_path)


def regenerate_in_place(root: Path) -> None:
    copy_checkout(root)
    subprocess.run(
        ["bash", str(root / "scripts" / "regenerate.sh")],
        cwd=root,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        check=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generated/cal_attributes_client as `scripts/regenerate.sh` rebuilds it in place from the spec.

    Generating the client takes seconds: it is done once per test run, in a copy of the
    checkout, and the drift checks below compare edited copies against that one generation.
    """
    return once_per_run(tmp_path_factory, "regenerated", regenerate_in_place) / "generated" / "cal_attributes_client"


@pytest.fixture(scope="module")
def replay(regenerated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `$PYTHON` for regenerate.sh whose `-m codegen.generate OUT` writes that one generation to OUT."""
    stub = tmp_path_factory.mktemp("replay") / "python"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        '[ "$#" = 3 ] && [ "$1" = -m ] && [ "$2" = codegen.generate ] || { echo "unexpected: $*" >&2; exit 97; }\n'
        f'exec cp -R "{regenerated}" "$3"\n'
    )
    stub.chmod(0o755)
    return stub


def same_files(left: Path, right: Path) -> bool:
    def files(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    return files(left) == files(right)


def test_generated_matches_the_spec(replay: Path) -> None:
    result = run_check(ROOT, replay)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is up to date" in result.stdout


def test_regenerating_in_place_changes_nothing(regenerated: Path) -> None:
    assert same_files(regenerated, PACKAGE)
    assert len(list(regenerated.rglob("*.py"))) > 40


def test_a_spec_change_is_drift(checkout: Path) -> None:
    # The one check that generates for real: --check must generate from the spec as it is now.
    spec = checkout / "openapi" / "cal-attributes.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("summary: Get all attributes", "summary: List them"))
    result = run_check(checkout)
    assert result.returncode == 1
    assert '+    """List them' in result.stdout
    assert "run scripts/regenerate.sh and commit" in result.stderr


def test_an_extra_file_is_drift(checkout: Path, replay: Path) -> None:
    (checkout / "generated" / "cal_attributes_client" / "models" / "stale.py").write_text("x = 1\n")
    result = run_check(checkout, replay)
    assert result.returncode == 1
    assert "stale.py" in result.stdout
    assert "run scripts/regenerate.sh and commit" in result.stderr


def test_a_missing_file_is_drift(checkout: Path, replay: Path) -> None:
    (checkout / "generated" / "cal_attributes_client" / "py.typed").unlink()
    result = run_check(checkout, replay)
    assert result.returncode == 1
    assert "py.typed" in result.stdout


def test_a_hand_edit_is_drift(checkout: Path, replay: Path) -> None:
    client = checkout / "generated" / "cal_attributes_client" / "client.py"
    client.write_text(client.read_text(encoding="utf-8") + "\n# tweak\n")
    result = run_check(checkout, replay)
    assert result.returncode == 1
    assert "-# tweak" in result.stdout


def test_a_generator_version_other_than_the_pin_is_refused(checkout: Path) -> None:
    pyproject = checkout / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("openapi-python-client==0.29.1", "openapi-python-client==0.28.0")
    )
    result = run_check(checkout)
    assert result.returncode != 0
    assert "pins 0.28.0" in result.stderr


def test_every_generated_module_says_it_is_generated_and_how_to_regenerate() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 40
    for module in modules:
        head = module.read_text(encoding="utf-8").splitlines()[:2]
        assert head[0].startswith("# @generated by openapi-python-client 0.29.1"), module
        assert "DO NOT EDIT" in head[1] and "scripts/regenerate.sh" in head[1], module
    assert (PACKAGE / "py.typed").exists()


def test_the_template_overrides_are_exactly_the_expected_ones() -> None:
    # resources.py.jinja is no override: codegen/generate.py renders it after the generator.
    assert sorted(path.name for path in OVERRIDES.rglob("*.jinja")) == [
        "client.py.jinja",
        "endpoint_module.py.jinja",
        "model.py.jinja",
        "resources.py.jinja",
        "types.py.jinja",
    ]


@pytest.mark.parametrize("name", ["client.py.jinja", "endpoint_module.py.jinja", "model.py.jinja", "types.py.jinja"])
def test_a_template_override_is_based_on_the_pinned_generators_template(name: str) -> None:
    # Each override is a full copy of upstream's template with small edits. When the generator
    # changes its template, port the edits to the new one and update the hash.
    digest = hashlib.sha256((UPSTREAM / name).read_bytes()).hexdigest()
    assert f"Upstream sha256: {digest}" in (OVERRIDES / name).read_text(encoding="utf-8")


def test_no_model_parses_a_union_with_upstream_s_raw_value_fallback() -> None:
    # Upstream's union parser returns the raw value, cast to the model, when no member parses it:
    # a result typed Attribute could then be a dict. The model template builds the unions the spec
    # has (one model or date-time with None/Unset; unions of plain JSON values) itself; a spec
    # change bringing another kind of union must extend it rather than fall back to upstream's.
    models = PACKAGE / "models"
    fallbacks = [path.name for path in sorted(models.glob("*.py")) if "def _parse_" in path.read_text()]
    assert fallbacks == [], fallbacks
