"""The organization as it is now: rows with their ids, and what each member holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cal_attributes.errors import PicklableError
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
        """Key -> option id; when values of a TEXT or NUMBER attribute repeat, the first option wins
        (a plan compares no select attribute with a repeated slug: ``check_unique_option_slugs``
        refused those the file mentions, and ``to_state`` refuses any)."""
        ids: dict[str, str] = {}
        for option in self.options:
            ids.setdefault(self.key_of(option), option.id)
        return ids


class DuplicateOptionSlugError(PicklableError, ValueError):
    """A select attribute has two options with one slug (the API allows it): a state file names
    options by slug, so it could show only one of them; nothing is read further or written."""

    def __init__(self, duplicates: list[tuple[str, str, tuple[str, ...]]]) -> None:
        self.duplicates = duplicates  # (attribute slug, option slug, option ids)
        named = "; ".join(
            f"attribute {attribute!r} has {len(ids)} options with slug {slug!r} (ids {', '.join(ids)})"
            for attribute, slug, ids in duplicates
        )
        super().__init__(f"{named}: a state file names options by slug; rename one in Cal.com first")


def check_unique_option_slugs(attributes: tuple[CurrentAttribute, ...], only: frozenset[str] | None = None) -> None:
    """Raises ``DuplicateOptionSlugError`` naming every select attribute's repeated option slug;
    with ``only``, among the attributes of those slugs alone (what a plan compares option by
    option: an attribute the file does not mention is left alone or, with --prune, deleted whole)."""
    duplicates = []
    for attribute in attributes:
        if not attribute.is_select or (only is not None and attribute.row.slug not in only):
            continue
        ids_by_slug: dict[str, list[str]] = {}
        for option in attribute.options:
            ids_by_slug.setdefault(option.slug, []).append(option.id)
        duplicates += [(attribute.row.slug, slug, tuple(ids)) for slug, ids in ids_by_slug.items() if len(ids) > 1]
    if duplicates:
        raise DuplicateOptionSlugError(duplicates)


@dataclass(frozen=True)
class Snapshot:
    attributes: tuple[CurrentAttribute, ...] = ()
    holdings: Mapping[int, frozenset[str]] = field(default_factory=dict)  # user id -> option ids held
    weights: Mapping[tuple[int, str], int | None] = field(default_factory=dict)  # known weights only
    organization: int | None = None
    # Users the file gives values who are not members of the organization -> the server's answer
    # (read for a plan, for users who hold nothing: a holder is a member).
    non_members: Mapping[int, str] = field(default_factory=dict)
    unchecked: str | None = None  # why some of those users' membership is unknown (said as a plan warning)

    def option_index(self) -> dict[str, tuple[CurrentAttribute, OptionRow]]:
        return {o.id: (a, o) for a in self.attributes for o in a.options}

    def to_state(self) -> State:
        """The state file that describes this organization (what ``export`` writes). Raises
        ``DuplicateOptionSlugError`` for a select attribute with a repeated option slug: the file
        could name only one of them (a snapshot read for a plan may hold one the file leaves alone)."""
        check_unique_option_slugs(self.attributes)
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
