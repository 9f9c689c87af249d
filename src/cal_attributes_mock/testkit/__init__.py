"""A test kit for integration tests against the mock: fixtures (the pytest plugin ``cal_attributes_cli.pytest_plugin``), fault injection,
the request journal, a typed seed builder and in-process transports. See docs/testing.md."""

from cal_attributes_mock.testkit.controller import CalMock, MockSession
from cal_attributes_mock.testkit.faults import Fault, FaultError, FaultKind
from cal_attributes_mock.testkit.journal import JournalEntry
from cal_attributes_mock.testkit.layer import TestkitApp
from cal_attributes_mock.testkit.seeds import SeedBuilder, option_id
from cal_attributes_mock.testkit.transport import AsyncInProcessTransport, InProcessTransport

__all__ = [
    "AsyncInProcessTransport",
    "CalMock",
    "Fault",
    "FaultError",
    "FaultKind",
    "InProcessTransport",
    "JournalEntry",
    "MockSession",
    "SeedBuilder",
    "TestkitApp",
    "option_id",
]
