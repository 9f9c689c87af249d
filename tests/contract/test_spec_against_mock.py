"""Spec against mock: schemathesis over all 17 operations, every check, examples, coverage and fuzzing."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from tests.contract.conftest import MOCK, SCHEMA


@pytest.fixture(autouse=True)
def fresh_mock() -> None:
    MOCK.reset()


@SCHEMA.parametrize()
def test_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()
