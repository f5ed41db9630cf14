"""Results of metric queries kept between reruns, keyed by (query, parameters, data version) (issue 17).

A widget click reruns the whole page; without this every rerun would compute the page's KPIs and
lists again. `base.run_df` / `base.run_row` look a result up here when the running thread has
*activated* the cache for a store (the app does so for each Streamlit script run, in
`dashboard.ui.store.get_store`; tests and the CLI never do, so they always query):

- key: the query file's name, every bound parameter (the scope's year, as-of date, units, filters and
  the settings the query reads), and the store's data version — `Store.generation` (grows with every
  committed `Store.transaction()` of this process, i.e. every write: imports, draws, entries,
  settings, the calendar) together with `Store.data_version()` (the audit log). Any write therefore
  makes every older entry unreachable; nothing is invalidated by hand.
- value: the DataFrame (or row) exactly as the query returned it; callers get a shallow copy, so a
  page that adds or renames columns does not change the cached frame (pandas copy-on-write).
- size: least recently used entries are dropped beyond `max_bytes` (default `DEFAULT_MAX_MB` MB;
  setting `cache.max_mb`) or `MAX_ENTRIES`; a single result larger than a quarter of the budget is
  not kept at all.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

DEFAULT_MAX_MB = 256
MAX_ENTRIES = 512

_active: contextvars.ContextVar[tuple[QueryCache, Any] | None] = contextvars.ContextVar(
    "metrics_query_cache", default=None
)


def _freeze(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return 1024 + sum(_size(v) for v in value.values())
    if isinstance(value, pd.DataFrame):
        try:
            return int(value.memory_usage(index=True, deep=True).sum())
        except Exception:  # pragma: no cover - an exotic column type
            return 1 << 20
    return 1024


class QueryCache:
    """A thread-safe LRU of query results with a byte budget."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_MB << 20, max_entries: int = MAX_ENTRIES):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_run(self, key: Hashable, run: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        value = run()  # outside the lock: two threads may compute the same result once each
        size = _size(value)
        if size <= self.max_bytes // 4:
            with self._lock:
                if key not in self._items:
                    self._items[key] = (value, size)
                    self._bytes += size
                while self._items and (
                    self._bytes > self.max_bytes or len(self._items) > self.max_entries
                ):
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


_caches: dict[int, QueryCache] = {}
_caches_lock = threading.Lock()


def cache_for(store: Any, max_mb: int | None = None) -> QueryCache:
    """The one QueryCache of `store` in this process (its budget follows `max_mb` when given)."""
    with _caches_lock:
        cache = _caches.get(id(store))
        if cache is None or getattr(cache, "_store", None) is not store:
            cache = QueryCache()
            cache._store = store  # type: ignore[attr-defined]  # id() reuse after a store is closed
            _caches[id(store)] = cache
    if max_mb is not None:
        cache.max_bytes = int(max_mb) << 20
    return cache


def activate(store: Any, max_mb: int | None = None) -> None:
    """Use the store's cache for metric queries run by the current thread (until `deactivate`)."""
    _active.set((cache_for(store, max_mb), store))


def deactivate() -> None:
    _active.set(None)


def version_of(store: Any) -> tuple[int, int]:
    """The data version a cached result is valid for: (writes committed in this process, audit id)."""
    return (int(getattr(store, "generation", 0)), int(store.data_version()))


def cached_query(name: str, params: dict[str, Any], run: Callable[[], Any]) -> Any:
    """`run()` through the active cache (or directly when none is active), keyed by query and data."""
    active = _active.get()
    if active is None:
        return run()
    cache, store = active
    key = (name, _freeze(params), version_of(store))
    return cache.get_or_run(key, run)


def cached_result(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a metric function `fn(con, *args, **kwargs)` whose Python work after its queries
    is worth keeping too (e.g. checking every entity's code): cached like a query, by the function's
    name, its other arguments (the scope …) and the data version. A DataFrame result is returned as a
    shallow copy. Without an active cache, `fn` simply runs."""

    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(con: Any, *args: Any, **kwargs: Any) -> Any:
        if _active.get() is None:
            return fn(con, *args, **kwargs)
        value = cached_query(
            name, {"args": args, "kwargs": kwargs}, lambda: fn(con, *args, **kwargs)
        )
        return _copy(value)

    return wrapper


def _copy(value: Any) -> Any:
    """What a caller may change without changing the cache: shallow copies of frames (and dicts)."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
