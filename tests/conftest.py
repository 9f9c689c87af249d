"""Run order: the longest modules first, so that parallel workers finish together.

Under pytest-xdist each worker takes the next module when it is free (tests/whole_modules.py); a
long module that starts last keeps one worker busy while the other has nothing left to do. These
are the longest in wall time, longest first: the fuzz command's end-to-end runs, the stateful
schemathesis run, mypy over the repository (which the other type checks start from), hypothesis
round trips, the schemathesis runs per operation, the generator runs, the client's runs against
the mock and the documented examples'; everything else keeps its collection order.
"""

from __future__ import annotations

import pytest

LONGEST_FIRST = (
    "tests/fuzz/test_fuzz_command.py",
    "tests/contract/test_stateful.py",
    "tests/test_static_checks.py",
    "tests/contract/test_model_roundtrip.py",
    "tests/contract/test_spec_against_mock.py",
    "tests/codegen/test_regeneration.py",
    "tests/contract/test_client_against_mock.py",
    "tests/sdk/test_documented_examples.py",
)


def start_rank(nodeid: str) -> int:
    path = nodeid.split("::", 1)[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: start_rank(item.nodeid))  # stable: the order within each module is kept


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "load":  # the default with -n; any other --dist keeps its own
        return None
    from tests.whole_modules import WholeModules

    return WholeModules(config, log)
