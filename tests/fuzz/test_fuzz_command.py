"""``cal-attributes-fuzz`` end to end: the embedded mock, and a server standing in for a live Cal.com.

The subprocess runs are few and short: one embedded run shared by every assertion about its
output and reports, and small live runs for what only they show. Argument handling runs in
process.
"""

from __future__ import annotations

import copy
import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from cal_attributes_fuzz import cli
from cal_attributes_mock import MockConfig, MockServer, create_mock, demo_seed
from cal_attributes_mock.serve import serve_in_thread
from tests.contract import faults

ADMIN_KEY = "cal_demo_admin_1a2b3c4d5e6f"
# Short, and without the coverage phase (its case count is fixed, about 700, whatever --max-examples).
QUICK = ["--max-examples", "3", "--phases", "examples,fuzzing,stateful"]
LIVE = ["--org-id", "1", "--max-per-minute", "100000"]


def fuzz(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cal_attributes_fuzz.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout[-3000:] + result.stderr[-3000:]


def state(server: MockServer) -> Any:
    store = server.store
    return copy.deepcopy(
        (
            {k: v.row() for k, v in store.attributes.items()},
            {k: v.row() for k, v in store.options.items()},
            {k: (v.option_id, v.weight) for k, v in store.assignments.items()},
        )
    )


def run_folder(report_dir: Path) -> Path:
    (folder,) = report_dir.glob("run-*")
    return folder


@dataclass(frozen=True)
class Run:
    result: subprocess.CompletedProcess[str]
    report_dir: Path


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One short default run against the embedded mock, its output going to a pipe (not a terminal)."""
    report_dir = tmp_path_factory.mktemp("reports")
    old = report_dir / "run-20000101T000000Z"
    old.mkdir()
    (old / "json-20000101T000000Z.json").write_text('{"operations": {"tested": 99, "selected": 99}}')
    # progress every 0.2 s: a quick run lasts a few seconds, so lines appear however fast the machine
    result = fuzz(*QUICK, "--report-dir", str(report_dir), "--keep-reports", "1", "--progress-every", "0.2")
    return Run(result, report_dir)


@pytest.fixture
def live() -> Iterator[tuple[MockServer, str]]:
    """A mock on a real port, standing in for api.cal.com."""
    server = create_mock(config=MockConfig(strict=True))
    with serve_in_thread(server) as url:
        yield server, url


def test_the_default_run_fuzzes_the_embedded_mock_with_every_check(embedded_run: Run) -> None:
    result = embedded_run.result
    assert result.returncode == 0, output(result)
    assert "fuzzing the embedded mock" in result.stdout
    assert "operations: 17 tested of 17 selected" in result.stdout
    assert "failures by check: none" in result.stdout
    assert "Cal.com checks: cal_roles, cal_organization_scope, cal_page_limits, cal_unique_slugs, " in result.stdout
    assert "cal_roles skipped" not in result.stdout  # the embedded mock provides both identities


def test_the_summary_counts_skipped_cases(embedded_run: Run) -> None:
    stdout = embedded_run.result.stdout
    line = next(line for line in stdout.splitlines() if "test cases:" in line)
    console = next(line for line in stdout.splitlines() if " generated, " in line and "passed" in line)
    skipped = console.rsplit(", ", 1)[-1].split()[0]  # "… passed, 68 skipped"
    assert line.endswith(f"{skipped} skipped (answered; no selected check applies)"), (line, console)


def test_each_run_has_its_own_report_folder_and_older_ones_are_rotated(embedded_run: Run) -> None:
    folder = run_folder(embedded_run.report_dir)  # the planted older run was removed (--keep-reports 1)
    assert folder.name != "run-20000101T000000Z"
    assert "1 older run(s) removed" in embedded_run.result.stdout
    assert "99 tested" not in embedded_run.result.stdout  # never a summary of another run
    assert list(folder.glob("junit-*.xml")) and list(folder.glob("json-*.json"))
    assert list(folder.glob("html-*/index.html"))
    (events,) = folder.glob("ndjson-*.ndjson.gz")
    assert not list(folder.glob("*.ndjson"))
    assert f"event log (NDJSON, gzip-compressed after the run): {events.name}" in embedded_run.result.stdout
    with gzip.open(events, "rt", encoding="utf-8") as handle:
        assert handle.readline().startswith("{")


def test_the_banner_names_a_configuration_file_that_is_kept(embedded_run: Run) -> None:
    banner = next(line for line in embedded_run.result.stdout.splitlines() if "Configuration:" in line)
    config = Path(banner.split("Configuration:", 1)[1].strip())
    assert config.parent == run_folder(embedded_run.report_dir) and config.exists()


def test_the_embedded_servers_log_stays_out_of_the_output(embedded_run: Run) -> None:
    everything = embedded_run.result.stdout + embedded_run.result.stderr
    assert "Invalid HTTP request received" not in everything
    assert "Invalid HTTP request received" in (run_folder(embedded_run.report_dir) / "mock-server.log").read_text()


def test_progress_is_shown_when_the_output_is_not_a_terminal(embedded_run: Run) -> None:
    progress = [line for line in embedded_run.result.stdout.splitlines() if line.startswith("... ")]
    assert progress and " phase, " in progress[-1], embedded_run.result.stdout[-2000:]


def test_a_live_target_is_read_only_by_default_and_the_keys_never_printed(
    live: tuple[MockServer, str], tmp_path: Path
) -> None:
    server, url = live
    before = state(server)
    result = fuzz(
        "--url", url, *LIVE, "--max-examples", "2", "--member-key", "MEMBER", "--report-dir", str(tmp_path),
        env={"CAL_API_KEY": ADMIN_KEY, "MEMBER": faults.MEMBER_KEY},
    )  # fmt: skip
    assert result.returncode == 0, output(result)
    assert "read-only" in result.stdout
    methods = {r.method for r in server.requests}
    assert {"GET", "OPTIONS", "TRACE"} >= methods and "GET" in methods, methods
    assert state(server) == before
    assert "cal_roles skipped the other-organization replay (no --other-org-key)" in result.stdout
    assert "cal_unique_slugs skipped (a read-only run makes no writes" in result.stdout
    folder = run_folder(tmp_path)
    reports = "".join(p.read_text() for p in folder.glob("*.json")) + "".join(
        p.read_text() for p in folder.glob("*.toml")
    )
    for key in (ADMIN_KEY, faults.MEMBER_KEY):
        assert key not in result.stdout + result.stderr + reports


def test_a_permissions_hole_fails_the_run_and_is_named_in_summary_and_reports(tmp_path: Path) -> None:
    mock = create_mock(config=MockConfig(strict=True))
    with serve_in_thread(mock, app=faults.everyone_is_the_owner(mock)) as url:
        result = fuzz(
            "--url", url, *LIVE, "--max-examples", "1", "--phases", "examples", "--other-org-key", "GLOBEX",
            "--report-dir", str(tmp_path), env={"CAL_API_KEY": ADMIN_KEY, "GLOBEX": faults.GLOBEX_KEY},
        )  # fmt: skip
    assert result.returncode != 0
    assert "failures by check: Custom check failed: `cal_roles`" in result.stdout, output(result)
    assert "cal_roles" in next(run_folder(tmp_path).glob("junit-*.xml")).read_text()


def query_ignored(mock: MockServer) -> Any:
    """A server that accepts any query (take=abc too): schema-violating input accepted, for real."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await mock(dict(scope, query_string=b"") if scope["type"] == "http" else scope, receive, send)

    return app


def test_a_live_run_accepts_the_apis_parse_int_reading_of_query_numbers_but_not_more(tmp_path: Path) -> None:
    faithful = create_mock()  # the default mock reads query numbers as Cal.com does: skip=0.5 is 0
    quick = ["--url", "", *LIVE, "--max-examples", "2", "--phases", "examples,coverage"]
    with serve_in_thread(faithful) as url:
        quick[1] = url
        result = fuzz(*quick, "--report-dir", str(tmp_path / "a"), env={"CAL_API_KEY": ADMIN_KEY})
    assert result.returncode == 0, output(result)
    assert "failures by check: none" in result.stdout
    assert "accepted as the API reads query numbers (parseInt, e.g. skip=0.5 is 0), not counted: " in result.stdout
    with serve_in_thread(faithful, app=query_ignored(faithful)) as url:
        quick[1] = url
        result = fuzz(*quick, "--report-dir", str(tmp_path / "b"), env={"CAL_API_KEY": ADMIN_KEY})
    assert result.returncode != 0
    assert "Schema-violating request accepted" in result.stdout, output(result)


def test_writes_are_tagged_and_deleted_at_the_end(live: tuple[MockServer, str], tmp_path: Path) -> None:
    server, url = live
    before = state(server)
    result = fuzz(
        "--url", url, *LIVE, "--user-ids", "101,102,103", "--allow-writes", *QUICK, "--report-dir", str(tmp_path),
        env={"CAL_API_KEY": ADMIN_KEY},
    )  # fmt: skip
    assert result.returncode == 0, output(result)
    created = [r for r in server.requests if r.method == "POST" and r.status == 201]
    assert len(created) > 5
    assert "cleanup:" in result.stdout and " 0 failed" in result.stdout
    assert state(server) == before


def test_an_interrupted_run_still_cleans_up(live: tuple[MockServer, str], tmp_path: Path) -> None:
    server, url = live
    before = state(server)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "cal_attributes_fuzz.cli", "--url", url, *LIVE,
            "--user-ids", "101,102,103", "--allow-writes", "--max-examples", "200", "--report-dir", str(tmp_path),
        ],
        env={**os.environ, "CAL_API_KEY": ADMIN_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(r.status == 201 for r in list(server.requests)) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "interrupted" in err and "cleanup:" in out, out[-2000:] + err[-2000:]
    assert state(server) == before


def test_a_rate_limited_target_is_retried_after_retry_after(tmp_path: Path) -> None:
    server = create_mock(demo_seed(), MockConfig(rate_limit=True, api_key_limit=4, rate_window_seconds=1, strict=True))
    with serve_in_thread(server) as url:
        result = fuzz(
            "--url", url, *LIVE, "--max-examples", "2", "--phases", "examples,fuzzing",
            "--report-dir", str(tmp_path), env={"CAL_API_KEY": ADMIN_KEY},
        )  # fmt: skip
    statuses = [r.status for r in server.requests]
    assert 429 in statuses
    assert result.returncode == 0, output(result)


# -- in process: arguments and the pre-flight check -------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "http://127.0.0.1:9"], {"CAL_API_KEY": "k"}, "--org-id is required with --url"),
        (["--org-id", "3"], {}, "--org-id, --allow-writes, --member-key and --other-org-key need --url"),
        (["--url", "http://127.0.0.1:9", "--org-id", "1"], {"CAL_API_KEY": ""}, "needs the API key in the CAL_API_KEY"),
        (
            ["--url", "http://127.0.0.1:9", "--org-id", "1"],
            {"CAL_API_KEY": "cal_live_secret\r"},
            "CAL_API_KEY contains spaces or control characters",
        ),
        (["--url", "127.0.0.1:1", "--org-id", "1"], {"CAL_API_KEY": "k"}, "--url must be an http:// or https:// URL"),
        (["--user-ids", "a,b"], {}, "--user-ids must be comma-separated integers"),
        (["--phases", "fuzzin"], {}, "unknown phase(s) fuzzin; choose from examples, coverage, fuzzing, stateful"),
        (["--checks", "cal_role"], {}, "--checks: unknown check(s) cal_role"),
        (["--exclude-checks", "x"], {}, "--exclude-checks: unknown check(s) x"),
        (["--max-examples", "0"], {}, "argument --max-examples: must be a whole number of at least 1, got '0'"),
        (["--progress-every", "nan"], {}, "--progress-every: must be a number of seconds from 0.1 to 3600, got 'nan'"),
        (["--progress-every", "0"], {}, "--progress-every: must be a number of seconds from 0.1 to 3600, got '0'"),
        (["--progress-every", "x"], {}, "--progress-every: must be a number of seconds from 0.1 to 3600, got 'x'"),
        (["--phases", ""], {}, "unknown phase(s) ''; choose from"),
        (
            ["--url", "http://127.0.0.1:9/v2", "--org-id", "1"],
            {"CAL_API_KEY": "k"},
            "--url is the server's, without /v2 (every path starts with /v2): use 'http://127.0.0.1:9', not "
            "'http://127.0.0.1:9/v2'",
        ),
        (["--url", "http://127.0.0.1:9/v2/", "--org-id", "1"], {"CAL_API_KEY": "k"}, "use 'http://127.0.0.1:9', not"),
        (["--max-per-minute", "1e-9"], {}, "--max-per-minute: must be a finite number of requests of at least 1, got"),
        (["--max-per-minute", "nan"], {}, "--max-per-minute: must be a finite number of requests of at least 1, got"),
        (["--max-per-minute", "inf"], {}, "--max-per-minute: must be a finite number of requests of at least 1, got"),
        (["--workers", "65"], {}, "--workers: must be a whole number from 1 to 64, got '65'"),
        (["--workers", "0"], {}, "--workers: must be a whole number from 1 to 64, got '0'"),
        (
            ["--url", "http://x.test", "--org-id", "1", "--member-key", "NOT_SET_ANYWHERE"],
            {"CAL_API_KEY": "k"},
            "--member-key names the environment variable NOT_SET_ANYWHERE, which is not set",
        ),
    ],
)
def test_bad_invocations_get_the_commands_own_usage_and_no_run(
    args: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main([*args, "--report-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert captured.err.startswith("usage: cal-attributes-fuzz ")
    assert message in captured.err
    assert "schemathesis" not in captured.err and "summary" not in captured.out
    assert "cal_live_secret" not in captured.err + captured.out
    assert not list(tmp_path.iterdir())


def test_an_unreachable_target_stops_before_fuzzing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("CAL_API_KEY", ADMIN_KEY)
    code = cli.main(["--url", "http://127.0.0.1:1", "--org-id", "1", "--report-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "cal-attributes-fuzz: cannot reach http://127.0.0.1:1: ConnectError" in captured.err
    assert ADMIN_KEY not in captured.out + captured.err
    assert not list(tmp_path.iterdir())  # no run, no report folder


def test_a_server_that_is_not_the_api_stops_before_fuzzing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"boom"})

    monkeypatch.setenv("CAL_API_KEY", ADMIN_KEY)
    with serve_in_thread(create_mock(), app=broken) as url:
        code = cli.main(["--url", url, "--org-id", "1", "--report-dir", str(tmp_path)])
    assert code == 2
    assert "does not answer like the Cal.com API" in capsys.readouterr().err


def test_help_names_the_key_variable_and_has_no_markup(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "CAL_API_KEY" in text.split("--url", 2)[2] and "`" not in text
