"""Wall time of the contract-fuzz suites and of the default fuzz run; cases/s in process vs HTTP.

Usage: python benchmarks/fuzz_timing.py [--skip-pytest] [--skip-cli] [--compare-checks N] [--quick-compare]
       [--compare-settings N] [--skip-throughput]
Run it alone: the figures are ratios and times on this machine, measured in one run.
--compare-checks N runs the default fuzz command N times each with and without the Cal.com-aware
checks, alternating, so that both see the same machine load (--quick-compare: a shorter run).
--compare-settings N does the same with the earlier defaults (150 examples, 60 stateful steps)
and the current ones.
"""

from __future__ import annotations

import argparse
import os
import resource
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

from cal_attributes_fuzz.checks import CHECK_NAMES  # noqa: E402
from cal_attributes_fuzz.config import load_config  # noqa: E402
from cal_attributes_fuzz.summary import load, summarize  # noqa: E402
from cal_attributes_mock import create_mock  # noqa: E402
from cal_attributes_mock.serve import serve_in_thread  # noqa: E402

SPEC = ROOT / "openapi" / "cal-attributes.yaml"
CASES_PER_OPERATION = 60


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    elapsed, _, stdout = timed_with_cpu(command, env)
    return elapsed, stdout


def timed_with_cpu(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, of the command and its children) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed, cpu, result.stdout


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


def compare_runs(python: str, env: dict[str, str], variants: dict[str, list[str]], rounds: int, label: str) -> None:
    """Default runs with each variant's extra arguments, alternating round by round: wall and CPU
    seconds, and the ratio of each variant to the first.

    CPU time (the fuzz command, its schemathesis process and the embedded mock) is what a variant
    changes; on a shared machine it varies far less with the load than wall time does.
    """
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, extra in variants.items():
            with tempfile.TemporaryDirectory() as reports:
                command = [python, "-m", "cal_attributes_fuzz.cli", *extra, "--report-dir", reports]
                elapsed, seconds, _ = timed_with_cpu(command, env)
            wall[name].append(elapsed)
            cpu[name].append(seconds)
            load = os.getloadavg()[0]
            print(f"  {name}: {elapsed:.1f} s wall, {seconds:.1f} s CPU (load average {load:.2f})", flush=True)
    first = next(iter(variants))
    print(f"{label}, best of {rounds}:")
    for name in variants:
        print(
            f"  {name}: wall {min(wall[name]):.1f} s ({min(wall[name]) / min(wall[first]):.2f}x), "
            f"CPU {min(cpu[name]):.1f} s ({min(cpu[name]) / min(cpu[first]):.2f}x)"
        )


def compare_checks(python: str, env: dict[str, str], rounds: int, quick: bool) -> None:
    """The default run with and without the cal_* checks."""
    extra = ["--max-examples", "30", "--phases", "fuzzing,stateful"] if quick else []
    variants = {
        "built-in checks only": [*extra, "--exclude-checks", ",".join(CHECK_NAMES)],
        "with the cal_* checks": extra,
    }
    label = "quick run (30 examples, fuzzing + stateful)" if quick else "default run"
    compare_runs(python, env, variants, rounds, f"{label}, without / with the cal_* checks")


# The defaults before issue 14's timing work: 150 examples per operation and phase, 60 stateful steps.
EARLIER_SETTINGS = ["--max-examples", "150", "--max-steps", "60"]


def compare_settings(python: str, env: dict[str, str], rounds: int) -> None:
    """The default run with the earlier settings and with the current ones."""
    variants = {"150 examples, 60 steps (earlier)": EARLIER_SETTINGS, "the configuration (now)": []}
    compare_runs(python, env, variants, rounds, "default run, earlier / current settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-pytest", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--compare-checks", type=int, default=0, metavar="N")
    parser.add_argument("--quick-compare", action="store_true")
    parser.add_argument("--compare-settings", type=int, default=0, metavar="N")
    parser.add_argument("--skip-throughput", action="store_true")
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
            (report,) = Path(reports).glob("run-*/json-*.json")
            for line in summarize(load(report)):
                print(f"    {line}")

    if args.compare_checks:
        compare_checks(python, env, args.compare_checks, args.quick_compare)
    if args.compare_settings:
        compare_settings(python, env, args.compare_settings)

    if args.skip_throughput:
        return
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
