"""The cal-attributes command against the demo mock on 127.0.0.1: exit codes, confirmation, files."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml

from cal_attributes import CalAttributes
from cal_attributes.cli import main
from cal_attributes_mock import MockServer, create_mock, parse_seed
from cal_attributes_mock.serve import serve_in_thread
from tests.state.conftest import OWNER_KEY, history_queries

WRITES = ("createAttribute", "updateAttribute", "createOption", "assignOptionToUser", "unassignOptionFromUser")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[MockServer, str]]:
    server = create_mock()
    with serve_in_thread(server) as url:
        yield server, url


@pytest.fixture
def mock(served: tuple[MockServer, str], monkeypatch: pytest.MonkeyPatch) -> MockServer:
    server, url = served
    server.reset()
    for name in ("CAL_CLIENT_ID", "CAL_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAL_API_KEY", OWNER_KEY)
    monkeypatch.setenv("CAL_ORG_ID", "1")
    monkeypatch.setenv("CAL_API_URL", url)
    return server


def cli(*args: str) -> int:
    """The command, with the pacing raised so the tests are quick (the default is 100 a minute)."""
    return main([*args, "--max-per-minute", "60000"])


def writes(server: MockServer) -> int:
    return sum(len(server.calls_to(op)) for op in WRITES)


def exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "org.yaml"
    assert cli("export", "-o", str(path)) == 0
    capsys.readouterr()
    return path


def test_export_then_plan_is_empty_exit_0(mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = exported(tmp_path, capsys)
    assert cli("plan", str(path)) == 0
    assert "No changes" in capsys.readouterr().out


def test_plan_with_changes_exits_2_and_json_lists_them(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("name: Office\n", "name: Office location\n"))
    assert cli("plan", str(path)) == 2
    text = capsys.readouterr().out
    assert (
        "Attributes (1)" in text and "~ office: name -> 'Office location'" in text and "\x1b[" not in text
    )  # plain off a terminal
    assert cli("plan", str(path), "--json") == 2
    plan = json.loads(capsys.readouterr().out)
    assert [c["kind"] for c in plan["changes"]] == ["update attribute"] and plan["hasChanges"]
    assert plan["changes"][0]["attributeId"] and plan["options"] == {
        "prune": False,
        "includeLocked": False,
        "allowRetype": False,
    }
    assert not [key for key in json_keys(plan) if "_" in key]  # one style: camelCase, as Cal.com's JSON


def json_keys(node: object) -> list[str]:
    """Every object key anywhere in ``node``."""
    if isinstance(node, dict):
        return [*node, *(key for value in node.values() for key in json_keys(value))]
    if isinstance(node, list):
        return [key for item in node for key in json_keys(item)]
    return []


def test_apply_needs_yes_off_a_terminal_and_dry_run_writes_nothing(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("    office: Berlin\n", "    office: Munich\n"))
    assert cli("apply", str(path)) == 1
    assert "--yes" in capsys.readouterr().err
    assert cli("apply", str(path), "--dry-run") == 2
    assert writes(mock) == 0
    assert cli("apply", str(path), "--yes") == 0
    out = capsys.readouterr().out
    assert "[1/3] done: office: add option munich" in out and "3 done" in out
    assert cli("plan", str(path)) == 0


def test_a_bad_file_is_refused_with_its_line_before_any_request(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "attributes:\n- {slug: a, name: A, type: SINGLE_SELECT, options: [{slug: x, value: X}]}\nmembers:\n  101:\n    a: y\n"
    )
    mock.requests.clear()
    assert cli("apply", str(path), "--yes") == 1
    assert f"{path}:5: member 101: 'y' is not an option slug of a" in capsys.readouterr().err
    assert not mock.requests


def test_apply_with_failures_exits_1(mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(
        path.read_text().replace("members:\n", "members:\n  104:\n    office: Remote\n")
    )  # 104 has not accepted
    assert cli("apply", str(path), "--yes") == 1
    assert "failed: user 104: office += Remote" in capsys.readouterr().out


def test_missing_organization_is_a_clear_error(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CAL_ORG_ID")
    assert cli("export") == 1
    assert "organization" in capsys.readouterr().err


def test_a_platform_oauth_client_from_the_environment_is_used_and_its_secret_never_printed(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CAL_API_KEY")
    monkeypatch.setenv("CAL_CLIENT_ID", "demo-platform-client")
    monkeypatch.setenv("CAL_CLIENT_SECRET", "demo-platform-secret")
    path = exported(tmp_path, capsys)
    assert "slug: department" in path.read_text()
    assert cli("plan", str(path)) == 0
    assert mock.calls_to("listAttributes")[-1].status == 200
    monkeypatch.setenv("CAL_CLIENT_SECRET", "wrong-platform-secret")
    assert cli("plan", str(path)) == 1
    captured = capsys.readouterr()
    assert "401 UnauthorizedException: ApiAuthStrategy - oAuth client - Invalid client secret" in captured.err
    assert "wrong-platform-secret" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "no credentials: set CAL_API_KEY, or CAL_CLIENT_ID and CAL_CLIENT_SECRET of a platform OAuth client"),
        ({"CAL_CLIENT_ID": "demo-platform-client"}, "needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET"),
        (
            {"CAL_API_KEY": OWNER_KEY, "CAL_CLIENT_ID": "demo-platform-client", "CAL_CLIENT_SECRET": "s"},
            "both CAL_API_KEY and CAL_CLIENT_ID/CAL_CLIENT_SECRET are set: unset one",
        ),
        (
            {"CAL_API_KEY": OWNER_KEY, "CAL_CLIENT_ID": "demo-platform-client"},
            "both CAL_API_KEY and CAL_CLIENT_ID/CAL_CLIENT_SECRET are set: unset one",
        ),
        # blank variables are unset, as in the SDK (never sent as a key of spaces)
        ({"CAL_API_KEY": "  ", "CAL_CLIENT_ID": "", "CAL_CLIENT_SECRET": " "}, "no credentials: set CAL_API_KEY"),
        (
            {"CAL_API_KEY": " ", "CAL_CLIENT_ID": "demo-platform-client"},
            "needs both CAL_CLIENT_ID and CAL_CLIENT_SECRET",
        ),
    ],
)
def test_missing_or_conflicting_credentials_are_named_as_the_environment_variables_to_set(
    mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    message: str,
) -> None:
    monkeypatch.delenv("CAL_API_KEY")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert cli("export") == 1
    assert message in capsys.readouterr().err
    assert not mock.requests


def test_import_csv_reports_unknown_slugs_with_their_lines(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "hr.csv"
    csv.write_text(
        "user_id,attribute,value,weight\n101,department,sales,5\n102,team,Blue,\n103,department,marketing,\nx,office,Paris,\n"
    )
    assert cli("import-csv", str(csv)) == 1
    err = capsys.readouterr().err
    assert f"{csv}:3: unknown attribute 'team'" in err
    assert f"{csv}:4: department: unknown option 'marketing'" in err
    assert f"{csv}:5: user_id 'x' is not a positive integer" in err


def test_import_csv_writes_a_state_file_that_plans_the_rows(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, out = tmp_path / "hr.csv", tmp_path / "org.yaml"
    csv.write_text(
        "user_id,attribute,value\n101,department,Sales\n101,skills,go\n101,skills,python\n"
    )  # an option value matches too
    assert cli("import-csv", str(csv), "-o", str(out)) == 0
    assert cli("plan", str(out), "--json") == 2
    plan = json.loads(capsys.readouterr().out)
    assert sorted(c["description"] for c in plan["changes"]) == [
        "user 101: department += sales",
        "user 101: department -= engineering",
        "user 101: skills += go",
        "user 101: skills += python",
    ]
    assert plan["leftAlone"]["assignments"] == 4  # what users 102 and 103 hold: they are not in the CSV
    assert yaml.safe_load(out.read_text())["organization"] == 1  # so applying it to another org is refused
    assert cli("apply", str(out), "--yes") == 0
    assert cli("plan", str(out)) == 0  # an import followed by an apply plans nothing


def test_ctrl_c_stops_cleanly_reports_and_a_rerun_converges(  # also: python -m cal_attributes
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    options = "".join(f"  - {{slug: l{i}, value: L{i}}}\n" for i in range(40))
    path.write_text(
        path.read_text().replace(
            "members:\n", f"- slug: level\n  name: Level\n  type: SINGLE_SELECT\n  options:\n{options}members:\n"
        )
    )
    command = [sys.executable, "-m", "cal_attributes", "apply", str(path), "--yes", "--max-per-minute", "3000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:  # one line per change off a terminal
        if line.startswith("[3/41]"):
            process.send_signal(signal.SIGINT)
            break
    rest, err = process.communicate(timeout=30)
    assert process.returncode == 1, err
    assert "stopped: interrupted (Ctrl-C)" in rest and "not done: level: add option" in rest and "Traceback" not in err
    assert 2 <= len(mock.calls_to("createOption")) < 40  # [3/41] is the attribute and two options
    assert cli("apply", str(path), "--yes") == 0
    assert cli("plan", str(path)) == 0


@pytest.mark.parametrize("env", ["inf", "x", "1e-9"])
def test_a_rate_in_the_environment_that_is_not_sane_is_a_clear_error(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: str
) -> None:
    monkeypatch.setenv("CAL_MAX_PER_MINUTE", env)
    mock.requests.clear()
    assert main(["export"]) == 1  # the option's own checks: test_a_number_option_out_of_range_...
    err = capsys.readouterr().err
    assert err == f"error: CAL_MAX_PER_MINUTE must be a finite number of at least 1, got {env!r}\n"
    assert not mock.requests


@pytest.mark.parametrize("text", ["attributes: &a [*a]\n", "members:\n  1:\n    x: " + "[" * 3000 + "]" * 3000 + "\n"])
def test_hostile_yaml_is_one_clear_error(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    assert cli("plan", str(path)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:") and err.count("\n") == 1


def test_a_file_for_another_organization_is_refused_before_any_request(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    assert path.read_text().startswith("organization: 1\n")
    mock.requests.clear()
    assert cli("apply", str(path), "--org-id", "2", "--prune", "--yes") == 1
    assert "error: the state file describes organization 1, not the target 2" in capsys.readouterr().err
    assert not mock.requests


def test_apply_json_keeps_standard_output_parseable(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("    office: Berlin\n", "    office: Munich\n"))
    assert cli("apply", str(path), "--json", "--yes") == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["changes"]) == 3
    assert "[1/3] done: office: add option munich" in captured.err and "3 done" in captured.err


class _ClosedTerminal(io.StringIO):
    """A terminal on which the user pressed Ctrl-D: input() raises EOFError."""

    def isatty(self) -> bool:
        return True


def test_end_of_input_at_the_prompt_aborts(
    mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("    office: Berlin\n", "    office: Munich\n"))
    monkeypatch.setattr(sys, "stdin", _ClosedTerminal(""))
    assert cli("apply", str(path)) == 1
    assert "aborted: nothing applied" in capsys.readouterr().err
    assert writes(mock) == 0


def test_import_csv_reads_an_excel_bom_and_reports_bad_rows_with_their_lines(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, out = tmp_path / "hr.csv", tmp_path / "org.yaml"
    csv.write_text("\ufeffuser_id,attribute,value\n101,department,Sales\n", encoding="utf-8")
    assert cli("import-csv", str(csv), "-o", str(out)) == 0
    csv.write_text("user_id,attribute,value,weight\n²,department,sales,\n101,department,sales,²\n")
    assert cli("import-csv", str(csv)) == 1
    err = capsys.readouterr().err
    assert f"{csv}:2: user_id '²' is not a positive integer" in err and f"{csv}:3: weight '²'" in err
    csv.write_text('user_id,attribute,value\n101,office,"' + "x" * 200_000 + '"\n')
    assert cli("import-csv", str(csv)) == 1
    assert f"{csv}:2: not valid CSV: field larger than field limit" in capsys.readouterr().err


@pytest.fixture
def locked_office(mock: MockServer) -> Iterator[MockServer]:
    """The demo organization with its Office attribute locked (a flag only Cal.com's app, or a seed, sets)."""
    data = json.loads((resources.files("cal_attributes_mock") / "demo_seed.json").read_text(encoding="utf-8"))
    next(a for a in data["attributes"] if a["slug"] == "office" and a["orgId"] == 1)["isLocked"] = True
    server = create_mock(parse_seed(data))
    with serve_in_thread(server) as url, pytest.MonkeyPatch.context() as env:
        env.setenv("CAL_API_URL", url)
        yield server


def test_locked_attributes_are_skipped_unless_include_locked(
    locked_office: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = locked_office
    path = exported(tmp_path, capsys)
    path.write_text(
        path.read_text()
        .replace("name: Office\n", "name: Office location\n")
        .replace("    skills: python\n", "    skills: [python, go]\n")
    )
    assert cli("apply", str(path), "--yes") == 0
    out = capsys.readouterr().out
    assert "skipped (locked; --include-locked to change): office: name -> 'Office location'" in out
    assert not mock.calls_to("updateAttribute") and mock.calls_to("assignOptionToUser")  # skills only
    assert cli("plan", str(path), "--json") == 0
    assert [c["kind"] for c in json.loads(capsys.readouterr().out)["skipped"]] == ["update attribute"]
    assert cli("apply", str(path), "--yes", "--include-locked") == 0
    assert len(mock.calls_to("updateAttribute")) == 1
    assert cli("plan", str(path), "--include-locked") == 0
    assert "skipped" not in capsys.readouterr().out


def test_a_retype_is_refused_unless_allow_retype(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("type: NUMBER\n", "type: TEXT\n"))
    assert cli("plan", str(path)) == 2
    assert "refused (needs --allow-retype)" in capsys.readouterr().out
    assert cli("apply", str(path), "--yes") == 1
    assert "run again with --allow-retype" in capsys.readouterr().err and writes(mock) == 0
    assert cli("apply", str(path), "--yes", "--allow-retype") == 0
    assert [c.operation_id for c in mock.requests if c.method != "GET"] == ["updateAttribute"]
    assert cli("plan", str(path)) == 0


def test_plan_reads_only_the_pages_it_needs(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """reader.read_snapshot: one page of attributes, then per attribute its options and one page of assigned
    options; assignment history only for members whose file gives a weight, and no writes."""
    path = exported(tmp_path, capsys)
    mock.requests.clear()
    assert cli("plan", str(path)) == 0
    reads = [(r.method, r.operation_id) for r in mock.requests]
    attributes = len(yaml.safe_load(path.read_text())["attributes"])
    assert attributes == 4 and sorted(reads) == sorted(
        [("GET", "listAttributes")]
        + [("GET", "listOptions")] * attributes
        + [("GET", "listAssignedOptions")] * attributes
    )
    per_attribute = [r.path for r in mock.requests if r.operation_id != "listAttributes"]
    assert len(set(per_attribute)) == len(per_attribute)  # each attribute's two lists read once
    path.write_text(
        path.read_text().replace(
            "  103:\n    department: engineering\n", "  103:\n    department: {value: engineering, weight: 7}\n"
        )
    )
    mock.requests.clear()
    assert cli("plan", str(path)) == 2
    history = [r.path for r in mock.requests if r.operation_id == "getAssignmentHistory"]
    assert history == ["/v2/organizations/1/attributes/assignments/103/history"]  # the one member given a weight
    assert len(mock.requests) == 1 + 2 * attributes + 1


def test_prune_through_the_command_removes_what_the_file_leaves_out(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    state = yaml.safe_load(path.read_text())
    state["attributes"] = [a for a in state["attributes"] if a["slug"] != "office"]
    for values in state["members"].values():
        values.pop("office", None)
    path.write_text(yaml.safe_dump(state))
    assert cli("plan", str(path)) == 0  # without --prune the office attribute is left alone, and said so
    assert "left alone: 1 attribute, 0 options, 1 assignment not in the file (--prune removes them)" in (
        capsys.readouterr().out
    )
    assert cli("plan", str(path), "--prune") == 2
    assert "office: delete attribute" in capsys.readouterr().out
    assert cli("apply", str(path), "--prune", "--yes") == 0
    assert [r.operation_id for r in mock.requests if r.method != "GET"] == ["deleteAttribute"]
    assert cli("plan", str(path), "--prune") == 0


def test_export_to_standard_output_and_the_url_flag(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = os.environ["CAL_API_URL"]
    monkeypatch.setenv("CAL_API_URL", "http://127.0.0.1:9")  # nothing there: --url must win
    assert cli("export", "--url", url) == 0
    assert yaml.safe_load(capsys.readouterr().out)["organization"] == 1


@pytest.mark.parametrize("command", ["export", "import-csv"])
def test_output_dash_is_standard_output_not_a_file_named_dash(
    command: str, mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("hr.csv").write_text("user_id,attribute,value\n101,department,Sales\n")
    assert cli(command, *(["hr.csv"] if command == "import-csv" else []), "-o", "-") == 0
    assert yaml.safe_load(capsys.readouterr().out)["organization"] == 1
    assert not Path("-").exists()


def test_import_csv_carries_weights_into_the_state_file(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, out = tmp_path / "hr.csv", tmp_path / "org.yaml"
    csv.write_text("user_id,attribute,value,weight\n101,department,Sales,70\n")
    assert cli("import-csv", str(csv), "-o", str(out)) == 0
    assert yaml.safe_load(out.read_text())["members"][101]["department"] == {"value": "sales", "weight": 70}
    assert cli("plan", str(out), "--json") == 2
    descriptions = [c["description"] for c in json.loads(capsys.readouterr().out)["changes"]]
    assert "user 101: department += sales (weight 70)" in descriptions
    assert cli("apply", str(out), "--yes") == 0
    (assigned,) = [r for r in mock.requests if r.operation_id == "assignOptionToUser"]
    assert assigned.status == 201


def test_duplicate_option_slugs_stop_export_plan_and_apply_naming_them(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    with CalAttributes() as cal:  # the API allows a second option with a slug already taken
        department = next(a for a in cal.attributes.list() if a.slug == "department")
        first = next(o for o in cal.attributes.options.list(department.id) if o.slug == "sales")
        second = cal.attributes.options.create(department.id, value="Sales (EMEA)", slug="sales")
        cal.assignments.assign(101, attribute_id=department.id, attribute_option_id=second.id)
    before = writes(mock)
    out = tmp_path / "again.yaml"
    for args in (["export", "-o", str(out)], ["plan", str(path)], ["apply", str(path), "--prune", "--yes"]):
        assert cli(*args) == 1, args
        captured = capsys.readouterr()
        assert captured.out == ""
        assert (
            f"attribute 'department' has 2 options with slug 'sales' (ids {first.id}, {second.id}): "
            "a state file names options by slug; rename one in Cal.com first"
        ) in captured.err.replace("\n", "")
    assert not out.exists() and writes(mock) == before
    # A file that does not mention the attribute plans as usual: only the attributes it compares
    # option by option must have unique slugs (without --prune the attribute is left alone).
    only_office = tmp_path / "office.yaml"
    only_office.write_text(
        yaml.safe_dump(
            {"attributes": [a for a in yaml.safe_load(path.read_text())["attributes"] if a["slug"] == "office"]}
        )
    )
    assert cli("plan", str(only_office)) == 0, capsys.readouterr().err
    assert "has 2 options with slug" not in capsys.readouterr().err


def test_number_values_that_are_not_numbers_export_and_plan_empty_but_are_never_written(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with CalAttributes() as cal:  # Cal.com stores any text as a NUMBER attribute's value
        seniority = next(a for a in cal.attributes.list() if a.slug == "seniority")
        assert seniority.type_ == "NUMBER"
        cal.assignments.assign(102, attribute_id=seniority.id, value="0x1F")
        cal.assignments.assign(103, attribute_id=seniority.id, value="abc")
    path = exported(tmp_path, capsys)
    text = path.read_text()
    assert "seniority: '0x1F'" in text and "seniority: abc" in text
    assert cli("plan", str(path)) == 0
    assert "No changes" in capsys.readouterr().out
    before = writes(mock)
    # a member who does not hold it yet: the plan would write it, so it is refused before any write
    path.write_text(text.replace("  101:\n", "  101:\n    seniority: abc\n", 1))
    assert cli("apply", str(path), "--yes") == 1
    assert "member 101: seniority is NUMBER but 'abc' is not a number" in capsys.readouterr().err
    assert writes(mock) == before


@pytest.mark.parametrize(
    "args", [["plan", "--org-id", "abc", "f.yaml"], ["plan"], ["plan", "f.yaml", "--bogus"], ["bogus"]]
)
def test_a_usage_error_exits_1_not_2_which_plan_uses_for_changes(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(args)
    assert raised.value.code == 1
    assert "error:" in capsys.readouterr().err


def test_apply_of_a_value_for_a_non_member_writes_nothing_and_names_them(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    text = path.read_text().replace(
        "  - slug: support\n", "  - slug: marketing\n    value: Marketing\n  - slug: support\n"
    )
    path.write_text(text.replace("members:\n", "members:\n  201:\n    department: marketing\n", 1))
    assert cli("apply", str(path), "--yes") == 1
    err = capsys.readouterr().err
    assert "member 201: not a member of the organization (404 " in err
    assert "remove them from the file or add them to the organization" in err
    assert writes(mock) == 0


def test_no_member_check_skips_the_history_reads_and_the_refusal(
    mock: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path, capsys)
    path.write_text(path.read_text().replace("members:\n", "members:\n  201:\n    department: sales\n", 1))
    mock.requests.clear()
    assert cli("plan", str(path)) == 1  # checked: 201 is no member
    assert "member 201: not a member of the organization" in capsys.readouterr().err
    assert history_queries(mock) == ["limit=1"]
    mock.requests.clear()
    assert cli("plan", str(path), "--no-member-check") == 2
    assert "+ user 201: department += sales" in capsys.readouterr().out
    assert history_queries(mock) == []


@pytest.fixture
def silent_url() -> Iterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 that reads each request and never answers; the requests it read."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # so the thread sees the stop soon
    received: list[bytes] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(None)
            held.append(connection)
            data = b""
            while b"\r\n\r\n" not in data and (chunk := connection.recv(4096)):
                data += chunk
            received.append(data)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()
        for connection in held:
            connection.close()


@pytest.mark.parametrize("retries", [0, 1])
def test_timeout_and_max_retries_bound_the_wait_on_a_silent_server(
    mock: MockServer, silent_url: tuple[str, list[bytes]], capsys: pytest.CaptureFixture[str], retries: int
) -> None:
    url, received = silent_url
    assert cli("export", "--url", url, "--timeout", "0.2", "--max-retries", str(retries)) == 1
    err = capsys.readouterr().err
    *notes, last = err.splitlines()
    assert last.startswith("error: the organization could not be read: APITimeoutError: ReadTimeout"), err
    assert len(notes) == retries  # each retry is told, so the wait is not taken for a hang
    for number, note in enumerate(notes, 1):
        assert note.startswith("note: APITimeoutError: ReadTimeout") and f"(GET {url}/v2/organizations/1/" in note
        assert note.endswith(f": retry {number} of {retries}")
    for _ in range(1000):  # the server's thread may still be reading the last request on a busy machine
        if len(received) > retries:
            break
        time.sleep(0.01)
    assert len(received) == 1 + retries and all(r.startswith(b"GET /v2/organizations/1/attributes") for r in received)


OUT_OF_RANGE = {  # option: (values it refuses, what it wants)
    "--timeout": (("0", "-1", "inf", "nan", "soon"), "a finite number of seconds above 0"),
    "--max-retries": (("-1", "1.5", "11"), "a whole number from 0 to 10"),
    "--max-per-minute": (("1e-9", "0.5", "inf", "nan"), "a finite number of requests of at least 1"),
}


@pytest.mark.parametrize(
    ("option", "value", "wanted"),
    [(option, value, wanted) for option, (values, wanted) in OUT_OF_RANGE.items() for value in values],
)
def test_a_number_option_out_of_range_is_a_usage_error_before_any_request(
    mock: MockServer, capsys: pytest.CaptureFixture[str], option: str, value: str, wanted: str
) -> None:
    mock.requests.clear()
    with pytest.raises(SystemExit) as raised:
        main(["export", f"{option}={value}"])
    assert raised.value.code == 1
    assert f"error: argument {option}: must be {wanted}, got '{value}'" in capsys.readouterr().err
    assert not mock.requests


def piped(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Standard input is ``text``, piped (not a terminal)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def test_plan_and_apply_read_the_state_file_from_standard_input(
    mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = exported(tmp_path, capsys).read_text().replace("    office: Berlin\n", "    office: Munich\n")
    piped(monkeypatch, text)
    assert cli("plan", "-") == 2
    assert "+ user 103: office += Munich" in capsys.readouterr().out
    piped(monkeypatch, text)
    assert cli("apply", "-") == 1  # no --yes: the answer cannot come from standard input, which is the file
    assert "apply - reads the state file from standard input: pass --yes" in capsys.readouterr().err
    assert writes(mock) == 0
    piped(monkeypatch, text)
    assert cli("apply", "-", "--yes") == 0 and writes(mock) == 3
    piped(monkeypatch, "attributes: [\n")
    assert cli("plan", "-") == 1
    assert capsys.readouterr().err.startswith("error: <stdin>:")


def test_import_csv_reads_standard_input(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    piped(monkeypatch, "\ufeffuser_id,attribute,value\r\n101,department,Sales\r\n")
    assert cli("import-csv", "-") == 0
    assert "department: sales" in capsys.readouterr().out
    piped(monkeypatch, "user_id,attribute,value\n101,nope,x\n")
    assert cli("import-csv", "-") == 1
    assert "<stdin>" in capsys.readouterr().err


def test_reading_a_state_file_from_a_terminal_says_how_to_end_it() -> None:
    """`plan -` with standard input on a terminal waits for typing: one line says so (and how to
    stop), where it used to sit silent. Ctrl-D (end of input) at once gives an empty file's error."""
    import pty

    controller, terminal = pty.openpty()
    try:
        command = [sys.executable, "-m", "cal_attributes", "plan", "-"]
        environment = {**os.environ, "CAL_API_KEY": "cal_k", "CAL_ORG_ID": "1"}
        process = subprocess.Popen(command, stdin=terminal, stderr=subprocess.PIPE, text=True, env=environment)
        try:
            os.write(controller, b"\x04")  # Ctrl-D: end of input on a terminal
            _, err = process.communicate(timeout=30)
        finally:
            process.kill()  # when communicate timed out; harmless after it returned
            process.wait()
    finally:
        os.close(controller)
        os.close(terminal)
    assert "reading from standard input (end with Ctrl-D)" in err and "Traceback" not in err


def test_reading_a_state_file_from_a_closed_standard_input_is_a_clear_error() -> None:
    """Started with standard input closed (`plan - <&-`), Python has no sys.stdin at all."""
    command = [
        sys.executable,
        "-c",
        "import os, sys; os.close(0); sys.stdin = None; from cal_attributes.cli import main; sys.exit(main(['plan', '-']))",
    ]
    environment = {**os.environ, "CAL_API_KEY": "cal_k", "CAL_ORG_ID": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 1 and "no standard input" in result.stderr and "Traceback" not in result.stderr
