"""The high-level clients: the generated client with timeouts, retries, typed errors and pagination."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import httpx
from cal_attributes_client import AuthenticatedClient
from cal_attributes_client.models import (
    AssignedOption,
    AssignmentHistoryEntry,
    Attribute,
    SyncRun,
)
from cal_attributes_client.types import UNSET, Unset
from tenacity import AsyncRetrying, Retrying, retry_if_exception, stop_after_attempt

from cal_attributes import pagination
from cal_attributes._calls import Endpoint, check_status, log_attempt, parse, transport_error
from cal_attributes._retry import Backoff, should_retry
from cal_attributes._settings import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Settings, resolve_settings
from cal_attributes._urls import UrlCache
from cal_attributes.errors import APIError
from cal_attributes.pagination import Listing

T = TypeVar("T")


class _Base:
    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = 0.5,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._settings: Settings = resolve_settings(api_key, base_url, client_id, client_secret)
        self._max_retries = max_retries
        self._backoff = Backoff(backoff)
        self._controllers: dict[str, Retrying] = {}
        self._urls = UrlCache()
        self.generated = AuthenticatedClient(
            base_url=self._settings.base_url,
            token=self._settings.api_key or "",
            headers=self._settings.headers(),
            timeout=timeout if isinstance(timeout, httpx.Timeout) or timeout is None else httpx.Timeout(timeout),
            httpx_args=dict(httpx_args or {}),
        )
        """The generated client underneath, for the ``*_detailed`` functions (no retries, no exceptions)."""

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt (set at construction)."""
        return self._max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r}, credential={self._settings.credential!r})"

    def _prepare(
        self, endpoint: Endpoint[Any], args: tuple[Any, ...], kwargs: dict[str, Any], base: httpx.URL
    ) -> tuple[dict[str, Any], str, str]:
        """The request the generated operation builds, its method, and its URL for logs and errors."""
        timeout = kwargs.pop("request_timeout", None)
        request = endpoint._get_kwargs(*args, **kwargs)
        if timeout is not None:
            request["timeout"] = timeout
        if not request.get("params"):
            request.pop("params", None)  # an empty dict still costs httpx a URL re-parse
        request["url"], url = self._urls.absolute(base, request["url"])
        return request, request["method"].upper(), url

    def _policy(self, method: str) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self._max_retries + 1),
            "retry": retry_if_exception(lambda error: should_retry(method, error)),
            "wait": self._backoff,
            "reraise": True,
        }


class CalAttributes(_Base):
    """Synchronous client. Raises a ``cal_attributes.errors`` exception for every failure.

    >>> cal = CalAttributes()  # CAL_API_KEY and CAL_API_URL from the environment
    >>> page = cal.call(list_attributes, 123, take=50)
    """

    def call(self, endpoint: Endpoint[T], /, *args: Any, **kwargs: Any) -> T:
        """Call a generated operation with its own arguments; return its success model.

        ``request_timeout=`` (seconds or an ``httpx.Timeout``) overrides the client's timeout for
        this call.
        """
        http = self.generated.get_httpx_client()
        request, method, url = self._prepare(endpoint, args, kwargs, http.base_url)
        try:
            response = self._send(http, request, method, url, 1)
        except APIError as first:
            if not self._max_retries or not should_retry(method, first):
                raise
            response = self._send_again(http, request, method, url, first)
        return parse(endpoint, self.generated, response)

    def _send(self, http: httpx.Client, request: dict[str, Any], method: str, url: str, attempt: int) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = http.request(**request)
        except httpx.TransportError as error:
            log_attempt(method, url, type(error).__name__, started, attempt)
            raise transport_error(error, request, url) from error
        log_attempt(method, response.request.url, str(response.status_code), started, attempt)
        return check_status(response)

    def _send_again(
        self, http: httpx.Client, request: dict[str, Any], method: str, url: str, first: APIError
    ) -> httpx.Response:
        """The retries after a failed first attempt, paced and bounded by tenacity."""
        for attempt in self._retrying(method):  # reused: tenacity keeps per-call state per thread
            with attempt:
                number = attempt.retry_state.attempt_number
                if number == 1:
                    raise first  # the attempt already made: tenacity decides and waits from it
                return self._send(http, request, method, url, number)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _retrying(self, method: str) -> Retrying:
        controller = self._controllers.get(method)
        if controller is None:
            controller = self._controllers[method] = Retrying(**self._policy(method))
        return controller

    def iter_attributes(self, org_id: int, *, page_size: int = 100) -> Iterator[Attribute]:
        """Every attribute of the organization, ``page_size`` (1 to 250) per request."""
        return itertools.chain.from_iterable(self._pages(pagination.attributes(org_id, page_size)))

    def iter_assigned_options(
        self,
        org_id: int,
        *,
        attribute_id: str | None = None,
        attribute_slug: str | None = None,
        assigned_option_ids: list[str] | Unset = UNSET,
        team_ids: list[int] | Unset = UNSET,
        page_size: int = 100,
    ) -> Iterator[AssignedOption]:
        """Every assigned option of one attribute (by id or by slug), ``page_size`` per request."""
        listing = pagination.assigned_options(
            org_id, attribute_id, attribute_slug, assigned_option_ids, team_ids, page_size
        )
        return itertools.chain.from_iterable(self._pages(listing))

    def iter_assignment_history(
        self, org_id: int, user_id: int, *, page_size: int = 25
    ) -> Iterator[AssignmentHistoryEntry]:
        """The user's assignment audit log, newest first, following the cursors (1 to 50 per request)."""
        return itertools.chain.from_iterable(self._pages(pagination.assignment_history(org_id, user_id, page_size)))

    def iter_sync_history(self, org_id: int, user_id: int, *, page_size: int = 25) -> Iterator[SyncRun]:
        """The user's integration sync runs, newest first, following the cursors (1 to 100 per request)."""
        return itertools.chain.from_iterable(self._pages(pagination.sync_history(org_id, user_id, page_size)))

    def _pages(self, listing: Listing[T]) -> Iterator[list[T]]:
        """One list of items per request, fetched only when the previous one is used up."""
        while not listing.pager.done:
            args, kwargs = listing.call_arguments()
            items, has_more, next_cursor = listing.read(self.call(listing.endpoint, *args, **kwargs))
            listing.pager.advance(len(items), has_more, next_cursor)
            yield items
            del items  # one page in memory at a time

    def close(self) -> None:
        self.generated.get_httpx_client().close()

    def __enter__(self) -> CalAttributes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncCalAttributes(_Base):
    """Asynchronous client; the same behaviour as ``CalAttributes``."""

    async def call(self, endpoint: Endpoint[T], /, *args: Any, **kwargs: Any) -> T:
        """Call a generated operation with its own arguments; return its success model.

        ``request_timeout=`` (seconds or an ``httpx.Timeout``) overrides the client's timeout for
        this call.
        """
        http = self.generated.get_async_httpx_client()
        request, method, url = self._prepare(endpoint, args, kwargs, http.base_url)
        try:
            response = await self._send(http, request, method, url, 1)
        except APIError as first:
            if not self._max_retries or not should_retry(method, first):
                raise
            response = await self._send_again(http, request, method, url, first)
        return parse(endpoint, self.generated, response)

    async def _send(
        self, http: httpx.AsyncClient, request: dict[str, Any], method: str, url: str, attempt: int
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await http.request(**request)
        except httpx.TransportError as error:
            log_attempt(method, url, type(error).__name__, started, attempt)
            raise transport_error(error, request, url) from error
        log_attempt(method, response.request.url, str(response.status_code), started, attempt)
        return check_status(response)

    async def _send_again(
        self, http: httpx.AsyncClient, request: dict[str, Any], method: str, url: str, first: APIError
    ) -> httpx.Response:
        # A fresh controller per call: tenacity keeps per-call state per thread, and coroutines share one.
        async for attempt in AsyncRetrying(**self._policy(method)):
            with attempt:
                number = attempt.retry_state.attempt_number
                if number == 1:
                    raise first
                return await self._send(http, request, method, url, number)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def iter_attributes(self, org_id: int, *, page_size: int = 100) -> AsyncIterator[Attribute]:
        return self._items(pagination.attributes(org_id, page_size))

    def iter_assigned_options(
        self,
        org_id: int,
        *,
        attribute_id: str | None = None,
        attribute_slug: str | None = None,
        assigned_option_ids: list[str] | Unset = UNSET,
        team_ids: list[int] | Unset = UNSET,
        page_size: int = 100,
    ) -> AsyncIterator[AssignedOption]:
        return self._items(
            pagination.assigned_options(org_id, attribute_id, attribute_slug, assigned_option_ids, team_ids, page_size)
        )

    def iter_assignment_history(
        self, org_id: int, user_id: int, *, page_size: int = 25
    ) -> AsyncIterator[AssignmentHistoryEntry]:
        return self._items(pagination.assignment_history(org_id, user_id, page_size))

    def iter_sync_history(self, org_id: int, user_id: int, *, page_size: int = 25) -> AsyncIterator[SyncRun]:
        return self._items(pagination.sync_history(org_id, user_id, page_size))

    async def _items(self, listing: Listing[T]) -> AsyncIterator[T]:
        """Every item, fetching a page only when the previous one is used up."""
        while not listing.pager.done:
            args, kwargs = listing.call_arguments()
            items, has_more, next_cursor = listing.read(await self.call(listing.endpoint, *args, **kwargs))
            listing.pager.advance(len(items), has_more, next_cursor)
            for item in items:
                yield item
            del items  # one page in memory at a time

    async def aclose(self) -> None:
        await self.generated.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncCalAttributes:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
