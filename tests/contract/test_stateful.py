"""Stateful fuzzing over the spec's explicit links: create, assign, list, reweigh, unassign, delete."""

from __future__ import annotations

from collections import Counter

from hypothesis import seed, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.contract.conftest import mocked_schema

MOCK, SCHEMA = mocked_schema()

# Operations the links must lead to with a successful (2xx) answer at least once.
REACHED_THROUGH_LINKS = {
    "createAttribute",
    "getAttribute",
    "updateAttribute",
    "deleteAttribute",
    "createOption",
    "updateOption",
    "deleteOption",
    "assignOptionToUser",
    "unassignOptionFromUser",
    "updateAssignmentWeight",
    "listAssignedOptions",
    "listAssignedOptionsBySlug",
    "getAssignmentHistory",
}
# Long workflows, in batches until every operation above has answered 2xx. Each sequence starts
# from a reset mock, and a 2xx deep in the links (reweigh, unassign, history) needs create, create
# option and assign first: 40 steps reach them far more often per step than 10 did. A batch of 20
# seeded sequences does not always reach them all (of eight seeded batches, six did), so batches of
# 20, each with its own seed, run until all are reached, or ten batches (about the old 250
# sequences of 10 steps) are spent. This module has its own schema and mock (conftest's
# mocked_schema), so what a batch reaches does not depend on the tests that ran before it.
# scripts/fuzz.sh runs a stateful phase of its own (more scenarios, 20 steps each).
BATCH = settings(max_examples=20, stateful_step_count=40, deadline=None, database=None)
MAX_BATCHES = 10


def test_workflows_over_links_conform() -> None:
    succeeded: Counter[str] = Counter()

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            MOCK.reset()

        def teardown(self) -> None:
            succeeded.update(r.operation_id for r in MOCK.requests if r.operation_id and r.status < 300)
            super().teardown()

    for batch in range(MAX_BATCHES):
        run_state_machine_as_test(seed(batch)(Workflow), settings=BATCH)
        if set(succeeded) >= REACHED_THROUGH_LINKS:
            break
    missing = REACHED_THROUGH_LINKS - set(succeeded)
    assert not missing, (
        f"never reached with a 2xx in {MAX_BATCHES} batches: {sorted(missing)} (reached: {dict(succeeded)})"
    )
