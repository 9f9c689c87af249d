"""Credentials never surface; configuration comes from arguments or the environment; DEBUG logs."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from cal_attributes import (
    APIConnectionError,
    CalAttributes,
    ConfigurationError,
    InternalServerError,
    NotFoundError,
    UnexpectedRedirectError,
)
from cal_attributes._base_client import sdk_version
from cal_attributes.errors import shown_location, shown_url
from tests.highlevel.faults import KEY, Script, envelope, ok

SECRET = "platform-secret-do-not-print"


def test_the_key_is_in_no_repr_str_exception_or_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(envelope(503, "X", "down"), ok(), envelope(404, "NotFoundException", "gone"))
    with script.client() as cal:
        cal.attributes.list(org_id=1)
        with pytest.raises(NotFoundError) as raised:
            cal.attributes.delete("a", org_id=1)
        surfaces = [
            repr(cal),
            str(cal),
            repr(cal.generated),
            str(cal.generated),
            repr(cal._config),
            str(raised.value),
            repr(raised.value),
            repr(raised.value.__dict__),
            caplog.text,
        ]
    assert script.requests[0].headers["authorization"] == f"Bearer {KEY}"  # it is sent ...
    for surface in surfaces:
        assert KEY not in surface  # ... and shown nowhere


def test_platform_client_credentials_are_sent_and_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return envelope(500, "X", "boom")

    cal = CalAttributes(
        client_id="client-1",
        client_secret=SECRET,
        base_url="https://api.cal.test",
        max_retries=0,
        httpx_args={"transport": httpx.MockTransport(answer)},
    )
    with cal, pytest.raises(InternalServerError) as raised:
        cal.attributes.list(org_id=1)
    assert seen[0].headers["x-cal-client-id"] == "client-1" and seen[0].headers["x-cal-secret-key"] == SECRET
    assert "authorization" not in seen[0].headers
    for surface in (repr(cal), repr(cal.generated), str(raised.value), repr(raised.value.__dict__), caplog.text):
        assert SECRET not in surface
    assert "platform OAuth client" in repr(cal)


def test_key_and_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAL_API_KEY", "cal_from_env")
    monkeypatch.setenv("CAL_API_URL", "https://cal.example.test/")
    cal = CalAttributes()
    assert cal.generated.token == "cal_from_env"
    assert cal.generated._base_url == "https://cal.example.test"
    monkeypatch.delenv("CAL_API_URL")
    assert CalAttributes().generated._base_url == "https://api.cal.com"
    assert CalAttributes("cal_argument").generated.token == "cal_argument"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no credentials: pass api_key=... or set CAL_API_KEY"),
        ({"client_id": "c"}, "needs both client_id and client_secret"),
        ({"api_key": "cal_k", "base_url": "ftp://x"}, "must start with https:// or http://"),
        ({"api_key": "cal_k", "base_url": "https://api.cal.com/v2/"}, "use 'https://api.cal.com', not"),
        ({"api_key": "cal_k", "max_retries": -1}, "max_retries must be 0 or more"),
        ({"api_key": "cal_k", "base_url": "https://user:hunter2@api.cal.com"}, "must not carry a user or password"),
        ({"api_key": "cal_k", "base_url": "https://api.cal.com?region=eu"}, "use 'https://api.cal.com'"),
        ({"api_key": "cal_k", "base_url": "https://api.cal.com#top"}, "must not have a query or fragment"),
        ({"api_key": "cal_k", "base_url": "ftp://user:hunter2@x"}, "must not carry a user or password"),
        ({"api_key": "cal_k", "base_url": "http://[::1"}, "the API URL cannot be read"),
        ({"api_key": "cal_k", "base_url": "https://api.cal.com:abc"}, "the API URL cannot be read"),
        ({"api_key": "cal_k", "base_url": "https://"}, "name a host"),
        ({"api_key": "cal_k", "base_url": "https://api.cal.com\r"}, "spaces or control characters"),
    ],
)
def test_bad_configuration_is_a_clear_error_at_construction(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, object], message: str
) -> None:
    for name in ("CAL_API_KEY", "CAL_CLIENT_ID", "CAL_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises((ConfigurationError, ValueError), match=message):
        CalAttributes(**kwargs)  # type: ignore[arg-type]


BOTH_KINDS = "both an API key (api_key) and a platform OAuth client (client_id, client_secret) were given"
OAUTH_ENV = {"CAL_CLIENT_ID": "env-client", "CAL_CLIENT_SECRET": "env-secret"}


@pytest.mark.parametrize(
    ("kwargs", "environment", "outcome"),
    [
        ({"api_key": "cal_k", "client_id": "c", "client_secret": "s"}, {}, BOTH_KINDS),
        ({"api_key": "cal_k", "client_id": "c", "client_secret": "s"}, {"CAL_API_KEY": "cal_e"}, BOTH_KINDS),
        ({}, {"CAL_API_KEY": "cal_e", **OAUTH_ENV}, "both CAL_API_KEY and CAL_CLIENT_ID/CAL_CLIENT_SECRET are set"),
        ({}, {"CAL_CLIENT_ID": "env-client"}, "needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET"),
        # a leftover half of an OAuth pair beside the key: named as the conflict it is
        ({}, {"CAL_API_KEY": "cal_e", "CAL_CLIENT_ID": "env-client"}, "both CAL_API_KEY and CAL_CLIENT_ID"),
        # an argument wins over the environment, of either kind
        ({"api_key": "cal_k"}, OAUTH_ENV, "API key"),
        ({"client_id": "c", "client_secret": "s"}, {"CAL_API_KEY": "cal_e"}, "platform OAuth client"),
        ({}, {"CAL_API_KEY": "cal_e"}, "API key"),
        ({}, OAUTH_ENV, "platform OAuth client"),
    ],
)
def test_one_credential_is_used_never_a_silent_choice_between_two(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, str], environment: dict[str, str], outcome: str
) -> None:
    for name in ("CAL_API_KEY", "CAL_CLIENT_ID", "CAL_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if outcome in ("API key", "platform OAuth client"):
        cal = CalAttributes(**kwargs)  # type: ignore[arg-type]
        assert f"credential={outcome!r}" in repr(cal)
        headers = cal.generated.get_httpx_client().headers
        assert ("x-cal-client-id" in headers) == (outcome == "platform OAuth client")
        return
    with pytest.raises(ConfigurationError, match=re.escape(outcome)) as raised:
        CalAttributes(**kwargs)  # type: ignore[arg-type]
    assert not {"cal_k", "cal_e", "env-secret"} & set(str(raised.value).split())  # names, never values


def test_timeouts_default_to_finite_and_can_be_set_per_client_and_per_call() -> None:
    seen: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok()

    transport = httpx.MockTransport(answer)
    with CalAttributes("cal_k", httpx_args={"transport": transport}) as cal:
        cal.attributes.list(org_id=1)
    with CalAttributes("cal_k", timeout=3.0, httpx_args={"transport": transport}) as cal:
        cal.attributes.list(org_id=1)
        cal.attributes.list(org_id=1, timeout=1.5)
        cal.attributes.list(org_id=1)
    assert seen[0] == {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": 30.0}
    assert seen[1] == seen[3] == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert seen[2] == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}


def test_debug_logs_say_method_url_status_time_and_retries(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cal_attributes")
    script = Script(envelope(503, "X", "down"), ok())
    with script.client() as cal:
        cal.attributes.list(org_id=1, page_size=5)
    lines = [r.getMessage() for r in caplog.records if r.name == "cal_attributes"]
    assert len(lines) == 2
    assert lines[0].startswith("GET https://api.cal.test/v2/organizations/1/attributes?skip=0&take=5 -> 503 in ")
    assert lines[0].endswith("(retry 0)") and lines[1].endswith("(retry 1)") and "-> 200 in " in lines[1]


def test_the_public_surface_is_pinned() -> None:
    import cal_attributes

    assert sorted(cal_attributes.__all__) == sorted(
        [
            "DEFAULT_BASE_URL", "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "NOT_GIVEN",
            "APIConnectionError", "APIError", "APIResponseTooLargeError", "APIResponseValidationError",
            "AsyncCursorPage", "AsyncPage", "AsyncPaginator", "NotGiven", "RawResponse", "SyncCursorPage", "SyncPage",
            "UnexpectedRedirectError", "APIStatusError", "APITimeoutError", "AsyncCalAttributes",
            "AuthenticationError", "BadRequestError", "CalAttributes", "CalAttributesError", "ConfigurationError",
            "ConflictError", "InternalServerError", "NotFoundError", "PermissionDeniedError", "RateLimitError",
            "UnprocessableEntityError",
        ]
    )  # fmt: skip
    for name in cal_attributes.__all__:
        assert getattr(cal_attributes, name) is not None


def test_a_connection_error_names_the_request_and_its_debug_line_keeps_the_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="cal_attributes")
    script = Script(httpx.ConnectError("refused"))
    with script.client(max_retries=0) as cal, pytest.raises(APIConnectionError) as raised:
        cal.attributes.list(org_id=1, page_size=5)
    url = "https://api.cal.test/v2/organizations/1/attributes?skip=0&take=5"
    assert str(raised.value) == f"ConnectError: refused (GET {url})"
    assert (raised.value.method, raised.value.url) == ("GET", url)
    [line] = [r.getMessage() for r in caplog.records if r.name == "cal_attributes"]
    assert line.startswith(f"GET {url} -> ConnectError in ")


def test_a_secret_query_parameter_is_sent_but_shown_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """extra_query={"apiKey": ...} (or any parameter named like a secret) goes out as given but
    reaches neither the DEBUG line nor the exception: only its name, with [redacted]."""
    caplog.set_level(logging.DEBUG, logger="cal_attributes")
    script = Script(envelope(404, "NotFoundException", "gone"))
    query = {"apiKey": "cal_live_query_secret", "access_token": "tok_secret", "take": "5"}
    with script.client(max_retries=0) as cal, pytest.raises(NotFoundError) as raised:
        cal.attributes.delete("a", org_id=1, extra_query=query)
    assert script.requests[0].url.params["apiKey"] == "cal_live_query_secret"  # it is sent ...
    shown = [str(raised.value), raised.value.url, caplog.text]
    for surface in shown:  # ... and shown nowhere
        assert "cal_live_query_secret" not in surface and "tok_secret" not in surface
        assert "apiKey=[redacted]" in surface and "access_token=[redacted]" in surface and "take=5" in surface


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.cal.test/v2/x?skip=0&take=5", "https://api.cal.test/v2/x?skip=0&take=5"),
        ("https://api.cal.test/v2/x?api_key=s&take=5", "https://api.cal.test/v2/x?api_key=[redacted]&take=5"),
        ("https://api.cal.test/v2/x?CLIENT_SECRET=s", "https://api.cal.test/v2/x?CLIENT_SECRET=[redacted]"),
        ("https://api.cal.test/v2/x?a%70iKey=s", "https://api.cal.test/v2/x?a%70iKey=[redacted]"),
        ("https://u:pw@api.cal.test/v2/x", "https://api.cal.test/v2/x"),
        ("https://api.cal.test/v2/x?password", "https://api.cal.test/v2/x?password"),  # no value to hide
    ],
)
def test_shown_url(url: str, shown: str) -> None:
    assert shown_url(httpx.URL(url)) == shown


def test_a_redirect_error_shows_the_location_with_secrets_redacted() -> None:
    """An http -> https redirect keeps the query: its secret must not reach the error."""
    location = "https://api.cal.test/v2/organizations/1/attributes?apiKey=cal_live_query_secret&take=5"
    script = Script(httpx.Response(301, headers={"Location": location}))
    with script.client(max_retries=0) as cal, pytest.raises(UnexpectedRedirectError) as raised:
        cal.attributes.list(org_id=1, extra_query={"apiKey": "cal_live_query_secret"})
    for surface in (str(raised.value), repr(raised.value.__dict__), str(raised.value.location)):
        assert "cal_live_query_secret" not in surface
    assert raised.value.location == "https://api.cal.test/v2/organizations/1/attributes?apiKey=[redacted]&take=5"


@pytest.mark.parametrize("name", ["User-Agent", "user-agent"])
def test_the_users_user_agent_wins_over_the_sdks_but_never_over_the_credentials(name: str) -> None:
    script = Script(ok())
    headers = {name: "myapp/1.0", "Authorization": "Bearer someone-else"}
    with CalAttributes(
        KEY,
        base_url="https://api.cal.test",
        org_id=1,
        httpx_args={"transport": httpx.MockTransport(script.handle), "headers": headers},
    ) as cal:
        cal.attributes.list()
    sent = script.requests[0].headers
    assert sent.get_list("user-agent") == ["myapp/1.0"] and sent["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    "url", ["https:/user:hunter2@api.cal.com", "user:hunter2@api.cal.com", "api.cal.com?apiKey=hunter2"]
)
def test_a_malformed_base_url_is_refused_without_echoing_its_secret(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        CalAttributes("cal_k", base_url=url)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://h:abc/?apiKey=cal_live_x&take=5", "https://h:abc/?apiKey=[redacted]&take=5"),  # no URL to httpx
        ("https://u:pw@[::1/?key=s", "https://[::1/?key=[redacted]"),
        ("https://h/cb#access_token=cal_live_x", "https://h/cb#access_token=[redacted]"),
        ("/v2/next?take=5", "/v2/next?take=5"),
    ],
)
def test_a_redirect_location_is_shown_redacted_even_when_httpx_cannot_read_it(location: str, shown: str) -> None:
    assert shown_location(location) == shown


def test_the_user_agent_version_is_unknown_without_package_metadata() -> None:
    assert sdk_version("no-such-distribution-here") == "unknown"
    assert sdk_version() != "unknown"
