"""The state namespace from Python: ``plan = manager.plan(desired)``, ``manager.apply(plan)``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from cal_attributes.errors import ConfigurationError
from cal_attributes.state.engine import ApplyReport, Engine, Progress
from cal_attributes.state.model import State
from cal_attributes.state.ops import OrgOperations
from cal_attributes.state.planner import Plan, PlanOptions, make_plan
from cal_attributes.state.reader import read_snapshot
from cal_attributes.state.runner import Requester, RunSettings
from cal_attributes.state.sdk import AsyncSdkOperations, ThreadedSdkOperations
from cal_attributes.state.snapshot import Snapshot

if TYPE_CHECKING:
    from cal_attributes_client.resources import AsyncCalAttributes, CalAttributes

Opener = Callable[[], AbstractAsyncContextManager[OrgOperations]]


class AsyncStateManager:
    """Export, plan and apply for one organization (async)."""

    def __init__(
        self, open_operations: Opener, settings: RunSettings | None = None, *, org_id: int | None = None
    ) -> None:
        self._open, self.settings, self.org_id = open_operations, settings or RunSettings(), org_id
        self._pacer = self.settings.pacer()  # one pace for all of this manager's reads and writes

    @classmethod
    def for_client(cls, cal: AsyncCalAttributes, settings: RunSettings | None = None) -> AsyncStateManager:
        """Over an ``AsyncCalAttributes`` (its ``org_id``); the client stays open."""

        @asynccontextmanager
        async def operations() -> AsyncIterator[OrgOperations]:
            yield AsyncSdkOperations(cal)

        return cls(operations, settings, org_id=cal.org_id)

    def with_settings(self, settings: RunSettings) -> AsyncStateManager:
        """A copy with other pacing, concurrency or retries, over the same client."""
        return AsyncStateManager(self._open, settings, org_id=self.org_id)

    async def snapshot(
        self, desired: State | None = None, *, weights: bool = False, check_members: bool = True
    ) -> Snapshot:
        async with self._open() as ops:
            return await read_snapshot(
                ops,
                Requester(self.settings, self._pacer),
                desired=desired,
                all_weights=weights,
                check_members=check_members,
            )

    async def export(self, *, weights: bool = False) -> State:
        """The organization as a state file; ``weights=True`` also reads each holder's history."""
        return replace((await self.snapshot(weights=weights)).to_state(), organization=self.org_id)

    async def plan(
        self,
        desired: State,
        *,
        prune: bool = False,
        include_locked: bool = False,
        allow_retype: bool = False,
        check_members: bool = True,
    ) -> Plan:
        """Raises ``ConfigurationError`` before any request if the file names another organization.
        ``check_members=False`` skips the membership check (one history read per user the file
        gives a value who holds nothing yet) and ``NotAMemberError`` with it."""
        if desired.organization not in (None, self.org_id):  # --prune would remove another org's data
            raise ConfigurationError(
                f"the state file describes organization {desired.organization}, not the target {self.org_id}: "
                "pass the matching org id (--org-id, CAL_ORG_ID), or change the file's organization"
            )
        current = await self.snapshot(desired, check_members=check_members)
        return make_plan(current, desired, PlanOptions(prune, include_locked, allow_retype))

    async def apply(
        self, plan: Plan, *, progress: Progress | None = None, report: ApplyReport | None = None
    ) -> ApplyReport:
        """Run the plan. ``report`` (if given) is filled in as changes finish, so a caller that is
        interrupted still knows what was done."""
        report = report if report is not None else ApplyReport(plan)
        async with self._open() as ops:
            return await Engine(ops, Requester(self.settings, self._pacer), progress).apply(report)


class StateManager:
    """The same, blocking: each call runs its own event loop (do not call it from async code)."""

    def __init__(
        self, open_operations: Opener, settings: RunSettings | None = None, *, org_id: int | None = None
    ) -> None:
        self._open = open_operations
        self._async = AsyncStateManager(open_operations, settings, org_id=org_id)

    @property
    def settings(self) -> RunSettings:
        return self._async.settings

    @classmethod
    def for_client(cls, cal: CalAttributes, settings: RunSettings | None = None) -> StateManager:
        """Over a ``CalAttributes`` (its ``org_id``), its requests in worker threads; the client stays open."""

        @asynccontextmanager
        async def operations() -> AsyncIterator[OrgOperations]:
            yield ThreadedSdkOperations(cal)

        return cls(operations, settings, org_id=cal.org_id)

    def with_settings(self, settings: RunSettings) -> StateManager:
        """A copy with other pacing, concurrency or retries, over the same client."""
        return StateManager(self._open, settings, org_id=self._async.org_id)

    def snapshot(self, desired: State | None = None, *, weights: bool = False, check_members: bool = True) -> Snapshot:
        return asyncio.run(self._async.snapshot(desired, weights=weights, check_members=check_members))

    def export(self, *, weights: bool = False) -> State:
        return asyncio.run(self._async.export(weights=weights))

    def plan(
        self,
        desired: State,
        *,
        prune: bool = False,
        include_locked: bool = False,
        allow_retype: bool = False,
        check_members: bool = True,
    ) -> Plan:
        return asyncio.run(
            self._async.plan(
                desired,
                prune=prune,
                include_locked=include_locked,
                allow_retype=allow_retype,
                check_members=check_members,
            )
        )

    def apply(self, plan: Plan, *, progress: Progress | None = None, report: ApplyReport | None = None) -> ApplyReport:
        return asyncio.run(self._async.apply(plan, progress=progress, report=report))
