"""Absolute request URLs, parsed once per path instead of twice per request.

Given a relative path, httpx parses it and then the merged absolute URL on every request: about a
third of the cost of a small call. The result depends only on the client's base URL and the path,
so it is kept, in a bounded table that starts over when the base URL changes.
"""

from __future__ import annotations

import httpx

MAX_PATHS = 1024  # paths carry ids, so a long-lived client sees many: bound the memory


class UrlCache:
    """The absolute URL (and its text, for logs and errors) of each path, for one base URL."""

    def __init__(self) -> None:
        # One tuple, swapped whole, so a thread never pairs one base URL with another's table.
        self._table: tuple[httpx.URL | None, dict[str, tuple[httpx.URL, str]]] = (None, {})

    def absolute(self, base: httpx.URL, path: str) -> tuple[httpx.URL, str]:
        cached_base, urls = self._table
        if base is not cached_base or len(urls) >= MAX_PATHS:  # one URL object per base_url assignment
            urls = {}
            self._table = (base, urls)
        known = urls.get(path)
        if known is None:
            url = merge(base, path)
            known = urls[path] = (url, str(url))
        return known


def merge(base: httpx.URL, path: str) -> httpx.URL:
    """What ``httpx.Client`` sends for ``path`` (see ``httpx.Client._merge_url``), by public API."""
    relative = httpx.URL(path)
    if not relative.is_relative_url:
        return relative
    return base.copy_with(raw_path=base.raw_path + relative.raw_path.lstrip(b"/"))
