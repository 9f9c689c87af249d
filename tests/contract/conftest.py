"""The spec as schemathesis sees it, with the project's fuzz configuration, against the mock in-process."""

from __future__ import annotations

import os

import schemathesis

import cal_attributes_fuzz.hooks  # noqa: F401  (registers the project's schemathesis hooks and checks)
from cal_attributes_fuzz.checks import MEMBER_KEY_ENV, OTHER_ORG_KEY_ENV
from cal_attributes_fuzz.config import load_config
from cal_attributes_mock import MockConfig, create_mock
from tests.spec_helpers import SPEC_PATH

OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"

os.environ.setdefault("CAL_API_KEY", OWNER_KEY)
# The identities `cal_roles` replays with: the demo seed's member, and the owner of organization 2.
os.environ.setdefault(MEMBER_KEY_ENV, "cal_demo_member_9f8e7d6c5b4a")
os.environ.setdefault(OTHER_ORG_KEY_ENV, "cal_demo_globex_7a6b5c4d3e2f")

MOCK = create_mock(config=MockConfig(strict=True))  # the spec's declared types, as cal-attributes-fuzz runs it
CONFIG = load_config(org_id=1)
SCHEMA = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
SCHEMA.app = MOCK
