"""The suite starts its longest tests first (tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import LONGEST_FIRST, start_rank
from tests.spec_helpers import ROOT


def test_the_longest_modules_exist() -> None:
    # A renamed module would silently drop out of the list.
    assert [path for path in LONGEST_FIRST if not (ROOT / path).is_file()] == []


def test_the_longest_tests_go_first_and_the_rest_keep_their_order() -> None:
    nodeids = [
        "tests/client/test_wire.py::test_a",
        "tests/contract/test_spec_against_mock.py::test_b",
        "tests/mock/test_seed.py::test_c",
        "tests/contract/test_stateful.py::test_d",
        "tests/client/test_wire.py::test_e",
    ]
    assert sorted(nodeids, key=start_rank) == [
        "tests/contract/test_stateful.py::test_d",
        "tests/contract/test_spec_against_mock.py::test_b",
        "tests/client/test_wire.py::test_a",
        "tests/mock/test_seed.py::test_c",
        "tests/client/test_wire.py::test_e",
    ]
