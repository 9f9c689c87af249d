"""schemathesis hooks of the project's fuzz runs (loaded through SCHEMATHESIS_HOOKS, or imported).

``filter_case`` always applies; the others do nothing unless the fuzz command set their
environment variable:
- CAL_FUZZ_MAX_PER_MINUTE: pace requests to stay under Cal.com's rate limit;
- CAL_FUZZ_RUN_TAG: prefix the names, slugs and values a positive case creates, so a person can
  tell the run's leftovers from real data;
- CAL_FUZZ_LEDGER: append every 201 (what the run created) to this JSON-lines file, which the
  fuzz command reads to delete it all afterwards; and let updates and deletes reach only what
  this run created (any other target id is swapped for one that does not exist, a harmless 404);
- CAL_FUZZ_PARSEINT_QUERY (live runs): a "schema-violating request accepted" failure is dropped
  when the request is valid as the real API reads query numbers (JavaScript's parseInt:
  ``skip=0.5`` is 0), and only the spec's exact reading refuses it (docs/fuzzing.md).
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema_rs
import schemathesis

import cal_attributes_fuzz.checks  # noqa: F401  (registers the Cal.com-aware checks with schemathesis)
from cal_attributes_mock.envelopes import ApiError
from cal_attributes_mock.spec import Operation, load_spec, operations, route
from cal_attributes_mock.validation import RequestValidator, exact_int

TAGGED_FIELDS = {
    "createAttribute": ("name", "slug"),
    "updateAttribute": ("name", "slug"),
    "createOption": ("value", "slug"),
    "updateOption": ("value", "slug"),
    "assignOptionToUser": ("value",),
}


class Pacer:
    """At most ``per_minute`` calls a minute, spread evenly, across worker threads."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        time.sleep(max(0.0, start - now))


_PACER = Pacer(float(os.environ["CAL_FUZZ_MAX_PER_MINUTE"])) if os.environ.get("CAL_FUZZ_MAX_PER_MINUTE") else None
_LEDGER_LOCK = threading.Lock()
_ROUTES = operations()  # the spec's operations in the mock's routing order (docs/mock.md says where the API differs)
# What this run created, by kind; updates and deletes may touch nothing else.
_CREATED: dict[str, set[Any]] = {"attribute": set(), "option": set(), "assignment": set()}
# The path parameters that name the target of each update and delete.
_TARGETS = {
    "updateAttribute": ("attribute", ("attributeId",)),
    "deleteAttribute": ("attribute", ("attributeId",)),
    "updateOption": ("option", ("optionId",)),
    "deleteOption": ("option", ("optionId",)),
    "updateAssignmentWeight": ("assignment", ("userId", "attributeOptionId")),
    "unassignOptionFromUser": ("assignment", ("userId", "attributeOptionId")),
}


def _operation_id(case: schemathesis.Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def _target(case: schemathesis.Case[Any]) -> tuple[str, Any] | None:
    """The kind and key of the resource an update or delete acts on."""
    if _operation_id(case) not in _TARGETS:
        return None
    kind, names = _TARGETS[_operation_id(case)]
    params = case.path_parameters or {}
    key = tuple(str(params.get(name)) for name in names)
    return kind, key if len(key) > 1 else key[0]


def _remember(operation_id: str, path: dict[str, Any], body: Any, data: Any) -> None:
    if not isinstance(data, dict):
        return
    if operation_id == "createAttribute" and "id" in data:
        _CREATED["attribute"].add(str(data["id"]))
    elif operation_id == "createOption" and "id" in data:
        _CREATED["option"].add(str(data["id"]))
    elif operation_id == "assignOptionToUser" and "attributeOptionId" in data:
        _CREATED["assignment"].add((str(path.get("userId")), str(data["attributeOptionId"])))
        if isinstance(body, dict) and body.get("value") is not None and not body.get("attributeOptionId"):
            _CREATED["option"].add(str(data["attributeOptionId"]))


def routed_elsewhere(case: schemathesis.Case[Any]) -> bool:
    """Whether the case's URL belongs to another path template, as the API routes it: a path parameter
    equal to a literal segment of a sibling route (`/attributes/{attributeId}/options` with the
    attributeId `options` is `/attributes/options/{userId}`, where the API wants a numeric user id)."""
    # The path as the server routes it: schemathesis puts the values in as they are (a `/` in one
    # makes more segments), and the server decodes percent-escapes (`opt%69ons` is `options`).
    path = unquote(case.formatted_path)
    # The operation's own method, not the case's: the coverage phase also probes undocumented methods
    # on the operation's URL (unsupported_method), and those stay.
    found = route(_ROUTES, case.operation.method.upper(), path)
    if found.operation is not None:
        return found.operation.path_template != case.path
    return bool(found.allowed)  # another template owns the URL (and would answer 405)


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> bool:
    """Drop cases that mutate `orgId`, and cases whose URL the API routes to another operation.

    schemathesis 4.32.5 writes the pinned value over a mutated `orgId` after generating a negative
    case but keeps the case labelled negative, so the valid request it really sends would be
    reported as "schema-violating request accepted". Every other mutation is kept. A case routed
    elsewhere is not a request to its operation at all: its answer says nothing about that operation.
    """
    data = case.meta.phase.data if case.meta is not None else None
    return (data is None or data.parameter != "orgId") and not routed_elsewhere(case)


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    tag = os.environ.get("CAL_FUZZ_RUN_TAG")
    fields = TAGGED_FIELDS.get(_operation_id(case), ())
    positive = case.meta is not None and case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE
    if tag and fields and positive and isinstance(case.body, dict):
        for field in fields:
            if isinstance(case.body.get(field), str):
                case.body[field] = f"{tag}-{case.body[field]}"
    return case


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    if os.environ.get("CAL_FUZZ_LEDGER"):
        target = _target(case)
        if target is not None and target[1] not in _CREATED[target[0]] and case.path_parameters is not None:
            # Not created by this run: point the request at an id that cannot exist instead.
            last = _TARGETS[_operation_id(case)][1][-1]
            case.path_parameters[last] = f"calfuzz-not-created-{uuid.uuid4().hex}"
    if _PACER is not None:
        _PACER.wait()


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], response: Any) -> None:
    ledger = os.environ.get("CAL_FUZZ_LEDGER")
    if not ledger or response.status_code != 201:
        return
    try:
        data = json.loads(response.content)["data"]
    except (ValueError, KeyError, TypeError):
        return
    entry = {
        "operationId": _operation_id(case),
        "path": dict(case.path_parameters or {}),
        "body": case.body if isinstance(case.body, dict) else None,
        "data": data,
    }
    with _LEDGER_LOCK:
        _remember(entry["operationId"], entry["path"], entry["body"], data)
        with open(ledger, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


# schemathesis' code for "Schema-violating request accepted" (its negative_data_rejection check)
ACCEPTED_NEGATIVE_DATA = "ST201"


_VALIDATORS: dict[str, tuple[RequestValidator, RequestValidator]] = {}


def _validators(operation: Operation) -> tuple[RequestValidator, RequestValidator]:
    """The mock's request validators for ``operation``: as the real API reads queries, and exact."""
    if operation.operation_id not in _VALIDATORS:
        components = _components()
        _VALIDATORS[operation.operation_id] = (
            RequestValidator(operation, components),
            RequestValidator(operation, components, strict=True),
        )
    return _VALIDATORS[operation.operation_id]


@functools.cache
def _components() -> dict[str, Any]:
    components: dict[str, Any] = load_spec()["components"]
    return components


def _path_is_valid(operation: Operation, params: dict[str, str]) -> bool:
    """Every path parameter as its schema says, integers written exactly (ParseIntPipe)."""
    components = _components()
    for parameter in operation.parameters:
        if parameter.location != "path":
            continue
        raw = params.get(parameter.name)
        value = exact_int(raw) if raw is not None and parameter.schema.get("type") == "integer" else raw
        if value is None or not jsonschema_rs.validator_for({**parameter.schema, "components": components}).is_valid(
            value
        ):
            return False
    return True


def valid_only_as_the_real_api_reads_it(method: str, url: str, body: bytes | str | None) -> bool:
    """Whether the request is valid when its query numbers are read with parseInt, as Cal.com's DTOs
    read them (``skip=0.5`` is 0, ``teamIds=10abc`` is [10]), and refused only when read exactly.
    Its path and JSON body must be valid as they are: then accepting it is the API's documented
    reading, not a defect. Anything else (an unknown route, a bad path or body, a query even
    parseInt cannot make valid, a request valid as it is) is False: the failure stands."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    found = route(_ROUTES, method.upper(), path)
    if found.operation is None or not _path_is_valid(found.operation, found.params):
        return False
    faithful, strict = _validators(found.operation)
    query = parse_qsl(parts.query, keep_blank_values=True)
    try:
        if found.operation.body_schema is not None:
            faithful.body(json.loads(body or b""), path)
        faithful.query(query, path)
    except (ApiError, ValueError):  # ValueError: the body is not JSON
        return False
    try:
        strict.query(query, path)
    except ApiError:
        return True  # refused only when read exactly: the quirk, and nothing else, made it negative
    return False


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: Any, case: schemathesis.Case[Any], response: Any
) -> bool:
    """Live runs keep every failure but a negative case the API accepted because it reads query
    numbers with parseInt (the real API's documented reading, docs/mock.md "Query values")."""
    if not os.environ.get("CAL_FUZZ_PARSEINT_QUERY") or getattr(failure, "code", None) != ACCEPTED_NEGATIVE_DATA:
        return True
    request = response.request
    return not valid_only_as_the_real_api_reads_it(str(request.method), str(request.url), request.body)
