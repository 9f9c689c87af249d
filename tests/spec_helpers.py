"""Read access to openapi/cal-attributes.yaml for the tests: operations, refs, examples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cal_attributes.spec import load_spec_from
from cal_attributes.spec import resolve as spec_resolve

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi" / "cal-attributes.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def load_spec() -> dict[str, Any]:
    return load_spec_from(SPEC_PATH)  # with libyaml: the pure-Python parser took a second per process


def resolve(node: Any) -> Any:
    """Follow a local ``$ref`` (repeatedly) to the node it points at, in the repository's spec."""
    return spec_resolve(node, load_spec())


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    item: dict[str, Any]
    operation: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.operation["operationId"])

    def parameters(self) -> list[dict[str, Any]]:
        """Path-level and operation-level parameters, resolved."""
        params = [resolve(p) for p in self.item.get("parameters", [])]
        params += [resolve(p) for p in self.operation.get("parameters", [])]
        return params

    def responses(self) -> dict[str, dict[str, Any]]:
        return {status: resolve(response) for status, response in self.operation["responses"].items()}


def operations() -> Iterator[Operation]:
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield Operation(method, path, item, item[method])


def operation_by_id(operation_id: str) -> Operation:
    for operation in operations():
        if operation.operation_id == operation_id:
            return operation
    raise KeyError(operation_id)


def schema_ref_names(schema: dict[str, Any]) -> list[str]:
    """The component names a response schema refers to, one per union member."""
    members = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [member["$ref"].rsplit("/", 1)[-1] for member in members]


def media_examples(media: dict[str, Any]) -> dict[str, Any]:
    """The example values of a media type object, by example name."""
    return {name: resolve(example)["value"] for name, example in media.get("examples", {}).items()}
