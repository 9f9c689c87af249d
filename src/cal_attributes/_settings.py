"""What a client is built from: arguments first, then the environment, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx

from cal_attributes.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.cal.com"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2


@dataclass(frozen=True)
class Settings:
    base_url: str
    api_key: str | None = field(repr=False)
    client_id: str | None
    client_secret: str | None = field(repr=False)
    org_id: int | None = None

    @property
    def credential(self) -> str:
        """What kind of credential is in use, for reprs and logs: never the secret itself."""
        return "platform OAuth client" if self.client_id else "API key"

    def headers(self) -> dict[str, str]:
        if self.client_id and self.client_secret:
            return {"x-cal-client-id": self.client_id, "x-cal-secret-key": self.client_secret}
        return {}


def resolve_org_id(org_id: int | None) -> int | None:
    if org_id is not None:
        return org_id
    text = os.environ.get("CAL_ORG_ID", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ConfigurationError(f"CAL_ORG_ID must be an organization id (digits), got {text!r}")
    return int(text)


def resolve_settings(
    api_key: str | None,
    base_url: str | None,
    client_id: str | None,
    client_secret: str | None,
    org_id: int | None = None,
) -> Settings:
    """Check the credentials and URL, reading CAL_API_KEY, CAL_API_URL and CAL_ORG_ID when not given."""
    if (client_id is None) != (client_secret is None):
        raise ConfigurationError("a platform OAuth client needs both client_id and client_secret")
    if client_id is None:
        api_key = api_key or os.environ.get("CAL_API_KEY") or None
        if not api_key:
            raise ConfigurationError(
                "no credentials: pass api_key=... or set CAL_API_KEY (or pass client_id and client_secret "
                "of a platform OAuth client)"
            )
    url = (base_url or os.environ.get("CAL_API_URL") or DEFAULT_BASE_URL).rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"the API URL must start with https:// or http://, got {url!r}")
    return Settings(url, api_key, client_id, client_secret, resolve_org_id(org_id))
