"""The planner: a pure function from the current and the desired state to an ordered plan."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from cal_attributes.errors import PicklableError
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
from cal_attributes.state.model import AttributeSpec, Held, State, is_number
from cal_attributes.state.snapshot import CurrentAttribute, Snapshot


@dataclass(frozen=True)
class PlanOptions:
    prune: bool = False  # also remove what the file does not mention
    include_locked: bool = False  # also change attributes whose assignments an integration owns
    allow_retype: bool = False  # apply type changes (the API keeps existing options and assignments)


@dataclass(frozen=True)
class LeftAlone:
    """What the organization has and the file does not mention, kept because --prune is off."""

    attributes: int = 0
    options: int = 0
    assignments: int = 0

    @property
    def total(self) -> int:
        return self.attributes + self.options + self.assignments


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...] = ()  # in apply order
    skipped: tuple[Change, ...] = ()  # changes to locked attributes, not made
    refused: tuple[UpdateAttribute, ...] = ()  # type changes without allow_retype: apply refuses to run
    warnings: tuple[str, ...] = ()
    left_alone: LeftAlone = field(default_factory=LeftAlone)
    options: PlanOptions = field(default_factory=PlanOptions)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.refused)


def slugify(value: str) -> str:
    """The slug Cal.com gives an option it creates from a value (lower case, ASCII, dashes)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().strip())).strip("-") or "value"


class NotANumberError(PicklableError, ValueError):
    """The plan would assign a NUMBER attribute a value that is not a number. Cal.com stores any
    text there, so a value a member already holds is left as it is (an export of it plans
    nothing); only a value the plan would write must be a number."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class NotAMemberError(PicklableError, ValueError):
    """The plan would assign a value to users who are not members of the organization: Cal.com
    refuses each such assignment (404), after the options it needs were created. Nothing is
    planned or written; ``users`` names them."""

    def __init__(self, answers: dict[int, str]) -> None:
        self.users = sorted(answers)
        super().__init__(
            "\n".join(
                f"member {user}: not a member of the organization ({answers[user]}); "
                "only members can hold attribute values: remove them from the file or add them to the organization"
                for user in self.users
            )
        )


def make_plan(current: Snapshot, desired: State, options: PlanOptions = PlanOptions()) -> Plan:
    """Every change that makes ``current`` match ``desired``, in dependency order.
    Raises ``NotANumberError`` if it would assign a NUMBER attribute a value that is not a number,
    ``NotAMemberError`` if it would assign a value to a user ``current`` knows is no member."""
    builder = _Builder(current, desired, options)
    builder.attributes()
    builder.assignments()
    if builder.not_numbers:
        raise NotANumberError(builder.not_numbers)
    if builder.not_members:
        raise NotAMemberError(builder.not_members)
    changes = sorted(builder.changes, key=lambda c: c.phase)  # stable: order within a phase is kept
    return Plan(
        tuple(changes),
        tuple(builder.skipped),
        tuple(builder.refused),
        tuple(builder.warnings),
        LeftAlone(builder.left_attributes, builder.left_options, builder.left_assignments),
        options,
    )


class _Builder:
    def __init__(self, current: Snapshot, desired: State, options: PlanOptions) -> None:
        self.current, self.desired, self.options = current, desired, options
        self.by_slug = {a.row.slug: a for a in current.attributes}
        self.changes: list[Change] = []
        self.skipped: list[Change] = []
        self.refused: list[UpdateAttribute] = []
        self.warnings: list[str] = [current.unchecked] if current.unchecked else []
        self.left_attributes = self.left_options = self.left_assignments = 0
        self.deleted_attributes: set[str] = set()
        self.deleted_options: set[str] = set()
        self.created_options: set[tuple[str, str]] = set()
        self.not_numbers: list[str] = []  # NUMBER values the plan would write that are not numbers
        self.not_members: dict[int, str] = {}  # users the plan would assign who are not members -> why

    def locked(self, slug: str) -> bool:
        """An attribute an integration owns, left alone without --include-locked."""
        attribute = self.by_slug.get(slug)
        return attribute is not None and attribute.row.is_locked and not self.options.include_locked

    def add(self, change: Change) -> None:
        if self.locked(change.attribute):
            self.skipped.append(change)
        else:
            self.changes.append(change)

    # -- attributes and options ------------------------------------------------------------

    def attributes(self) -> None:
        for spec in self.desired.attributes:
            current = self.by_slug.get(spec.slug)
            if current is None:
                self.changes.append(CreateAttribute(spec.slug, spec.name, spec.type, spec.enabled))
                for option in spec.options:
                    self.create_option(spec.slug, None, option.slug, option.slug, option.value)
            else:
                self.update_attribute(spec, current)
                self.options_of(spec, current)
        declared = {a.slug for a in self.desired.attributes}
        for current in self.current.attributes:
            if current.row.slug in declared:
                continue
            if self.options.prune:
                self.add(DeleteAttribute(current.row.slug, current.row.id))
                self.deleted_attributes.add(current.row.id)
            else:
                self.left_attributes += 1

    def update_attribute(self, spec: AttributeSpec, current: CurrentAttribute) -> None:
        row = current.row
        before = f"name {row.name!r}, type {row.type}, enabled {row.enabled}"
        name = spec.name if spec.name != row.name else None
        enabled = spec.enabled if spec.enabled != row.enabled else None
        retype = spec.type if spec.type != row.type else None
        if retype is None or self.locked(spec.slug):
            pass  # a locked attribute's changes are skipped (add), so its type change blocks nothing
        elif not self.options.allow_retype:
            self.refused.append(UpdateAttribute(spec.slug, row.id, type=retype, before=before))
            retype = None
        else:
            self.warnings.append(
                f"{spec.slug}: type {row.type} -> {retype}; the API keeps the attribute's existing options and assignments"
            )
        if name is not None or enabled is not None or retype is not None:
            self.add(UpdateAttribute(spec.slug, row.id, name, retype, enabled, before))

    def options_of(self, spec: AttributeSpec, current: CurrentAttribute) -> None:
        if not spec.is_select:
            return  # TEXT and NUMBER options are the members' values: created on demand, never pruned
        existing = {o.slug: o for o in reversed(current.options)}  # the first of a repeated slug wins
        for option in spec.options:
            found = existing.get(option.slug)
            if found is None:
                self.create_option(spec.slug, current.row.id, option.slug, option.slug, option.value)
            elif found.value != option.value:
                self.add(UpdateOption(spec.slug, current.row.id, found.id, option.slug, option.value, found.value))
        declared = {o.slug for o in spec.options}
        wanted_ids = {existing[s].id for s in declared if s in existing}
        for row in current.options:
            if row.id in wanted_ids:
                continue
            if self.options.prune:
                self.add(DeleteOption(spec.slug, current.row.id, row.id, row.slug))
                self.deleted_options.add(row.id)
            else:
                self.left_options += 1

    def create_option(self, attribute: str, attribute_id: str | None, key: str, slug: str, value: str) -> None:
        if (attribute, key) not in self.created_options:
            self.created_options.add((attribute, key))
            self.add(CreateOption(attribute, key, slug, value, attribute_id))

    # -- assignments -------------------------------------------------------------------------

    def assignments(self) -> None:
        index = self.current.option_index()
        users = sorted(set(self.current.holdings) | set(self.desired.members))
        for user in users:
            held_by_attribute: dict[str, dict[str, str]] = {}  # attribute slug -> key -> option id
            for option_id in sorted(self.current.holdings.get(user, ())):
                found = index.get(option_id)
                if found is None or found[0].row.id in self.deleted_attributes or option_id in self.deleted_options:
                    continue  # unknown to this org's attributes, or removed with its attribute/option
                attribute, option = found
                held_by_attribute.setdefault(attribute.row.slug, {}).setdefault(attribute.key_of(option), option_id)
            wanted = self.desired.members.get(user, {})
            for slug, held in wanted.items():
                self.member_attribute(user, slug, held, held_by_attribute.pop(slug, {}))
            for slug, keys in sorted(held_by_attribute.items()):
                if self.options.prune:
                    for key, option_id in sorted(keys.items()):
                        self.add(Unassign(user, slug, key, option_id))
                else:
                    self.left_assignments += len(keys)

    def member_attribute(self, user: int, slug: str, held: tuple[Held, ...], current: dict[str, str]) -> None:
        spec = self.desired.attribute(slug)
        assert spec is not None  # the loader checked that every member attribute is declared
        attribute = self.by_slug.get(slug)
        option_ids = attribute.option_ids() if attribute is not None else {}
        for h in held:
            option_id = current.get(h.value)
            if option_id is not None:
                self.weight(user, slug, h, option_id)
                continue
            if spec.type == "NUMBER" and not is_number(h.value) and not self.locked(slug):
                self.not_numbers.append(
                    f"member {user}: {slug} is NUMBER but {h.value!r} is not a number "
                    "(a value the member already holds may stay; one to assign must be a number)"
                )
            if user in self.current.non_members and not self.locked(slug):
                self.not_members[user] = self.current.non_members[user]
            option_id = option_ids.get(h.value)
            if option_id is None and not spec.is_select:
                self.create_option(slug, attribute.row.id if attribute else None, h.value, slugify(h.value), h.value)
            self.add(Assign(user, slug, h.value, h.weight, attribute.row.id if attribute else None, option_id))
        wanted = {h.value for h in held}
        for key, option_id in sorted(current.items()):
            if key not in wanted:
                self.add(Unassign(user, slug, key, option_id))

    def weight(self, user: int, slug: str, held: Held, option_id: str) -> None:
        if held.weight is None:
            return
        known = (user, option_id) in self.current.weights
        before = self.current.weights.get((user, option_id))
        if not known or before != held.weight:
            self.add(UpdateWeight(user, slug, held.value, option_id, held.weight, before, known))


def changes_by_phase(plan: Plan) -> Iterator[tuple[int, list[Change]]]:
    """The plan's changes grouped by phase, in order."""
    groups: dict[int, list[Change]] = {}
    for change in plan.changes:
        groups.setdefault(int(change.phase), []).append(change)
    yield from sorted(groups.items())
