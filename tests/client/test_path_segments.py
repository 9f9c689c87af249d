"""Every path argument of the generated client is one URL segment: percent-encoded whole, and
"", "." and ".." refused before anything is sent (httpx removes dot segments, so ``".."`` would
address another resource: ``delete_option(option_id="..")`` a DELETE of the attribute)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from cal_attributes_client import AuthenticatedClient

from tests.client.calls import CALLS, Call
from tests.client.transport import Recorder


def path_arguments(call: Call) -> Iterator[str]:
    """The names of the call's arguments that go into its path (org_id and user_id included)."""
    segments = call.path.split("/")
    for name, value in call.kwargs.items():
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in segments:
            yield name


CASES = [(call, name) for call in CALLS for name in path_arguments(call)]


def send(call: Call, name: str, value: object, mode: str) -> Recorder:
    recorder = Recorder(418, {})  # undocumented: no body to parse
    kwargs = {**call.kwargs, name: value}
    if mode == "sync":
        with recorder.client() as client:
            call.module.sync_detailed(client=client, **kwargs)
    else:

        async def run() -> None:
            client: AuthenticatedClient
            async with recorder.async_client() as client:
                await call.module.asyncio_detailed(client=client, **kwargs)

        asyncio.run(run())
    return recorder


def test_every_operation_s_path_arguments_are_found() -> None:
    assert {call.operation_id for call, _ in CASES} == {call.operation_id for call in CALLS}
    assert len(CASES) >= 30


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("value", ["", ".", ".."])
def test_an_empty_or_dot_segment_is_refused_before_sending(mode: str, value: str) -> None:
    for call, name in CASES:
        with pytest.raises(ValueError, match=f"`{name}` cannot be '{value}': it would address another URL"):
            send(call, name, value, mode)


@pytest.mark.parametrize("value", ["a/b", "../x", "%2e%2e", "a b?c#d"])
def test_a_path_argument_is_encoded_whole_as_one_segment(value: str) -> None:
    for call, name in CASES:
        recorder = send(call, name, value, "sync")
        sent = recorder.only.url.raw_path.decode().split("?")[0].split("/")
        expected = call.path.split("/")
        expected[expected.index(str(call.kwargs[name]))] = quote(value, safe="")
        assert sent == expected, (call.operation_id, name)
