"""Hand-written namespaces of the clients, beside the generated resources.

``CalAttributes`` (generated) inherits ``SyncAPIClient``, which inherits ``SyncNamespaces``; the
same for async. A namespace that is not one operation of the spec (such as ``cal.state``, the
"attributes as code" planner) is added here as a ``cached_property`` taking the client; it is
imported on first use, so there is no import cycle.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from cal_attributes_client.resources import AsyncCalAttributes, CalAttributes

    from cal_attributes.state import AsyncStateManager, StateManager


class SyncNamespaces:
    """Hand-written namespaces of ``CalAttributes``."""

    @cached_property
    def state(self) -> StateManager:
        """Attributes as code: ``cal.state.plan(State.load(path))``, ``cal.state.apply(plan)``, ``cal.state.export()``."""
        from cal_attributes.state import StateManager

        return StateManager.for_client(cast("CalAttributes", self))


class AsyncNamespaces:
    """Hand-written namespaces of ``AsyncCalAttributes``."""

    @cached_property
    def state(self) -> AsyncStateManager:
        """Attributes as code: ``await cal.state.plan(...)``, ``await cal.state.apply(plan)``."""
        from cal_attributes.state import AsyncStateManager

        return AsyncStateManager.for_client(cast("AsyncCalAttributes", self))
