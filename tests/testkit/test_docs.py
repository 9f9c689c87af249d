"""Every Python example of docs/testing.md runs, as the test module it is, and passes."""

from __future__ import annotations

import re

import pytest

from tests.spec_helpers import ROOT

pytest_plugins = ["pytester"]


def test_the_testing_page_examples_pass(pytester: pytest.Pytester) -> None:
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) == 4
    pytester.makepyfile(**{f"test_example_{n}": code for n, code in enumerate(blocks, start=1)})
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--strict-markers", "-W", "error")
    result.assert_outcomes(passed=6)
