"""The seed format: the demo seed loads; a bad seed is refused with a message naming the problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cal_attributes_mock import SeedError, create_mock, demo_seed, load_seed, parse_seed

MINIMAL: dict[str, Any] = {
    "organizations": [{"id": 1, "name": "Acme"}],
    "teams": [{"id": 10, "name": "Sales", "parentId": 1}],
    "users": [{"id": 101, "email": "owner@acme.test", "apiKey": "cal_owner"}],
    "memberships": [{"userId": 101, "teamId": 1, "role": "OWNER"}],
    "attributes": [
        {
            "id": "a1",
            "orgId": 1,
            "name": "Department",
            "slug": "department",
            "type": "SINGLE_SELECT",
            "options": [
                {"id": "o1", "value": "Engineering", "slug": "engineering"},
                {"value": "Sales", "slug": "sales"},
            ],
        }
    ],
    "assignments": [{"userId": 101, "orgId": 1, "optionId": "o1", "weight": 3}],
    "oauthClients": [{"id": "client", "secret": "secret", "orgId": 1}],
}


def test_the_demo_seed_has_what_the_readme_promises() -> None:
    seed = demo_seed()
    assert [o.id for o in seed.organizations] == [1, 2]
    roles = {(m.user_id, m.team_id): m.role for m in seed.memberships}
    assert roles[(101, 1)] == "OWNER" and roles[(102, 1)] == "ADMIN" and roles[(103, 1)] == "MEMBER"
    assert any(t.parent_id is None for t in seed.teams) and any(t.parent_id == 1 for t in seed.teams)
    assert len(seed.attributes) >= 4 and seed.assignments and seed.sync_runs and seed.oauth_clients


def test_defaults_and_generated_ids() -> None:
    seed = parse_seed(MINIMAL)
    assert seed.organizations[0].admin_api_enabled is True and seed.memberships[0].accepted is True
    server = create_mock(seed)
    generated = [o for o in server.store.options.values() if o.value == "Sales"]
    assert len(generated) == 1 and len(generated[0].id) == 36
    assert create_mock(parse_seed(MINIMAL)).store.options.keys() == server.store.options.keys()  # deterministic


def broken(change: str) -> dict[str, Any]:
    seed = copy.deepcopy(MINIMAL)
    exec(change, {"seed": seed})
    return seed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("seed['colour'] = 1", "seed: unknown key 'colour'"),
        ("del seed['users']", "seed: missing required key 'users'"),
        ("seed['users'][0]['nickname'] = 'x'", "users[0]: unknown key 'nickname'"),
        ("seed['users'][0]['apiKey'] = 'key'", "users[0].apiKey: an API key starts with 'cal_'"),
        ("seed['users'][0]['id'] = '101'", 'users[0].id: must be int, got "101"'),
        (
            "seed['users'][0]['apiKeyExpiresAt'] = 'soon'",
            "users[0].apiKeyExpiresAt: 'soon' is not an ISO 8601 date-time",
        ),
        ("seed['memberships'][0]['teamId'] = 99", "memberships[0].teamId: 99 is neither an organization nor a team"),
        ("seed['memberships'][0]['userId'] = 7", "memberships[0].userId: no user has id 7"),
        ("seed['memberships'][0]['role'] = 'BOSS'", "memberships[0].role: 'BOSS' is not one of MEMBER, ADMIN, OWNER"),
        ("seed['teams'][0]['parentId'] = 10", "teams[0].parentId: 10 is not an organization id"),
        ("seed['teams'][0]['id'] = 1", "organizations and teams: id: duplicate 1"),
        (
            "seed['attributes'].append(dict(seed['attributes'][0], id='a2', options=[]))",
            "attributes: (orgId, slug): duplicate (1, 'department')",
        ),
        ("seed['attributes'][0]['type'] = 'COLOUR'", "attributes[0].type: 'COLOUR' is not one of"),
        ("seed['attributes'][0]['orgId'] = 10", "attributes[0].orgId: 10 is not an organization id"),
        ("seed['attributes'][0]['options'][1]['id'] = 'o1'", "attributes[0].options[1].id: duplicate 'o1'"),
        ("seed['assignments'][0]['optionId'] = 'o9'", "assignments[0].optionId: no option has id 'o9'"),
        ("seed['assignments'][0]['userId'] = 5", "assignments[0]: user 5 is not a member of organization 1"),
        ("seed['assignments'][0]['weight'] = -1", "assignments[0].weight: must be 0 or more"),
        ("seed['oauthClients'][0]['orgId'] = 10", "oauthClients[0].orgId: 10 is not an organization id"),
        ("seed['syncRuns'] = [{'id': 'x'}]", "syncRuns[0]: 'provider' is a required property"),
    ],
)
def test_an_invalid_seed_is_refused_with_a_message_naming_the_problem(change: str, message: str) -> None:
    with pytest.raises(SeedError) as raised:
        parse_seed(broken(change))
    assert message in str(raised.value)


def test_load_seed_reports_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(SeedError, match="not valid JSON"):
        load_seed(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(MINIMAL))
    assert load_seed(good).users[0].email == "owner@acme.test"
