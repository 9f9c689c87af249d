"""pytest-xdist's load scheduling by whole modules: a worker that runs out of work takes the next module.

pytest-xdist's `--dist load` hands each worker a first chunk of an eighth of the suite, then more
tests in chunks; the longest modules, which run first, all land in the first worker's chunk, and a
module's tests can be split over two workers, each then setting up the module's fixtures or
waiting for a result built once per run (tests/once.py). Its `--dist loadfile` keeps modules
whole but keys tests by node id, and drops tests that share one (schemathesis' per-operation
tests do under pytest 9). This keeps `load`'s bookkeeping by index, and only changes what a worker
is sent: whenever it has fewer than two tests left (a worker runs a test once it knows the next
one), the rest of the module at the head of the queue, in the order tests/conftest.py sets.
"""

from __future__ import annotations

from xdist.scheduler import LoadScheduling  # type: ignore[import-untyped]
from xdist.workermanage import WorkerController  # type: ignore[import-untyped]


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class WholeModules(LoadScheduling):  # type: ignore[misc]
    # The documented attributes of LoadScheduling this uses (pytest-xdist ships no types).
    collection: list[str] | None  # node ids, as every worker collected them
    node2collection: dict[WorkerController, list[str]]
    node2pending: dict[WorkerController, list[int]]  # indices into collection, sent to each worker
    pending: list[int]  # indices not sent yet, in run order

    def schedule(self) -> None:
        if self.collection is None:
            first, *others = self.node2collection.values()
            if any(other != first for other in others):
                super().schedule()  # reports the difference and aborts the run
                return
            self.collection = list(first)
            self.pending[:] = range(len(self.collection))
        for node in self.nodes:
            self.check_schedule(node)

    def check_schedule(self, node: WorkerController, duration: float = 0) -> None:
        if node.shutting_down:
            return
        collection = self.collection
        assert collection is not None, "scheduled before the collection was complete"
        while len(self.node2pending[node]) < 2 and self.pending:
            module = module_of(collection[self.pending[0]])
            count = next(
                (n for n, index in enumerate(self.pending) if module_of(collection[index]) != module),
                len(self.pending),
            )
            tests, self.pending[:] = self.pending[:count], self.pending[count:]
            self.node2pending[node].extend(tests)
            node.send_runtest_some(tests)
        if not self.pending:
            node.shutdown()  # it still runs the tests it has
