"""Request validation driven by the spec, answering like Cal.com's NestJS ValidationPipe.

Path ids go through ParseIntPipe semantics; query strings are converted the way the real DTOs
transform them (JavaScript's ``parseInt`` for numbers, comma-separated lists) and then checked,
like the body, against the operation's schemas in openapi/cal-attributes.yaml. In strict mode a
query number must be an exact integer instead (``take=10.0`` is refused). Failures become class-validator error items
(``property``, ``value``, ``constraints``, nested ``children``) in the 400 validation envelope.
Unknown body properties are stripped, as the real pipe's ``whitelist`` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cal_attributes.spec import resolve
from cal_attributes_mock.envelopes import http_error, validation_error
from cal_attributes_mock.spec import Operation, Parameter

INTEGER = re.compile(r"^-?\d+$")
PARSE_INT = re.compile(r"^[\s\ufeff]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(\d+))")
MAX_DOUBLE_DIGITS = 309  # a longer integer is Infinity to JavaScript
INFINITY = 10**MAX_DOUBLE_DIGITS  # stands in for it: larger than any limit, cheap to print
MISSING = object()


def _bounded(sign: str, digits: str, base: int = 10) -> int:
    """``int(digits)`` without Python's 4,300-digit limit: beyond a double's range, ``INFINITY``."""
    significant = digits.lstrip("0")
    number = INFINITY if len(significant) > MAX_DOUBLE_DIGITS else int(significant or "0", base)
    return -number if sign == "-" else number


def parse_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text)``: leading blanks, a sign, then the longest run of digits
    (hex after ``0x``); None where it gives NaN. ``10.0`` is 10 and ``12abc`` is 12."""
    match = PARSE_INT.match(text)
    if match is None:
        return None
    sign, hex_digits, digits = match.groups()
    return _bounded(sign, hex_digits, 16) if hex_digits else _bounded(sign, digits)


def exact_int(text: str) -> int | None:
    """An integer written as one (``-12``), else None."""
    if not INTEGER.fullmatch(text):
        return None
    return _bounded("-", text[1:]) if text.startswith("-") else _bounded("", text)


def parse_int_path(value: str, path: str) -> int:
    """ParseIntPipe: a numeric string that is a finite JavaScript number, or a 400."""
    number = exact_int(value)
    if number is None or abs(number) >= INFINITY:
        raise http_error(400, "Validation failed (numeric string is expected)", path)
    return number


@dataclass
class _Node:
    """One class-validator error item under construction."""

    property: str
    value: Any = MISSING
    constraints: dict[str, str] = field(default_factory=dict)
    children: dict[str, _Node] = field(default_factory=dict)

    def render(self, target: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"target": target}
        if self.value is not MISSING:
            item["value"] = self.value
        item["property"] = self.property
        item["children"] = [child.render(self.value) for child in self.children.values()]
        if self.constraints:
            item["constraints"] = self.constraints
        return item


class RequestValidator:
    """Validates and converts the query and body of requests to one operation."""

    def __init__(self, operation: Operation, components: Mapping[str, Any], strict: bool = False) -> None:
        self.operation = operation
        self.components = components
        self.strict = strict
        query = [p for p in operation.parameters if p.location == "query"]
        self.query_params = {p.name: p for p in query}
        query_schema = {"type": "object", "properties": {p.name: p.schema for p in query}}
        self.query_validator = self._validator(query_schema)
        self.query_check = self._compiled(query_schema)
        self.body_validator = self._validator(operation.body_schema) if operation.body_schema else None
        self.body_check = self._compiled(operation.body_schema) if operation.body_schema else None
        # The body's declared top-level properties: a body of only those, with no nested value,
        # has nothing to strip (most writes), so it skips the walk.
        body_properties = self._resolve(operation.body_schema).get("properties") if operation.body_schema else None
        self.flat_properties = frozenset(body_properties) if isinstance(body_properties, dict) else None

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        """The detailed checker: every error with its place, for the 400's items."""
        return Draft202012Validator(
            {**schema, "components": self.components}, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    def _compiled(self, schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
        """The fast path (compiled, in Rust): a yes for a valid request costs microseconds; only a
        no goes on to the detailed checker, whose verdict stands."""
        return jsonschema_rs.Draft202012Validator({**schema, "components": self.components}, validate_formats=True)

    def _resolve(self, schema: Any) -> dict[str, Any]:
        resolved = resolve(schema, {"components": self.components})
        return resolved if isinstance(resolved, dict) else {}

    # -- query -------------------------------------------------------------------------------

    def query(self, items: Sequence[tuple[str, str]], path: str) -> dict[str, Any]:
        """The operation's query parameters, converted and validated; unknown ones are ignored."""
        raw: dict[str, list[str]] = {}
        for name, value in items:
            if name in self.query_params:
                raw.setdefault(name, []).append(value)
        converted: dict[str, Any] = {}
        errors: dict[str, _Node] = {}
        for name, values in raw.items():
            param = self.query_params[name]
            if not self.strict:
                self._read_like_the_real_api(param, values, converted, errors)
                continue
            if len(values) > 1:
                separator = "separated by a comma" if param.comma_separated else "given once"
                errors[name] = _Node(name, values, {"isSingle": f"{name} must be {separator}, not repeated"})
                continue
            value = self._convert(values[0], param.schema, param.comma_separated)
            if value is MISSING:
                errors[name] = _Node(name, values[0], self._type_constraint(name, param.schema))
            else:
                converted[name] = value
        if not errors and converted and not self.query_check.is_valid(converted):
            for error in self.query_validator.iter_errors(converted):
                self._add(errors, error, converted)
        if errors:
            target = {name: values[0] if len(values) == 1 else values for name, values in raw.items()}
            raise validation_error([node.render(target) for node in errors.values()], path)
        return converted

    def _convert(self, text: str, schema: dict[str, Any], comma_separated: bool) -> Any:
        """Strict: each integer written as one."""
        if schema.get("type") == "array":
            parts = text.split(",") if comma_separated else [text]
            items = [self._convert(part, schema["items"], False) for part in parts]
            return MISSING if MISSING in items else items
        if schema.get("type") == "integer":
            number = exact_int(text)
            return MISSING if number is None or abs(number) >= INFINITY else number
        return text

    def _read_like_the_real_api(
        self, param: Parameter, values: list[str], converted: dict[str, Any], errors: dict[str, _Node]
    ) -> None:
        """The DTOs' transforms: ``value && parseInt(value)`` for numbers (a repeated key arrives
        as an array, which parseInt reads as its comma-joined text; empty means the default),
        a comma split of every occurrence for lists, each item through parseInt for number lists."""
        name, schema = param.name, param.schema
        kind = schema.get("type")
        if kind == "integer":
            text = ",".join(values)
            if text:
                number = parse_int(text)
                if number is None or abs(number) >= INFINITY:
                    errors[name] = _Node(name, None, self._not_a_number(name, schema, number))
                else:
                    converted[name] = number
        elif kind == "array":
            parts = [part for value in values for part in (value.split(",") if param.comma_separated else [value])]
            if schema["items"].get("type") != "integer":
                converted[name] = parts
                return
            numbers = [parse_int(part) for part in parts]
            if any(number is None or abs(number) >= INFINITY for number in numbers):
                message = f"each value in {name} must be a number conforming to the specified constraints"
                shown = [n if n is not None and abs(n) < INFINITY else None for n in numbers]  # NaN is null
                errors[name] = _Node(name, shown, {"isNumber": message})
            else:
                converted[name] = numbers
        elif len(values) > 1:
            errors[name] = _Node(name, values, {"isString": f"{name} must be a string"})
        else:
            converted[name] = values[0]

    @staticmethod
    def _not_a_number(name: str, schema: Mapping[str, Any], number: int | None) -> dict[str, str]:
        """What class-validator reports for NaN (every check fails) or an infinity (``@IsNumber``
        and the bound on its side): the value renders as null, as JSON.stringify writes both."""
        constraints = {}
        if "maximum" in schema and (number is None or number > 0):
            constraints["max"] = f"{name} must not be greater than {schema['maximum']}"
        if "minimum" in schema and (number is None or number < 0):
            constraints["min"] = f"{name} must not be less than {schema['minimum']}"
        constraints["isNumber"] = f"{name} must be a number conforming to the specified constraints"
        return constraints

    # -- body --------------------------------------------------------------------------------

    def body(self, body: Any, path: str) -> dict[str, Any]:
        """The JSON body, validated, with properties the schema does not declare removed."""
        assert self.body_validator is not None
        if not isinstance(body, dict):
            message = "an unknown value was passed to the validate function"
            raise validation_error([{"property": "", "children": [], "constraints": {"unknownValue": message}}], path)
        assert self.body_check is not None
        if not self.body_check.is_valid(body):
            errors: dict[str, _Node] = {}
            for error in self.body_validator.iter_errors(body):
                self._add(errors, error, body)
            if errors:
                raise validation_error([node.render(body) for node in errors.values()], path)
        flat = self.flat_properties
        if flat is not None and body.keys() <= flat and _scalars_only(body):
            return body
        stripped: dict[str, Any] = self._strip(body, self.operation.body_schema)
        return stripped

    def _strip(self, value: Any, schema: Any) -> Any:
        schema = self._resolve(schema)
        if isinstance(value, dict) and "properties" in schema:
            props = schema["properties"]
            return {key: self._strip(item, props[key]) for key, item in value.items() if key in props}
        if isinstance(value, list) and "items" in schema:
            return [self._strip(item, schema["items"]) for item in value]
        return value

    # -- error items -------------------------------------------------------------------------

    def _add(self, errors: dict[str, _Node], error: ValidationError, instance: Any) -> None:
        """File a jsonschema error under its property path, class-validator style."""
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":
            parent = _walk(instance, path)
            schema = self._resolve(error.schema)
            for name in cast(list[str], error.validator_value):
                if not isinstance(parent, dict) or name not in parent:
                    node = self._node(errors, [*path, name], instance)
                    node.constraints.update(self._required_constraints(name, schema["properties"].get(name, {})))
            return
        if not path:
            return  # the body is not an object: handled before validation
        node = self._node(errors, path, instance)
        node.constraints.update(self._constraint(path[-1], error))

    def _node(self, errors: dict[str, _Node], path: list[str], instance: Any) -> _Node:
        children, value = errors, instance
        node = None
        for part in path:
            value = _walk(value, [part])
            node = children.setdefault(part, _Node(part, value))
            children = node.children
        assert node is not None
        return node

    def _required_constraints(self, name: str, schema: Any) -> dict[str, str]:
        schema = self._resolve(schema)
        constraints = {"isNotEmpty": f"{name} should not be empty"} if schema.get("type") != "array" else {}
        constraints.update(self._type_constraint(name, schema))
        return constraints

    def _type_constraint(self, name: str, schema: Any) -> dict[str, str]:
        schema = self._resolve(schema)
        if "enum" in schema:
            return {"isEnum": f"{name} must be one of the following values: {', '.join(schema['enum'])}"}
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next(k for k in kind if k != "null")
        return {
            "string": {"isString": f"{name} must be a string"},
            "integer": {"isInt": f"{name} must be an integer number"},
            "number": {"isNumber": f"{name} must be a number conforming to the specified constraints"},
            "boolean": {"isBoolean": f"{name} must be a boolean value"},
            "array": {"isArray": f"{name} must be an array"},
            "object": {"isObject": f"{name} must be an object"},
        }.get(str(kind), {"isDefined": f"{name} is not valid"})

    def _constraint(self, name: str, error: ValidationError) -> dict[str, str]:
        rule, expected = error.validator, error.validator_value
        if rule in ("type", "enum"):
            return self._type_constraint(name, error.schema)
        if rule == "minLength":
            return {"isNotEmpty": f"{name} should not be empty"}
        if rule == "minimum":
            return {"min": f"{name} must not be less than {expected}"}
        if rule == "maximum":
            return {"max": f"{name} must not be greater than {expected}"}
        if rule == "minItems":
            return {"arrayMinSize": f"{name} must contain at least {expected} elements"}
        if rule == "format":
            return {f"is{str(expected).capitalize()}": f"{name} must be a {str(expected).upper()}"}
        return {str(rule): f"{name} is not valid: {error.message}"}


CONTAINERS = (dict, list)  # a tuple: ``dict | list`` would build a union object at every check


def _scalars_only(body: dict[str, Any]) -> bool:
    for value in body.values():  # noqa: SIM110 - a loop costs less than all() over a generator
        if isinstance(value, CONTAINERS):
            return False
    return True


def _walk(value: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value
