"""Throughput and latency of the mock against Prism and a bare Starlette route, in one run.

Usage: python benchmarks/mock_throughput.py [--seconds 10] [--connections 16]
Needs wrk (apt-get install wrk) and Prism (npm ci --prefix benchmarks).

Seed: 100 attributes, 1,000 options, 5,000 assignments over 1,000 users. Endpoints: GET
/attributes (all 100) and GET /attributes/{id}/options/assigned (an attribute's 10 options with
their holders). Each server runs as one process; wrk runs one thread, so server and load
generator get a core each.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
from servers import bare, mock, prism, running, write_json

KEY = "cal_bench_owner"
ORG = 1


def realistic_seed() -> dict[str, Any]:
    rng = random.Random(7)
    users = [{"id": 1, "email": "owner@bench.test", "apiKey": KEY}] + [
        {"id": 1000 + i, "email": f"user{i}@bench.test"} for i in range(1000)
    ]
    attributes, option_ids = [], []
    for a in range(100):
        options = []
        for o in range(10):
            option_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            option_ids.append(option_id)
            options.append({"id": option_id, "value": f"Value {a}.{o}", "slug": f"value-{a}-{o}"})
        attributes.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "orgId": ORG,
                "name": f"Attribute {a}",
                "slug": f"attribute-{a}",
                "type": "MULTI_SELECT",
                "options": options,
            }
        )
    pairs: set[tuple[int, str]] = set()
    while len(pairs) < 5000:
        pairs.add((1000 + rng.randrange(1000), rng.choice(option_ids)))
    return {
        "organizations": [{"id": ORG, "name": "Bench"}],
        "users": users,
        "memberships": [{"userId": 1, "teamId": ORG, "role": "OWNER"}]
        + [{"userId": u["id"], "teamId": ORG} for u in users[1:]],
        "attributes": attributes,
        "assignments": [{"userId": u, "orgId": ORG, "optionId": o} for u, o in sorted(pairs)],
    }


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {KEY}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    seed = realistic_seed()
    attribute_id = seed["attributes"][0]["id"]
    paths = {
        "GET /attributes": f"/v2/organizations/{ORG}/attributes",
        "GET assigned options": f"/v2/organizations/{ORG}/attributes/{attribute_id}/options/assigned",
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        seed_file = write_json(Path(scratch) / "seed.json", seed)
        command, port = mock(seed_file)
        with running(command, port) as url:
            bodies = {
                path: httpx.get(url + path, headers={"Authorization": f"Bearer {KEY}"}).text for path in paths.values()
            }
            results["mock"] = {name: wrk(url + path, args.seconds, args.connections) for name, path in paths.items()}
        responses_file = write_json(Path(scratch) / "responses.json", bodies)
        command, port = bare(responses_file)
        with running(command, port) as url:
            results["bare Starlette"] = {
                name: wrk(url + path, args.seconds, args.connections) for name, path in paths.items()
            }
        command, port = prism()
        with running(command, port) as url:
            results["Prism"] = {name: wrk(url + path, args.seconds, args.connections) for name, path in paths.items()}
    print(f"{'server':<16} {'endpoint':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for server, by_endpoint in results.items():
        for name, r in by_endpoint.items():
            print(
                f"{server:<16} {name:<22} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['errors']:>8.0f}"
            )
    print()
    for name in paths:
        m, b, p = (results[s][name]["rps"] for s in ("mock", "bare Starlette", "Prism"))
        print(f"{name}: mock/Prism = {m / p:.2f}x (target >= 1.5x), mock/bare = {m / b:.0%} (target >= 70%)")


if __name__ == "__main__":
    main()
