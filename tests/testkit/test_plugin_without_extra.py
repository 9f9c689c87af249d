"""The plugin is loaded by every pytest run once the package is installed: without the `mock`
extra, other suites must run untouched, and the fixtures must say which extra they need."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from cal_attributes_cli import MOCK_MODULES

# Runs pytest with the mock extra's own modules made unimportable (None in sys.modules makes an
# import raise ModuleNotFoundError), as on a machine where only `pip install cal-attributes` ran.
# httpcore stays: httpx, a base dependency, needs it.
RUN_WITHOUT_EXTRA = textwrap.dedent(
    """
    import sys
    for name in {blocked!r}:
        sys.modules[name] = None
    import pytest
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "cal_attributes_cli.pytest_plugin", *sys.argv[1:]]))
    """
)


def run_without_extra(
    tmp_path: Path, test_source: str, blocked: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(test_source), encoding="utf-8")
    if blocked is None:
        blocked = [name for name in MOCK_MODULES if name != "httpcore"]
    return subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_EXTRA.format(blocked=blocked), str(tmp_path / "test_user.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


def test_without_the_extra_other_tests_run_untouched(tmp_path: Path) -> None:
    result = run_without_extra(tmp_path, "def test_plain():\n    assert 1 + 1 == 2\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_without_the_extra_a_fixture_names_the_extra_to_install(tmp_path: Path) -> None:
    result = run_without_extra(tmp_path, "def test_uses_the_mock(cal):\n    cal.attributes.list()\n")
    assert result.returncode == 1
    assert (
        "need the 'mock' extra (starlette is missing): install cal-attributes with its 'mock' extra, "
        "e.g. pip install '.[mock]' in a checkout (or '<wheel>[mock]')"
    ) in result.stdout
    assert "cal-attributes[mock]" not in result.stdout  # no such package on PyPI
    assert "Traceback" not in result.stdout + result.stderr and "another exception" not in result.stdout


def test_an_import_error_that_is_not_the_extra_is_not_blamed_on_it(tmp_path: Path) -> None:
    # one of the mock's own modules fails to import, with the extra installed: the real error shows
    result = run_without_extra(
        tmp_path, "def test_uses_the_mock(cal):\n    cal.attributes.list()\n", blocked=["cal_attributes_mock.seed"]
    )
    assert result.returncode == 1
    assert "extra" not in result.stdout
    assert "ModuleNotFoundError" in result.stdout and "cal_attributes_mock.seed" in result.stdout
