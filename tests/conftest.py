"""Shared fixtures: an empty in-memory store, and the county demo store built once per test run."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.store import Store, open_store

# The demo store used by tests is anchored on this date so planted problems are stable.
DEMO_AS_OF = date(2026, 11, 27)
DEMO_SEED = 2026


@pytest.fixture
def store() -> Store:
    """A fresh empty store with the full schema (in memory)."""
    s = open_store(":memory:")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """Path of the county demo store (seed 2026, as of 2026-11-27), built once per session."""
    from dashboard.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo_store(path, seed=DEMO_SEED, scale="county", as_of=DEMO_AS_OF)
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db_path) -> Store:
    """The demo store opened in this process (shared: tests must not write to it)."""
    return open_store(demo_db_path)
