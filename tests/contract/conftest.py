"""The spec as schemathesis sees it, with the project's fuzz configuration, against the mock in-process."""

from __future__ import annotations

import os

import schemathesis

import cal_attributes_fuzz.hooks  # noqa: F401  (registers the project's schemathesis hooks and checks)
from cal_attributes_fuzz.checks import MEMBER_KEY_ENV, OTHER_ORG_KEY_ENV
from cal_attributes_fuzz.cli import EMBEDDED_MAX_RESPONSE_TIME
from cal_attributes_fuzz.config import CONFIG_PATH, render_config, with_max_response_time
from cal_attributes_mock import MockConfig, MockServer, create_mock
from tests.spec_helpers import SPEC_PATH

OWNER_KEY = "cal_demo_owner_0f1e2d3c4b5a"

os.environ.setdefault("CAL_API_KEY", OWNER_KEY)
# The identities `cal_roles` replays with: the demo seed's member, and the owner of organization 2.
os.environ.setdefault(MEMBER_KEY_ENV, "cal_demo_member_9f8e7d6c5b4a")
os.environ.setdefault(OTHER_ORG_KEY_ENV, "cal_demo_globex_7a6b5c4d3e2f")

# As cal-attributes-fuzz runs the embedded mock: a response-time bound that only a hang exceeds (the
# in-process mock answers in milliseconds; anything slower is the machine's load, not a defect).
CONFIG = schemathesis.Config.from_str(
    with_max_response_time(render_config(org_id=1), EMBEDDED_MAX_RESPONSE_TIME), base_dir=str(CONFIG_PATH.parent)
)


def mocked_schema() -> tuple[MockServer, schemathesis.BaseSchema]:
    """A fresh strict mock (the spec's declared types, as cal-attributes-fuzz runs it) and the spec bound
    to it, for one test module: schemathesis keeps state on a schema (values captured from responses
    feed later cases), so a shared one would make a module's cases depend on the modules that ran
    before it in the same worker, and a failure would not reproduce."""
    mock = create_mock(config=MockConfig(strict=True))
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)
    schema.app = mock
    return mock, schema
