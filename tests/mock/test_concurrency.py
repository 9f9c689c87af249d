"""Many threads writing at once leave the state a serial run would, and get no 5xx."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from cal_attributes_mock import create_mock, parse_seed
from cal_attributes_mock.serve import serve_in_thread

WORKERS = 16
USERS = range(1000, 1000 + WORKERS)
SHARED_OPTION = "00000000-0000-4000-8000-000000000001"
ATTRIBUTE = "00000000-0000-4000-8000-0000000000aa"
DOOMED = "00000000-0000-4000-8000-0000000000bb"


def seed() -> dict[str, Any]:
    return {
        "organizations": [{"id": 1, "name": "Acme"}],
        "users": [{"id": 1, "email": "owner@x.test", "apiKey": "cal_owner"}]
        + [{"id": u, "email": f"u{u}@x.test"} for u in USERS],
        "memberships": [{"userId": 1, "teamId": 1, "role": "OWNER"}] + [{"userId": u, "teamId": 1} for u in USERS],
        "attributes": [
            {
                "id": ATTRIBUTE,
                "orgId": 1,
                "name": "Skills",
                "slug": "skills",
                "type": "MULTI_SELECT",
                "options": [{"id": SHARED_OPTION, "value": "Shared", "slug": "shared"}],
            },
            {"id": DOOMED, "orgId": 1, "name": "Doomed", "slug": "doomed", "type": "TEXT", "options": []},
        ],
    }


def worker(url: str, index: int, user: int) -> list[int]:
    """Each worker: its own option assigned to its user and reweighted, then a contended write."""
    base = f"{url}/v2/organizations/1/attributes"
    statuses = []
    with httpx.Client(headers={"Authorization": "Bearer cal_owner"}, timeout=30) as http:
        own = http.post(f"{base}/{ATTRIBUTE}/options", json={"value": f"Skill {index}", "slug": f"skill-{index}"})
        statuses.append(own.status_code)
        option_id = own.json()["data"]["id"]
        statuses.append(
            http.post(
                f"{base}/options/{user}", json={"attributeId": ATTRIBUTE, "attributeOptionId": option_id}
            ).status_code
        )
        statuses.append(http.patch(f"{base}/options/{user}/{option_id}", json={"weight": index}).status_code)
        shared = http.post(
            f"{base}/options/{user}", json={"attributeId": ATTRIBUTE, "attributeOptionId": SHARED_OPTION}
        )
        statuses.append(shared.status_code)
        if index % 2:
            statuses.append(http.delete(f"{base}/options/{user}/{SHARED_OPTION}").status_code)
        statuses.append(http.post(f"{base}/options/1", json={"attributeId": DOOMED, "value": f"v{index}"}).status_code)
        if index == WORKERS // 2:
            statuses.append(http.delete(f"{base}/{DOOMED}").status_code)
        statuses.append(
            http.post(base, json={"name": "Race", "slug": "race", "type": "TEXT", "options": []}).status_code
        )
    return statuses


def final_state(url: str) -> dict[str, Any]:
    base = f"{url}/v2/organizations/1/attributes"
    with httpx.Client(headers={"Authorization": "Bearer cal_owner"}, timeout=30) as http:
        attributes = sorted(a["slug"] for a in http.get(base).json()["data"])
        holdings = {
            user: sorted(o["value"] for o in http.get(f"{base}/options/{user}").json()["data"]) for user in [1, *USERS]
        }
        assigned = http.get(f"{base}/{ATTRIBUTE}/options/assigned").json()["data"]
    weights = {o["value"]: sorted(o["assignedUserIds"]) for o in assigned}
    return {"attributes": attributes, "holdings": holdings, "assigned": weights}


def run(concurrently: bool) -> tuple[dict[str, Any], Counter[int]]:
    server = create_mock(parse_seed(seed()))
    with serve_in_thread(server) as url:
        jobs = list(enumerate(USERS))
        if concurrently:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                results = list(pool.map(lambda job: worker(url, *job), jobs))
        else:
            results = [worker(url, *job) for job in jobs]
        return final_state(url), Counter(status for statuses in results for status in statuses)


def test_concurrent_writes_end_in_the_serial_state_without_server_errors() -> None:
    serial_state, serial_statuses = run(concurrently=False)
    parallel_state, parallel_statuses = run(concurrently=True)
    assert not [s for s in parallel_statuses if s >= 500]
    assert parallel_state["attributes"] == serial_state["attributes"] == ["race", "skills"]
    assert parallel_state["assigned"] == serial_state["assigned"]
    assert parallel_state["holdings"] == serial_state["holdings"]
    # Contended writes: one attribute "race" and one shared assignment per user, whatever the order.
    assert parallel_statuses[409] == serial_statuses[409] == WORKERS - 1
    assert sorted(parallel_state["assigned"]["Shared"]) == [u for i, u in enumerate(USERS) if not i % 2]


def test_store_methods_called_from_threads_directly_stay_consistent() -> None:
    # Without the event loop in between: threads interleave inside the store itself.
    from cal_attributes_mock.store import Caller, PrismaFailure

    server = create_mock(parse_seed(seed()))
    store = server.store
    caller = Caller(store.users[1])
    rounds = 200

    def churn(user: int) -> int:
        conflicts = 0
        for _ in range(rounds):
            try:
                store.assign(1, user, {"attributeId": ATTRIBUTE, "attributeOptionId": SHARED_OPTION}, caller)
            except PrismaFailure:
                conflicts += 1
            store.unassign(1, user, SHARED_OPTION, caller)
        return conflicts

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        conflicts = list(pool.map(churn, USERS))
    assert conflicts == [0] * WORKERS  # each user's own assign/unassign pairs never collide
    assert not [key for key in store.assignments if key[1] == SHARED_OPTION]
    assert sum(len(entries) for entries in store.history.values()) == WORKERS * rounds * 2
