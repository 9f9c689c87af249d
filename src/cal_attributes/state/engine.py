"""Applying a plan: phase by phase, paced, each change reported with its result."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from cal_attributes.state.changes import (
    Assign,
    Change,
    CreateAttribute,
    CreateOption,
    DeleteAttribute,
    DeleteOption,
    Unassign,
    UpdateAttribute,
    UpdateOption,
    UpdateWeight,
)
from cal_attributes.state.ops import OperationError, OrgOperations
from cal_attributes.state.planner import Plan
from cal_attributes.state.runner import Requester


class Result(Enum):
    DONE = "done"
    ALREADY = "already done"  # e.g. a 409 for an assignment that exists: the goal holds
    FAILED = "failed"
    NOT_DONE = "not done"  # the apply stopped before it


@dataclass(frozen=True)
class Outcome:
    change: Change
    result: Result
    message: str = ""


class Progress(Protocol):
    def started(self, total: int) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...


class _Silent:
    def started(self, total: int) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass


class RefusedPlanError(ValueError):
    """The plan has type changes that were not allowed; nothing was applied."""


@dataclass
class ApplyReport:
    """Filled in while the apply runs, so it is complete even when the apply is interrupted."""

    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None  # why the apply stopped early
    requests: int = 0

    def count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result is result)

    @property
    def ok(self) -> bool:
        return self.stopped is None and all(o.result in (Result.DONE, Result.ALREADY) for o in self.outcomes)

    def not_done(self) -> list[Change]:
        reported = {id(o.change) for o in self.outcomes}
        return [c for c in self.plan.changes if id(c) not in reported]


class _Unresolved(Exception):
    """A change whose attribute or option was to be created earlier in this apply and was not."""


class _Stop(Exception):
    """A failure that ends the apply: the network, a 5xx after retries, an interrupt."""


class Engine:
    def __init__(self, ops: OrgOperations, requester: Requester, progress: Progress | None = None) -> None:
        self.ops, self.requester, self.progress = ops, requester, progress or _Silent()
        self.attribute_ids: dict[str, str] = {}  # slugs of attributes created by this apply -> id
        self.option_ids: dict[tuple[str, str], str] = {}  # (attribute slug, key) of created options -> id

    async def apply(self, report: ApplyReport) -> ApplyReport:
        plan = report.plan
        if plan.refused:
            raise RefusedPlanError(
                "the plan changes the type of "
                + ", ".join(c.attribute for c in plan.refused)
                + "; run again with --allow-retype (allow_retype=True) to apply it"
            )
        self.progress.started(len(plan.changes))
        sent_before = self.requester.sent
        try:
            for phase in sorted({c.phase for c in plan.changes}):
                await self._phase(report, [c for c in plan.changes if c.phase == phase])
                if report.stopped:
                    break
        finally:
            report.requests += self.requester.sent - sent_before
            if report.stopped is None and report.not_done():
                report.stopped = "interrupted"
        return report

    async def _phase(self, report: ApplyReport, changes: list[Change]) -> None:
        tasks = [asyncio.create_task(self._one(report, change)) for change in changes]
        try:
            await asyncio.gather(*tasks)
        except _Stop as stop:
            report.stopped = str(stop)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _one(self, report: ApplyReport, change: Change) -> None:
        try:
            result, message = await self._run(change)
        except OperationError as error:
            if error.transient:
                raise _Stop(f"{change.describe()}: {error}") from error
            result, message = Result.FAILED, str(error)
        except _Unresolved as missing:
            result, message = Result.FAILED, str(missing)
        outcome = Outcome(change, result, message)
        report.outcomes.append(outcome)
        self.progress.finished(outcome)

    async def _run(self, change: Change) -> tuple[Result, str]:
        ops, call = self.ops, self.requester.call
        match change:
            case CreateAttribute():
                row = await call(
                    lambda: ops.create_attribute(
                        slug=change.attribute, name=change.name, type=change.type, enabled=change.enabled
                    ),
                    repeatable=False,  # a repeat after a lost answer would be a 409; the next apply sees it
                )
                self.attribute_ids[change.attribute] = row.id
            case UpdateAttribute():
                await call(
                    lambda: ops.update_attribute(
                        change.attribute_id, name=change.name, type=change.type, enabled=change.enabled
                    )
                )
            case CreateOption():
                attribute_id = self._attribute_id(change.attribute, change.attribute_id)
                option = await call(
                    lambda: ops.create_option(attribute_id, slug=change.slug, value=change.value),
                    repeatable=False,  # the API allows repeated slugs: a blind repeat could add a duplicate
                )
                self.option_ids[(change.attribute, change.key)] = option.id
            case UpdateOption():
                await call(lambda: ops.update_option(change.attribute_id, change.option_id, value=change.value))
            case Assign():
                return await self._assign(change)
            case UpdateWeight():
                await call(lambda: ops.update_weight(change.user_id, change.option_id, change.weight))
            case Unassign():
                return await self._gone(call(lambda: ops.unassign(change.user_id, change.option_id)))
            case DeleteOption():
                return await self._gone(call(lambda: ops.delete_option(change.attribute_id, change.option_id)))
            case DeleteAttribute():
                return await self._gone(call(lambda: ops.delete_attribute(change.attribute_id)))
        return Result.DONE, ""

    async def _assign(self, change: Assign) -> tuple[Result, str]:
        attribute_id = self._attribute_id(change.attribute, change.attribute_id)
        option_id = change.option_id or self.option_ids.get((change.attribute, change.key))
        if option_id is None:
            raise _Unresolved(f"option {change.key!r} of {change.attribute} was not created")
        try:
            await self.requester.call(
                lambda: self.ops.assign(
                    change.user_id, attribute_id=attribute_id, option_id=option_id, weight=change.weight
                )
            )
        except OperationError as error:
            if error.status == 409:  # the assignment exists (e.g. a retried request that had landed)
                return Result.ALREADY, "the assignment exists"
            raise
        return Result.DONE, ""

    async def _gone(self, deletion: Awaitable[None]) -> tuple[Result, str]:
        try:
            await deletion
        except OperationError as error:
            if error.status == 404:  # already gone: what the plan wanted holds
                return Result.ALREADY, "already gone"
            raise
        return Result.DONE, ""

    def _attribute_id(self, slug: str, known: str | None) -> str:
        attribute_id = known or self.attribute_ids.get(slug)
        if attribute_id is None:
            raise _Unresolved(f"attribute {slug} was not created")
        return attribute_id
