"""docs/state-file.md: its Python examples run against the mock, its YAML example is a valid state file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cal_attributes.state import parse_state
from cal_attributes_mock import create_mock
from cal_attributes_mock.serve import serve_in_thread
from tests.state.conftest import OWNER_KEY

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "state-file.md"


def blocks(language: str, page: Path = PAGE) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_yaml_example_is_a_valid_state_file() -> None:
    [example] = blocks("yaml")
    state = parse_state(example)
    assert state.members[103]["skills"][1].value == "go"


def test_the_python_examples_run_against_the_mock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = [code for code in blocks("python", ROOT / "README.md") if "cal.state" in code]
    examples = [*blocks("python"), *readme]
    assert len(examples) == 3
    monkeypatch.chdir(tmp_path)
    with serve_in_thread(create_mock()) as url:
        for name, value in {"CAL_API_KEY": OWNER_KEY, "CAL_API_URL": url, "CAL_MAX_PER_MINUTE": "60000"}.items():
            monkeypatch.setenv(name, value)
        for number, code in enumerate(examples, start=1):
            exec(compile(code, f"docs/state-file.md#{number}", "exec"), {"__name__": "__main__"})
            out = capsys.readouterr().out
            if number == 1:  # the demo organization already matches: nothing to do, nothing sent
                assert out.endswith("True 0 0 []\n")
            if number == 2:
                assert "- slug: department" in out
