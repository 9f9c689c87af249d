"""The mock at scale: reads cost what they return, not the size of the store; the store builds
fast; memory stays bounded under endless writes.

Usage: python benchmarks/mock_scale.py [--rounds 7] [--requests 300] [--writes 100000]

Stores of 1,000 and 100,000 assignments with the same shape: attributes of 10 options, each
option held by 10 users, each user holding 10 options, one team of 20 users. Every read asks
for the same amount of data at both sizes. Requests go straight into the ASGI app (no sockets:
the store's cost is measured, not the network's; each read is rendered afresh, as after a
write, not served from the mock's read cache); the two stores alternate round by round and
the median of the rounds is reported. Then: seconds to parse the 100k seed and build its
store, and the growth of resident memory over 100,000 writes (assign/unassign pairs).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

from cal_attributes_mock import MockServer, create_mock, parse_seed

KEY = "cal_bench_owner"
ORG = 1
TEAM = 10
HEADERS = [(b"authorization", b"Bearer " + KEY.encode()), (b"content-type", b"application/json")]


def seed(assignments: int) -> dict[str, Any]:
    """``assignments`` assignments: attributes of 10 options, 10 holders an option, 10 options a user."""
    attribute_count, user_count = assignments // 100, assignments // 10
    ids = (str(uuid.UUID(int=n, version=4)) for n in range(1, 10**9))
    attributes: list[dict[str, Any]] = [
        {
            "id": next(ids),
            "orgId": ORG,
            "name": f"Attribute {a}",
            "slug": f"attribute-{a}",
            "type": "MULTI_SELECT",
            "options": [{"id": next(ids), "value": f"Value {a}.{o}", "slug": f"value-{a}-{o}"} for o in range(10)],
        }
        for a in range(attribute_count)
    ]
    users = [{"id": 1, "email": "owner@bench.test", "apiKey": KEY}] + [
        {"id": 1000 + u, "email": f"user{u}@bench.test"} for u in range(user_count)
    ]
    held = []  # user u holds option u % 10 of attributes (u // 10) * 10 ... + 9, wrapping around
    for u in range(user_count):
        for k in range(10):
            attribute = attributes[((u // 10) * 10 + k) % attribute_count]
            held.append({"userId": 1000 + u, "orgId": ORG, "optionId": attribute["options"][u % 10]["id"]})
    memberships = [{"userId": 1, "teamId": ORG, "role": "OWNER"}]
    memberships += [{"userId": 1000 + u, "teamId": ORG} for u in range(user_count)]
    memberships += [{"userId": 1000 + u, "teamId": TEAM} for u in range(0, user_count, user_count // 20)]
    return {
        "organizations": [{"id": ORG, "name": "Bench"}],
        "teams": [{"id": TEAM, "name": "Team", "parentId": ORG}],
        "users": users,
        "memberships": memberships,
        "attributes": attributes,
        "assignments": held,
    }


async def request(server: MockServer, method: str, target: str, body: bytes = b"") -> int:
    """One request straight into the ASGI app; its status."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": HEADERS,
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop()

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        status = message.get("status", status)

    await server(scope, receive, send)
    return status


def reads(data: dict[str, Any]) -> dict[str, str]:
    """The benchmarked reads, each returning the same amount of data at any store size."""
    attribute = data["attributes"][0]
    option = attribute["options"][0]["id"]
    base = f"/v2/organizations/{ORG}/attributes"
    return {
        "GET /attributes?take=10": f"{base}?take=10",
        "assigned options": f"{base}/{attribute['id']}/options/assigned",
        "assignedOptionIds filter": f"{base}/{attribute['id']}/options/assigned?assignedOptionIds={option}",
        "teamIds filter": f"{base}/{attribute['id']}/options/assigned?teamIds={TEAM}",
        "a user's options": f"{base}/options/1000",
    }


async def time_reads(server: MockServer, paths: dict[str, str], count: int) -> dict[str, float]:
    """Microseconds per request of each read."""
    timings = {}
    for name, path in paths.items():
        start = time.perf_counter()
        for _ in range(count):
            server.store.version += 1  # as after a write: each read is rendered afresh, not served from the cache
            assert await request(server, "GET", path) == 200, name
        timings[name] = (time.perf_counter() - start) / count * 1e6
    return timings


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


async def write_growth(writes: int) -> tuple[float, int]:
    """Resident memory grown over ``writes`` writes, and the audit entries kept."""
    data = seed(1000)
    server = create_mock(parse_seed(data))
    attribute = data["attributes"][0]
    option = attribute["options"][5]["id"]  # user 1000 does not hold it
    assign = f'{{"attributeId":"{attribute["id"]}","attributeOptionId":"{option}"}}'.encode()
    user = f"/v2/organizations/{ORG}/attributes/options/1000"
    gc.collect()
    before = rss_mb()
    for _ in range(writes // 2):
        assert await request(server, "POST", user, assign) == 201
        assert await request(server, "DELETE", f"{user}/{option}") == 200
    gc.collect()
    return rss_mb() - before, sum(len(entries) for entries in server.store.history.values())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--writes", type=int, default=100_000)
    args = parser.parse_args()

    small_data, large_data = seed(1_000), seed(100_000)
    start, cpu_start = time.perf_counter(), time.process_time()
    large = create_mock(parse_seed(large_data))
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    small = create_mock(parse_seed(small_data))
    paths = {"1k": reads(small_data), "100k": reads(large_data)}
    servers = {"1k": small, "100k": large}
    rounds: dict[str, list[dict[str, float]]] = {"1k": [], "100k": []}
    for _ in range(args.rounds):  # interleaved: both sizes see the same machine load
        for size in ("1k", "100k"):
            rounds[size].append(await time_reads(servers[size], paths[size], args.requests))

    print(f"{'read':<28} {'1k µs':>8} {'100k µs':>8} {'ratio':>6}  (target <= 1.3)")
    for name in paths["1k"]:
        small_us = statistics.median(r[name] for r in rounds["1k"])
        large_us = statistics.median(r[name] for r in rounds["100k"])
        print(f"{name:<28} {small_us:>8.0f} {large_us:>8.0f} {large_us / small_us:>6.2f}")
    print(f"\n100k-assignment seed parsed and store built: {build:.2f} s wall, {build_cpu:.2f} s CPU (target < 2 s)")
    del large, servers
    growth, kept = await write_growth(args.writes)
    print(f"RSS growth over {args.writes:,} writes: {growth:.1f} MB; audit entries kept: {kept:,}")


if __name__ == "__main__":
    asyncio.run(main())
