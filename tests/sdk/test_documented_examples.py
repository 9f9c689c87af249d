"""Every ```python example of the README and docs/ runs, against the mock, without an error.

tests/test_static_checks.py type-checks the same examples; here they run, each in a fresh
interpreter (they configure logging), with the mock's URL and owner key in CAL_API_URL and
CAL_API_KEY and the real API's URL in the code pointed at the mock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread
from tests.mock.conftest import OWNER_KEY
from tests.spec_helpers import ROOT
from tests.typecheck import documented_snippets

SNIPPETS = documented_snippets()


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve_in_thread(create_mock()) as url:
        yield url


@pytest.mark.parametrize(("where", "code"), SNIPPETS, ids=[where for where, _ in SNIPPETS])
def test_the_example_runs_against_the_mock(mock_url: str, where: str, code: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAL_")}
    # No pacing waits for the state examples against the local mock.
    env.update(CAL_API_KEY=OWNER_KEY, CAL_API_URL=mock_url, CAL_MAX_PER_MINUTE="6000")
    result = subprocess.run(
        [sys.executable, "-c", code.replace("https://api.cal.com", mock_url)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{where}:\n{result.stderr}"
