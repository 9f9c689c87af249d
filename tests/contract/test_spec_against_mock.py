"""Spec × mock: schemathesis over all 17 operations, every check, examples, coverage and fuzzing."""

from __future__ import annotations

import pytest
import schemathesis

from tests.contract.conftest import MOCK, SCHEMA


@pytest.fixture(autouse=True)
def fresh_mock() -> None:
    MOCK.reset()


@SCHEMA.parametrize()
def test_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate()
