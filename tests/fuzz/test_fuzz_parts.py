"""The fuzz command's parts: configuration rendering, cleanup ledger, hooks, summary."""

from __future__ import annotations

import gzip
import json
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import schemathesis
from cal_attributes_client import AuthenticatedClient

from cal_attributes_fuzz import checks, cli, hooks
from cal_attributes_fuzz.cleanup import clean_up, read_ledger
from cal_attributes_fuzz.config import load_config, render_config, with_member_ids
from cal_attributes_fuzz.preflight import TargetProblem, check_target
from cal_attributes_fuzz.progress import EventFollower, reporting
from cal_attributes_fuzz.reports import compress_events, new_run_folder, rotate
from cal_attributes_fuzz.summary import check_notes, summarize
from tests.spec_helpers import SPEC_PATH


def test_render_config_pins_the_organization_and_member_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAL_API_KEY", "cal_k")
    text = with_member_ids(render_config(42), (7, 8))
    data = tomllib.loads(text)
    assert data["parameters"]["path.orgId"] == 42
    assert data["dictionaries"]["members"]["values"] == [7, 8]
    assert load_config(42) is not None


def test_without_member_ids_user_ids_are_generated_freely() -> None:
    data = tomllib.loads(with_member_ids(render_config(1), ()))
    assert "members" not in data.get("dictionaries", {})
    assert "path.userId" not in data["parameters"]


def test_the_configuration_turns_every_check_and_phase_on() -> None:
    data = tomllib.loads(render_config(1))
    assert data["checks"]["enabled"] is True and data["checks"]["max_response_time"] > 0
    assert all(data["phases"][phase]["enabled"] for phase in ("examples", "coverage", "fuzzing", "stateful"))
    assert data["generation"]["max-examples"] >= 100 and data["generation"]["mode"] == "all"
    assert data["phases"]["stateful"]["inference"]["algorithms"] == ["location-headers"]
    # Every exception is narrow: one operation (or a named few) and one check.
    for entry in data["operations"]:
        assert "include-operation-id" in entry
        assert len(entry["checks"]) == 1


def test_only_a_hang_of_the_embedded_mock_fails_the_response_time_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded mock answers in milliseconds, so its bound only catches hangs; a live target keeps 2 s."""
    monkeypatch.setenv("CAL_API_KEY", "cal_k")
    configured = tomllib.loads(render_config(1))["checks"]["max_response_time"]
    embedded = cli.write_config(cli.parse_args([]), cli.embedded_target("http://127.0.0.1:9"), tmp_path)
    assert tomllib.loads(embedded.read_text())["checks"]["max_response_time"] == cli.EMBEDDED_MAX_RESPONSE_TIME
    live_args = cli.parse_args(["--url", "http://127.0.0.1:9", "--org-id", "5"])
    live = cli.write_config(live_args, cli.live_target(live_args), tmp_path)
    assert tomllib.loads(live.read_text())["checks"]["max_response_time"] == configured == 2.0


def test_max_steps_sets_the_stateful_scenario_length(tmp_path: Path) -> None:
    default = cli.write_config(cli.parse_args([]), cli.embedded_target("http://127.0.0.1:9"), tmp_path)
    assert tomllib.loads(default.read_text())["phases"]["stateful"]["max-steps"] == 20
    longer = cli.write_config(
        cli.parse_args(["--max-steps", "60"]), cli.embedded_target("http://127.0.0.1:9"), tmp_path
    )
    assert tomllib.loads(longer.read_text())["phases"]["stateful"]["max-steps"] == 60


def ledger_file(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "ledger.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries) + '{"cut short', encoding="utf-8")
    return path


def test_cleanup_undoes_the_ledger_newest_first(tmp_path: Path) -> None:
    ledger = ledger_file(
        tmp_path,
        {"operationId": "createAttribute", "path": {"orgId": 1}, "body": {}, "data": {"id": "a1"}},
        {"operationId": "createOption", "path": {"orgId": 1, "attributeId": "a9"}, "body": {}, "data": {"id": "o1"}},
        {
            "operationId": "assignOptionToUser",
            "path": {"orgId": 1, "userId": 5},
            "body": {"attributeId": "a2", "value": "Berlin"},
            "data": {"attributeOptionId": "o2"},
        },
        {
            "operationId": "assignOptionToUser",
            "path": {"orgId": 1, "userId": 6},
            "body": {"attributeId": "a2", "attributeOptionId": "o3"},
            "data": {"attributeOptionId": "o3"},
        },
    )
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        status = 404 if request.url.path.endswith("/o1") else 200
        return httpx.Response(status, json={"status": "success", "data": None})

    client = AuthenticatedClient(
        base_url="https://x.test", token="cal_k", httpx_args={"transport": httpx.MockTransport(answer)}
    )
    with client:
        report = clean_up(ledger, client)
    assert seen == [
        "DELETE /v2/organizations/1/attributes/options/6/o3",
        "DELETE /v2/organizations/1/attributes/options/5/o2",
        "DELETE /v2/organizations/1/attributes/a2/options/o2",  # the option the value created
        "DELETE /v2/organizations/1/attributes/a9/options/o1",
        "DELETE /v2/organizations/1/attributes/a1",
    ]
    assert len(report.deleted) == 4 and report.already_gone == ["option o1"] and not report.failed
    assert len(read_ledger(ledger)) == 4  # the line cut short is skipped


def test_cleanup_reports_failures_and_keeps_going(tmp_path: Path) -> None:
    ledger = ledger_file(
        tmp_path,
        {"operationId": "createAttribute", "path": {"orgId": 1}, "data": {"id": "a1"}},
        {"operationId": "createAttribute", "path": {"orgId": 1}, "data": {"id": "a2"}},
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("a2"):
            raise httpx.ConnectError("refused")
        return httpx.Response(500, json={"statusCode": 500, "message": "Internal server error"})

    client = AuthenticatedClient(
        base_url="https://x.test", token="cal_k", httpx_args={"transport": httpx.MockTransport(answer)}
    )
    with client:
        report = clean_up(ledger, client)
    assert len(report.failed) == 2 and "ConnectError" in report.failed[0] and "HTTP 500" in report.failed[1]
    assert clean_up(tmp_path / "missing.jsonl", client).deleted == []


def fake_case(operation_id: str, body: Any, mode: schemathesis.GenerationMode) -> Any:
    return SimpleNamespace(
        operation=SimpleNamespace(definition=SimpleNamespace(raw={"operationId": operation_id})),
        body=body,
        meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)),
    )


def test_map_case_tags_only_what_positive_cases_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAL_FUZZ_RUN_TAG", "calfuzz-1")
    positive = fake_case(
        "createAttribute", {"name": "Dept", "slug": "dept", "type": "TEXT"}, schemathesis.GenerationMode.POSITIVE
    )
    negative = fake_case("createAttribute", {"name": "Dept", "slug": 5}, schemathesis.GenerationMode.NEGATIVE)
    other = fake_case("listAttributes", None, schemathesis.GenerationMode.POSITIVE)
    hooks.map_case(None, positive)
    hooks.map_case(None, negative)
    hooks.map_case(None, other)
    assert positive.body == {"name": "calfuzz-1-Dept", "slug": "calfuzz-1-dept", "type": "TEXT"}
    assert negative.body == {"name": "Dept", "slug": 5}


@pytest.mark.parametrize(
    ("operation_id", "path", "kept"),
    [
        ("listOptions", {"attributeId": "options"}, False),  # is GET /attributes/options/{userId}
        ("deleteAttribute", {"attributeId": "slugs"}, True),  # no sibling route takes DELETE there
        ("getAttribute", {"attributeId": "options"}, True),  # no sibling route /attributes/options
        # /attributes/options/{userId}/{attributeOptionId} owns it and takes no GET: a 405
        ("listAssignedOptions", {"attributeId": "options"}, False),
        # as sent, x/options/options: GET .../attributes/x/options/options is the option template's (no GET)
        ("listOptions", {"attributeId": "x/options"}, False),
        ("listOptions", {"attributeId": "opt%69ons"}, False),  # the server decodes it: options
        ("listOptions", {"attributeId": "a1"}, True),
        ("listUserOptions", {"userId": 5}, True),
    ],
)
def test_filter_case_drops_cases_the_api_routes_to_another_operation(
    operation_id: str, path: dict[str, Any], kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAL_API_KEY", "cal_k")
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=load_config(1))
    operation = schema.find_operation_by_id(operation_id)
    assert hooks.filter_case(None, operation.Case(path_parameters={"orgId": 1, **path})) is kept
    # The coverage phase's probes of undocumented methods on the operation's own URL stay.
    probe = operation.Case(method="TRACE", path_parameters={"orgId": 1, "attributeId": "a1", "userId": 5})
    assert hooks.filter_case(None, probe) is True


def test_map_case_does_nothing_without_a_run_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAL_FUZZ_RUN_TAG", raising=False)
    case = fake_case("createOption", {"value": "X", "slug": "x"}, schemathesis.GenerationMode.POSITIVE)
    hooks.map_case(None, case)
    assert case.body == {"value": "X", "slug": "x"}


def test_the_pacer_spreads_calls_evenly() -> None:
    pacer = hooks.Pacer(per_minute=600)  # one call every 0.1 s
    start = time.monotonic()
    for _ in range(4):
        pacer.wait()
    assert 0.29 <= time.monotonic() - start < 1.0


def test_after_call_records_what_was_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = tmp_path / "l.jsonl"
    monkeypatch.setenv("CAL_FUZZ_LEDGER", str(ledger))
    case = SimpleNamespace(
        operation=SimpleNamespace(definition=SimpleNamespace(raw={"operationId": "createOption"})),
        path_parameters={"orgId": 1, "attributeId": "a1"},
        body={"value": "v", "slug": "s"},
    )
    for status, content in ((201, b'{"status":"success","data":{"id":"o1"}}'), (400, b"{}"), (201, b"not json")):
        hooks.after_call(None, case, SimpleNamespace(status_code=status, content=content))
    assert read_ledger(ledger) == [
        {
            "operationId": "createOption",
            "path": {"orgId": 1, "attributeId": "a1"},
            "body": {"value": "v", "slug": "s"},
            "data": {"id": "o1"},
        }
    ]


def test_summary_counts_failures_by_check() -> None:
    report = {
        "operations": {"tested": 17, "selected": 17},
        "test_cases": {"generated": 2000, "with_failures": 3, "unique_failures": 2, "errored": 0},
        "phases": {"examples": {"status": "success"}, "fuzzing": {"status": "failure"}},
        "running_time": 31.5,
        "seed": 7,
        # schemathesis' groups, one per title, each with its count (an entry without one counts once)
        "failures": [
            {"type": "ServerError", "code": "ST100", "title": "Server error", "count": 2, "operations": ["GET /a"]},
            {"title": "Schema-violating request accepted", "code": "ST201", "count": 3, "operations": ["GET /b"]},
            {"title": "Response violates schema"},
        ],
        "errors": [],
    }
    lines = summarize(report)
    assert "operations: 17 tested of 17 selected" in lines
    assert "failures by check: Schema-violating request accepted 3, Server error 2, Response violates schema 1" in lines


def test_updates_and_deletes_reach_only_what_the_run_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAL_FUZZ_LEDGER", str(tmp_path / "l.jsonl"))
    monkeypatch.delenv("CAL_FUZZ_MAX_PER_MINUTE", raising=False)

    def case(operation_id: str, **path: Any) -> Any:
        raw = {"operationId": operation_id}
        return SimpleNamespace(
            operation=SimpleNamespace(definition=SimpleNamespace(raw=raw)), path_parameters=path, body=None
        )

    created = case("createAttribute", orgId=1)
    hooks.after_call(None, created, SimpleNamespace(status_code=201, content=b'{"data":{"id":"mine"}}'))
    assigned = case("assignOptionToUser", orgId=1, userId=5)
    hooks.after_call(None, assigned, SimpleNamespace(status_code=201, content=b'{"data":{"attributeOptionId":"o1"}}'))

    own = case("deleteAttribute", orgId=1, attributeId="mine")
    foreign = case("updateAttribute", orgId=1, attributeId="someone-elses")
    own_assignment = case("unassignOptionFromUser", orgId=1, userId=5, attributeOptionId="o1")
    foreign_assignment = case("updateAssignmentWeight", orgId=1, userId=6, attributeOptionId="o1")
    read = case("getAttribute", orgId=1, attributeId="someone-elses")
    for each in (own, foreign, own_assignment, foreign_assignment, read):
        hooks.before_call(None, each, {})
    assert own.path_parameters["attributeId"] == "mine"
    assert foreign.path_parameters["attributeId"].startswith("calfuzz-not-created-")
    assert own_assignment.path_parameters["attributeOptionId"] == "o1"
    assert foreign_assignment.path_parameters["attributeOptionId"].startswith("calfuzz-not-created-")
    assert read.path_parameters["attributeId"] == "someone-elses"


def test_summary_counts_cases_no_check_applied_to_and_names_the_cal_checks() -> None:
    report = {"test_cases": {"generated": 10, "without_checks": 4}, "phases": {}, "running_time": 1.0}
    assert (
        "test cases: 10 generated, 0 with failures, 0 unique failures, 0 errored, "
        "4 skipped (answered; no selected check applies)" in summarize(report)
    )
    everything = {checks.MEMBER_KEY_ENV: "k", checks.OTHER_ORG_KEY_ENV: "k"}
    assert check_notes(None, writes=True, identities=everything) == [
        "Cal.com checks: cal_roles, cal_organization_scope, cal_page_limits, cal_unique_slugs, cal_writes_take_effect"
    ]
    assert check_notes("not_a_server_error,cal_page_limits", writes=False, identities={}) == [
        "Cal.com checks: cal_page_limits"
    ]
    assert check_notes("not_a_server_error", writes=True, identities={}) == ["Cal.com checks: none selected"]
    assert check_notes("all", writes=False, identities={checks.OTHER_ORG_KEY_ENV: "k"})[1:] == [
        "cal_roles skipped the member replay (no --member-key)",
        "cal_unique_slugs skipped (a read-only run makes no writes; use --allow-writes)",
        "cal_writes_take_effect skipped (a read-only run makes no writes; use --allow-writes)",
    ]


def test_run_folders_are_unique_and_rotated_leaving_everything_else(tmp_path: Path) -> None:
    moment = datetime(2026, 11, 23, 21, 0, 0, tzinfo=UTC)
    first, second = new_run_folder(tmp_path, moment), new_run_folder(tmp_path, moment)
    assert (first.name, second.name) == ("run-20261123T210000Z", "run-20261123T210000Z-2")
    later = new_run_folder(tmp_path, moment.replace(minute=5))
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "run-by-hand").mkdir()
    assert rotate(tmp_path, keep=2) == [first]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([second.name, later.name, "notes.txt", "run-by-hand"])


def test_event_logs_are_compressed(tmp_path: Path) -> None:
    (tmp_path / "ndjson-1.ndjson").write_text('{"a": 1}\n' * 1000)
    (compressed,) = compress_events(tmp_path)
    assert compressed.name == "ndjson-1.ndjson.gz" and not (tmp_path / "ndjson-1.ndjson").exists()
    assert gzip.decompress(compressed.read_bytes()).decode() == '{"a": 1}\n' * 1000
    assert compressed.stat().st_size < 1000


def test_progress_follows_the_event_log_line_by_line(tmp_path: Path) -> None:
    follower = EventFollower(tmp_path)
    follower.update()
    assert follower.line(3, 17) == "... 3 s: starting"
    events = tmp_path / "ndjson-x.ndjson"
    phase = '{"PhaseStarted":{"phase":{"name":"%s"}}}\n'
    events.write_text(phase % "probing" + phase % "fuzzing" + '{"ScenarioFinished":{}}\n{"ScenarioFin')
    follower.update()
    assert follower.line(9, 17) == "... 9 s: fuzzing phase, 1 of 17 operations done"
    with events.open("a") as handle:  # the line cut short is completed, then another phase starts
        handle.write('ished":{}}\n' + phase % "stateful")
    follower.update()
    assert (follower.phase, follower.finished_in_phase) == ("stateful", 0)


def test_progress_lines_are_written_while_the_block_runs(tmp_path: Path) -> None:
    lines: list[str] = []
    with reporting(tmp_path, 17, 0.02, lines.append):
        time.sleep(0.2)
    count = len(lines)
    time.sleep(0.05)
    assert count >= 2 and len(lines) == count  # stopped with the block
    assert lines[0] == "... 0 s: starting"


def preflight_answer(status: int, body: Any, content_type: str = "application/json") -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v2/organizations/7/attributes" and request.url.params["take"] == "1"
        assert request.headers["authorization"] == "Bearer cal_secret"
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=raw, headers={"content-type": content_type})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>hello</html>", "does not answer like the Cal.com API: GET "),
        (
            401,
            {"status": "error", "error": {"message": "Invalid API key"}},
            "refused the API key in CAL_API_KEY (HTTP 401)",
        ),
        (403, {"status": "error", "error": {"message": "IsOrgGuard - no"}}, "may not read organization 7 at "),
        (404, {"statusCode": 404, "message": "Cannot GET"}, "gave HTTP 404 (Cannot GET)"),
        (200, {"status": "success", "data": {}}, "gave HTTP 200 (no attribute list)"),
    ],
)
def test_preflight_explains_why_a_target_cannot_be_fuzzed(status: int, body: Any, message: str) -> None:
    with pytest.raises(TargetProblem) as problem:
        check_target("https://x.test", 7, "cal_secret", transport=preflight_answer(status, body))
    assert message in str(problem.value) and "cal_secret" not in str(problem.value)


def test_preflight_accepts_the_api() -> None:
    check_target("https://x.test", 7, "cal_secret", transport=preflight_answer(200, {"status": "success", "data": []}))


def test_the_built_in_check_names_are_those_of_the_pinned_schemathesis() -> None:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    registered = set(CHECKS.get_all_names())
    assert set(cli.BUILTIN_CHECKS) | set(checks.CHECK_NAMES) <= registered
    assert registered - set(cli.BUILTIN_CHECKS) - set(checks.CHECK_NAMES) == set()


def test_the_worker_limit_is_that_of_the_pinned_schemathesis() -> None:
    from schemathesis.cli.constants import MAX_WORKERS

    assert cli.MAX_WORKERS == MAX_WORKERS


def test_excluded_cal_checks_are_not_named() -> None:
    notes = check_notes(None, "cal_roles,cal_page_limits", writes=True, identities={})
    assert notes == ["Cal.com checks: cal_organization_scope, cal_unique_slugs, cal_writes_take_effect"]


ATTRIBUTES_URL = "http://127.0.0.1:9/v2/organizations/1/attributes"
ASSIGNED_URL = ATTRIBUTES_URL + "/slugs/department/options/assigned"


@pytest.mark.parametrize(
    ("method", "url", "body", "quirk"),
    [
        ("GET", ATTRIBUTES_URL + "?skip=0.5", None, True),  # parseInt: 0
        ("GET", ATTRIBUTES_URL + "?take=10.0&skip=3abc", None, True),  # 10 and 3
        ("GET", ASSIGNED_URL + "?teamIds=10abc,11", None, True),  # [10, 11]
        ("GET", ATTRIBUTES_URL + "?take=10", None, False),  # valid as it is: no quirk involved
        ("GET", ATTRIBUTES_URL + "?take=abc", None, False),  # NaN: a 400 for the real API too
        ("GET", ATTRIBUTES_URL + "?take=0.5", None, False),  # 0, below take's minimum of 1
        ("GET", ATTRIBUTES_URL + "?take=999", None, False),  # above its maximum
        ("GET", ATTRIBUTES_URL + "/options/abc?skip=0.5", None, False),  # a bad userId as well
        ("POST", ATTRIBUTES_URL + "?skip=0.5", b'{"name": 5}', False),  # a bad body as well
        ("GET", "http://127.0.0.1:9/v2/elsewhere?skip=0.5", None, False),  # no such operation
    ],
)
def test_only_query_numbers_the_real_api_reads_with_parse_int_are_the_quirk(
    method: str, url: str, body: bytes | None, quirk: bool
) -> None:
    assert hooks.valid_only_as_the_real_api_reads_it(method, url, body) is quirk


def test_filter_failure_drops_only_parse_int_acceptances_and_only_in_live_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def kept(code: str, url: str) -> bool:
        response = SimpleNamespace(request=SimpleNamespace(method="GET", url=url, body=None))
        result: bool = hooks.filter_failure(None, SimpleNamespace(code=code), None, response)
        return result

    monkeypatch.delenv("CAL_FUZZ_PARSEINT_QUERY", raising=False)
    assert kept("ST201", ATTRIBUTES_URL + "?skip=0.5")  # the embedded (strict) run keeps everything
    monkeypatch.setenv("CAL_FUZZ_PARSEINT_QUERY", "1")
    assert not kept("ST201", ATTRIBUTES_URL + "?skip=0.5")
    assert kept("ST201", ATTRIBUTES_URL + "?take=abc")  # accepting NaN is a real defect
    assert kept("ST100", ATTRIBUTES_URL + "?skip=0.5")  # any other failure stands


def test_the_summary_counts_the_failures_the_parse_int_filter_dropped() -> None:
    report = {"failures": [], "filtered": 4}
    assert "accepted as the API reads query numbers (parseInt, e.g. skip=0.5 is 0), not counted: 4" in summarize(report)
    assert not any("parseInt" in line for line in summarize({"failures": [], "filtered": 0}))


def test_an_interrupted_runs_unfinished_report_gets_a_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run stopped by SIGTERM can leave schemathesis' JSON report empty."""
    (tmp_path / "json-20261124T000000Z.json").write_text("", encoding="utf-8")
    cli.print_summary(cli.parse_args([]), cli.embedded_target("http://127.0.0.1:9"), tmp_path)
    assert "no summary: schemathesis' report was not completed" in capsys.readouterr().out
