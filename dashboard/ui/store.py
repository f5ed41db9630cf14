"""The process-wide store for the app, and the first-start demo build with a progress bar."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from dashboard import config
from dashboard.store import Store, close_store, open_store

_build_lock = threading.Lock()
_budget: dict[int, tuple[Store, int, int]] = {}  # id(store) → (store, generation, cache.max_mb)


def get_store() -> Store:
    """The one Store of this process for config.db_path() (open_store caches it per path).

    In a Streamlit script run it also turns on the metric query cache for that run
    (dashboard.metrics.cache: results keyed by query, parameters and data version)."""
    store = open_store(config.db_path())
    _activate_query_cache(store)
    return store


def _activate_query_cache(store: Store) -> None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from dashboard.metrics import cache

    if get_script_run_ctx(suppress_warning=True) is None:
        return  # not a page run (a background thread, the CLI, a test calling this directly)
    seen = _budget.get(id(store))
    if seen is not None and seen[0] is store and seen[1] == store.generation:
        max_mb = seen[2]  # unchanged since the last run: no settings query
    else:
        max_mb = int(config.get_setting(store, "cache.max_mb"))
        _budget[id(store)] = (store, store.generation, max_mb)
    if max_mb <= 0:
        cache.deactivate()
    else:
        cache.activate(store, max_mb)


def ensure_store(progress=None) -> Path:
    """Build the demo store at config.db_path() if the file does not exist (once per process).

    The build writes a temporary file that is renamed into place only when complete, so an interrupted
    build never leaves a half-filled store behind. `progress(fraction, message)` reports the build.
    """
    path = Path(config.db_path())
    if path.exists():
        return path
    with _build_lock:
        if path.exists():
            return path
        from dashboard.demo import build_demo_store

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".building")
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
        build_demo_store(tmp, progress=progress)
        close_store(tmp)
        os.replace(tmp, path)
    return path
