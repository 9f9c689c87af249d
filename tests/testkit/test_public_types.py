"""The test kit's public signatures name their JSON types: no ``Any`` reaches a user's code."""

from __future__ import annotations

import typing
from collections.abc import Callable

import pytest

from cal_attributes_mock.proxy import SpecChecks, Violation
from cal_attributes_mock.testkit import SeedBuilder


def mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("function", [SeedBuilder.to_dict, Violation.to_json, SpecChecks.__init__])
def test_no_any_in_the_signature(function: Callable[..., object]) -> None:
    hints = typing.get_type_hints(function)
    assert hints
    assert [name for name, hint in hints.items() if mentions_any(hint)] == []
