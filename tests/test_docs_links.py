"""The docs' links work where they are read, and nothing points at files users never have."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.spec_helpers import ROOT

SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
SKIPPED_DIRS |= {".hypothesis", "reports", "dist", "build"}
# Spelled in two pieces so that this file does not find itself.
OUTSIDE_REFERENCES = ("../" + "shared", "shared" + "/reference")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def project_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not parts & SKIPPED_DIRS and not any(part.endswith(".egg-info") for part in parts):
            files.append(path)
    return files


def test_nothing_refers_to_material_outside_the_project() -> None:
    files = project_files()
    assert ROOT / "README.md" in files and ROOT / "openapi" / "cal-attributes.yaml" in files
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if any(reference.encode() in path.read_bytes() for reference in OUTSIDE_REFERENCES)
    ]
    assert offenders == []


def repository_url() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    url: str = project["urls"]["Source"]
    return url


def test_the_readme_links_work_on_a_package_index() -> None:
    # The README is the package's long description: a relative link would point into the index.
    blob = f"{repository_url()}/blob/main/"
    targets = LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert targets
    ours = [target for target in targets if target.startswith(repository_url())]
    assert len(ours) >= 3
    assert [target for target in targets if not target.startswith(("https://", "#"))] == []
    for target in ours:
        assert target.startswith(blob), target
        assert (ROOT / target.removeprefix(blob).split("#")[0]).is_file(), target


@pytest.mark.parametrize("page", ["CONTRIBUTING.md", "docs/mock.md", "docs/real-api.md", "benchmarks/README.md"])
def test_relative_links_in_the_repository_docs_resolve(page: str) -> None:
    for target in LINK.findall((ROOT / page).read_text(encoding="utf-8")):
        if not target.startswith(("https://", "http://", "#")):
            assert ((ROOT / page).parent / target.split("#")[0]).exists(), (page, target)


def test_the_real_api_facts_are_linked_from_where_the_spec_is_changed() -> None:
    assert "real-api.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/real-api.md)" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "(real-api.md)" in (ROOT / "docs" / "mock.md").read_text(encoding="utf-8")
