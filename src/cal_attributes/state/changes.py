"""The changes a plan is made of, in the order apply runs them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Phase(IntEnum):
    """Dependency order: what a later phase needs exists, what it removes is no longer needed."""

    ATTRIBUTES = 1
    OPTIONS = 2
    ASSIGNMENTS = 3
    UNASSIGNMENTS = 4
    OPTION_DELETIONS = 5
    ATTRIBUTE_DELETIONS = 6


@dataclass(frozen=True)
class CreateAttribute:
    attribute: str
    name: str
    type: str
    enabled: bool
    phase = Phase.ATTRIBUTES
    kind = "create attribute"

    def describe(self) -> str:
        return f"{self.attribute}: create {self.type} attribute {self.name!r}" + ("" if self.enabled else " (disabled)")


@dataclass(frozen=True)
class UpdateAttribute:
    attribute: str
    attribute_id: str
    name: str | None = None
    type: str | None = None
    enabled: bool | None = None
    before: str = ""
    phase = Phase.ATTRIBUTES
    kind = "update attribute"

    def describe(self) -> str:
        parts = [
            f"{k} -> {v!r}"
            for k, v in (("name", self.name), ("type", self.type), ("enabled", self.enabled))
            if v is not None
        ]
        return f"{self.attribute}: {', '.join(parts)} (was {self.before})"


@dataclass(frozen=True)
class CreateOption:
    attribute: str
    key: str  # the option slug (select types) or the value (TEXT, NUMBER)
    slug: str
    value: str
    attribute_id: str | None = None  # None: the attribute is created by this apply
    phase = Phase.OPTIONS
    kind = "create option"

    def describe(self) -> str:
        return f"{self.attribute}: add option {self.slug} ({self.value!r})"


@dataclass(frozen=True)
class UpdateOption:
    attribute: str
    attribute_id: str
    option_id: str
    slug: str
    value: str
    before: str
    phase = Phase.OPTIONS
    kind = "update option"

    def describe(self) -> str:
        return f"{self.attribute}: option {self.slug} value -> {self.value!r} (was {self.before!r})"


@dataclass(frozen=True)
class Assign:
    user_id: int
    attribute: str
    key: str
    weight: int | None = None
    attribute_id: str | None = None
    option_id: str | None = None  # None: the option is created by this apply
    phase = Phase.ASSIGNMENTS
    kind = "assign"

    def describe(self) -> str:
        weight = "" if self.weight is None else f" (weight {self.weight})"
        return f"user {self.user_id}: {self.attribute} += {self.key}{weight}"


@dataclass(frozen=True)
class UpdateWeight:
    user_id: int
    attribute: str
    key: str
    option_id: str
    weight: int
    before: int | None
    known: bool  # False: the current weight could not be read (no history), so it is set
    phase = Phase.ASSIGNMENTS
    kind = "update weight"

    def describe(self) -> str:
        was = ("none" if self.before is None else str(self.before)) if self.known else "unknown"
        return f"user {self.user_id}: {self.attribute} {self.key} weight -> {self.weight} (was {was})"


@dataclass(frozen=True)
class Unassign:
    user_id: int
    attribute: str
    key: str
    option_id: str
    phase = Phase.UNASSIGNMENTS
    kind = "unassign"

    def describe(self) -> str:
        return f"user {self.user_id}: {self.attribute} -= {self.key}"


@dataclass(frozen=True)
class DeleteOption:
    attribute: str
    attribute_id: str
    option_id: str
    slug: str
    phase = Phase.OPTION_DELETIONS
    kind = "delete option"

    def describe(self) -> str:
        return f"{self.attribute}: delete option {self.slug} (its assignments go with it)"


@dataclass(frozen=True)
class DeleteAttribute:
    attribute: str
    attribute_id: str
    phase = Phase.ATTRIBUTE_DELETIONS
    kind = "delete attribute"

    def describe(self) -> str:
        return f"{self.attribute}: delete attribute (its options and assignments go with it)"


Change = (
    CreateAttribute
    | UpdateAttribute
    | CreateOption
    | UpdateOption
    | Assign
    | UpdateWeight
    | Unassign
    | DeleteOption
    | DeleteAttribute
)
