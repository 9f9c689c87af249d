"""A path parameter given as text must not be empty, "." or "..": "" would request another URL
(the collection's, ``.../attributes/``), and a dot segment is removed from the URL, so
``options.delete(a, "..")`` would delete attribute ``a``. Every method refuses them before sending."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from cal_attributes import CalAttributes

from .faults import Script, ok


def methods(resource: object, prefix: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public method of the resource tree, by its dotted name."""
    for name in dir(type(resource)):
        if name.startswith("_") or name == "with_raw_response":
            continue
        attribute = getattr(resource, name)
        if inspect.ismethod(attribute):
            yield prefix + name, attribute
        elif type(attribute).__module__ == "cal_attributes_client.resources":
            yield from methods(attribute, f"{prefix}{name}.")


def placeholder(annotation: str) -> object:
    return [] if annotation.startswith("Sequence") else "x"


def required_keywords(parameters: list[inspect.Parameter]) -> dict[str, object]:
    """A placeholder for each required keyword-only argument (the body's and the query's)."""
    return {
        p.name: placeholder(str(p.annotation)) for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }


def assert_refused_before_sending(
    script: Script, calls: list[tuple[str, Callable[[], Any]]], error: type[Exception], match: str
) -> None:
    for label, call in calls:
        with pytest.raises(error, match=match):
            result = call()
            if inspect.isawaitable(result):
                asyncio.run(result)  # type: ignore[arg-type]
        assert script.attempts == 0, label


def empty_text_calls(client: object, text: str = "") -> list[tuple[str, Callable[[], Any]]]:
    """(label, call) for each text path parameter of each method, given as ``text``."""
    calls: list[tuple[str, Callable[[], Any]]] = []
    for label, method in methods(client, ""):
        parameters = list(inspect.signature(method).parameters.values())
        required = required_keywords(parameters)
        positional = [p for p in parameters if p.kind is p.POSITIONAL_ONLY]
        for index, parameter in enumerate(positional):
            if parameter.annotation != "str":
                continue
            args = [text if i == index else 1 if p.annotation == "int" else "x" for i, p in enumerate(positional)]
            calls.append((f"{label}({parameter.name})", partial(method, *args, org_id=1, **required)))
        selectors = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.annotation == "str | NotGiven"]
        if "require_exactly_one" in inspect.getsource(method):  # a path parameter chosen by keyword
            for name in selectors:
                calls.append((f"{label}({name}=)", partial(method, org_id=1, **{name: text})))
    return calls


def test_every_text_path_parameter_is_checked() -> None:
    labels = [label for label, _ in empty_text_calls(CalAttributes("k", base_url="https://api.cal.test"))]
    assert len(labels) >= 10 and "attributes.retrieve(attribute_id)" in labels, labels
    assert "attributes.options.list_assigned(attribute_slug=)" in labels


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_empty_path_parameter_is_refused_before_sending(mode: str) -> None:
    script = Script(ok())
    client = script.client() if mode == "sync" else script.async_client()
    calls = empty_text_calls(client)
    assert_refused_before_sending(script, calls, ValueError, r"Expected a non-empty value for `\w+` but received ''")


def test_the_message_is_openai_python_s() -> None:
    with Script(ok()).client() as cal, pytest.raises(ValueError) as raised:
        cal.attributes.retrieve("")
    assert str(raised.value) == "Expected a non-empty value for `attribute_id` but received ''"


@pytest.mark.parametrize("segment", [".", ".."])
def test_a_dot_segment_is_refused_before_sending(segment: str) -> None:
    script = Script(ok())
    calls = empty_text_calls(script.client(), segment)
    assert len(calls) >= 10
    for label, call in calls:
        with pytest.raises(ValueError, match=r"cannot be '\.\.?': a dot segment would address another URL"):
            call()
        assert script.attempts == 0, label


@pytest.mark.parametrize("value", [0, None])
def test_a_path_parameter_of_another_type_is_named_as_such(value: object) -> None:
    with Script(ok()).client() as cal, pytest.raises(TypeError, match="`attribute_id` must be a string, got"):
        cal.attributes.retrieve(value)  # type: ignore[arg-type]


def int_path_calls(client: object, value: object) -> list[tuple[str, Callable[[], Any]]]:
    """(label, call) for each integer path parameter of each method (``org_id=`` included),
    given as ``value``; the others are valid."""
    calls: list[tuple[str, Callable[[], Any]]] = []
    for label, method in methods(client, ""):
        parameters = list(inspect.signature(method).parameters.values())
        required = required_keywords(parameters)
        selector = next(
            ({p.name: "x"} for p in parameters if p.kind is p.KEYWORD_ONLY and p.annotation == "str | NotGiven"),
            {},
        )
        if "require_exactly_one" not in inspect.getsource(method):
            selector = {}
        if not any(p.name == "org_id" for p in parameters):
            continue  # the client's own methods (close, with_options)
        positional = [p for p in parameters if p.kind is p.POSITIONAL_ONLY]
        valid = [1 if p.annotation == "int" else "x" for p in positional]
        for index, parameter in enumerate(positional):
            if parameter.annotation == "int":
                args = [value if i == index else v for i, v in enumerate(valid)]
                calls.append((f"{label}({parameter.name})", partial(method, *args, org_id=1, **required, **selector)))
        calls.append((f"{label}(org_id=)", partial(method, *valid, org_id=value, **required, **selector)))
    return calls


def test_every_integer_path_parameter_is_checked() -> None:
    labels = [label for label, _ in int_path_calls(CalAttributes("k", base_url="https://api.cal.test"), "5")]
    assert "assignments.assign(user_id)" in labels and "sync_history.list(user_id)" in labels, labels
    assert "attributes.options.list_assigned(org_id=)" in labels
    assert sum(label.endswith("(user_id)") for label in labels) == 6, labels


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("value", ["5", True, 5.0, None])
def test_an_integer_path_parameter_of_another_type_is_refused_before_sending(mode: str, value: object) -> None:
    script = Script(ok())
    client = script.client() if mode == "sync" else script.async_client()
    calls = int_path_calls(client, value)
    assert len(calls) >= 20
    assert_refused_before_sending(
        script, calls, TypeError, rf"`(user_id|org_id)` must be an int, got {type(value).__name__}"
    )


def test_any_int_is_sent_its_range_is_the_server_s() -> None:
    script = Script(ok([]), ok([]))
    with script.client() as cal:
        cal.assignments.list(0, org_id=-1)
        cal.assignments.list(2**40, org_id=0)
    assert [request.url.path for request in script.requests] == [
        "/v2/organizations/-1/attributes/options/0",
        f"/v2/organizations/0/attributes/options/{2**40}",
    ]


@pytest.mark.parametrize("value", ["5", True, 1.0])
def test_the_client_s_org_id_must_be_an_int(value: object) -> None:
    with pytest.raises(TypeError, match=f"`org_id` must be an int, got {type(value).__name__}"):
        CalAttributes("k", org_id=value)  # type: ignore[arg-type]
