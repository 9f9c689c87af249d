"""codegen/sdk.py: the SDK's methods come from the spec's x-sdk extensions and the generator's data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cal_attributes.spec import load_spec
from codegen import sdk
from codegen.generate import resources_source
from tests.spec_helpers import ROOT

CONFIG = ROOT / "codegen" / "config.yaml"


def methods_of(spec: dict[str, Any], tmp_path: Path) -> dict[str, sdk.Method]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    top, _ = sdk.resources(sdk.generator_data(path, CONFIG), spec)
    found: dict[str, sdk.Method] = {}
    pending = list(top)
    while pending:
        resource = pending.pop()
        pending.extend(resource.children)
        found.update({f"{resource.path}.{method.name}": method for method in resource.methods})
    return found


def test_the_spec_gives_the_issue_s_table_and_the_facts_the_generator_drops(tmp_path: Path) -> None:
    methods = methods_of(copy.deepcopy(load_spec()), tmp_path)
    assert sorted(methods) == sorted(
        [
            "attributes.list", "attributes.create", "attributes.retrieve", "attributes.update", "attributes.delete",
            "attributes.options.list", "attributes.options.create", "attributes.options.update",
            "attributes.options.delete", "attributes.options.list_assigned", "assignments.list", "assignments.assign",
            "assignments.unassign", "assignments.update_weight", "assignments.history", "sync_history.list",
        ]
    )  # fmt: skip
    assigned = methods["attributes.options.list_assigned"]
    assert sorted(variant.operation_id for variant in assigned.variants) == [
        "listAssignedOptions",
        "listAssignedOptionsBySlug",
    ]
    assert {argument.python_name: argument.comma_list for argument in assigned.query} == {
        "assigned_option_ids": True,
        "team_ids": True,
    }
    attributes_page = methods["attributes.list"].page
    history_page = methods["assignments.history"].page
    assert attributes_page is not None and attributes_page.maximum == 250
    assert history_page is not None and (history_page.items, history_page.next_cursor) == (
        "data.audit_logs",
        "data.next_cursor",
    )
    assert methods["attributes.retrieve"].variants[0].result == "Attribute | None"


def test_an_operation_added_to_the_spec_adds_its_method(tmp_path: Path) -> None:
    spec = copy.deepcopy(load_spec())
    path_item = copy.deepcopy(spec["paths"]["/v2/organizations/{orgId}/attributes/{attributeId}"])
    operation = path_item["get"]
    operation["operationId"] = "getAttributeAgain"
    operation["x-sdk"] = {"resource": "attributes", "method": "retrieve_again"}
    spec["paths"]["/v2/organizations/{orgId}/attributes/{attributeId}/again"] = {
        "parameters": path_item["parameters"],
        "get": operation,
    }
    method = methods_of(spec, tmp_path)["attributes.retrieve_again"]
    assert method.variants[0].path_format == "/v2/organizations/{}/attributes/{}/again"
    assert [argument.python_name for argument in method.positional] == ["attribute_id"]
    # and the rendered resources.py has it, on the sync and the async attributes resource
    path = tmp_path / "spec.yaml"
    source = resources_source(path, sdk.generator_data(path, CONFIG), spec)
    assert source.count("    def retrieve_again(") == 1 and source.count("    async def retrieve_again(") == 1
    assert '"/v2/organizations/{}/attributes/{}/again"' in source


def test_an_operation_without_x_sdk_is_a_clear_error(tmp_path: Path) -> None:
    spec = copy.deepcopy(load_spec())
    del spec["paths"]["/v2/organizations/{orgId}/attributes"]["post"]["x-sdk"]
    with pytest.raises(sdk.SdkError, match="createAttribute has no x-sdk"):
        methods_of(spec, tmp_path)


def test_merged_operations_must_differ_only_in_their_keyword(tmp_path: Path) -> None:
    spec = copy.deepcopy(load_spec())
    spec["paths"]["/v2/organizations/{orgId}/attributes/{attributeId}/options"]["get"]["x-sdk"] = {
        "resource": "attributes",
        "method": "list",
    }
    with pytest.raises(sdk.SdkError, match="merged operations"):
        methods_of(spec, tmp_path)
