"""schemathesis hooks for runs against a live Cal.com (loaded through SCHEMATHESIS_HOOKS).

Each does nothing unless the fuzz command set its environment variable:
- CAL_FUZZ_MAX_PER_MINUTE: pace requests to stay under Cal.com's rate limit;
- CAL_FUZZ_RUN_TAG: prefix the names, slugs and values a positive case creates, so a person can
  tell the run's leftovers from real data;
- CAL_FUZZ_LEDGER: append every 201 (what the run created) to this JSON-lines file, which the
  fuzz command reads to delete it all afterwards.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import schemathesis

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


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    tag = os.environ.get("CAL_FUZZ_RUN_TAG")
    fields = TAGGED_FIELDS.get(case.operation.definition.raw.get("operationId", ""), ())
    positive = case.meta is not None and case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE
    if tag and fields and positive and isinstance(case.body, dict):
        for field in fields:
            if isinstance(case.body.get(field), str):
                case.body[field] = f"{tag}-{case.body[field]}"
    return case


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
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
        "operationId": case.operation.definition.raw.get("operationId"),
        "path": dict(case.path_parameters or {}),
        "body": case.body if isinstance(case.body, dict) else None,
        "data": data,
    }
    with _LEDGER_LOCK, open(ledger, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
