"""Plan and apply against the demo mock, end to end through HTTP (in-process)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from rich.console import Console

from cal_attributes import AsyncCalAttributes
from cal_attributes.errors import ConfigurationError
from cal_attributes.state import (
    OperationError,
    OrgOperations,
    RefusedPlanError,
    Result,
    RunSettings,
    State,
    StateManager,
    dump_state,
)
from cal_attributes.state.changes import Assign
from cal_attributes.state.engine import ApplyReport
from cal_attributes.state.planner import NotAMemberError, Plan
from cal_attributes.state.reader import says_not_a_member
from cal_attributes.state.render import render_report
from cal_attributes.state.sdk import AsyncSdkOperations
from cal_attributes_mock import MockConfig, create_mock
from cal_attributes_mock.envelopes import http_error
from tests.state.conftest import FAST, Org, Wire, history_queries, state
from tests.state.test_docs import PAGE

# Each edit of the exported demo state, alone: (exported text -> desired text, plan flags, change kinds expected).
EDITS: dict[str, tuple[list[tuple[str, str]], dict[str, bool], set[str]]] = {
    "create": (
        [
            (
                "members:\n",
                "- slug: level\n  name: Level\n  type: SINGLE_SELECT\n  options: [{slug: junior, value: Junior}]\nmembers:\n",
            ),
            ("  101:\n    department: engineering\n", "  101:\n    department: engineering\n    level: junior\n"),
        ],
        {},
        {"create attribute", "create option", "assign"},
    ),
    "rename": ([("name: Office\n", "name: Office location\n")], {}, {"update attribute"}),
    "retype": ([("type: NUMBER\n", "type: TEXT\n")], {"allow_retype": True}, {"update attribute"}),
    "add option": (
        [("  - slug: support\n", "  - slug: marketing\n    value: Marketing\n  - slug: support\n")],
        {},
        {"create option"},
    ),
    "remove option": ([("  - slug: support\n    value: Support\n", "")], {"prune": True}, {"delete option"}),
    "assign": ([("    skills: python\n", "    skills: [python, go]\n")], {}, {"assign"}),
    "reassign": (
        [("  102:\n    department: sales\n", "  102:\n    department: engineering\n")],
        {},
        {"assign", "unassign"},
    ),
    "weight": (
        [("  103:\n    department: engineering\n", "  103:\n    department: {value: engineering, weight: 7}\n")],
        {},
        {"update weight"},
    ),
    "text value": ([("    office: Berlin\n", "    office: Munich\n")], {}, {"create option", "assign", "unassign"}),
    "unassign": ([("    skills: python\n", "    skills: []\n")], {}, {"unassign"}),
}


def edited(org: Org, *names: str) -> State:
    text = dump_state(org.export())
    for name in names:
        for old, new in EDITS[name][0]:
            assert old in text, name
            text = text.replace(old, new, 1)
    return state(text)


def test_export_round_trips_to_an_empty_plan(org: Org) -> None:
    exported = org.export()
    assert exported.organization == 1
    plan = org.manager().plan(exported)
    assert not plan.has_changes and plan.left_alone.total == 0
    assert dump_state(state(dump_state(exported))) == dump_state(exported)  # stable: a re-export diffs cleanly


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_kind_of_change_alone(org: Org, name: str) -> None:
    _, flags, kinds = EDITS[name]
    desired = edited(org, name)
    plan = org.manager().plan(desired, **flags)
    assert {c.kind for c in plan.changes} == kinds
    org.converge(desired, flags=flags)


def test_all_changes_together_in_dependency_order(org: Org) -> None:
    names = [n for n in EDITS if n not in ("retype", "unassign")]  # "assign" and "unassign" edit the same line
    desired = edited(org, *names)
    plan = org.manager().plan(desired, prune=True)
    phases = [c.phase for c in plan.changes]
    assert phases == sorted(phases) and len(set(phases)) == 5
    org.converge(desired, flags={"prune": True})


def test_second_apply_makes_no_write(org: Org) -> None:
    desired = edited(org, "create", "reassign", "weight", "text value")
    org.converge(desired)
    org.wire.reset_counts()
    report = org.manager().apply(org.manager().plan(desired))
    assert org.wire.writes == 0 and report.outcomes == []


def test_retype_is_refused_without_allow_retype(org: Org) -> None:
    desired = edited(org, "retype")
    plan = org.manager().plan(desired)
    assert [c.type for c in plan.refused] == ["TEXT"] and plan.has_changes and not plan.changes
    with pytest.raises(RefusedPlanError, match="allow-retype"):
        org.manager().apply(plan)
    allowed = org.manager().plan(desired, allow_retype=True)
    assert any("keeps the attribute's existing options" in w for w in allowed.warnings)


def test_without_prune_what_the_file_omits_is_left_alone_and_counted(org: Org) -> None:
    text = dump_state(org.export())
    desired = state(text[: text.index("- slug: office")] + "members: {}\n")  # only department, no members
    plan = org.manager().plan(desired)
    assert not plan.has_changes
    assert (plan.left_alone.attributes, plan.left_alone.assignments) == (3, 5)
    org.converge(desired, flags={"prune": True})
    after = org.export()
    assert [a.slug for a in after.attributes] == ["department"] and after.members == {}


def lock(attribute: str) -> object:
    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/attributes"):
            body = json.loads(response.content)
            for row in body["data"]:
                row["isLocked"] = row["slug"] == attribute
            return httpx.Response(response.status_code, json=body, headers={"content-type": "application/json"})
        return response

    return rewrite


def test_locked_attributes_are_skipped_unless_included(org: Org) -> None:
    org.wire.rewrite = lock("office")  # type: ignore[assignment]
    desired = edited(org, "rename", "text value", "assign")
    plan = org.manager().plan(desired)
    assert {c.attribute for c in plan.skipped} == {"office"} and {c.attribute for c in plan.changes} == {"skills"}
    org.manager().apply(plan)
    assert org.manager().plan(desired).skipped == plan.skipped  # office untouched
    org.converge(desired, flags={"include_locked": True})


def test_an_apply_stopped_by_faults_converges_on_the_next_run(org: Org) -> None:
    desired = edited(org, *[n for n in EDITS if n not in ("retype", "unassign")])
    failures = iter([None, httpx.Response(503, json={"statusCode": 503, "message": "down"}), "connect"])

    def fault(request: httpx.Request, number: int) -> httpx.Response | None:
        if number % 3:
            return None
        answer = next(failures, None)
        if answer == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        return answer if isinstance(answer, httpx.Response) else None

    org.wire.fault = fault
    no_retries = RunSettings(max_per_minute=1_000_000, max_retries=0)
    runs = []
    for _ in range(3):
        manager = org.manager(no_retries)
        report = manager.apply(manager.plan(desired, prune=True))
        runs.append(report)
        if report.ok:
            break
    first = runs[0]
    assert not first.ok and first.stopped and "503" in first.stopped
    # What was done and what was not is all there: every planned change is either reported with its
    # result or listed as not done, some of each.
    assert first.count(Result.DONE) > 0 and (first.not_done() or first.count(Result.FAILED))
    assert len(first.outcomes) + len(first.not_done()) == len(first.plan.changes)
    assert runs[-1].ok
    assert not org.manager().plan(desired, prune=True).has_changes


def test_a_429_is_waited_out_and_the_change_repeated(org: Org) -> None:
    limited = {"done": False}

    def fault(request: httpx.Request, number: int) -> httpx.Response | None:
        if limited["done"]:
            return None
        limited["done"] = True
        return httpx.Response(429, json={"statusCode": 429, "message": "slow down"}, headers={"Retry-After": "0"})

    org.wire.fault = fault
    org.converge(edited(org, "assign"))
    assert org.wire.statuses.count(429) == 1


def test_a_409_for_an_existing_assignment_counts_as_done(org: Org) -> None:
    desired = edited(org, "assign")
    plan = org.manager().plan(desired)
    org.manager().apply(plan)
    report = org.manager().apply(plan)  # the same plan again: the assignment exists now
    assert [o.result for o in report.outcomes] == [Result.ALREADY] and report.ok


def test_pacing_keeps_the_mock_rate_limit_from_answering_429() -> None:
    # Time scaled down 300 times: the mock allows 12 requests per 0.2 s (Cal.com: 120 per minute),
    # the apply sends at most 10 per 0.2 s (--max-per-minute 100).
    server = create_mock(config=MockConfig(rate_limit=True, api_key_limit=12, rate_window_seconds=0.2))

    def run(settings: RunSettings, count: int) -> Wire:
        options = "".join(f"  - {{slug: l{i}, value: L{i}}}\n" for i in range(count))
        desired = state(f"attributes:\n- slug: level\n  name: Level\n  type: SINGLE_SELECT\n  options:\n{options}")
        server.reset()
        org = Org(server, Wire(httpx.ASGITransport(app=server)))
        org.converge(desired, settings)
        return org.wire

    paced = run(RunSettings(max_per_minute=10, window_seconds=0.2), 20)
    assert 429 not in paced.statuses and paced.reads + paced.writes > 36  # three windows' worth
    unpaced = run(FAST, 4)  # the control: without pacing even a smaller run is throttled (and waits 1 s)
    assert 429 in unpaced.statuses


def test_a_file_for_another_organization_is_refused_before_any_request(org: Org) -> None:
    desired = replace(org.export(), organization=2)
    org.wire.reset_counts()
    with pytest.raises(ConfigurationError, match="describes organization 2, not the target 1"):
        org.manager().plan(desired, prune=True)
    assert org.wire.reads == 0


@pytest.mark.parametrize(("requests", "said"), [(0, "(0 requests)"), (1, "(1 request)"), (2, "(2 requests)")])
def test_the_apply_summary_says_request_in_the_singular_only_for_one(requests: int, said: str) -> None:
    console = Console(record=True, width=200)
    render_report(ApplyReport(Plan(), requests=requests), console)
    assert said in console.export_text()


MEMBER_KEY = "cal_demo_member_9f8e7d6c5b4a"  # user 103, MEMBER of organization 1

# User 201 is the owner of organization 2, not a member of 1; 999 is no user at all.
NEW_OPTION_FOR_A_STRANGER = [
    ("  - slug: support\n", "  - slug: marketing\n    value: Marketing\n  - slug: support\n"),
    ("members:\n", "members:\n  201:\n    department: marketing\n  999:\n    office: Atlantis\n"),
]


def with_edits(org: Org, edits: list[tuple[str, str]]) -> State:
    text = dump_state(org.export())
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return state(text)


def test_a_value_for_someone_who_is_not_a_member_stops_the_plan_before_any_write(org: Org) -> None:
    desired = with_edits(org, NEW_OPTION_FOR_A_STRANGER)
    org.wire.reset_counts()
    with pytest.raises(NotAMemberError) as raised:
        org.manager().plan(desired)
    assert raised.value.users == [201, 999]
    message = str(raised.value)
    assert "member 201: not a member of the organization (404 " in message
    assert "Membership for user with id 999 within organization id 1 not found" in message
    assert org.wire.writes == 0
    # Without the check the apply would create the option and the TEXT value, then fail on the
    # assignments: a partial apply. The same file without the strangers applies whole.
    org.converge(with_edits(org, NEW_OPTION_FOR_A_STRANGER[:1]))


def test_the_membership_check_reads_only_for_users_who_hold_nothing_yet(org: Org) -> None:
    desired = with_edits(org, [("members:\n", "members:\n  104:\n    department: sales\n")])
    plain = with_edits(org, [])
    org.wire.reset_counts()
    org.manager().plan(plain)
    reads = org.wire.reads
    org.wire.reset_counts()
    plan = org.manager().plan(desired)  # 104 holds nothing: one read of their history
    assert org.wire.reads == reads + 1
    assert [c.user_id for c in plan.changes if isinstance(c, Assign)] == [104]


def history_answers(status: int, message: str) -> Callable[[httpx.Request, httpx.Response], httpx.Response]:
    """A Wire rewrite: every assignment-history read answered with ``status`` and ``message``: in
    Cal.com's envelope for a 4xx (a NestJS HttpException), NestJS's plain body for a 5xx."""

    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        path = request.url.path
        if not path.endswith("/history"):
            return response
        text = message.format(path=path)
        body = http_error(status, text, path).body if status < 500 else {"statusCode": status, "message": text}
        return httpx.Response(status, json=body, request=request)

    return rewrite


ONE_AT_A_TIME = replace(FAST, concurrency=1)  # so "stops after the first" is one read, not one per slot
NEWCOMERS = [("members:\n", "members:\n  201:\n    department: sales\n  999:\n    office: Atlantis\n")]


def test_a_server_without_the_history_route_does_not_refuse_the_plan(org: Org) -> None:
    # Not a membership answer: NestJS's 404 for an unknown route says nothing about the user.
    org.wire.rewrite = history_answers(404, "Cannot GET {path}")
    plan = org.manager(ONE_AT_A_TIME).plan(with_edits(org, NEWCOMERS))
    assert sorted(c.user_id for c in plan.changes if isinstance(c, Assign)) == [201, 999]
    [warning] = plan.warnings
    assert warning.startswith("membership not checked for 2 of 2 users holding nothing yet")
    assert "Cannot GET /v2/organizations/1/attributes/assignments/201/history" in warning
    assert org.wire.statuses.count(404) == 1  # the first such answer stops the check


@pytest.mark.parametrize("status", [400, 500])
def test_a_history_read_that_fails_leaves_membership_unknown_and_the_plan_goes_on(org: Org, status: int) -> None:
    org.wire.rewrite = history_answers(status, "something else went wrong")
    plan = org.manager().plan(with_edits(org, [("members:\n", "members:\n  201:\n    department: sales\n")]))
    assert [c.user_id for c in plan.changes if isinstance(c, Assign)] == [201]
    [warning] = plan.warnings
    assert warning.startswith("membership not checked for 1 of 1 user holding nothing yet (")
    assert "something else went wrong" in warning


def test_the_membership_check_reads_the_smallest_page(org: Org) -> None:
    org.manager().plan(with_edits(org, [("members:\n", "members:\n  104:\n    department: sales\n")]))
    assert history_queries(org.server) == ["limit=1"]


def test_a_key_that_may_not_read_histories_is_asked_once_and_the_plan_goes_on_saying_so(org: Org) -> None:
    # The member's key reads attributes but not histories (admin): membership is then unknown.
    @asynccontextmanager
    async def operations() -> AsyncIterator[OrgOperations]:
        async with AsyncCalAttributes(
            api_key=MEMBER_KEY, org_id=1, base_url="http://mock.test", httpx_args={"transport": org.wire}
        ) as cal:
            yield AsyncSdkOperations(cal)

    desired = with_edits(org, [("members:\n", "members:\n  104:\n    department: sales\n"), *NEWCOMERS])
    plan = StateManager(operations, ONE_AT_A_TIME, org_id=1).plan(desired)
    assert sorted(c.user_id for c in plan.changes if isinstance(c, Assign)) == [104, 201, 999]
    assert org.wire.statuses.count(403) == 1  # not one per newcomer
    [warning] = plan.warnings
    assert warning.startswith("membership not checked for 3 of 3 users holding nothing yet (the key may not")
    assert "readAuditLogs" in warning
    assert f"warning: {warning}\n" in PAGE.read_text(encoding="utf-8")  # the example shown there


def test_check_members_false_reads_no_history_and_does_not_refuse(org: Org) -> None:
    plan = org.manager().plan(with_edits(org, NEWCOMERS), check_members=False)
    assert sorted(c.user_id for c in plan.changes if isinstance(c, Assign)) == [201, 999]
    assert history_queries(org.server) == [] and plan.warnings == ()


def test_a_user_given_only_empty_values_is_not_checked(org: Org) -> None:
    # 201 is no member, but a file that gives them nothing plans nothing for them: no read.
    plan = org.manager().plan(with_edits(org, [("members:\n", "members:\n  201:\n    department: []\n")]))
    assert history_queries(org.server) == [] and not plan.has_changes


@pytest.mark.parametrize(
    ("status", "message", "not_a_member"),
    [
        (404, "Membership for user with id 7 within organization id 1 not found", True),  # no membership row
        (404, "User is not a member of the organization", True),  # a membership not accepted
        (404, "Cannot GET /v2/organizations/1/attributes/assignments/7/history", False),  # no such route
        (404, "Attribute not found", False),
        (403, "RolesGuard - User is not a member of the organization with id=1.", False),  # the caller, not the user
        (None, None, False),  # no answer (the network)
    ],
)
def test_only_a_404_about_membership_says_not_a_member(
    status: int | None, message: str | None, not_a_member: bool
) -> None:
    # The server's own message decides, not str(error), which also holds the URL and request id.
    error = OperationError(
        f"{status}: {message} (GET /membership-for-user-not-a-member)", status=status, server_message=message
    )
    assert says_not_a_member(error) is not_a_member
