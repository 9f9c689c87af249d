"""Does the default fuzz run catch each seeded defect? One run per defect (tests/contract/faults.py and two here).

Usage: python benchmarks/fuzz_defects.py [--max-examples N] [--only NAME,...] [cal-attributes-fuzz options]

Each run is the default `cal-attributes-fuzz` run against the embedded mock (the same
configuration, identities, phases and checks), except that the mock sits behind a wrapper with
exactly one defect. A defect counts as caught when the run fails in the check made for it. This
is the evidence behind the configuration's max-examples and stateful max-steps: lower them only
if every row still says "caught".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cal_attributes_fuzz import cli  # noqa: E402
from cal_attributes_fuzz.reports import new_run_folder  # noqa: E402
from cal_attributes_fuzz.summary import failures_by_check, load  # noqa: E402
from cal_attributes_mock import MockConfig, MockServer, create_mock  # noqa: E402
from cal_attributes_mock.serve import serve_in_thread  # noqa: E402
from tests.contract import faults  # noqa: E402


def rows_without_slug(mock: MockServer) -> faults.Faulty:
    """Attribute lists whose rows lack the required `slug` (schemathesis' schema check)."""

    def rewrite(request: faults.Request, answer: Any) -> Any:
        if faults.is_(request, "GET", faults.ATTRIBUTES) and isinstance(answer.get("data"), list):
            answer["data"] = [{k: v for k, v in row.items() if k != "slug"} for row in answer["data"]]
        return answer

    return faults.Faulty(mock, response=rewrite)


def no_key_needed(mock: MockServer) -> faults.Faulty:
    """A request without an API key is served as the owner's (schemathesis' ignored_auth check)."""

    def rewrite(request: faults.Request) -> faults.Request:
        if "authorization" in request.headers:
            return request
        return replace(request, headers={**request.headers, "authorization": f"Bearer {faults.OWNER_KEY}"})

    return faults.Faulty(mock, request=rewrite)


# Each defect and what must fail on it: the cal_* check made for it (its own tests pair them the
# same way), or for two of the defects schemathesis' own checks catch, the failure's title.
DEFECTS: dict[str, tuple[Callable[[MockServer], Any], str]] = {
    "everyone_is_the_owner": (faults.everyone_is_the_owner, "`cal_roles`"),
    "other_orgs_attributes_listed": (faults.other_orgs_attributes_listed, "`cal_organization_scope`"),
    "other_orgs_options_listed": (faults.other_orgs_options_listed, "`cal_organization_scope`"),
    "take_ignored": (faults.take_ignored, "`cal_page_limits`"),
    "more_after_a_short_page": (faults.more_after_a_short_page, "`cal_page_limits`"),
    "cursor_without_more": (faults.cursor_without_more, "`cal_page_limits`"),
    "duplicate_slugs_accepted": (faults.duplicate_slugs_accepted, "`cal_unique_slugs`"),
    "patch_ignores_name": (faults.patch_ignores_name, "`cal_writes_take_effect`"),
    "patch_echoes_but_does_not_store_name": (faults.patch_echoes_but_does_not_store_name, "`cal_writes_take_effect`"),
    "assignments_not_listed": (faults.assignments_not_listed, "`cal_writes_take_effect`"),
    "rows_without_slug": (rows_without_slug, "Response violates schema"),
    "no_key_needed": (no_key_needed, "API accepts requests without authentication"),
}


def run_against(fault: Callable[[MockServer], Any], options: list[str]) -> tuple[dict[str, int], float]:
    """Failures by check title of one default run against the mock with ``fault``, and its seconds."""
    args = cli.parse_args(options)
    mock = create_mock(config=MockConfig(strict=True))
    with tempfile.TemporaryDirectory() as reports, serve_in_thread(mock, app=fault(mock)) as url:
        folder = new_run_folder(Path(reports))
        target = cli.embedded_target(url)
        command = cli.schemathesis_command(args, cli.write_config(args, target, folder), url, folder)
        start = time.perf_counter()
        with cli.server_logs_to(folder / "mock-server.log"):
            subprocess.run(command, env=cli.run_environment(target), stdout=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
        (report,) = folder.glob("json-*.json")
        return dict(failures_by_check(load(report))), elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="comma-separated defect names (default: all)")
    known, options = parser.parse_known_args()
    names = known.only.split(",") if known.only else list(DEFECTS)
    missed = []
    for name in names:
        fault, check = DEFECTS[name]
        failures, elapsed = run_against(fault, options)
        caught = any(check in title for title in failures)
        missed += [] if caught else [name]
        found = ", ".join(f"{title} {n}" for title, n in sorted(failures.items())) or "no failure"
        print(f"{name}: {'caught' if caught else 'MISSED'} by {check} ({elapsed:.0f} s; {found})", flush=True)
    print(
        f"{len(names) - len(missed)} of {len(names)} seeded defects caught" + (f"; missed {missed}" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
