"""openapi/cal-attributes.yaml is valid, lints clean and says what the real API does."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.spec_helpers import (
    ROOT,
    SPEC_PATH,
    Operation,
    load_spec,
    media_examples,
    operation_by_id,
    operations,
    resolve,
)

PREFIX = "/v2/organizations/{orgId}"
EXPECTED_OPERATIONS = {
    # operationId: (method, path after PREFIX, tag, success status)
    "listAttributes": ("get", "/attributes", "Attributes", "200"),
    "createAttribute": ("post", "/attributes", "Attributes", "201"),
    "getAttribute": ("get", "/attributes/{attributeId}", "Attributes", "200"),
    "updateAttribute": ("patch", "/attributes/{attributeId}", "Attributes", "200"),
    "deleteAttribute": ("delete", "/attributes/{attributeId}", "Attributes", "200"),
    "createOption": ("post", "/attributes/{attributeId}/options", "Attribute Options", "201"),
    "listOptions": ("get", "/attributes/{attributeId}/options", "Attribute Options", "200"),
    "deleteOption": ("delete", "/attributes/{attributeId}/options/{optionId}", "Attribute Options", "200"),
    "updateOption": ("patch", "/attributes/{attributeId}/options/{optionId}", "Attribute Options", "200"),
    "listAssignedOptions": ("get", "/attributes/{attributeId}/options/assigned", "Attribute Options", "200"),
    "listAssignedOptionsBySlug": (
        "get",
        "/attributes/slugs/{attributeSlug}/options/assigned",
        "Attribute Options",
        "200",
    ),
    "assignOptionToUser": ("post", "/attributes/options/{userId}", "Attribute Options", "201"),
    "listUserOptions": ("get", "/attributes/options/{userId}", "Attribute Options", "200"),
    "unassignOptionFromUser": (
        "delete",
        "/attributes/options/{userId}/{attributeOptionId}",
        "Attribute Options",
        "200",
    ),
    "updateAssignmentWeight": (
        "patch",
        "/attributes/options/{userId}/{attributeOptionId}",
        "Attribute Options",
        "200",
    ),
    "getAssignmentHistory": ("get", "/attributes/assignments/{userId}/history", "Attribute Options", "200"),
    "getUserSyncHistory": ("get", "/attributes/sync-history/user/{userId}", "Attribute Sync History", "200"),
}
ALL_OPERATIONS = list(operations())


def ids(operation: Operation) -> str:
    return operation.operation_id


def parameter(operation_id: str, name: str) -> dict[str, Any]:
    (param,) = [p for p in operation_by_id(operation_id).parameters() if p["name"] == name]
    return param


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for a schema of the spec, with its component refs."""
    return Draft202012Validator({**schema, "components": load_spec()["components"]})


def test_openapi_spec_validator_accepts_the_spec() -> None:
    validate(load_spec())


def test_redocly_recommended_lint_is_clean() -> None:
    redocly = ROOT / "node_modules" / ".bin" / "redocly"
    if not redocly.exists():
        pytest.fail("node_modules/.bin/redocly is missing: run `npm ci` (scripts/test.sh does)")
    node = shutil.which("node")
    assert node, "node is not on PATH"
    result = subprocess.run(
        [str(redocly), "lint", "--format", "stylish", str(SPEC_PATH.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "warning" not in report.lower().replace("deprecation warning", ""), report


def test_the_seventeen_operations_have_their_paths_methods_and_tags() -> None:
    found = {op.operation_id: (op.method, op.path, op.operation["tags"]) for op in ALL_OPERATIONS}
    assert set(found) == set(EXPECTED_OPERATIONS)
    for operation_id, (method, suffix, tag, _) in EXPECTED_OPERATIONS.items():
        assert found[operation_id] == (method, PREFIX + suffix, [tag]), operation_id


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=ids)
def test_every_operation_documents_its_role_auth_and_errors(operation: Operation) -> None:
    op = operation.operation
    assert op["summary"].strip()
    assert "Required membership role: `org " in op["description"]
    assert op["security"] == [{"CalApiKey": []}, {"PlatformClientId": [], "PlatformClientSecret": []}]
    success = EXPECTED_OPERATIONS[operation.operation_id][3]
    assert {success, "400", "401", "403", "429"} <= set(op["responses"])
    assert not {s for s in op["responses"] if s.startswith("2")} - {success}


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=ids)
def test_path_ids_have_their_real_types(operation: Operation) -> None:
    for param in operation.parameters():
        if param["in"] != "path":
            continue
        expected = "integer" if param["name"] in {"orgId", "userId"} else "string"
        assert param["schema"]["type"] == expected, param["name"]


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=ids)
def test_every_response_has_examples_that_match_its_schema(operation: Operation) -> None:
    for status, response in operation.responses().items():
        media = response["content"]["application/json"]
        examples = media_examples(media)
        assert examples, f"{operation.operation_id} {status} has no example"
        validator = validator_for(media["schema"])
        for name, value in examples.items():
            errors = [error.message for error in validator.iter_errors(value)]
            assert not errors, f"{operation.operation_id} {status} example {name}: {errors}"


@pytest.mark.parametrize("operation", [op for op in ALL_OPERATIONS if "requestBody" in op.operation], ids=ids)
def test_request_body_examples_match_and_unknown_properties_are_allowed(operation: Operation) -> None:
    media = operation.operation["requestBody"]["content"]["application/json"]
    schema = resolve(media["schema"])
    assert schema.get("additionalProperties", True) is not False, "the real API strips unknown properties"
    validator = validator_for(media["schema"])
    for name, value in media_examples(media).items():
        assert not list(validator.iter_errors(value)), name
        assert not list(validator.iter_errors({**value, "unknownProperty": 1})), name


def test_list_query_parameters_are_comma_separated() -> None:
    # The client template joins every repeated query key with commas; that is only right while
    # every list query parameter is `style: form, explode: false`.
    lists = [
        (op.operation_id, p)
        for op in ALL_OPERATIONS
        for p in op.parameters()
        if p["in"] == "query" and p["schema"].get("type") == "array"
    ]
    assert {p["name"] for _, p in lists} == {"assignedOptionIds", "teamIds"}
    for operation_id, param in lists:
        assert (param.get("style"), param.get("explode")) == ("form", False), (operation_id, param["name"])


def test_no_query_parameter_has_a_default() -> None:
    # openapi-python-client always sends a default, so server-side defaults are prose only.
    for op in ALL_OPERATIONS:
        for param in op.parameters():
            assert "default" not in param["schema"], (op.operation_id, param["name"])


@pytest.mark.parametrize(
    ("operation_id", "name", "minimum", "maximum"),
    [
        ("listAttributes", "take", 1, 250),
        ("listAttributes", "skip", 0, None),
        ("getAssignmentHistory", "limit", 1, 50),
        ("getUserSyncHistory", "limit", 1, 100),
    ],
)
def test_pagination_bounds(operation_id: str, name: str, minimum: int, maximum: int | None) -> None:
    param = parameter(operation_id, name)
    assert param["schema"]["type"] == "integer"
    assert param["schema"].get("minimum") == minimum
    assert param["schema"].get("maximum") == maximum


def test_history_endpoints_take_a_uuid_cursor() -> None:
    for operation_id in ("getAssignmentHistory", "getUserSyncHistory"):
        assert parameter(operation_id, "cursor")["schema"] == {"type": "string", "format": "uuid"}


EXPECTED_LINKS = {
    "createAttribute": {"getAttribute", "updateAttribute", "deleteAttribute", "createOption", "assignOptionToUser"},
    "createOption": {"updateOption", "deleteOption", "assignOptionToUser"},
    "assignOptionToUser": {"unassignOptionFromUser", "updateAssignmentWeight"},
}


@pytest.mark.parametrize("source", sorted(EXPECTED_LINKS))
def test_creates_link_to_the_operations_that_use_what_they_created(source: Operation | str) -> None:
    operation = next(op for op in ALL_OPERATIONS if op.operation_id == source)
    success = EXPECTED_OPERATIONS[operation.operation_id][3]
    links = operation.operation["responses"][success]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert EXPECTED_LINKS[operation.operation_id] <= targets
    by_id = {op.operation_id: op for op in ALL_OPERATIONS}
    for name, link in links.items():
        target = by_id[link["operationId"]]
        target_params = {p["name"] for p in target.parameters()}
        assert link["parameters"]["orgId"] == "$request.path.orgId", name
        assert set(link["parameters"]) <= target_params, name
        if "requestBody" in link:
            body_schema = resolve(target.operation["requestBody"]["content"]["application/json"]["schema"])
            assert set(link["requestBody"]) <= set(body_schema["properties"]), name


def _has_examples(schema: dict[str, Any]) -> bool:
    if "examples" in schema or "$ref" in schema or "const" in schema or schema.get("type") == "null":
        return True
    if "anyOf" in schema:
        return all(_has_examples(member) for member in schema["anyOf"])
    if schema.get("type") == "array":
        return _has_examples(schema["items"])
    if "properties" in schema:
        return all(_has_examples(prop) for prop in schema["properties"].values())
    return False


@pytest.mark.parametrize("name", sorted(load_spec()["components"]["schemas"]))
def test_every_schema_has_examples(name: str) -> None:
    schema = load_spec()["components"]["schemas"][name]
    assert _has_examples(schema), name
    if "examples" in schema:
        for example in schema["examples"]:
            assert not list(validator_for(schema).iter_errors(example)), name


def test_outputs_carry_the_raw_row_fields_and_integer_user_ids() -> None:
    schemas = load_spec()["components"]["schemas"]
    assert {"createdAt", "updatedAt", "isWeightsEnabled", "isLocked"} <= set(schemas["Attribute"]["properties"])
    assert {"isGroup", "contains"} <= set(schemas["AttributeOption"]["properties"])
    assert {"weight", "createdAt", "updatedAt"} <= set(schemas["AttributeAssignment"]["properties"])
    assert schemas["AssignedOption"]["properties"]["assignedUserIds"]["items"] == {"type": "integer"}
    assert "USER_RELATIONSHIP" in schemas["AttributeType"]["enum"]
    assert "weight" in schemas["AssignOptionToUserInput"]["properties"]
