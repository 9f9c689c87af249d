"""Delete what a fuzz run created on a live target, from the ledger its hooks wrote."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.api.attribute_options import delete_option, unassign_option_from_user
from cal_attributes_client.api.attributes import delete_attribute


@dataclass
class CleanupReport:
    deleted: list[str] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def read_ledger(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by an interrupted run
    return entries


Undo = Callable[[AuthenticatedClient], int]
"""One undoing request: sends it through the generated client's public API and gives its status."""


def undo_steps(entry: dict[str, Any]) -> list[tuple[str, Undo]]:
    """The requests that undo one created resource, in order.

    Only the status of the answers matters: the generated ``sync_detailed`` functions return it
    with the body parsed as far as the spec documents it.
    """
    data: dict[str, Any] = entry.get("data") or {}
    body: dict[str, Any] = entry.get("body") or {}
    path: dict[str, Any] = entry.get("path") or {}
    operation = entry.get("operationId")
    org_id: Any = path.get("orgId")
    if operation == "createAttribute" and "id" in data:
        attribute: Any = data["id"]
        return [
            (
                f"attribute {attribute}",
                lambda c: delete_attribute.sync_detailed(org_id, attribute, client=c).status_code,
            )
        ]
    if operation == "createOption" and "id" in data:
        attribute_id: Any = path.get("attributeId")
        option: Any = data["id"]
        return [
            (
                f"option {option}",
                lambda c: delete_option.sync_detailed(org_id, attribute_id, option, client=c).status_code,
            )
        ]
    if operation == "assignOptionToUser" and "attributeOptionId" in data:
        user_id: Any = path.get("userId")
        option_id: Any = data["attributeOptionId"]
        steps: list[tuple[str, Undo]] = [
            (
                f"assignment of {option_id} to user {user_id}",
                lambda c: unassign_option_from_user.sync_detailed(org_id, user_id, option_id, client=c).status_code,
            )
        ]
        if body.get("value") is not None and not body.get("attributeOptionId"):  # the value created an option
            value_attribute: Any = body.get("attributeId")
            steps.append(
                (
                    f"option {option_id}",
                    lambda c: delete_option.sync_detailed(org_id, value_attribute, option_id, client=c).status_code,
                )
            )
        return steps
    return []


def clean_up(ledger: Path, client: AuthenticatedClient) -> CleanupReport:
    """Undo every ledger entry, newest first; a 404 means the run already deleted it."""
    report = CleanupReport()
    for entry in reversed(read_ledger(ledger)):
        for what, undo in undo_steps(entry):
            try:
                status = int(undo(client))
            except Exception as error:  # keep going: one failure must not strand the rest
                report.failed.append(f"{what}: {type(error).__name__}: {error}")
                continue
            if status in (200, 204):
                report.deleted.append(what)
            elif status == 404:
                report.already_gone.append(what)
            else:
                report.failed.append(f"{what}: HTTP {status}")
    return report
