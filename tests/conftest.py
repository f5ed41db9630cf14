"""Shared fixtures: an empty in-memory store, the county demo store built once per test run, and
private copies of it for tests that write (one per test, or one per module with `app_store`)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from dashboard.store import Store, open_store

# The demo store used by tests is anchored on this date so planted problems are stable.
DEMO_AS_OF = date(2026, 11, 27)
DEMO_SEED = 2026

# The running app's scheduled backups (issue 13) stay off in tests (and the servers they start).
os.environ.setdefault("DASHBOARD_BACKUP_SCHEDULE", "0")


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


@pytest.fixture
def fresh_demo_copy(demo_store, demo_db_path, tmp_path):
    """Path of a private copy of the demo store for this one test (e.g. a browser test's server)."""
    from tests.browser_util import copy_demo_store

    return copy_demo_store(demo_store, demo_db_path, tmp_path / "demo_copy.duckdb")


@pytest.fixture(scope="module")
def demo_copy(demo_store, demo_db_path, tmp_path_factory, request):
    """Path of this test module's private copy of the demo store (closed after the module)."""
    from dashboard.store import close_store
    from tests.browser_util import copy_demo_store

    name = request.module.__name__.rpartition(".")[2]
    path = copy_demo_store(
        demo_store, demo_db_path, tmp_path_factory.mktemp(name) / f"{name}.duckdb"
    )
    yield path
    close_store(path)


@pytest.fixture
def app_store(demo_copy, monkeypatch) -> Store:
    """The module's demo copy, opened, with DASHBOARD_DB pointing at it (for AppTest of the app)."""
    monkeypatch.setenv("DASHBOARD_DB", str(demo_copy))
    return open_store(demo_copy)


@pytest.fixture(scope="module")
def empty_db_file(tmp_path_factory) -> Path:
    """A store file with the full schema and no rows, made once per test module."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def empty_db_copy(empty_db_file, tmp_path):
    """A private copy of the empty store file for one test (closed afterwards)."""
    import shutil

    from dashboard.store import close_store

    path = tmp_path / "store.duckdb"
    shutil.copy(empty_db_file, path)
    yield path
    close_store(path)
