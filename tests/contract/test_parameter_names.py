"""Spec and mock agree on parameter names: what the handlers read is what the spec declares, and back.

The mock validates requests with validators built from the spec, so a parameter renamed in the
spec (``take`` to ``limit``) would be validated under its new name while a handler still reads
the old one, and nothing would fail. This reads the handlers' source instead: every
``c.path["x"]``, ``c.path.get("x")``, ``c.query["x"]`` and ``c.query.get("x")`` in a handler
(and in the module functions it passes its context to), plus the ``path_params["x"]`` the app
reads for every operation.
"""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

import cal_attributes_mock.app
import cal_attributes_mock.handlers
from tests.spec_helpers import load_spec, operations, resolve

LOCATIONS = ("path", "query")
Reads = set[tuple[str, str]]  # (location, name)


def constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def direct_reads(function: ast.FunctionDef, context_attributes: tuple[str, ...] = LOCATIONS) -> Reads:
    """``x.path["a"]`` / ``x.path.get("a")`` (and ``query``) anywhere in the function."""
    reads: Reads = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            name = constant(node.slice)
            if node.value.attr in context_attributes and name:
                reads.add((node.value.attr, name))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in context_attributes
            and node.args
            and constant(node.args[0])
        ):
            reads.add((node.func.value.attr, str(constant(node.args[0]))))
    return reads


def called_functions(function: ast.FunctionDef, module_functions: dict[str, ast.FunctionDef]) -> list[ast.FunctionDef]:
    return [
        module_functions[node.func.id]
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in module_functions
    ]


def handler_table(tree: ast.Module) -> dict[str, str]:
    """operationId -> handler function name, from the module's ``HANDLERS = {...}``."""
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        if isinstance(target, ast.Name) and target.id == "HANDLERS" and isinstance(node.value, ast.Dict):
            return {
                str(constant(k)): v.id
                for k, v in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(v, ast.Name) and k is not None
            }
    raise AssertionError("the handlers module has no HANDLERS = {operationId: function} table to read")


def handler_reads(source: str) -> dict[str, Reads]:
    """The parameters each operation's handler reads, following calls to the module's own functions."""
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}

    def reads(function: ast.FunctionDef, seen: frozenset[str]) -> Reads:
        found = direct_reads(function)
        for callee in called_functions(function, functions):
            if callee.name not in seen:
                found |= reads(callee, seen | {callee.name})
        return found

    return {op: reads(functions[name], frozenset({name})) for op, name in handler_table(tree).items()}


def app_reads(source: str) -> Reads:
    """Path parameters the app itself reads for every operation (``path_params["orgId"]``)."""
    reads: Reads = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "path_params":
            name = constant(node.slice)
            if name:
                reads.add(("path", name))
    return reads


def declared(spec: dict[str, Any]) -> dict[str, Reads]:
    """The path and query parameters the spec declares for each operation."""
    result: dict[str, Reads] = {}
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            params = [resolve(p) for p in [*path_item.get("parameters", []), *operation.get("parameters", [])]]
            result[operation["operationId"]] = {(p["in"], p["name"]) for p in params if p["in"] in LOCATIONS}
    return result


def disagreements(handlers_source: str, app_source: str, spec: dict[str, Any]) -> list[str]:
    read_by_app = app_reads(app_source)
    spec_params = declared(spec)
    problems = []
    for operation_id, reads in handler_reads(handlers_source).items():
        read = reads | read_by_app
        expected = spec_params.get(operation_id, set())
        for location, name in sorted(read - expected):
            problems.append(
                f"{operation_id}: the mock reads {location} parameter {name!r}, which the spec does not declare"
            )
        for location, name in sorted(expected - read):
            problems.append(
                f"{operation_id}: the spec declares {location} parameter {name!r}, which the mock never reads"
            )
    missing = set(spec_params) - set(handler_reads(handlers_source))
    problems += [f"{operation_id}: no handler" for operation_id in sorted(missing)]
    return problems


HANDLERS_SOURCE = inspect.getsource(cal_attributes_mock.handlers)
APP_SOURCE = inspect.getsource(cal_attributes_mock.app)


def test_every_parameter_the_mock_reads_is_declared_and_back() -> None:
    assert disagreements(HANDLERS_SOURCE, APP_SOURCE, load_spec()) == []
    # The scan sees what it must: all 17 operations, orgId through the app, query reads through helpers.
    reads = handler_reads(HANDLERS_SOURCE)
    assert len(reads) == len(list(operations())) == 17
    assert ("path", "orgId") in app_reads(APP_SOURCE)
    assert {("query", "take"), ("query", "teamIds"), ("path", "attributeSlug")} <= reads["listAssignedOptionsBySlug"]


def test_a_rename_on_either_side_is_caught() -> None:
    renamed_in_mock = HANDLERS_SOURCE.replace('c.query.get("take", LIST', 'c.query.get("limit", LIST')
    assert renamed_in_mock != HANDLERS_SOURCE
    assert disagreements(renamed_in_mock, APP_SOURCE, load_spec()) == [
        "listAttributes: the mock reads query parameter 'limit', which the spec does not declare",
        "listAttributes: the spec declares query parameter 'take', which the mock never reads",
    ]
    spec = copy.deepcopy(load_spec())
    (take,) = [
        p for p in spec["paths"]["/v2/organizations/{orgId}/attributes"]["get"]["parameters"] if p.get("name") == "take"
    ]
    take["name"] = "limit"
    assert disagreements(HANDLERS_SOURCE, APP_SOURCE, spec) == [
        "listAttributes: the mock reads query parameter 'take', which the spec does not declare",
        "listAttributes: the spec declares query parameter 'limit', which the mock never reads",
    ]
