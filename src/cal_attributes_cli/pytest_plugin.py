"""The test kit's pytest plugin (entry point ``pytest11``): ``cal_mock``, ``cal``, ``async_cal``
and the ``cal_seed`` marker. See docs/testing.md.

It lives outside ``cal_attributes_mock`` (whose package imports Starlette) and imports the mock
only inside the fixtures: pytest loads every installed plugin in every run, so with the package
installed without the ``mock`` extra other test suites must run untouched, and a test that asks
for a fixture fails with one line naming the extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from cal_attributes_cli import MOCK_MODULES, install_hint

if TYPE_CHECKING:
    from cal_attributes import AsyncCalAttributes, CalAttributes
    from cal_attributes_mock.testkit.controller import CalMock, MockSession


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cal_seed(seed): the seed of this test's cal_mock: a seed file path, a seed dict, a Seed or a SeedBuilder",
    )


@pytest.fixture(scope="session")
def cal_mock_session() -> Iterator[MockSession]:
    """The parsed seeds of this session (a fresh mock is built from one for each test) and its optional server
    thread; under pytest-xdist each worker process has its own, on its own free port."""
    missing = None
    try:
        from cal_attributes_mock.testkit.controller import MockSession
    except ImportError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in MOCK_MODULES:  # not the extra: a real error, shown as it is
            raise
    if missing is not None:  # failed outside the except clause: one line, no chained traceback
        pytest.fail(
            f"cal_mock, cal and async_cal need the 'mock' extra ({missing} is missing): {install_hint('mock')}",
            pytrace=False,
        )
    session = MockSession()
    yield session
    session.close()


@pytest.fixture
def cal_mock(request: pytest.FixtureRequest, cal_mock_session: MockSession) -> CalMock:
    """A fresh mock for this test: the demo seed, or the one ``@pytest.mark.cal_seed(...)`` names."""
    marker = request.node.get_closest_marker("cal_seed")
    if marker is not None and len(marker.args) != 1:
        raise pytest.UsageError("@pytest.mark.cal_seed takes one argument: a path, a dict, a Seed or a SeedBuilder")
    from cal_attributes_mock.seed import SeedError

    try:
        return cal_mock_session.checkout(marker.args[0] if marker is not None else None)
    except SeedError as error:
        pytest.fail(f"cal_seed: {error}", pytrace=False)


def _default_key(cal_mock: CalMock) -> str:
    from cal_attributes_mock.testkit.controller import NoApiKeyError

    try:
        return cal_mock.default_key()
    except NoApiKeyError as error:
        pytest.fail(f"cal/async_cal: {error}", pytrace=False)


@pytest.fixture
def cal(cal_mock: CalMock) -> Iterator[CalAttributes]:
    """The client bound to ``cal_mock`` with its admin key (else the owner's, else any member's)."""
    with cal_mock.client(_default_key(cal_mock)) as client:
        yield client


@pytest.fixture
def async_cal(cal_mock: CalMock) -> AsyncCalAttributes:
    """The async client bound to ``cal_mock`` with its admin key (else the owner's, else any member's);
    it holds no socket to close."""
    return cal_mock.async_client(_default_key(cal_mock))
