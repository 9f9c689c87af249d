"""The operations of openapi/cal-attributes.yaml as the mock routes and validates them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cal_attributes.spec import load_spec, resolve, spec_path

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ROLES = ("ORG_MEMBER", "ORG_ADMIN", "ORG_OWNER")


__all__ = ["Operation", "Parameter", "Route", "load_spec", "operations", "route", "spec_path"]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    schema: dict[str, Any]
    comma_separated: bool


@dataclass(frozen=True)
class Operation:
    """What the mock needs to route and validate one operation."""

    operation_id: str
    method: str  # upper case
    path_template: str
    pattern: re.Pattern[str]
    minimum_role: str
    parameters: tuple[Parameter, ...]
    body_schema: dict[str, Any] | None


def _pattern(path_template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path_template))
    return re.compile(f"^{regex}$")


def operations(spec: dict[str, Any] | None = None) -> tuple[Operation, ...]:
    """Every operation of the spec, literal path segments before templated ones."""
    spec = spec or load_spec()
    found = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            raw_params = [*item.get("parameters", []), *op.get("parameters", [])]
            params = tuple(
                Parameter(
                    name=p["name"],
                    location=p["in"],
                    schema=p["schema"],
                    comma_separated=p.get("style") == "form" and p.get("explode") is False,
                )
                for p in (resolve(raw, spec) for raw in raw_params)
            )
            body = op.get("requestBody")
            body_schema = resolve(body, spec)["content"]["application/json"]["schema"] if body else None
            role = op["x-cal-minimum-role"]
            if role not in ROLES:
                raise ValueError(f"{op['operationId']}: unknown x-cal-minimum-role {role!r}")
            found.append(Operation(op["operationId"], method.upper(), path, _pattern(path), role, params, body_schema))
    # /attributes/options/{userId} must win over /attributes/{attributeId}/options for the same URL.
    return tuple(sorted(found, key=lambda o: [seg.startswith("{") for seg in o.path_template.split("/")]))


@dataclass(frozen=True)
class Route:
    """Where a request goes: its operation and path parameters, or (no operation) the methods the
    URL's owner does take (empty when no template matches: a 404, else a 405)."""

    operation: Operation | None
    params: dict[str, str]
    allowed: tuple[str, ...]


def route(operations: tuple[Operation, ...], method: str, path: str) -> Route:
    """The mock's routing rule: the most literal matching path template owns the URL (``operations``
    sorts literal segments first), and only that template's operations can answer it."""
    owner: str | None = None
    allowed: list[str] = []
    for operation in operations:
        if owner is not None and operation.path_template != owner:
            continue
        match = operation.pattern.match(path)
        if match is None:
            continue
        owner = operation.path_template
        if operation.method == method:
            return Route(operation, match.groupdict(), ())
        allowed.append(operation.method)
    return Route(None, {}, tuple(sorted(allowed)))
