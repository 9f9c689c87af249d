"""Throughput and latency of the mock against Prism and two bare apps, in one run.

Usage: python benchmarks/mock_throughput.py [--seconds 3] [--rounds 3] [--connections 16]
Needs wrk (apt-get install wrk) and Prism (npm ci --prefix benchmarks).

Seed: 100 attributes, 1,000 options, 5,000 assignments over 1,000 users. Loads: GET /attributes
(all 100), GET /attributes/{id}/options/assigned (an attribute's 10 options with their holders),
and a write mix: POST assign / DELETE unassign of one option for 500 users in turn (each pair
500 requests apart, so 16 connections never reorder a pair). The bare apps answer the same
bytes on the same stack (uvicorn + uvloop + httptools): "bare route" as a route of a bare
Starlette app (how the issue's own figures were measured), "bare ASGI" as one ASGI callable
with no framework (the least any server can do). The floor (``mock_request_cost.py``) is
a cached read's necessary work written inline, served on the mock's own stack: how close any
mock doing that work can come to the bare app. All servers run at once, each in its own
process; rounds interleave the servers and the median of the rounds is reported, with each
server's CPU time per request (less sensitive than req/s to what else the machine runs).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from servers import bare, cpu_seconds, floor, mock, prism, running_process, write_json

KEY = "cal_bench_owner"
ORG = 1
MIX_ATTRIBUTE = "00000000-0000-4000-8000-00000000a001"
MIX_OPTION = "00000000-0000-4000-8000-00000000b001"
MIX_USERS = 500
MIX_SCRIPT = """
local n = -1 -- wrk 4.1 calls request() once before the run, to prime the connection buffers
local headers = {["Authorization"] = "Bearer %(key)s", ["Content-Type"] = "application/json"}
local body = '{"attributeId":"%(attribute)s","attributeOptionId":"%(option)s"}'
request = function()
  local step = n %% (2 * %(users)d)
  n = n + 1
  local path = "/v2/organizations/%(org)d/attributes/options/" .. (1000 + step %% %(users)d)
  if step < %(users)d then
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("DELETE", path .. "/%(option)s", headers)
end
"""


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
    attributes.append(
        {
            "id": MIX_ATTRIBUTE,
            "orgId": ORG,
            "name": "Mix",
            "slug": "mix",
            "type": "MULTI_SELECT",
            "options": [{"id": MIX_OPTION, "value": "Mixed", "slug": "mixed"}],
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


def wrk(url: str, seconds: int, connections: int, script: Path | None, pid: int) -> dict[str, float]:
    """One load: requests per second, latency, non-2xx count, and the server's CPU time per request."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {KEY}"]
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(
        [*command, *(["-s", str(script)] if script else []), url], capture_output=True, text=True, check=True
    ).stdout
    cpu_after = cpu_seconds(pid)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    cpu = (cpu_after - cpu_before) / total * 1e6 if cpu_before is not None and cpu_after is not None else math.nan
    return {
        "rps": rps,
        "cpu_us": cpu,
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    seed = realistic_seed()
    attribute_id = seed["attributes"][0]["id"]
    loads = {
        "GET /attributes": f"/v2/organizations/{ORG}/attributes",
        "GET assigned options": f"/v2/organizations/{ORG}/attributes/{attribute_id}/options/assigned",
        "POST assign/DELETE mix": "/",
    }
    servers = ("mock", "floor", "bare route", "bare ASGI", "Prism")
    floor_loads = ("GET /attributes",)  # the floor is written for a cached read only
    results: dict[str, dict[str, list[dict[str, float]]]] = {s: {name: [] for name in loads} for s in servers}
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        script = Path(scratch) / "mix.lua"
        script.write_text(
            MIX_SCRIPT % {"key": KEY, "attribute": MIX_ATTRIBUTE, "option": MIX_OPTION, "users": MIX_USERS, "org": ORG}
        )
        seed_file = write_json(Path(scratch) / "seed.json", seed)
        mock_url, mock_process = stack.enter_context(running_process(*mock(seed_file)))
        floor_url, floor_process = stack.enter_context(running_process(*floor(seed_file)))
        bodies = {f"GET {path}": _body(mock_url, "GET", path) for name, path in loads.items() if name.startswith("GET")}
        mix_user = f"/v2/organizations/{ORG}/attributes/options/1000"
        bodies["POST *"] = _body(
            mock_url, "POST", mix_user, {"attributeId": MIX_ATTRIBUTE, "attributeOptionId": MIX_OPTION}
        )
        bodies["DELETE *"] = _body(mock_url, "DELETE", f"{mix_user}/{MIX_OPTION}")
        responses = write_json(Path(scratch) / "responses.json", bodies)
        bare_url, bare_process = stack.enter_context(running_process(*bare(responses)))
        route_url, route_process = stack.enter_context(running_process(*bare(responses, starlette=True)))
        prism_url, prism_process = stack.enter_context(running_process(*prism()))
        urls = {
            "mock": mock_url,
            "floor": floor_url,
            "bare route": route_url,
            "bare ASGI": bare_url,
            "Prism": prism_url,
        }
        processes = {
            "mock": mock_process,
            "floor": floor_process,
            "bare route": route_process,
            "bare ASGI": bare_process,
            "Prism": prism_process,
        }
        pids = {server: process.pid for server, process in processes.items()}
        for _ in range(args.rounds):  # interleaved: every server sees the same machine load
            for name, path in loads.items():
                for server in servers:
                    if server == "floor" and name not in floor_loads:
                        continue
                    mix = script if name.startswith("POST") else None
                    if mix and server == "mock":  # a run may stop between a POST and its DELETE
                        httpx.post(urls[server] + "/_mock/reset").raise_for_status()
                    results[server][name].append(
                        wrk(urls[server] + path, args.seconds, args.connections, mix, pids[server])
                    )
    medians = {
        s: {n: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for n, runs in by.items() if runs}
        for s, by in results.items()
    }
    print(
        f"{'server':<11} {'load':<24} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8} {'CPU us/req':>11}"
        f"  (medians of {args.rounds} rounds)"
    )
    for server, by_load in medians.items():
        for name, r in by_load.items():
            print(
                f"{server:<11} {name:<24} {r['rps']:>8.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['errors']:>8.0f}"
                f" {r['cpu_us']:>11.1f}"
            )
    print()
    for name in loads:
        m, route, b, p = (medians[s][name]["rps"] for s in ("mock", "bare route", "bare ASGI", "Prism"))
        print(
            f"{name}: mock/Prism = {m / p:.2f}x (target >= 4x), mock/bare route = {m / route:.2f} (target >= 0.85), "
            f"mock/bare ASGI callable = {m / b:.2f}"
        )
    # Requests per second move with whatever else the machine runs; the server's CPU time per
    # request much less: its inverse ratio is what the throughput ratio tends to on a quiet machine.
    for name in loads:
        m, route, b, p = (medians[s][name]["cpu_us"] for s in ("mock", "bare route", "bare ASGI", "Prism"))
        print(
            f"{name}: by server CPU per request, bare route/mock = {route / m:.2f}, "
            f"bare ASGI callable/mock = {b / m:.2f}, Prism/mock = {p / m:.2f}"
        )
    for name in floor_loads:
        least, baseline = medians["floor"][name], medians["bare ASGI"][name]
        print(
            f"{name}: the floor (a cached read's necessary work on the mock's stack) / bare = "
            f"{least['rps'] / baseline['rps']:.2f} by req/s, "
            f"{baseline['cpu_us'] / least['cpu_us']:.2f} by CPU per request"
        )
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _body(url: str, method: str, path: str, json: Any = None) -> str:
    response = httpx.request(method, url + path, json=json, headers={"Authorization": f"Bearer {KEY}"})
    response.raise_for_status()
    return response.text


if __name__ == "__main__":
    main()
