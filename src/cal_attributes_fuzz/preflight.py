"""Before fuzzing a live target: is it reachable, does it answer like the API, is the key accepted?"""

from __future__ import annotations

import httpx

TIMEOUT_SECONDS = 5.0


class TargetProblem(Exception):
    """The target cannot be fuzzed; the message says why, without the key."""


def check_target(url: str, org_id: int, api_key: str, transport: httpx.BaseTransport | None = None) -> None:
    """One cheap read (a page of one attribute) that must succeed before hundreds of requests are sent."""
    probe = f"{url}/v2/organizations/{org_id}/attributes"
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, transport=transport) as client:
            response = client.get(probe, params={"take": 1}, headers={"Authorization": f"Bearer {api_key}"})
    except httpx.HTTPError as error:
        raise TargetProblem(f"cannot reach {url}: {type(error).__name__}: {error}") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TargetProblem(
            f"{url} does not answer like the Cal.com API: GET {probe} gave HTTP {response.status_code} "
            f"with a {response.headers.get('content-type', 'untyped')} body, not a JSON object"
        )
    if response.status_code == 401:
        raise TargetProblem(f"{url} refused the API key in CAL_API_KEY (HTTP 401)")
    if response.status_code == 403:
        raise TargetProblem(f"the API key may not read organization {org_id} at {url} (HTTP 403: {message_of(body)})")
    if response.status_code != 200 or body.get("status") != "success" or not isinstance(body.get("data"), list):
        raise TargetProblem(
            f"{url} does not answer like the Cal.com API: GET {probe} gave HTTP {response.status_code} "
            f"({message_of(body) or 'no attribute list'})"
        )


def message_of(body: dict[str, object]) -> str:
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    message = body.get("message")
    return message if isinstance(message, str) else ""
