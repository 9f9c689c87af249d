"""What a test using the ``cal`` fixture costs against the floor: the same client on
``httpx.MockTransport`` with a canned answer. Side by side, interleaved, in one run.

Usage: python benchmarks/testkit_overhead.py

Each sample is one test's work: the fixture's setup (a fresh mock for the test, the bound client),
one call listing the attributes of organization 1, the client closed. pytest's own per-test cost
is the same on every side and left out. Three sides:

- ``cal``: what the plugin does: ``MockSession.checkout`` builds a fresh mock for every test
  (``TestkitApp(create_mock(seed))``) from the session's cached parsed seed; the spec-derived
  validators are compiled once per process and shared; the client calls the mock in-process;
- ``cal, seed parsed per test``: the same without the session's seed cache (the demo seed read
  and parsed again for every test), which shows what the cache saves;
- ``floor``: ``CalAttributes`` on ``httpx.MockTransport`` answering a canned page of 4 attributes.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cal_attributes import CalAttributes
from cal_attributes_mock import create_mock
from cal_attributes_mock.seed import demo_seed
from cal_attributes_mock.testkit import CalMock, InProcessTransport, MockSession, TestkitApp

ROUNDS = 15
PER_ROUND = 40
TARGET = 10.0


def one_call(cal: CalAttributes) -> int:
    return len(cal.attributes.list().items)  # one page: the organization has 4 attributes


def kit_test(session: MockSession) -> int:
    mock = session.checkout()
    with mock.client() as cal:
        return one_call(cal)


def uncached_seed_test(session: MockSession) -> int:
    seed = demo_seed()
    mock = CalMock(TestkitApp(create_mock(seed)), seed, session)
    with mock.client() as cal:
        return one_call(cal)


def floor_test(canned: bytes) -> int:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=canned, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(answer)
    with CalAttributes("cal_bench", org_id=1, base_url="http://cal.test", httpx_args={"transport": transport}) as cal:
        return one_call(cal)


def per_test(work: Callable[[], int]) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        work()
    return (time.perf_counter() - start) / PER_ROUND


def main() -> None:
    session = MockSession()
    mock = session.checkout()
    canned = _canned_page(mock)
    sides: dict[str, Callable[[], int]] = {
        "cal": lambda: kit_test(session),
        "cal, seed parsed per test": lambda: uncached_seed_test(session),
        "floor (MockTransport)": lambda: floor_test(canned),
    }
    assert {work() for work in sides.values()} == {4}
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(ROUNDS):  # interleaved: each round measures every side once
        for name, work in sides.items():
            samples[name].append(per_test(work))
    floor = statistics.median(samples["floor (MockTransport)"])
    print(f"{'side':<28}{'median ms/test':>16}{'ratio to floor':>16}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<28}{median * 1000:>16.3f}{median / floor:>15.2f}x")
    ratio = statistics.median(samples["cal"]) / floor
    print(f"cal / floor = {ratio:.2f}x (target <= {TARGET:g}x): {'ok' if ratio <= TARGET else 'MISSED'}")
    session.close()


def _canned_page(mock: CalMock) -> bytes:
    """The mock's own answer, so both sides decode the same bytes."""
    headers = {"Authorization": f"Bearer {mock.keys['admin']}"}
    with httpx.Client(base_url="http://m", headers=headers, transport=InProcessTransport(mock.app)) as http:
        return http.get("/v2/organizations/1/attributes").content


if __name__ == "__main__":
    main()
