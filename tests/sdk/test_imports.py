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


def test_the_client_reads_no_spec_at_run_time() -> None:
    # What the client checks at run time was produced at generation time: using it (strict
    # response validation included) parses no YAML and loads no spec reader.
    statement = (
        "import sys, httpx; from cal_attributes import CalAttributes; "
        "body = {'status': 'success', 'data': []}; "
        "t = httpx.MockTransport(lambda r: httpx.Response(200, json=body)); "
        "cal = CalAttributes('k', org_id=1, strict_response_validation=True, httpx_args={'transport': t}); "
        "assert list(cal.attributes.list()) == []; "
        "print(sorted(m for m in sys.modules if m == 'yaml' or m == 'cal_attributes.spec'))"
    )
    result = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
