"""The one reader of openapi/cal-attributes.yaml: loading and ``$ref`` resolution for the mock, the
fuzzing, the tests and the code generator (the client reads only what generation produced)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def spec_path() -> Path:
    shipped = resources.files("cal_attributes") / "openapi" / "cal-attributes.yaml"
    if shipped.is_file():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "openapi" / "cal-attributes.yaml"


def resolve(node: Any, root: dict[str, Any] | None = None) -> Any:
    """Follow local ``$ref``s (``#/components/...``) from ``node`` to what they point at."""
    root = load_spec() if root is None else root
    while isinstance(node, dict) and "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def load_spec_from(path: Path) -> dict[str, Any]:
    """A spec document as plain data (a fresh copy on every call)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: several times faster
    with path.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    return spec


@cache
def load_spec() -> dict[str, Any]:
    """This project's spec, read once per process."""
    return load_spec_from(spec_path())
