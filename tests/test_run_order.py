"""The suite starts its longest tests first (tests/conftest.py)."""

from __future__ import annotations

from tests.conftest import LONGEST_FIRST, start_rank
from tests.spec_helpers import ROOT
from tests.whole_modules import WholeModules


def test_the_longest_modules_exist() -> None:
    # A renamed module would silently drop out of the list.
    assert [path for path in LONGEST_FIRST if not (ROOT / path).is_file()] == []


def test_the_longest_tests_go_first_and_the_rest_keep_their_order() -> None:
    nodeids = [
        "tests/client/test_wire.py::test_a",
        "tests/contract/test_spec_against_mock.py::test_b",
        "tests/mock/test_seed.py::test_c",
        "tests/contract/test_stateful.py::test_d",
        "tests/client/test_wire.py::test_e",
    ]
    assert sorted(nodeids, key=start_rank) == [
        "tests/contract/test_stateful.py::test_d",
        "tests/contract/test_spec_against_mock.py::test_b",
        "tests/client/test_wire.py::test_a",
        "tests/mock/test_seed.py::test_c",
        "tests/client/test_wire.py::test_e",
    ]


class Worker:
    """What the scheduler sees of a pytest-xdist worker: the tests it was sent, and whether it was told to stop."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += indices

    def shutdown(self) -> None:
        self.shutting_down = True


class TwoWorkers:
    def getvalue(self, name: str) -> list[str]:
        assert name == "tx"
        return ["2*popen"]

    def getoption(self, name: str) -> None:
        assert name == "maxschedchunk"


def scheduled(collection: list[str]) -> tuple[WholeModules, Worker, Worker]:
    scheduler, first, second = WholeModules(TwoWorkers()), Worker(), Worker()
    for worker in (first, second):
        scheduler.add_node(worker)
    for worker in (first, second):
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    return scheduler, first, second


def test_each_worker_gets_whole_modules_and_the_next_when_it_is_down_to_its_last_test() -> None:
    modules = ["a.py::t1", "a.py::t2", "a.py::t3", "b.py::t1", "c.py::t1", "c.py::t2", "d.py::t1", "d.py::t2"]
    scheduler, first, second = scheduled(modules)
    # a worker runs a test once it knows the next: one with a single test to go gets another module
    assert (first.sent, second.sent) == ([0, 1, 2], [3, 4, 5])
    scheduler.mark_test_complete(first, 0)
    assert first.sent == [0, 1, 2]
    scheduler.mark_test_complete(first, 1)
    assert first.sent == [0, 1, 2, 6, 7] and first.shutting_down  # nothing left: it stops after these
    assert not second.shutting_down
    scheduler.mark_test_complete(second, 3)
    assert second.sent == [3, 4, 5] and second.shutting_down
    assert sorted(first.sent + second.sent) == list(range(len(modules)))


def test_tests_sharing_a_node_id_all_run() -> None:
    # schemathesis' tests of one function, one per operation, share their node id under pytest 9
    _, first, second = scheduled(["s.py::test_operation"] * 3 + ["t.py::test"])
    assert (first.sent, second.sent) == ([0, 1, 2], [3])
