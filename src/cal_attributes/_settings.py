"""What a client is built from: arguments first, then the environment, then defaults."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import httpx

from cal_attributes.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.cal.com"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2


TIMEOUT_PHASES = ("connect", "read", "write", "pool")


def check_seconds(name: str, value: object, *, zero_allowed: bool = False) -> None:
    """A duration given by a caller is a finite number of seconds (above 0 unless ``zero_allowed``);
    checked when it is given, not when the first request would trip over it."""
    if isinstance(value, bool) or not isinstance(value, int | float):  # True would be 1 second
        raise TypeError(f"`{name}` must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed):
        least = "0 or more" if zero_allowed else "above 0"
        raise ValueError(f"`{name}` must be a finite number of seconds {least}, got {value!r}")


def check_int(name: str, value: object) -> None:
    """An id or count from an untyped caller is an int: ``"5"``, ``5.0`` or ``None`` would go into
    a URL as text, and ``True`` (an int to Python) as ``true``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")


def check_count(name: str, value: int, least: int) -> None:
    """A count given by a caller (retries, bytes, a page size) is an int of at least ``least``."""
    check_int(name, value)
    if value < least:
        raise ValueError(f"{name} must be {least} or more, got {value}")


def checked_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    """``timeout=`` as httpx takes it, each phase None (no limit) or a finite number above 0."""
    if isinstance(value, httpx.Timeout):
        for phase in TIMEOUT_PHASES:
            seconds = getattr(value, phase)
            if seconds is not None:
                check_seconds(f"timeout.{phase}", seconds)
        return value
    if value is not None:
        check_seconds("timeout", value)
    return httpx.Timeout(value)


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
        check_int("`org_id`", org_id)  # "5" would go into every URL
        return org_id
    text = os.environ.get("CAL_ORG_ID", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ConfigurationError(f"CAL_ORG_ID must be an organization id (digits), got {text!r}")
    return int(text)


def environ_credential(name: str) -> str | None:
    """A credential from the environment; set but empty or blank (``CAL_API_KEY=``) is unset, as
    a shell's ``export CAL_API_KEY=`` meant to clear it."""
    value = os.environ.get(name, "")
    return value if value.strip() else None


def credential_problem(value: str) -> str | None:
    """Why ``value`` cannot travel in a header, or None: httpx would refuse it only when sending,
    quoting the whole header (the secret) in its error. Never says the value itself."""
    if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in value):
        return "contains spaces or control characters (a .env file with CRLF line ends leaves a \\r)"
    if not value.isascii():
        return "contains characters that are not ASCII"
    return None


def require_header_safe(**given: str | None) -> None:
    """Each credential given (arguments, or a variable's name for one read from the environment)
    can be sent as a header: refused before anything is sent, naming it, never showing it."""
    for name, value in given.items():
        problem = None if value is None else credential_problem(value)
        if problem is not None:
            raise ConfigurationError(f"{name} {problem}")


def require_non_blank(**given: str | None) -> None:
    """A credential passed as an argument is used whatever the environment holds, so an empty one
    (``api_key=""``, a variable read from an unset setting) is an error, not a silent fallback."""
    for name, value in given.items():
        if value is not None and not value.strip():
            raise ConfigurationError(f"{name} is empty: pass the credential itself, or leave {name} out")


def resolve_credentials(
    api_key: str | None, client_id: str | None, client_secret: str | None
) -> tuple[str | None, str | None, str | None]:
    """(api_key, client_id, client_secret) of the one credential in use. Arguments first: a
    credential given as arguments is used whatever the environment holds (one given empty or
    blank is an error). Without one, the environment: CAL_API_KEY, or CAL_CLIENT_ID and
    CAL_CLIENT_SECRET (a blank variable counts as unset). Both kinds at the same level (both as
    arguments, or both in the environment) is an error rather than a silent choice."""
    require_non_blank(api_key=api_key, client_id=client_id, client_secret=client_secret)
    if (client_id is None) != (client_secret is None):
        raise ConfigurationError("a platform OAuth client needs both client_id and client_secret")
    if api_key is not None and client_id is not None:
        raise ConfigurationError(
            "both an API key (api_key) and a platform OAuth client (client_id, client_secret) were given: pass one"
        )
    if api_key is not None or client_id is not None:
        require_header_safe(api_key=api_key, client_id=client_id, client_secret=client_secret)
        return api_key, client_id, client_secret
    env_key = environ_credential("CAL_API_KEY")
    env_id, env_secret = environ_credential("CAL_CLIENT_ID"), environ_credential("CAL_CLIENT_SECRET")
    require_header_safe(CAL_API_KEY=env_key, CAL_CLIENT_ID=env_id, CAL_CLIENT_SECRET=env_secret)
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
    if base_url is not None and not base_url.strip():  # an unset setting must not mean production
        raise ConfigurationError("base_url is empty: pass the server's URL, or leave base_url out")
    url = (base_url or os.environ.get("CAL_API_URL") or DEFAULT_BASE_URL).rstrip("/")
    if any(character.isspace() or ord(character) < 32 for character in url):  # a CRLF .env file's "\r"
        raise ConfigurationError("the API URL contains spaces or control characters (check CAL_API_URL)")
    try:
        parts = httpx.URL(url)  # the parser the requests will use
    except httpx.InvalidURL as error:  # "Invalid IPv6 URL", a port that is no number
        raise ConfigurationError(f"the API URL cannot be read: {error}") from None
    if parts.userinfo:  # a user or password would reach logs and errors
        raise ConfigurationError("the API URL must not carry a user or password: pass the API key as api_key=...")
    if parts.scheme not in ("https", "http") or not parts.host:  # the URL itself may hold a secret: not shown
        raise ConfigurationError("the API URL must start with https:// or http:// and name a host")
    if "?" in url or "#" in url:  # every path would be appended after them
        bare = str(parts.copy_with(query=None, fragment=None))
        raise ConfigurationError(f"the API URL must not have a query or fragment: use {bare!r}")
    if url.endswith("/v2"):  # Cal.com's docs give https://api.cal.com/v2 as "the base URL"
        raise ConfigurationError(
            f"the API URL is the server's, without /v2 (every path starts with /v2): use {url[:-3]!r}, not {url!r}"
        )
    return Settings(url, api_key, client_id, client_secret, resolve_org_id(org_id))
