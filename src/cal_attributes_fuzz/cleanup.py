"""Delete what a fuzz run created on a live target, from the ledger its hooks wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cal_attributes_client import AuthenticatedClient


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


def _delete(*segments: object) -> dict[str, Any]:
    """A DELETE of ``/v2/organizations/...`` with each path segment escaped.

    Built here rather than by the generated operation modules: their public functions parse the
    answer, and cleanup needs only its status, whatever the body (their request builders are private).
    """
    return {"method": "delete", "url": "/v2/organizations/" + "/".join(quote(str(s), safe="") for s in segments)}


def undo_steps(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The requests that undo one created resource, in order.

    Only the status of the answers matters, so they are sent without parsing the body.
    """
    data: dict[str, Any] = entry.get("data") or {}
    body: dict[str, Any] = entry.get("body") or {}
    path: dict[str, Any] = entry.get("path") or {}
    operation = entry.get("operationId")
    org_id: Any = path.get("orgId")
    if operation == "createAttribute" and "id" in data:
        return [(f"attribute {data['id']}", _delete(org_id, "attributes", data["id"]))]
    if operation == "createOption" and "id" in data:
        attribute_id: Any = path.get("attributeId")
        return [(f"option {data['id']}", _delete(org_id, "attributes", attribute_id, "options", data["id"]))]
    if operation == "assignOptionToUser" and "attributeOptionId" in data:
        user_id: Any = path.get("userId")
        option_id: Any = data["attributeOptionId"]
        steps: list[tuple[str, dict[str, Any]]] = [
            (
                f"assignment of {option_id} to user {user_id}",
                _delete(org_id, "attributes", "options", user_id, option_id),
            )
        ]
        if body.get("value") is not None and not body.get("attributeOptionId"):  # the value created an option
            value_attribute: Any = body.get("attributeId")
            steps.append(
                (
                    f"option {option_id}",
                    _delete(org_id, "attributes", value_attribute, "options", option_id),
                )
            )
        return steps
    return []


def clean_up(ledger: Path, client: AuthenticatedClient) -> CleanupReport:
    """Undo every ledger entry, newest first; a 404 means the run already deleted it."""
    report = CleanupReport()
    for entry in reversed(read_ledger(ledger)):
        for what, request in undo_steps(entry):
            try:
                status = client.get_httpx_client().request(**request).status_code
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
