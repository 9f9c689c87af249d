"""The project's schemathesis configuration, for one organization."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import schemathesis

CONFIG_PATH = Path(str(resources.files("cal_attributes_fuzz") / "schemathesis.toml"))
_ORG_LINE = re.compile(r'^"path\.orgId" = \d+$', re.MULTILINE)


def set_line(config_text: str, line: re.Pattern[str], value: str) -> str:
    """The configuration with its one ``line`` (a setting the file must have exactly once) set to ``value``."""
    rendered, count = line.subn(value, config_text)
    if count != 1:
        raise RuntimeError(f"{CONFIG_PATH} must have exactly one line matching {line.pattern}")
    return rendered


def render_config(org_id: int) -> str:
    """The configuration file's text with ``org_id`` as the organization under test."""
    return set_line(CONFIG_PATH.read_text(encoding="utf-8"), _ORG_LINE, f'"path.orgId" = {int(org_id)}')


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


_RESPONSE_TIME_LINE = re.compile(r"^max_response_time = [0-9.]+", re.MULTILINE)
_MAX_STEPS_LINE = re.compile(r"^max-steps = \d+", re.MULTILINE)


def with_max_response_time(config_text: str, seconds: float) -> str:
    """The configuration with ``seconds`` as the response time bound of the checks."""
    return set_line(config_text, _RESPONSE_TIME_LINE, f"max_response_time = {float(seconds)}")


def with_max_steps(config_text: str, steps: int) -> str:
    """The configuration with at most ``steps`` steps in each stateful scenario."""
    return set_line(config_text, _MAX_STEPS_LINE, f"max-steps = {int(steps)}")
