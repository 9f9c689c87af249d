"""The request journal: what the mock was asked and what it answered, credentials redacted."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote_plus

import orjson

from cal_attributes_mock.testkit.faults import JSON, FaultKind

# Headers that carry a credential. x-cal-client-id is an identifier, not a secret (the secret is
# x-cal-secret-key), and tests may want to assert on it, so it stays.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-cal-secret-key"})
# Query parameters that carry a credential (names compared case-insensitively, ``-`` as ``_``):
# clients that cannot set headers put the API key in the URL.
SECRET_PARAMETERS = frozenset(
    {"apikey", "api_key", "key", "token", "access_token", "refresh_token", "id_token", "auth", "authorization"}
    | {"secret", "client_secret", "x_cal_secret_key", "password", "signature", "sig"}
)
REDACTED = "[redacted]"
MAX_ENTRIES = 1_000


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Lower-case names; credentials replaced, keeping only an Authorization scheme (``Bearer``)."""
    redacted = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {REDACTED}" if lower == "authorization" and rest else REDACTED
        redacted[lower] = value
    return redacted


def redact_query(query: str) -> str:
    """The query string with the values of credential-like parameters replaced; the rest verbatim."""
    parts = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        if equals and unquote_plus(name).strip().lower().replace("-", "_") in SECRET_PARAMETERS:
            part = f"{name}={REDACTED}"
        parts.append(part)
    return "&".join(parts)


@dataclass(frozen=True)
class JournalEntry:
    """One request: ``json`` is its decoded JSON body (None when it had none or it was not JSON);
    ``status`` is what the client was answered (None when the connection was dropped);
    ``fault`` names the injected fault that shaped the answer, if any."""

    method: str
    path: str
    query: str
    json: JSON
    headers: dict[str, str]
    status: int | None
    operation_id: str | None
    fault: FaultKind | None = None

    def to_json(self) -> dict[str, JSON]:
        headers: dict[str, JSON] = dict(self.headers)
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "json": self.json,
            "headers": headers,
            "status": self.status,
            "operationId": self.operation_id,
            "fault": self.fault,
        }


class _Raw(NamedTuple):
    """A request as the layer saw it, kept until the journal is read: decoding its JSON and
    redacting its credentials cost more than the mock's own answer, and most are never read."""

    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]
    status: int | None
    operation_id: str | None
    fault: FaultKind | None

    def __repr__(self) -> str:  # the headers and query still hold credentials: show what the journal shows
        return repr(self.entry())

    def entry(self) -> JournalEntry:
        return JournalEntry(
            method=self.method,
            path=self.path,
            query=redact_query(self.query) if self.query else "",
            json=json_or_none(self.body),
            headers=redact_headers(self.headers),
            status=self.status,
            operation_id=self.operation_id,
            fault=self.fault,
        )


class Journal:
    """The last ``max_entries`` requests, oldest first."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: deque[JournalEntry | _Raw] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def record_raw(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
        status: int | None,
        operation_id: str | None,
        fault: FaultKind | None = None,
    ) -> None:
        """Record a request from what was received (``headers`` with lower-case names, not copied:
        the caller must not change them); the entry is redacted and decoded when it is read."""
        raw = _Raw(method, path, query, body, headers, status, operation_id, fault)
        with self._lock:
            self._entries.append(raw)

    def entries(self, operation_id: str | None = None) -> list[JournalEntry]:
        with self._lock:
            kept = [e for e in self._entries if operation_id is None or e.operation_id == operation_id]
        return [e.entry() if isinstance(e, _Raw) else e for e in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def json_or_none(raw: bytes) -> JSON:
    """The decoded body, or None when it is empty or not JSON (the journal never fails a request)."""
    if not raw.strip():
        return None
    try:
        decoded: JSON = orjson.loads(raw)
    except ValueError:
        return None
    return decoded
