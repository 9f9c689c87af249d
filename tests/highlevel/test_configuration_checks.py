"""Configuration is checked when it is given: an empty credential never falls back to the
environment, and a timeout or backoff that could not work is refused at once, naming itself."""

from __future__ import annotations

import math

import httpx
import pytest

from cal_attributes import AsyncCalAttributes, CalAttributes, ConfigurationError
from tests.highlevel.faults import Script, ok

CREDENTIAL_ENV = ("CAL_API_KEY", "CAL_CLIENT_ID", "CAL_CLIENT_SECRET")


@pytest.fixture
def environment_key(monkeypatch: pytest.MonkeyPatch) -> str:
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAL_API_KEY", "cal_environment_key")
    return "cal_environment_key"


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"api_key": "{}"}, "api_key"),
        ({"client_id": "{}", "client_secret": "platform-secret"}, "client_id"),
        ({"client_id": "platform-client", "client_secret": "{}"}, "client_secret"),
    ],
)
@pytest.mark.parametrize("client_class", [CalAttributes, AsyncCalAttributes])
def test_an_empty_credential_argument_is_an_error_naming_it_never_the_environment_s(
    environment_key: str, client_class: type[CalAttributes], kwargs: dict[str, str], named: str, blank: str
) -> None:
    given = {name: blank if value == "{}" else value for name, value in kwargs.items()}
    with pytest.raises(ConfigurationError, match=f"^{named} is empty") as raised:
        client_class(**given)  # type: ignore[arg-type]
    assert not {environment_key, "platform-secret", "platform-client"} & set(str(raised.value).split())


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_credential_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    for name in CREDENTIAL_ENV:
        monkeypatch.setenv(name, blank)
    with pytest.raises(ConfigurationError, match="no credentials"):
        CalAttributes()
    monkeypatch.setenv("CAL_CLIENT_ID", "platform-client")
    monkeypatch.setenv("CAL_CLIENT_SECRET", "platform-secret")
    assert "credential='platform OAuth client'" in repr(CalAttributes())  # not "both kinds are set"
    monkeypatch.setenv("CAL_API_KEY", "cal_k")
    monkeypatch.setenv("CAL_CLIENT_ID", blank)
    monkeypatch.setenv("CAL_CLIENT_SECRET", blank)
    assert CalAttributes().generated.token == "cal_k"


BAD_SECONDS: list[tuple[object, type[Exception]]] = [
    (-1, ValueError),
    (0, ValueError),
    (0.0, ValueError),
    (math.nan, ValueError),
    (math.inf, ValueError),
    (True, TypeError),
    ("5", TypeError),
]


def bad_timeouts() -> list[tuple[object, str, type[Exception]]]:
    """(timeout=, the name the error gives, the error): as one number and in each phase."""
    cases: list[tuple[object, str, type[Exception]]] = [(value, "timeout", error) for value, error in BAD_SECONDS]
    for phase in ("connect", "read", "write", "pool"):
        for value, error in BAD_SECONDS[:1] + BAD_SECONDS[3:]:
            cases.append((httpx.Timeout(5.0, **{phase: value}), f"timeout.{phase}", error))  # type: ignore[arg-type]
    return cases


@pytest.mark.parametrize(("timeout", "named", "error"), bad_timeouts())
def test_a_timeout_that_cannot_work_is_refused_where_it_is_given(
    timeout: object, named: str, error: type[Exception]
) -> None:
    script = Script(ok([]))
    match = f"`{named}` must be"
    with pytest.raises(error, match=match):
        script.client(timeout=timeout)
    cal = script.client()
    with pytest.raises(error, match=match):
        cal.with_options(timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        cal.attributes.list(org_id=1, timeout=timeout)  # type: ignore[arg-type]
    paginator = script.async_client().attributes.list  # a lazy async page: refused at the call all the same
    with pytest.raises(error, match=match):
        paginator(org_id=1, timeout=timeout)  # type: ignore[arg-type]
    assert script.attempts == 0


def test_a_timeout_of_none_or_a_positive_number_in_any_phase_is_accepted() -> None:
    script = Script(ok([]))
    with script.client(timeout=None) as cal:
        cal.with_options(timeout=httpx.Timeout(None, connect=0.5)).attributes.list(org_id=1, timeout=2)
    assert script.requests[0].extensions["timeout"] == {"connect": 2, "read": 2, "write": 2, "pool": 2}


@pytest.mark.parametrize(
    ("backoff", "error"),
    [(-0.1, ValueError), (math.nan, ValueError), (math.inf, ValueError), (True, TypeError), ("1", TypeError)],
)
def test_a_backoff_that_cannot_work_is_refused_at_construction(backoff: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="`backoff` must be"):
        Script(ok()).client(backoff=backoff)


def test_a_backoff_of_zero_is_no_wait() -> None:
    assert Script(ok()).client(backoff=0).max_retries == 2


BAD_COUNTS: list[tuple[object, type[Exception]]] = [
    (True, TypeError),
    (1.5, TypeError),
    ("3", TypeError),
    (-1, ValueError),
]


@pytest.mark.parametrize(("value", "error"), BAD_COUNTS)
@pytest.mark.parametrize("client_class", [CalAttributes, AsyncCalAttributes])
def test_a_count_that_is_not_an_int_is_refused_where_it_is_given(
    client_class: type[CalAttributes], value: object, error: type[Exception]
) -> None:
    """max_retries=True or 1.5 would drive the retry loop by accident; 1.5 bytes is no limit."""
    with pytest.raises(error, match="max_retries"):
        client_class("cal_k", max_retries=value)  # type: ignore[arg-type]
    with pytest.raises(error, match="max_retries"):
        client_class("cal_k").with_options(max_retries=value)  # type: ignore[arg-type]
    with pytest.raises(error, match="max_response_bytes"):
        client_class("cal_k", max_response_bytes=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "error"), [*BAD_COUNTS, (0, ValueError)])
def test_a_page_size_that_is_not_an_int_is_refused_before_sending(value: object, error: type[Exception]) -> None:
    """page_size=True went out as take=true, 2.0 as take=2.0."""
    script = Script(ok())
    with script.client(org_id=1) as cal, pytest.raises(error, match="page_size"):
        cal.attributes.list(page_size=value)  # type: ignore[arg-type]
    assert script.attempts == 0


@pytest.mark.parametrize("bad", ["cal_live_secret\r", "cal_live_secret\n", "cal live secret", "cal_live_sécret"])
def test_a_credential_that_cannot_be_a_header_is_refused_before_sending_never_shown(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """httpx refused such a key only when sending, quoting the whole header (the key) in the error;
    a CRLF .env file leaves exactly such a "\r". As an argument and from the environment."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match=r"^api_key contains") as raised:
        CalAttributes(bad)
    assert "secret" not in str(raised.value)
    with pytest.raises(ConfigurationError, match=r"^client_secret contains"):
        CalAttributes(client_id="platform-client", client_secret=bad)
    monkeypatch.setenv("CAL_API_KEY", bad)
    with pytest.raises(ConfigurationError, match=r"^CAL_API_KEY contains") as raised:
        AsyncCalAttributes()
    assert "secret" not in str(raised.value)


def test_an_empty_base_url_argument_is_an_error_not_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """base_url="" (an unset setting) used to mean https://api.cal.com: a test key sent to production."""
    monkeypatch.delenv("CAL_API_URL", raising=False)
    for blank in ("", "  "):
        with pytest.raises(ConfigurationError, match=r"^base_url is empty"):
            CalAttributes("cal_k", base_url=blank)
