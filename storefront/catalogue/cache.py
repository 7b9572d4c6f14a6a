"""A small per-process cache for the catalogue's expensive read aggregates.

Counting facets and ranking a broad search touch every matching product, which at 10,000+
products costs far more than rendering a page. Those results (ids in order, totals, facet
counts) are cached for CATALOGUE_CACHE_SECONDS (60 by default, off when TESTING), keyed by the
validated filters and the day. The rows themselves are always loaded fresh by id and re-checked
as public, so a price, a stock level or a certificate is never stale; at worst a new product or
a count shows up to a minute late. Each worker process has its own cache; nothing is shared.

Two kinds of rendered HTML are kept too, both free of anything personal (no user data, no CSRF
token): the listing's filters sidebar, keyed by the version of the facet counts it shows
(routes.filters_panel), and each product card, keyed by every value of its freshly loaded row
and the language (cards.rendered_cards).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

DEFAULT_SECONDS = 60
MAX_ENTRIES = 2048


class TTLCache:
    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get_or_set(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, or compute() it once: other threads asking for the same key
        meanwhile wait for that result instead of running the same aggregate in parallel
        (a worker's threads all miss together when the entry expires)."""
        if self.seconds <= 0:
            return compute()
        while True:
            now = time.monotonic()
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] > now:
                    self._entries.move_to_end(key)
                    return entry[1]
                computing = self._computing.get(key)
                if computing is None:
                    done = self._computing[key] = threading.Event()
                    break
            # Another thread is computing it; if that fails, the next loop computes.
            computing.wait()
        try:
            value = compute()
            with self._lock:
                self._entries[key] = (now + self.seconds, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        finally:
            with self._lock:
                del self._computing[key]
            done.set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


NO_CACHE = TTLCache(0)


def cache_seconds(app) -> float:
    """CATALOGUE_CACHE_SECONDS, or 60 (0, off, when TESTING)."""
    return app.config.get("CATALOGUE_CACHE_SECONDS", 0 if app.testing else DEFAULT_SECONDS)


def catalogue_cache() -> TTLCache:
    """The app's cache, created on first use with the configured lifetime."""
    app = current_app._get_current_object()
    cache = app.extensions.get("catalogue_cache")
    if cache is None:
        cache = TTLCache(cache_seconds(app))
        app.extensions["catalogue_cache"] = cache
    return cache


def invalidate() -> None:
    """Forget cached ids and counts in this process (e.g. after featuring a product).

    Other worker processes catch up within CATALOGUE_CACHE_SECONDS.
    """
    catalogue_cache().clear()
