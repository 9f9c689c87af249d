"""The project's schemathesis configuration, for one organization."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import schemathesis

CONFIG_PATH = Path(str(resources.files("cal_attributes_fuzz") / "schemathesis.toml"))
_ORG_LINE = re.compile(r'^"path\.orgId" = \d+$', re.MULTILINE)


def render_config(org_id: int) -> str:
    """The configuration file's text with ``org_id`` as the organization under test."""
    text = CONFIG_PATH.read_text(encoding="utf-8")
    rendered, count = _ORG_LINE.subn(f'"path.orgId" = {int(org_id)}', text)
    if count != 1:
        raise RuntimeError(f'{CONFIG_PATH} must set "path.orgId" exactly once')
    return rendered


def load_config(org_id: int) -> schemathesis.Config:
    return schemathesis.Config.from_str(render_config(org_id), base_dir=str(CONFIG_PATH.parent))
