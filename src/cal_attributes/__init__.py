"""The Cal.com organization attributes SDK: ``CalAttributes`` and ``AsyncCalAttributes``.

Their resources (``cal.attributes``, ``cal.attributes.options``, ``cal.assignments``,
``cal.sync_history``) are generated from openapi/cal-attributes.yaml into
``cal_attributes_client.resources``; the runtime under them is ``cal_attributes._base_client``.
"""

from typing import TYPE_CHECKING

from cal_attributes._base_client import (
    DEFAULT_MAX_RESPONSE_BYTES,
    NOT_GIVEN,
    AsyncCursorPage,
    AsyncPage,
    AsyncPaginator,
    NotGiven,
    RawResponse,
    SyncCursorPage,
    SyncPage,
)
from cal_attributes._settings import DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from cal_attributes.errors import (
    APIConnectionError,
    APIError,
    APIResponseTooLargeError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CalAttributesError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnexpectedRedirectError,
    UnprocessableEntityError,
)

if TYPE_CHECKING:
    from cal_attributes_client.resources import AsyncCalAttributes, CalAttributes
else:
    # The generated resources import this package's runtime, so they are imported on first use:
    # either package can then be imported first.
    def __getattr__(name: str) -> object:
        if name in ("CalAttributes", "AsyncCalAttributes"):
            from cal_attributes_client import resources

            return getattr(resources, name)
        raise AttributeError(f"module 'cal_attributes' has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseTooLargeError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCalAttributes",
    "AsyncCursorPage",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "CalAttributes",
    "CalAttributesError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "SyncCursorPage",
    "SyncPage",
    "UnexpectedRedirectError",
    "UnprocessableEntityError",
]
