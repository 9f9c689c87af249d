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


_MEMBERS_LINE = re.compile(r"^members = \{ values = \[[^\]]*\] \}$", re.MULTILINE)
_MEMBERS_BINDING = re.compile(r'^"path\.userId" = .*$', re.MULTILINE)


def with_member_ids(config_text: str, member_ids: tuple[int, ...]) -> str:
    """The configuration drawing user ids from ``member_ids``, or generating them freely if none."""
    if member_ids:
        values = ", ".join(str(int(i)) for i in member_ids)
        return _MEMBERS_LINE.sub(f"members = {{ values = [{values}] }}", config_text, count=1)
    return _MEMBERS_BINDING.sub("", _MEMBERS_LINE.sub("", config_text, count=1), count=1)
