"""The organization as it is now: rows with their ids, and what each member holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cal_attributes.state.model import (
    ATTRIBUTE_TYPES,
    SELECT_TYPES,
    AttributeSpec,
    AttributeType,
    Held,
    OptionSpec,
    State,
)
from cal_attributes.state.ops import AttributeRow, OptionRow


@dataclass(frozen=True)
class CurrentAttribute:
    row: AttributeRow
    options: tuple[OptionRow, ...]

    @property
    def is_select(self) -> bool:
        return self.row.type in SELECT_TYPES

    def key_of(self, option: OptionRow) -> str:
        """How a state file names the option: its slug (select types) or its value (TEXT, NUMBER)."""
        return option.slug if self.is_select else option.value

    def option_ids(self) -> dict[str, str]:
        """Key -> option id; when keys repeat (the API allows it) the first option wins."""
        ids: dict[str, str] = {}
        for option in self.options:
            ids.setdefault(self.key_of(option), option.id)
        return ids


@dataclass(frozen=True)
class Snapshot:
    attributes: tuple[CurrentAttribute, ...] = ()
    holdings: Mapping[int, frozenset[str]] = field(default_factory=dict)  # user id -> option ids held
    weights: Mapping[tuple[int, str], int | None] = field(default_factory=dict)  # known weights only
    organization: int | None = None

    def option_index(self) -> dict[str, tuple[CurrentAttribute, OptionRow]]:
        return {o.id: (a, o) for a in self.attributes for o in a.options}

    def to_state(self) -> State:
        """The state file that describes this organization (what ``export`` writes)."""
        attributes = tuple(
            AttributeSpec(
                a.row.slug,
                a.row.name,
                _attribute_type(a.row.type),
                a.row.enabled,
                tuple(OptionSpec(slug, _value(a, slug)) for slug in a.option_ids()) if a.is_select else (),
            )
            for a in self.attributes
        )
        index = self.option_index()
        members: dict[int, dict[str, list[Held]]] = {}
        for user, option_ids in self.holdings.items():
            for option_id in option_ids:
                found = index.get(option_id)
                if found is None:
                    continue
                attribute, option = found
                held = members.setdefault(user, {}).setdefault(attribute.row.slug, [])
                key = attribute.key_of(option)
                if all(h.value != key for h in held):
                    held.append(Held(key, self.weights.get((user, option_id))))
        return State(
            attributes,
            {user: {slug: tuple(held) for slug, held in values.items()} for user, values in members.items()},
            self.organization,
        )


def _value(attribute: CurrentAttribute, slug: str) -> str:
    return next(o.value for o in attribute.options if o.slug == slug)


def _attribute_type(text: str) -> AttributeType:
    for known in ATTRIBUTE_TYPES:
        if text == known:
            return known
    raise ValueError(f"unknown attribute type {text!r}")
