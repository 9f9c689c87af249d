"""Where the organization is and how to reach it, from arguments or the environment."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from cal_attributes_client import AuthenticatedClient

from cal_attributes.state.remote import HttpOrgOperations, raise_for_status

DEFAULT_URL = "https://api.cal.com"


class ConnectionError(ValueError):
    """Missing or invalid organization, credentials or URL."""


@dataclass(frozen=True)
class Connection:
    org_id: int
    base_url: str = DEFAULT_URL
    api_key: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False, compare=False)  # tests, proxies

    @classmethod
    def from_env(
        cls,
        org_id: int | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Connection:
        """Arguments first, then CAL_ORG_ID, CAL_API_KEY (or CAL_CLIENT_ID and CAL_CLIENT_SECRET
        of a platform OAuth client) and CAL_API_URL."""
        org_text = str(org_id) if org_id is not None else os.environ.get("CAL_ORG_ID", "")
        if not org_text.isdigit() or int(org_text) < 1:
            raise ConnectionError("no organization: pass --org-id (org_id=) or set CAL_ORG_ID to a positive integer")
        client_id = client_id or os.environ.get("CAL_CLIENT_ID") or None
        client_secret = client_secret or os.environ.get("CAL_CLIENT_SECRET") or None
        if (client_id is None) != (client_secret is None):
            raise ConnectionError("a platform OAuth client needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET")
        api_key = None if client_id else (api_key or os.environ.get("CAL_API_KEY") or None)
        if client_id is None and api_key is None:
            raise ConnectionError("no credentials: set CAL_API_KEY (or CAL_CLIENT_ID and CAL_CLIENT_SECRET)")
        url = (base_url or os.environ.get("CAL_API_URL") or DEFAULT_URL).rstrip("/")
        if not url.startswith(("https://", "http://")):
            raise ConnectionError(f"the API URL must start with https:// or http://, got {url!r}")
        return cls(int(org_text), url, api_key, client_id, client_secret, transport=transport)

    @asynccontextmanager
    async def operations(self) -> AsyncIterator[HttpOrgOperations]:
        """The organization's operations over one connection pool, closed on exit."""
        headers = (
            {"x-cal-client-id": self.client_id, "x-cal-secret-key": self.client_secret or ""} if self.client_id else {}
        )
        http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={**headers, **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})},
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            transport=self.transport,
            follow_redirects=False,
            event_hooks={"response": [raise_for_status]},
        )
        client = AuthenticatedClient(base_url=self.base_url, token=self.api_key or "").set_async_httpx_client(http)
        async with http:
            yield HttpOrgOperations(client, self.org_id)
