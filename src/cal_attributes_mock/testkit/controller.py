"""``CalMock``: one test's mock, with its keys, journal, fault controls and bound clients; and
``MockSession``, which keeps the parsed seeds and the one optional socket server of a test session
(each test's mock is built fresh from its seed)."""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

from starlette.types import Receive, Scope, Send

from cal_attributes import AsyncCalAttributes, CalAttributes
from cal_attributes_mock.app import MockServer, create_mock
from cal_attributes_mock.seed import Seed, demo_seed, load_seed, parse_seed
from cal_attributes_mock.serve import serve_in_thread
from cal_attributes_mock.testkit.faults import DEFAULT_TIMES, JSON, Fault, check_operation
from cal_attributes_mock.testkit.journal import JournalEntry
from cal_attributes_mock.testkit.layer import TestkitApp
from cal_attributes_mock.testkit.seeds import SeedBuilder
from cal_attributes_mock.testkit.transport import AsyncInProcessTransport, InProcessTransport

SeedSource: TypeAlias = str | Path | Mapping[str, Any] | Seed | SeedBuilder | None
IN_PROCESS_URL = "http://cal-mock.invalid"  # the bound clients never open a socket
CACHED_SEEDS = 16
DEFAULT_ROLES = ("admin", "owner", "member")  # the key the bound clients use: the first role present


class NoApiKeyError(LookupError):
    """The seed gives the mock's organization no member with a live API key."""


def api_keys(seed: Seed, org_id: int) -> dict[str, str]:
    """Role name (``owner``, ``admin``, ``member``) to the first live API key with that role in the org."""
    now = datetime.now(UTC)
    users = {user.id: user for user in seed.users}
    keys: dict[str, str] = {}
    for membership in seed.memberships:
        user = users[membership.user_id]
        expired = user.api_key_expires_at is not None and user.api_key_expires_at <= now
        if membership.team_id == org_id and user.api_key and not expired:
            keys.setdefault(membership.role.lower(), user.api_key)
    return keys


class CalMock:
    """A fresh mock for one test. Its clients (``client()``, the ``cal`` fixture) call it in-process;
    ``url`` serves it on 127.0.0.1 for code that makes its own HTTP connections."""

    def __init__(self, app: TestkitApp, seed: Seed, session: MockSession) -> None:
        self.app = app
        self.seed = seed
        org_ids = [o.id for o in seed.organizations]
        self.org_id: int = 1 if 1 in org_ids or not org_ids else org_ids[0]
        self.keys: dict[str, str] = api_keys(seed, self.org_id)
        self._session = session

    @property
    def server(self) -> MockServer:
        """The mock underneath (its ``store`` holds the state)."""
        return self.app.server

    @property
    def url(self) -> str:
        """The base URL of this mock on 127.0.0.1 (a server thread shared by the session, started
        on first use and pointed at the current test's mock)."""
        return self._session.url()

    def reset(self) -> None:
        """Back to the seed: state, faults, journal and rate limit."""
        self.app.reset()

    def requests(self, operation_id: str | None = None) -> list[JournalEntry]:
        """The journal, oldest first; only the requests routed to ``operation_id`` if given (an
        unknown operation id raises ``FaultError``, naming the closest one, rather than matching nothing)."""
        return self.app.journal.entries(check_operation(operation_id, self.app.faults.operation_ids))

    def fail(
        self,
        operation_id: str | None = None,
        status: int = 503,
        times: int | None = 2,
        retry_after: int | None = None,
        body: JSON = None,
        *,
        apply: bool = False,
    ) -> Fault:
        """Answer the next ``times`` requests to the operation (any, if None) with ``status``.
        The write is not applied unless ``apply=True`` ("applied, but the answer was lost")."""
        return self.app.faults.add(
            "fail", operation_id, times=times, status=status, retry_after=retry_after, body=body, apply=apply
        )

    def delay(self, operation_id: str | None, seconds: float, *, times: int | None = DEFAULT_TIMES["delay"]) -> Fault:
        """Hold the answers of the operation for ``seconds`` (every request until reset by default)."""
        return self.app.faults.add("delay", operation_id, times=times, seconds=seconds)

    def drop_connection(
        self,
        operation_id: str | None = None,
        *,
        times: int | None = DEFAULT_TIMES["drop_connection"],
        apply: bool = False,
    ) -> Fault:
        """Close the connection instead of answering: the client gets a connection error."""
        return self.app.faults.add("drop_connection", operation_id, times=times, apply=apply)

    def malformed(
        self, operation_id: str | None = None, *, times: int | None = DEFAULT_TIMES["malformed"], apply: bool = False
    ) -> Fault:
        """Answer 200 with a body cut short (with ``apply=True``: the real answer, truncated)."""
        return self.app.faults.add("malformed", operation_id, times=times, apply=apply)

    def rate_limit(
        self, enabled: bool = True, *, limit: int | None = None, window_seconds: float | None = None
    ) -> None:
        """Cal.com's throttler (429 with Retry-After) on, with an optional small ``limit``, or off."""
        self.app.server.set_rate_limit(enabled, limit=limit, window_seconds=window_seconds)

    def faults(self) -> list[Fault]:
        """The faults still armed, with how often each will still fire."""
        return self.app.faults.all()

    def clear_faults(self) -> None:
        self.app.faults.clear()

    def default_key(self) -> str:
        """The key the bound clients use by default: the admin's, else the owner's, else any member's."""
        for role in (*DEFAULT_ROLES, *sorted(self.keys)):
            if role in self.keys:
                return self.keys[role]
        raise NoApiKeyError(
            f"the seed gives organization {self.org_id} no member with a live API key; "
            "add one (SeedBuilder().member(..., api_key=...)) or pass api_key="
        )

    def client(self, api_key: str | None = None, *, max_retries: int = 2) -> CalAttributes:
        """A client bound to this mock and its organization (``default_key()`` unless given), calling it
        in-process."""
        return CalAttributes(
            api_key or self.default_key(),
            org_id=self.org_id,
            base_url=IN_PROCESS_URL,
            max_retries=max_retries,
            httpx_args={"transport": InProcessTransport(self.app)},
        )

    def async_client(self, api_key: str | None = None, *, max_retries: int = 2) -> AsyncCalAttributes:
        """The async client bound to this mock, calling it on the caller's event loop."""
        return AsyncCalAttributes(
            api_key or self.default_key(),
            org_id=self.org_id,
            base_url=IN_PROCESS_URL,
            max_retries=max_retries,
            httpx_args={"transport": AsyncInProcessTransport(self.app)},
        )

    def __repr__(self) -> str:  # keys stay out of reprs and test reports
        return f"CalMock(org_id={self.org_id}, roles={sorted(self.keys)})"


class _Switch:
    """The session server's app: whichever test mock is current."""

    def __init__(self) -> None:
        self.target: TestkitApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None
        await self.target(scope, receive, send)


class MockSession:
    """Parsed seeds kept across tests (parsing is the costly part) and one server thread, started
    only if a test asks for a URL. Every checkout builds a fresh mock from its seed (about 0.3 ms:
    the spec-derived validators are shared by every mock of the process)."""

    def __init__(self) -> None:
        self._seeds: OrderedDict[tuple[Hashable, ...], Seed] = OrderedDict()
        self._switch = _Switch()
        self._stack = contextlib.ExitStack()
        self._url: str | None = None

    def checkout(self, source: SeedSource = None) -> CalMock:
        key = _seed_key(source)
        seed = self._seeds.pop(key, None)
        if seed is None or (key[0] == "seed" and seed is not source):  # an id is unique while alive
            seed = _seed_of(source)
        self._seeds[key] = seed
        while len(self._seeds) > CACHED_SEEDS:
            self._seeds.popitem(last=False)
        app = TestkitApp(create_mock(seed))  # fresh: nothing of an earlier test can carry over
        self._switch.target = app
        return CalMock(app, seed, self)

    def url(self) -> str:
        if self._url is None:
            assert self._switch.target is not None, "check out a mock first"
            self._url = self._stack.enter_context(serve_in_thread(self._switch.target.server, app=self._switch))
        return self._url

    def close(self) -> None:
        self._stack.close()
        self._url = None


def _seed_key(source: SeedSource) -> tuple[Hashable, ...]:
    """What identifies a seed source without parsing it (a file by its path and modification)."""
    if source is None:
        return ("demo",)
    if isinstance(source, str | Path):
        path = Path(source).resolve()
        return ("file", str(path), path.stat().st_mtime_ns if path.exists() else 0)
    if isinstance(source, SeedBuilder):
        source = source.to_dict()
    if isinstance(source, Mapping):
        return ("json", json.dumps(source, sort_keys=True, default=str))
    return ("seed", id(source))


def _seed_of(source: SeedSource) -> Seed:
    """The seed ``@pytest.mark.cal_seed`` names (SeedError if it is not valid)."""
    if source is None:
        return demo_seed()
    if isinstance(source, str | Path):
        return load_seed(source)
    if isinstance(source, SeedBuilder):
        return source.build()
    if isinstance(source, Mapping):
        return parse_seed(source)
    return source
