"""Attributes as code at scale: requests made against the minimum, and wall time against the rate floor.

Usage: python benchmarks/state_apply.py [--rounds 3] [--per-minute 30000]

Seed: one organization with 1,000 members and 5 SINGLE_SELECT attributes of 4 options each; every
member holds an option of 4 of them. The state file gives each member an option of the fifth
("team"): 1,000 assignment changes. The mock runs as its own process on 127.0.0.1 (so it does not
share the client's interpreter), reset before each round.

- requests / minimum: every request the plan and the apply send (counted on the wire, retries
  included), against the pages a reader needs (1 of attributes + per attribute 1 of options and
  1 of assigned options) plus the changes. Target 1.0.
- wall time / rate floor: plan + apply time against requests / allowed rate (--max-per-minute,
  raised here so the run is short). Target at most 1.1.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from servers import mock, running, write_json

from cal_attributes import AsyncCalAttributes
from cal_attributes.state import AsyncStateManager, AttributeSpec, Held, OptionSpec, OrgOperations, RunSettings, State
from cal_attributes.state.sdk import AsyncSdkOperations

KEY = "cal_bench_owner"
MEMBERS = 1000
ATTRIBUTES = ("region", "level", "tier", "shift", "team")
OPTIONS = 4


def seed() -> dict[str, Any]:
    users = [{"id": 1, "email": "owner@bench.test", "apiKey": KEY}] + [
        {"id": 1000 + i, "email": f"user{i}@bench.test"} for i in range(MEMBERS)
    ]
    attributes, assignments = [], []
    for a, slug in enumerate(ATTRIBUTES):
        options = [
            {"id": str(uuid.UUID(int=a * 100 + o + 1)), "value": f"{slug} {o}", "slug": f"{slug}-{o}"}
            for o in range(OPTIONS)
        ]
        attributes.append({"orgId": 1, "name": slug.title(), "slug": slug, "type": "SINGLE_SELECT", "options": options})
        if slug != "team":
            assignments += [
                {"userId": 1000 + i, "orgId": 1, "optionId": options[i % OPTIONS]["id"]} for i in range(MEMBERS)
            ]
    return {
        "organizations": [{"id": 1, "name": "Bench"}],
        "users": users,
        "memberships": [{"userId": u["id"], "teamId": 1, "role": "OWNER" if u["id"] == 1 else "MEMBER"} for u in users],
        "attributes": attributes,
        "assignments": assignments,
    }


def desired() -> State:
    specs = tuple(
        AttributeSpec(
            slug,
            slug.title(),
            "SINGLE_SELECT",
            True,
            tuple(OptionSpec(f"{slug}-{o}", f"{slug} {o}") for o in range(OPTIONS)),
        )
        for slug in ATTRIBUTES
    )
    members = {
        1000 + i: {
            slug: (Held(f"{slug}-{i % OPTIONS}"),) if slug != "team" else (Held(f"team-{i % 3}"),)
            for slug in ATTRIBUTES
        }
        for i in range(MEMBERS)
    }
    return State(specs, members, 1)


class Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0
        self.statuses: dict[int, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        response = await self.inner.handle_async_request(request)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def one_round(url: str, per_minute: float) -> tuple[int, int, float, float]:
    wire = Counting()
    async with AsyncCalAttributes(api_key=KEY, org_id=1, base_url=url, httpx_args={"transport": wire}) as cal:

        @asynccontextmanager
        async def operations() -> AsyncIterator[OrgOperations]:
            yield AsyncSdkOperations(cal)

        manager = AsyncStateManager(operations, RunSettings(max_per_minute=per_minute), org_id=1)
        state = desired()
        started = time.perf_counter()
        plan = await manager.plan(state)
        report = await manager.apply(plan)
        wall = time.perf_counter() - started
    assert report.ok, report.stopped
    changes = len(plan.changes)
    minimum = 1 + 2 * len(ATTRIBUTES) + changes
    assert 429 not in wire.statuses, wire.statuses
    return wire.requests, minimum, wall, wire.requests / (per_minute / 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-minute", type=float, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        command, port = mock(write_json(Path(folder) / "seed.json", seed()))
        with running(command, port) as url:
            ratios = []
            for number in range(args.rounds):
                httpx.post(f"{url}/_mock/reset")
                requests, minimum, wall, floor = asyncio.run(one_round(url, args.per_minute))
                ratios.append(wall / floor)
                print(
                    f"round {number + 1}: {requests} requests, minimum {minimum} -> {requests / minimum:.3f}; "
                    f"wall {wall:.2f} s, rate floor {floor:.2f} s -> {wall / floor:.3f}"
                )
            print(f"median wall / floor: {statistics.median(ratios):.3f} (at {args.per_minute:.0f} requests a minute)")


if __name__ == "__main__":
    main()
