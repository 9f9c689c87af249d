"""Sending one generated operation and turning its response into a model or a typed error."""

from __future__ import annotations

import gc
import logging
import time
from typing import Any, Protocol, TypeVar

import httpx
import orjson
from cal_attributes_client import AuthenticatedClient, Client

from cal_attributes._validation import first_error
from cal_attributes.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    status_error,
)

logger = logging.getLogger("cal_attributes")
T_co = TypeVar("T_co", covariant=True)
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


class Endpoint(Protocol[T_co]):
    """A generated operation module, such as ``cal_attributes_client.api.attributes.list_attributes``."""

    def _get_kwargs(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

    def _parse_response(self, *, client: AuthenticatedClient | Client, response: httpx.Response) -> T_co | None: ...


def transport_error(error: httpx.TransportError, request: dict[str, Any], url: str) -> APIConnectionError:
    kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    failure = kind(f"{type(error).__name__}: {error}", method=request["method"].upper(), url=url)
    failure.__cause__ = error
    return failure


def check_status(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise status_error(response)
    return response


def parse(endpoint: Endpoint[T_co], client: AuthenticatedClient, response: httpx.Response) -> T_co:
    """The success model, or APIResponseValidationError for a body that is not what the spec says."""
    request = response.request

    def invalid(reason: str) -> APIResponseValidationError:
        return APIResponseValidationError(
            reason, method=request.method, url=str(request.url), status_code=response.status_code, body=response.text
        )

    # Decoding a large body allocates many objects but no cycles: pausing the cyclic garbage
    # collector meanwhile saves its repeated, useless passes (about a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            body = orjson.loads(response.content)  # faster than the json module httpx uses
        except orjson.JSONDecodeError as error:
            raise invalid(f"the response is not JSON ({error})") from error
        module = getattr(endpoint, "__name__", "").rsplit(".", 1)[-1]
        problem = first_error(module, response.status_code, body)
        if problem is not None:
            raise invalid(f"the response does not match the spec: {problem}")
        response.json = lambda **_: body  # type: ignore[method-assign]  # the generated parser reads it
        try:
            parsed = endpoint._parse_response(client=client, response=response)
        except PARSE_ERRORS as error:
            raise invalid(f"the response does not match the spec ({type(error).__name__}: {error})") from error
        finally:
            # httpx responses sit in a reference cycle (response <-> stream) that only the cyclic
            # GC frees: keep the decoded body out of it, or it lives until the next collection.
            del response.json
    finally:
        if collecting:
            gc.enable()
    if parsed is None:
        raise invalid(f"status {response.status_code} is not documented for this operation")
    return parsed


def log_attempt(method: str, url: str | httpx.URL, outcome: str, started: float, attempt: int) -> None:
    """DEBUG: method, URL (with its query), outcome, elapsed time and retries so far.

    Never headers or bodies: the credentials travel in headers only.
    """
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "%s %s -> %s in %.1f ms (retry %d)", method, url, outcome, (time.perf_counter() - started) * 1000, attempt - 1
    )
