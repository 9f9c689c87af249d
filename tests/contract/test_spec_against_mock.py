"""Spec against mock: schemathesis over all 17 operations, every check, examples, coverage and fuzzing."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import settings

from tests.contract.conftest import mocked_schema

MOCK, SCHEMA = mocked_schema()


@pytest.fixture(autouse=True)
def fresh_mock() -> None:
    MOCK.reset()


@SCHEMA.parametrize()
# The fuzzing phase's cases per operation (examples and coverage are fixed sets, run whole). 25
# random cases on top of the coverage phase's hundreds keep every operation under every check;
# the config's 100 (cal-attributes-fuzz, scripts/fuzz.sh) cost about three times the CPU here.
@settings(max_examples=25)
def test_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
