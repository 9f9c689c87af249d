"""The high-level client's costs against the bare minimum, side by side in one run.

Usage: python benchmarks/client_overhead.py

1. Per-call overhead of ``cal.attributes.list`` (request building, bounded read, status and retry
   checks, logging check, typed models) against raw ``httpx.Client.get(url)`` with an absolute
   URL and ``orjson.loads`` of its content, over ``httpx.MockTransport`` and over a loopback
   server: pages of 1, 20, 100 and 250 attributes. Then the same with every field of every item
   read on both sides (dict keys on the raw side, model attributes on the SDK side), for what a
   caller pays when the data is used; informational, the targets are on the first figures.
2. Decoding a 10,000-item assigned-options response (50 user ids each) into models as the SDK
   does (``AssignedOptionListResponse.from_json`` of the bytes: msgspec) against ``json.loads``
   of the same bytes.
3. Peak memory while iterating 100,000 items through a paginator against one page.
"""

from __future__ import annotations

import functools
import gc
import json
import operator
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import servers
from cal_attributes_client.models import AssignedOptionListResponse, Attribute

from cal_attributes import CalAttributes
from cal_attributes._validation import first_error

BASE = "https://api.cal.test"


def attributes(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{n:08d}-6c1d-4f3e-9a7b-2d4c6e8f0a1b",
            "teamId": 1,
            "type": "SINGLE_SELECT",
            "name": f"Attribute {n}",
            "slug": f"attribute-{n}",
            "enabled": True,
            "usersCanEditRelation": False,
            "isWeightsEnabled": False,
            "isLocked": False,
            "createdAt": "2025-11-02T09:30:00.000Z",
            "updatedAt": "2025-11-02T09:30:00.000Z",
        }
        for n in range(start, start + count)
    ]


def best_of(function: Callable[[], object], repeat: int, number: int) -> float:
    """The best mean time of one call over ``repeat`` rounds of ``number`` calls (GC on)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        timings.append((time.perf_counter() - start) / number)
    return min(timings)


def paired_rounds(
    first: Callable[[], object], second: Callable[[], object], rounds: int, number: int
) -> tuple[float, float, float]:
    """The best time of one call of each and the median ratio second/first of rounds that time
    one then the other: one after the other, the sides met other load, and this VM's load comes
    in bursts longer than a round."""
    first_times, second_times = [], []
    for _ in range(rounds):
        first_times.append(best_of(first, repeat=1, number=number))
        second_times.append(best_of(second, repeat=1, number=number))
    ratio = statistics.median(b / a for a, b in zip(first_times, second_times, strict=True))
    return min(first_times), min(second_times), ratio


def assigned_options(count: int, holders: int = 50) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{n:08d}-aaaa-4bbb-8ccc-dddddddddddd",
            "attributeId": "0b8f5e2a-6c1d-4f3e-9a7b-2d4c6e8f0a1b",
            "value": f"Value {n}",
            "slug": f"value-{n}",
            "assignedUserIds": list(range(100_000 + n, 100_000 + n + holders)),
        }
        for n in range(count)
    ]


def alternating_medians(first: Callable[[], object], second: Callable[[], object], pairs: int) -> tuple[float, float]:
    """The median time of one call of each, timed call by call in alternation (GC on).

    This VM's noise comes in bursts of seconds: alternating single calls puts both sides in the
    same bursts, and the median leaves the bursts and the GC pauses out.
    """
    first_time, second_time = interleaved_medians((first, second), pairs)
    return first_time, second_time


def interleaved_medians(calls: tuple[Callable[[], object], ...], rounds: int) -> list[float]:
    """alternating_medians for any number of sides: each round times one call of each, in turn."""
    for _ in range(100):  # warm up: caches, URL table, validators
        for call in calls:
            call()
    times: list[list[int]] = [[] for _ in calls]
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for call, timed in zip(calls, times, strict=True):
            start = clock()
            call()
            timed.append(clock() - start)
    return [statistics.median(timed) / 1e9 for timed in times]


def page_body(count: int) -> bytes:
    return json.dumps({"status": "success", "data": attributes(count)}).encode()


def raw_call(raw: httpx.Client, url: str) -> object:
    return orjson.loads(raw.get(url).content)


ATTRIBUTE_KEYS = tuple(attributes(1)[0])
read_keys = operator.itemgetter(*ATTRIBUTE_KEYS)
read_fields = operator.attrgetter(*(field.name for field in msgspec.structs.fields(Attribute)))


def raw_call_reading(raw: httpx.Client, url: str) -> list[object]:
    return [read_keys(item) for item in orjson.loads(raw.get(url).content)["data"]]


def sdk_call_reading(cal: CalAttributes, count: int) -> list[object]:
    return [read_fields(item) for item in cal.attributes.list(org_id=count, page_size=250).items]


def per_call_overhead(
    transport_name: str, base: str, counts: tuple[int, ...], pairs: int, reading: bool = False, **httpx_args: Any
) -> None:
    """Baseline: raw httpx with an absolute URL and orjson.loads (the fair floor).

    Organization ``count`` answers with a page of ``count`` attributes.
    """
    raw = httpx.Client(headers={"Authorization": "Bearer cal_k"}, **httpx_args)
    cal = CalAttributes("cal_k", base_url=base, httpx_args=httpx_args)
    for count in counts:
        url = f"{base}/v2/organizations/{count}/attributes?skip=0&take=250"
        assert len(cal.attributes.list(org_id=count, page_size=250).items) == count
        if reading:
            assert len(raw_call_reading(raw, url)) == len(sdk_call_reading(cal, count)) == count
            raw_time, client_time = alternating_medians(
                functools.partial(raw_call_reading, raw, url), functools.partial(sdk_call_reading, cal, count), pairs
            )
        else:
            raw_time, client_time = alternating_medians(
                functools.partial(raw_call, raw, url),
                functools.partial(cal.attributes.list, org_id=count, page_size=250),
                pairs=pairs,
            )
        what = "reading every field, " if reading else ""
        target = "informational" if reading else f"target <= {1.2 if count <= 20 else 1.6}x"
        print(
            f"1. per call, {what}{transport_name}, {count} attribute(s) ({len(page_body(count)) / 1000:.1f} kB): "
            f"raw httpx + orjson {raw_time * 1e6:.0f} µs, cal.attributes.list {client_time * 1e6:.0f} µs "
            f"-> {client_time / raw_time:.2f}x ({target})"
        )


def validation_cost(counts: tuple[int, ...], pairs: int) -> None:
    """What strict_response_validation=True adds to a call (MockTransport)."""
    transport = mock_transport(counts)
    plain = CalAttributes("cal_k", base_url=BASE, httpx_args={"transport": transport})
    strict = CalAttributes("cal_k", base_url=BASE, httpx_args={"transport": transport}, strict_response_validation=True)
    for count in counts:
        strict.attributes.list(org_id=count, page_size=250)  # compile the schema outside the timing
        plain_time, strict_time = alternating_medians(
            functools.partial(plain.attributes.list, org_id=count, page_size=250),
            functools.partial(strict.attributes.list, org_id=count, page_size=250),
            pairs=pairs,
        )
        print(
            f"4. strict_response_validation, {count} attribute(s): {plain_time * 1e6:.0f} µs -> "
            f"{strict_time * 1e6:.0f} µs ({strict_time / plain_time - 1:+.0%})"
        )


def lenient_path_cost(counts: tuple[int, ...], rounds: int) -> None:
    """What one key the spec does not name costs: on the envelope, after "data" (where a server
    would add one), it sends the body to the lenient from_dict, after msgspec has decoded the page
    and refused the key. Organization ``count + UNKNOWN_KEY`` answers with that body."""
    cal = CalAttributes("cal_k", base_url=BASE, httpx_args={"transport": mock_transport(counts)})
    raw = httpx.Client(transport=mock_transport(counts))
    for count in counts:
        url = f"{BASE}/v2/organizations/{count}/attributes?skip=0&take=250"
        extra = cal.attributes.list(org_id=count + UNKNOWN_KEY, page_size=250)
        assert extra.items == cal.attributes.list(org_id=count, page_size=250).items and len(extra.items) == count
        raw_time, spec_time, extra_time = interleaved_medians(
            (
                functools.partial(raw_call, raw, url),
                functools.partial(cal.attributes.list, org_id=count, page_size=250),
                functools.partial(cal.attributes.list, org_id=count + UNKNOWN_KEY, page_size=250),
            ),
            rounds,
        )
        print(
            f"5. one unknown key on the envelope, {count} attribute(s): raw httpx + orjson {raw_time * 1e6:.0f} µs, "
            f"spec body {spec_time * 1e6:.0f} µs ({spec_time / raw_time:.2f}x), with the key "
            f"{extra_time * 1e6:.0f} µs ({extra_time / raw_time:.2f}x; {extra_time / spec_time:.2f}x the spec body)"
        )


UNKNOWN_KEY = 1_000_000  # added to an organization id: its body has a key the spec does not name


def mock_transport(counts: tuple[int, ...]) -> httpx.MockTransport:
    bodies = {f"/v2/organizations/{count}/attributes": page_body(count) for count in counts}
    for count in counts:
        extra = {"status": "success", "data": attributes(count), "requestId": "r-1"}
        bodies[f"/v2/organizations/{count + UNKNOWN_KEY}/attributes"] = json.dumps(extra).encode()
    return httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=bodies[request.url.path], headers={"content-type": "application/json"}
        )
    )


def decoding() -> None:
    items = assigned_options(10_000)
    body = json.dumps({"status": "success", "data": items}).encode()

    def decode_into_models() -> object:  # what the SDK does with a response body
        return AssignedOptionListResponse.from_json(body).data

    decoded = orjson.loads(body)
    first_error("listAssignedOptions", 200, decoded)  # compile the schema outside the timing
    loads, models, ratio = paired_rounds(lambda: json.loads(body), decode_into_models, rounds=15, number=2)
    check = best_of(lambda: first_error("listAssignedOptions", 200, decoded), repeat=9, number=3)
    print(f"2. decoding {len(body) / 1e6:.1f} MB, 10,000 assigned options: json.loads {loads * 1000:.1f} ms, "
          f"into models {models * 1000:.1f} ms -> best {models / loads:.2f}x, median of paired rounds {ratio:.2f}x "
          f"(target <= 1.0x); "
          f"strict_response_validation adds {check * 1000:.1f} ms ({check / models:.0%} of the decoding)")  # fmt: skip


def pagination_memory() -> None:
    page_size, total = 100, 100_000

    # The pages are encoded before measuring, so the peak is the client's alone.
    pages = {
        skip: json.dumps({"status": "success", "data": attributes(min(page_size, total - skip), skip)}).encode()
        for skip in range(0, total + 1, page_size)
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[int(parse_qs(request.url.query.decode())["skip"][0])])

    cal = CalAttributes("cal_k", base_url=BASE, org_id=1, httpx_args={"transport": httpx.MockTransport(answer)})
    gc.collect()
    tracemalloc.start()
    for _ in cal.attributes.list(page_size=page_size):
        break
    one_page = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    count = 0
    peaks = []
    for _ in cal.attributes.list(page_size=page_size):
        count += 1
        if count % 10_000 == 0:
            peaks.append(tracemalloc.get_traced_memory()[1])
    peak = tracemalloc.get_traced_memory()[1]
    # The same walk by hand, one page object at a time (each dropped before the next is fetched):
    # the client's steady state with one page held, which the first page, fetched cold, is not
    # (httpx's per-client state and its response cycles awaiting the garbage collector grow over
    # the first requests, up to a bound).
    gc.collect()
    tracemalloc.reset_peak()
    page = cal.attributes.list(page_size=page_size)
    by_hand = len(page.items)
    while page.has_next_page():
        page = page.get_next_page()
        by_hand += len(page.items)
    one_page_warm = tracemalloc.get_traced_memory()[1]
    # The floor: raw httpx (absolute URLs) + orjson walking the same pages, each item touched;
    # first its one page, fetched cold as the SDK's first page was.
    raw = httpx.Client(transport=httpx.MockTransport(answer))
    gc.collect()
    tracemalloc.reset_peak()
    first = orjson.loads(raw.get(f"{BASE}/v2/organizations/1/attributes?skip=0&take={page_size}").content)
    raw_one_page = tracemalloc.get_traced_memory()[1]
    del first
    gc.collect()
    tracemalloc.reset_peak()
    floor_count, skip = 0, 0
    while True:
        items = orjson.loads(raw.get(f"{BASE}/v2/organizations/1/attributes?skip={skip}&take={page_size}").content)
        for _ in items["data"]:
            floor_count += 1
        if len(items["data"]) < page_size:
            break
        skip += page_size
    raw_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert by_hand == count == total == floor_count
    print(f"3. iterating {count:,} attributes in pages of {page_size}: peak {peak / 1e6:.2f} MB, "
          f"first page {one_page / 1e6:.2f} MB -> {peak / one_page:.2f}x (target <= 2x); "
          f"peak after 10k..100k items: {', '.join(f'{p / 1e6:.2f}' for p in peaks)} MB (flat: "
          f"spread {(max(peaks) - min(peaks)) / statistics.mean(peaks):.0%}); "
          f"one page at a time by hand (get_next_page, each page dropped): peak {one_page_warm / 1e6:.2f} MB "
          f"-> iterating / one page at a time {peak / one_page_warm:.2f}x; raw httpx + orjson: one page "
          f"{raw_one_page / 1e6:.2f} MB, walking the same pages peak {raw_peak / 1e6:.2f} MB -> SDK's peak / "
          f"the floor's one page {peak / raw_one_page:.2f}x, / the floor's peak {peak / raw_peak:.2f}x")  # fmt: skip


if __name__ == "__main__":
    COUNTS = (1, 20, 100, 250)
    if sys.argv[1:] == ["lenient"]:  # this section alone
        lenient_path_cost(COUNTS, rounds=1000)
        sys.exit()
    per_call_overhead("MockTransport", BASE, COUNTS, pairs=2000, transport=mock_transport(COUNTS))
    per_call_overhead("MockTransport", BASE, COUNTS, pairs=1000, reading=True, transport=mock_transport(COUNTS))
    with tempfile.TemporaryDirectory() as scratch:
        responses = {f"GET /v2/organizations/{count}/attributes": page_body(count).decode() for count in COUNTS}
        command, port = servers.bare(servers.write_json(Path(scratch) / "responses.json", responses))
        with servers.running(command, port) as loopback:
            per_call_overhead("loopback (uvicorn, another process)", loopback, COUNTS, pairs=1000)
    decoding()
    pagination_memory()
    validation_cost(COUNTS, pairs=1000)
    lenient_path_cost(COUNTS, rounds=1000)
