"""Hand-written namespaces of the clients, beside the generated resources.

``CalAttributes`` (generated) inherits ``SyncAPIClient``, which inherits ``SyncNamespaces``; the
same for async. A namespace that is not one operation of the spec (such as ``cal.state``, the
"attributes as code" planner) is added here as a ``cached_property`` taking the client, e.g.::

    @cached_property
    def state(self) -> StateNamespace:
        from cal_attributes.state import StateNamespace  # imported on first use: no import cycle
        return StateNamespace(cast("CalAttributes", self))

with ``CalAttributes`` imported from ``cal_attributes_client.resources`` under ``TYPE_CHECKING``.
"""

from __future__ import annotations


class SyncNamespaces:
    """Hand-written namespaces of ``CalAttributes``."""


class AsyncNamespaces:
    """Hand-written namespaces of ``AsyncCalAttributes``."""
