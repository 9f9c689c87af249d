"""Wall time of the contract-fuzz suites and of the default fuzz run; cases/s in process vs HTTP.

Usage: python benchmarks/fuzz_timing.py [--skip-pytest] [--skip-cli]
Run it alone: the figures are ratios and times on this machine, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cal_attributes_fuzz.config import load_config  # noqa: E402
from cal_attributes_fuzz.summary import cases_by_phase_and_mode, latest_report, load, summarize  # noqa: E402
from cal_attributes_mock import create_mock  # noqa: E402
from cal_attributes_mock.serve import serve_in_thread  # noqa: E402

SPEC = ROOT / "openapi" / "cal-attributes.yaml"
CASES_PER_OPERATION = 60


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed, result.stdout


def cases_per_second(schema: schemathesis.schemas.BaseSchema, base_url: str | None, call: bool) -> tuple[int, float]:
    """Run a fixed stream of cases through every operation; return (cases, seconds)."""
    count = 0
    start = time.perf_counter()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise SystemExit(f"the spec has an invalid operation: {result}")
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=CASES_PER_OPERATION, database=None, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: schemathesis.Case[Any]) -> None:
            nonlocal count
            count += 1
            if call:
                case.call(base_url=base_url) if base_url else case.call()

        run()
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-pytest", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    env = {"CAL_API_KEY": "cal_demo_owner_0f1e2d3c4b5a", "PYTHONHASHSEED": "0"}
    os.environ.update(env)

    if not args.skip_pytest:
        for suite in ("tests/contract/test_spec_against_mock.py", "tests/contract/test_stateful.py",
                      "tests/contract/test_client_against_mock.py", "tests/contract/test_model_roundtrip.py",
                      "tests/contract"):  # fmt: skip
            elapsed, _ = timed([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", suite], env)
            print(f"pytest {suite}: {elapsed:.1f} s")

    if not args.skip_cli:
        with tempfile.TemporaryDirectory() as reports:
            elapsed, _ = timed([python, "-m", "cal_attributes_fuzz.cli", "--report-dir", reports], env)
            print(f"default cal-attributes-fuzz run (all phases, all checks, embedded mock): {elapsed:.1f} s wall")
            report = latest_report(Path(reports), "json-*.json")
            events = latest_report(Path(reports), "ndjson-*.ndjson")
            assert report is not None and events is not None
            for line in summarize(load(report), cases_by_phase_and_mode(events)):
                print(f"    {line}")

    mock = create_mock()
    config = load_config(org_id=1)
    in_process = schemathesis.openapi.from_path(SPEC, config=config)
    in_process.app = mock
    generated, gen_seconds = cases_per_second(in_process, None, call=False)
    mock.reset()
    called, asgi_seconds = cases_per_second(in_process, None, call=True)
    with serve_in_thread(create_mock()) as url:
        over_http = schemathesis.openapi.from_path(SPEC, config=config)
        sent, http_seconds = cases_per_second(over_http, url, call=True)
    print(f"generation only: {generated / gen_seconds:.0f} cases/s ({generated} cases)")
    print(f"in process (ASGI): {called / asgi_seconds:.0f} cases/s ({called} cases)")
    print(f"over HTTP (uvicorn on 127.0.0.1): {sent / http_seconds:.0f} cases/s ({sent} cases)")
    print(f"in process / HTTP: {(called / asgi_seconds) / (sent / http_seconds):.2f}x")


if __name__ == "__main__":
    main()
