"""The pytest plugin (entry point ``pytest11``): ``cal_mock``, ``cal``, ``async_cal`` and the
``cal_seed`` marker. See docs/testing.md.

Imports of the mock are deferred to the fixtures, so that installing the package without the
``mock`` extra leaves every other pytest run untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

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
    from cal_attributes_mock.testkit.controller import MockSession

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
