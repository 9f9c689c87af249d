"""The console scripts' entry points: a missing optional extra is one clear line, not a traceback.

Installing cal-attributes alone brings the client only. `cal-attributes-mock` needs the `mock` extra
and `cal-attributes-fuzz` the `fuzz` extra; this package imports nothing of either (nor of the
client), so it can say which extra to install before anything fails to import. The test kit's
pytest plugin (``pytest_plugin``) is here for the same reason: pytest loads it in every run.
"""

from __future__ import annotations

import importlib.util
import sys

# The import names of each extra's requirements beyond the base dependencies (pyproject.toml).
# uvloop is left out: the mock falls back to asyncio's loop where it is not installed (Windows).
MOCK_MODULES = ("starlette", "uvicorn", "httptools", "jsonschema", "httpcore")
FUZZ_MODULES = (*MOCK_MODULES, "schemathesis", "requests")

# Exit status for a command that cannot run as installed (argparse uses 2 for usage errors too).
MISSING_EXTRA = 2


def install_hint(extra: str) -> str:
    """How to install an extra, true without a release on PyPI: from a checkout or from a built wheel."""
    return f"install cal-attributes with its '{extra}' extra, e.g. pip install '.[{extra}]' in a checkout (or '<wheel>[{extra}]')"


def missing_modules(modules: tuple[str, ...]) -> list[str]:
    """The modules of `modules` that cannot be imported, without importing any of them."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def extra_is_installed(command: str, extra: str, modules: tuple[str, ...]) -> bool:
    """True if `modules` can be imported; otherwise say on stderr which extra to install."""
    missing = missing_modules(modules)
    if missing:
        print(
            f"{command}: needs the '{extra}' extra (missing: {', '.join(missing)}); {install_hint(extra)}",
            file=sys.stderr,
        )
    return not missing


def mock() -> int:
    """`cal-attributes-mock`."""
    if not extra_is_installed("cal-attributes-mock", "mock", MOCK_MODULES):
        return MISSING_EXTRA
    from cal_attributes_mock.cli import main

    return main()


def fuzz() -> int:
    """`cal-attributes-fuzz`."""
    if not extra_is_installed("cal-attributes-fuzz", "fuzz", FUZZ_MODULES):
        return MISSING_EXTRA
    from cal_attributes_fuzz.cli import main

    return main()
