"""The state file as typed, immutable values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

AttributeType = Literal["TEXT", "NUMBER", "SINGLE_SELECT", "MULTI_SELECT", "USER_RELATIONSHIP"]
ATTRIBUTE_TYPES: tuple[AttributeType, ...] = ("TEXT", "NUMBER", "SINGLE_SELECT", "MULTI_SELECT", "USER_RELATIONSHIP")
SELECT_TYPES: frozenset[str] = frozenset({"SINGLE_SELECT", "MULTI_SELECT"})

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None  # what json.loads gives


# A decimal number without whitespace (a sign, digits, a fraction, an exponent), as a JavaScript
# decimal literal writes one; not what only Python's float() reads ("1_000", non-ASCII digits,
# "nan", "inf"), nor what JavaScript's Number() reads beyond decimals ("", " 5 ", "0x1F").
DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_number(text: str) -> bool:
    """A value a NUMBER attribute can take from a state file: a finite decimal number written
    plainly (``Number("1_000")`` is NaN in the JavaScript that reads it in Cal.com's UI)."""
    return DECIMAL_NUMBER.fullmatch(text) is not None and math.isfinite(float(text))


@dataclass(frozen=True)
class OptionSpec:
    slug: str
    value: str


@dataclass(frozen=True)
class AttributeSpec:
    slug: str
    name: str
    type: AttributeType
    enabled: bool = True
    options: tuple[OptionSpec, ...] = ()

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES


@dataclass(frozen=True)
class Held:
    """One value a member holds: an option slug (select types) or the text/number itself."""

    value: str
    weight: int | None = None  # None: the file says nothing, so the weight is left alone


@dataclass(frozen=True)
class State:
    """Attributes by slug (in file order) and each member's values per attribute slug."""

    attributes: tuple[AttributeSpec, ...] = ()
    members: Mapping[int, Mapping[str, tuple[Held, ...]]] = field(default_factory=dict)
    organization: int | None = None

    def attribute(self, slug: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.slug == slug), None)

    @classmethod
    def load(cls, path: str) -> State:
        """Read and check a state file; raises ``StateFileError`` naming the lines at fault."""
        from cal_attributes.state.stateio import load_state

        return load_state(path)

    def dump(self, path: str) -> None:
        """Write the state file (stable: sorted, so a re-export diffs cleanly)."""
        from cal_attributes.state.stateio import dump_state

        with open(path, "w", encoding="utf-8") as out:
            out.write(dump_state(self))
