"""A typed builder for mock seeds, for tests that want their own organization without JSON."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal, TypeAlias

from cal_attributes_mock.seed import Seed, SeedError, parse_seed
from cal_attributes_mock.testkit.faults import JSON

Role: TypeAlias = Literal["MEMBER", "ADMIN", "OWNER"]
AttributeType: TypeAlias = Literal["TEXT", "NUMBER", "SINGLE_SELECT", "MULTI_SELECT", "USER_RELATIONSHIP"]
_IDS = uuid.UUID("6f1c8e0a-3b5d-4c7e-9f2a-1b3d5e7f9a0c")  # namespace of the builder's stable ids


def slugify(text: str) -> str:
    return "-".join(text.lower().split())


def option_id(org_id: int, attribute_slug: str, option_slug: str) -> str:
    """The id the builder gives an option: stable, so tests can name it before the mock starts."""
    return str(uuid.uuid5(_IDS, f"{org_id}/{attribute_slug}/{option_slug}"))


class SeedBuilder:
    """``SeedBuilder().organization(1, "Acme").member(101, "ada@acme.test", role="ADMIN",
    api_key="cal_ada").attribute("Department", options=["Engineering"]).build()``.

    ``member``, ``attribute`` and ``assign`` apply to the organization added last unless given
    ``org_id``. ``build()`` checks the result like a seed file (``SeedError`` names the problem).
    """

    def __init__(self) -> None:
        self._last_org: int | None = None
        self._data: dict[str, list[dict[str, JSON]]] = {
            "organizations": [],
            "users": [],
            "memberships": [],
            "attributes": [],
            "assignments": [],
        }

    def organization(
        self, id: int, name: str, *, slug: str | None = None, admin_api_enabled: bool = True
    ) -> SeedBuilder:
        self._data["organizations"].append(
            {"id": id, "name": name, "slug": slug or slugify(name), "adminApiEnabled": admin_api_enabled}
        )
        self._last_org = id
        return self

    def member(
        self,
        user_id: int,
        email: str,
        *,
        role: Role = "MEMBER",
        api_key: str | None = None,
        name: str | None = None,
        org_id: int | None = None,
    ) -> SeedBuilder:
        """A user (added once) and their accepted membership of the organization."""
        if not any(user["id"] == user_id for user in self._data["users"]):
            self._data["users"].append({"id": user_id, "email": email, "name": name, "apiKey": api_key})
        self._data["memberships"].append({"userId": user_id, "teamId": self._org(org_id), "role": role})
        return self

    def attribute(
        self,
        name: str,
        *,
        type: AttributeType = "SINGLE_SELECT",
        slug: str | None = None,
        options: Sequence[str] = (),
        enabled: bool = True,
        locked: bool = False,
        weights_enabled: bool = False,
        org_id: int | None = None,
    ) -> SeedBuilder:
        """An attribute with options named by their values (slugs and ids derived from them);
        ``locked`` and ``weights_enabled`` set flags the public API cannot set."""
        org, attribute_slug = self._org(org_id), slug or slugify(name)
        self._data["attributes"].append(
            {
                "orgId": org,
                "name": name,
                "slug": attribute_slug,
                "type": type,
                "enabled": enabled,
                "isLocked": locked,
                "isWeightsEnabled": weights_enabled,
                "options": [
                    {"id": option_id(org, attribute_slug, slugify(value)), "value": value, "slug": slugify(value)}
                    for value in options
                ],
            }
        )
        return self

    def assign(
        self,
        user_id: int,
        attribute_slug: str,
        option_value: str,
        *,
        weight: int | None = None,
        org_id: int | None = None,
    ) -> SeedBuilder:
        """Give a member an option of an attribute (by the attribute's slug and the option's value)."""
        org = self._org(org_id)
        call = f"assign({user_id}, {attribute_slug!r}, {option_value!r})"
        attribute = next(
            (a for a in self._data["attributes"] if a["orgId"] == org and a["slug"] == attribute_slug), None
        )
        if attribute is None:
            raise SeedError(
                f"{call}: organization {org} has no attribute {attribute_slug!r} (add it with attribute() first)"
            )
        options = attribute["options"]
        values = [o["value"] for o in options if isinstance(o, dict)] if isinstance(options, list) else []
        if option_value not in values:
            declared = ", ".join(repr(v) for v in values) or "none"
            raise SeedError(
                f"{call}: attribute {attribute_slug!r} has no option {option_value!r} (its options: {declared})"
            )
        self._data["assignments"].append(
            {
                "userId": user_id,
                "orgId": org,
                "optionId": option_id(org, attribute_slug, slugify(option_value)),
                "weight": weight,
            }
        )
        return self

    def to_dict(self) -> dict[str, list[dict[str, JSON]]]:
        """The seed document (the JSON format of docs/mock.md)."""
        return {key: [dict(item) for item in items] for key, items in self._data.items()}

    def build(self) -> Seed:
        return parse_seed(self.to_dict())

    def _org(self, org_id: int | None) -> int:
        if org_id is not None:
            return org_id
        if self._last_org is None:
            raise ValueError("add an organization first (or pass org_id=)")
        return self._last_org
