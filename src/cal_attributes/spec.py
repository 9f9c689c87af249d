"""openapi/cal-attributes.yaml at run time: shipped in the wheel, or read from a source checkout."""

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


@cache
def load_spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: several times faster
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)
    return spec
