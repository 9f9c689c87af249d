"""Either package can be imported first (the generated resources import the hand-written runtime)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "statement",
    [
        "import cal_attributes; cal_attributes.CalAttributes",
        "import cal_attributes_client.resources as r; from cal_attributes import AsyncCalAttributes; r.CalAttributes",
        "from cal_attributes import CalAttributes, AsyncCalAttributes",
    ],
)
def test_a_fresh_interpreter_imports_in_any_order(statement: str) -> None:
    result = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_an_unknown_name_is_an_attribute_error() -> None:
    import cal_attributes

    with pytest.raises(AttributeError):
        getattr(cal_attributes, "CalAttribute")  # noqa: B009
