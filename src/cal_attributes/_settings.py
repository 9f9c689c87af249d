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


def resolve_credentials(
    api_key: str | None, client_id: str | None, client_secret: str | None
) -> tuple[str | None, str | None, str | None]:
    """(api_key, client_id, client_secret) of the one credential in use. Arguments first: a
    credential given as arguments is used whatever the environment holds. Without one, the
    environment: CAL_API_KEY, or CAL_CLIENT_ID and CAL_CLIENT_SECRET. Both kinds at the same level
    (both as arguments, or both in the environment) is an error rather than a silent choice."""
    if (client_id is None) != (client_secret is None):
        raise ConfigurationError("a platform OAuth client needs both client_id and client_secret")
    if api_key and client_id is not None:
        raise ConfigurationError(
            "both an API key (api_key) and a platform OAuth client (client_id, client_secret) were given: pass one"
        )
    if api_key or client_id is not None:
        return api_key or None, client_id, client_secret
    env_key = os.environ.get("CAL_API_KEY") or None
    env_id, env_secret = os.environ.get("CAL_CLIENT_ID") or None, os.environ.get("CAL_CLIENT_SECRET") or None
    if env_key and (env_id or env_secret):  # first: a leftover half of an OAuth pair is this conflict too
        raise ConfigurationError(
            "both CAL_API_KEY and CAL_CLIENT_ID/CAL_CLIENT_SECRET are set: unset one, or pass the credential to use"
        )
    if (env_id is None) != (env_secret is None):
        raise ConfigurationError("a platform OAuth client needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET")
    if not env_key and not env_id:
        raise ConfigurationError(
            "no credentials: pass api_key=... or set CAL_API_KEY (or pass client_id and client_secret "
            "of a platform OAuth client, or set CAL_CLIENT_ID and CAL_CLIENT_SECRET)"
        )
    return env_key, env_id, env_secret


def resolve_settings(
    api_key: str | None,
    base_url: str | None,
    client_id: str | None,
    client_secret: str | None,
    org_id: int | None = None,
) -> Settings:
    """Check the credentials and URL, reading CAL_API_KEY (or CAL_CLIENT_ID and CAL_CLIENT_SECRET),
    CAL_API_URL and CAL_ORG_ID when not given."""
    api_key, client_id, client_secret = resolve_credentials(api_key, client_id, client_secret)
    url = (base_url or os.environ.get("CAL_API_URL") or DEFAULT_BASE_URL).rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"the API URL must start with https:// or http://, got {url!r}")
    if url.endswith("/v2"):  # Cal.com's docs give https://api.cal.com/v2 as "the base URL"
        raise ConfigurationError(
            f"the API URL is the server's, without /v2 (every path starts with /v2): use {url[:-3]!r}, not {url!r}"
        )
    return Settings(url, api_key, client_id, client_secret, resolve_org_id(org_id))
