"""Checking success bodies against the spec (``strict_response_validation=True``).

The schemas come from generated/cal_attributes_client/response_schemas.json, which the code
generator writes from its own data for every operation: nothing here parses YAML or guesses a
module name, and a schema is compiled on first use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs


@cache
def _table() -> dict[str, Any]:
    text = (resources.files("cal_attributes_client") / "response_schemas.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


@cache
def validator(operation_id: str, status: int) -> jsonschema_rs.Validator | None:
    """The validator of one operation's response for one status, or None if it documents none."""
    table = _table()
    schema = table["operations"][operation_id].get(str(status))
    if schema is None:
        return None
    return jsonschema_rs.validator_for({**schema, "components": table["components"]})


def first_error(operation_id: str, status: int, body: Any) -> str | None:
    """What is wrong with ``body``, or None when it matches (or nothing is documented)."""
    check = validator(operation_id, status)
    if check is None or check.is_valid(body):
        return None
    error = next(iter(check.iter_errors(body)))
    where = "/".join(str(part) for part in error.instance_path) or "(root)"
    return f"{where}: {error.message}"
