"""Injected faults: what a request to the mock suffers before (or instead of) a normal answer."""

from __future__ import annotations

import difflib
import math
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

FaultKind: TypeAlias = Literal["fail", "delay", "drop_connection", "malformed"]
JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None

KINDS: tuple[FaultKind, ...] = ("fail", "delay", "drop_connection", "malformed")
# How often a fault fires when the caller does not say; None means until reset.
DEFAULT_TIMES: dict[FaultKind, int | None] = {"fail": 2, "delay": None, "drop_connection": 1, "malformed": 1}
MAX_DELAY_SECONDS = 60.0  # a black-box user must not be able to park the mock's connections for ever
MAX_RETRY_AFTER = 86_400


class FaultError(ValueError):
    """A fault description is not valid; the message says which field and why."""


@dataclass(frozen=True)
class Fault:
    """One fault as registered: ``remaining`` is how many more requests it fires for (None: all)."""

    id: int
    kind: FaultKind
    operation_id: str | None  # None: any API operation
    remaining: int | None
    status: int = 503  # fail
    retry_after: int | None = None  # fail: the Retry-After header, in seconds
    body: JSON = None  # fail: the answer's JSON body (a Cal.com error envelope when None)
    seconds: float = 0.0  # delay
    apply: bool = False  # let the mock apply the request, then lose its answer

    def to_json(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "kind": self.kind,
            "operationId": self.operation_id,
            "remaining": self.remaining,
            "status": self.status,
            "retryAfter": self.retry_after,
            "body": self.body,
            "seconds": self.seconds,
            "apply": self.apply,
        }


@dataclass(frozen=True)
class Fired:
    """What a request suffers: a delay first, then at most one fault that replaces the answer."""

    delay: float = 0.0
    fault: Fault | None = None


@dataclass
class Faults:
    """The registered faults of one mock; safe to change from a test while the server answers."""

    operation_ids: Collection[str]
    _faults: list[Fault] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        kind: FaultKind,
        operation_id: str | None,
        *,
        times: int | None,
        status: int = 503,
        retry_after: int | None = None,
        body: JSON = None,
        seconds: float = 0.0,
        apply: bool = False,
    ) -> Fault:
        """Register a fault after checking every field (a bad one raises FaultError, nothing is added)."""
        check_kind(kind)
        check_operation(operation_id, self.operation_ids)
        check_times(times)
        check_status(status)
        check_retry_after(retry_after)
        check_seconds(seconds)
        with self._lock:
            fault = Fault(self._next_id, kind, operation_id, times, status, retry_after, body, float(seconds), apply)
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def __bool__(self) -> bool:
        """Whether any fault is registered (read without the lock: a list's length is one read)."""
        return bool(self._faults)

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def fire(self, operation_id: str | None) -> Fired:
        """Consume the faults this request suffers: every matching delay and the first other fault."""
        delay, chosen = 0.0, None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.operation_id not in (None, operation_id):
                    continue
                if fault.kind != "delay" and chosen is not None:
                    continue
                if fault.kind == "delay":
                    delay += fault.seconds
                else:
                    chosen = fault
                if fault.remaining is not None:
                    self._faults[index] = replace(fault, remaining=fault.remaining - 1)
            self._faults = [f for f in self._faults if f.remaining is None or f.remaining > 0]
        return Fired(delay, chosen)


def check_kind(kind: object) -> FaultKind:
    for known in KINDS:
        if kind == known:
            return known
    raise FaultError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")


def check_operation(operation_id: object, known: Collection[str]) -> str | None:
    if operation_id is None:
        return None
    if not isinstance(operation_id, str):
        raise FaultError(f"operationId must be a string or null; got {operation_id!r}")
    if operation_id not in known:
        close = difflib.get_close_matches(operation_id, sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise FaultError(f"unknown operationId {operation_id!r}{hint}")
    return operation_id


def check_times(times: object) -> int | None:
    if times is None:
        return None
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise FaultError(f"times must be an integer of 1 or more, or null for every request; got {times!r}")
    return times


def check_status(status: object) -> int:
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise FaultError(f"status must be an HTTP error status from 400 to 599; got {status!r}")
    return status


def check_retry_after(retry_after: object) -> int | None:
    if retry_after is None:
        return None
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or not 0 <= retry_after <= MAX_RETRY_AFTER:
        raise FaultError(f"retryAfter must be whole seconds from 0 to {MAX_RETRY_AFTER}, or null; got {retry_after!r}")
    return retry_after


def check_seconds(seconds: object) -> float:
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        value = float(seconds)
        if math.isfinite(value) and 0 <= value <= MAX_DELAY_SECONDS:
            return value
    raise FaultError(f"seconds must be a number from 0 to {MAX_DELAY_SECONDS:g}; got {seconds!r}")


FIELDS = {"kind", "operationId", "times", "status", "retryAfter", "body", "seconds", "apply"}


def add_from_json(faults: Faults, data: object) -> Fault:
    """Register the fault a black-box user POSTed to /_mock/faults (same rules as the Python API)."""
    if not isinstance(data, Mapping):
        raise FaultError("the body must be a JSON object describing one fault")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise FaultError(f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(FIELDS))})")
    if "kind" not in data:
        raise FaultError(f"kind is required: one of {', '.join(KINDS)}")
    kind = check_kind(data["kind"])
    apply = data.get("apply", False)
    if not isinstance(apply, bool):
        raise FaultError(f"apply must be true or false; got {apply!r}")
    if kind == "delay" and "seconds" not in data:
        raise FaultError("seconds is required for a delay")
    body: Any = data.get("body")
    return faults.add(
        kind,
        data.get("operationId"),
        times=data["times"] if "times" in data else DEFAULT_TIMES[kind],
        status=data.get("status", 503),
        retry_after=data.get("retryAfter"),
        body=body,
        seconds=data.get("seconds", 0.0),
        apply=apply,
    )
