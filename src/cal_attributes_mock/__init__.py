"""A stateful mock of the Cal.com API v2 organization attributes endpoints (see docs/mock.md)."""

from cal_attributes_mock.app import CapturedRequest, MockConfig, MockServer, create_mock
from cal_attributes_mock.seed import Seed, SeedError, demo_seed, load_seed, parse_seed

__all__ = [
    "CapturedRequest",
    "MockConfig",
    "MockServer",
    "Seed",
    "SeedError",
    "create_mock",
    "demo_seed",
    "load_seed",
    "parse_seed",
]
