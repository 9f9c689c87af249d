"""Cal.com's guard chain, in its order: throttling, authentication (401), organization (403),
role (403), platform plan (403), Admin API access (403)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping

from cal_attributes_mock.store import ROLE_RANK, Caller, HttpFailure, Store

NO_CREDENTIALS = (
    "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or "
    "OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers"
)
ONLY_CLIENT_ID = "ApiAuthStrategy - Only 'x-cal-client-id' header provided, 'x-cal-secret-key' header is missing"
PLAN_ORDER = ("FREE", "STARTER", "ESSENTIALS", "SCALE", "PER_ACTIVE_USER", "ENTERPRISE")
MAX_TRACKED_CREDENTIALS = 10_000
ROLE_OF = {"ORG_MEMBER": "MEMBER", "ORG_ADMIN": "ADMIN", "ORG_OWNER": "OWNER"}


def bearer_token(authorization: str) -> str:
    """The API key in an ``Authorization`` value; the real server tolerates a missing prefix."""
    return authorization.replace("Bearer ", "", 1).strip()


def credential(headers: Mapping[str, str]) -> str:
    """What the throttler counts requests by: the OAuth client, or the token as authentication
    reads it, so ``Bearer KEY``, ``KEY`` and ``Bearer  KEY`` share one budget."""
    client_id = headers.get("x-cal-client-id")
    if client_id:
        return f"client:{client_id}"
    return f"token:{bearer_token(headers.get('authorization', ''))}"


def authenticate(store: Store, headers: Mapping[str, str]) -> Caller:
    """ApiAuthGuard: platform OAuth client headers first, then ``Authorization``."""
    client_id, secret = headers.get("x-cal-client-id"), headers.get("x-cal-secret-key")
    if client_id:
        if not secret:
            raise HttpFailure(401, ONLY_CLIENT_ID)
        found = store.user_for_oauth_client(client_id, secret)
        if found == "secret":
            raise HttpFailure(401, "ApiAuthStrategy - oAuth client - Invalid client secret")
        if found is None:
            raise HttpFailure(401, f"ApiAuthStrategy - oAuth client - Client with ID {client_id} not found")
        assert not isinstance(found, str)
        return Caller(found, via_oauth_client=True)
    authorization = headers.get("authorization")
    if not authorization:
        raise HttpFailure(401, NO_CREDENTIALS)
    token = bearer_token(authorization)
    if not token.startswith("cal_"):
        # Managed-user and OAuth access tokens are not modelled: the mock knows API keys only.
        raise HttpFailure(401, "ApiAuthStrategy - Invalid Bearer token")
    caller = store.api_key_caller(token)
    if caller is None:
        raise HttpFailure(401, "ApiAuthStrategy - api key - Your api key is not valid")
    if caller == "expired":
        raise HttpFailure(401, "ApiAuthStrategy - api key - Your api key is expired")
    return caller


def authorize(store: Store, caller: Caller, org_id: int, minimum_role: str) -> None:
    """IsOrgGuard, RolesGuard, PlatformPlanGuard and IsAdminAPIEnabledGuard."""
    org = store.organizations.get(org_id)
    if org is None:
        raise HttpFailure(
            403, f"IsOrgGuard - provided organization id={org_id} does not represent any existing organization."
        )
    user = caller.user
    if not user.system_admin:
        membership = store.memberships.get((user.id, org_id))  # `accepted` is not checked, as in the real guard
        if membership is None:
            raise HttpFailure(403, f"RolesGuard - User is not a member of the organization with id={org_id}.")
        if ROLE_RANK[membership.role] < ROLE_RANK[ROLE_OF[minimum_role]]:
            raise HttpFailure(
                403,
                f"RolesGuard - user with id={user.id} does not have the minimum required role={minimum_role} "
                f"within organization with id={org_id}.",
            )
    if org.is_platform:
        plan = org.platform_plan
        if plan is None or PLAN_ORDER.index(plan) < PLAN_ORDER.index("ESSENTIALS"):
            raise HttpFailure(
                403,
                f"PlatformPlanGuard - organization with id={org_id} does not have the minimum required plan ESSENTIALS.",
            )
    elif not org.admin_api_enabled:
        raise HttpFailure(
            403,
            "IsAdminAPIEnabledGuard - Organization does not have Admin API access, please contact "
            "https://cal.com/sales to upgrade",
        )


class RateLimiter:
    """CustomThrottlerGuard: a sliding window of requests per credential."""

    def __init__(self, api_key_limit: int, oauth_limit: int, window_seconds: float) -> None:
        self.api_key_limit, self.oauth_limit, self.window = api_key_limit, oauth_limit, window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, credential: str) -> int | None:
        """None when a request of ``credential`` may pass; else the seconds until it may be retried."""
        limit = self.api_key_limit if credential.startswith("token:cal_") else self.oauth_limit
        now = time.monotonic()
        with self._lock:
            if len(self._hits) >= MAX_TRACKED_CREDENTIALS:
                self._forget_idle(now)
            hits = self._hits.setdefault(credential, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, int(hits[0] + self.window - now + 0.999))
            hits.append(now)
        return None

    def _forget_idle(self, now: float) -> None:
        """Drop credentials without a hit in the window: made-up tokens must not grow memory."""
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
