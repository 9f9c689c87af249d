"""Run order: the longest tests first, so that parallel workers finish together.

Under pytest-xdist each worker takes the next test when it is free; a long test that starts last
keeps one worker busy while the other has nothing left to do. These modules hold the tests that
`--durations` shows as the longest (a stateful schemathesis run of minutes, the fuzz command's
end-to-end runs, hypothesis round trips); everything else keeps its collection order.
"""

from __future__ import annotations

import pytest

LONGEST_FIRST = (
    "tests/contract/test_stateful.py",
    "tests/fuzz/test_fuzz_command.py",
    "tests/contract/test_model_roundtrip.py",
    "tests/contract/test_spec_against_mock.py",
)


def start_rank(nodeid: str) -> int:
    path = nodeid.split("::", 1)[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: start_rank(item.nodeid))  # stable: the order within each module is kept
