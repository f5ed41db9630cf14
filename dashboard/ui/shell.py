"""What app.py runs: store (demo build on first start), log-in gate, navigation filtered by role."""

from __future__ import annotations

import logging

import duckdb
import streamlit as st

from dashboard.store import StoreError, query_failure
from dashboard.ui import nav
from dashboard.ui.i18n import t
from dashboard.ui.session import check_expiry, current_user
from dashboard.ui.store import ensure_store, get_store

_log = logging.getLogger(__name__)

APP_TITLE = "双随机监管驾驶舱"


def _ensure_store_with_progress(bar=None) -> None:
    """Build the demo store on first start under a progress bar (`bar`: the one app.py already shows)."""
    from dashboard import config

    if config.db_path().exists():
        if bar is not None:
            bar.empty()
        return
    if bar is None:
        bar = st.progress(0.0, text=t("common.demo_build.start"))

    def progress(fraction: float, message: str) -> None:
        bar.progress(
            min(max(float(fraction), 0.0), 1.0), text=f"{t('common.demo_build.title')}：{message}"
        )

    try:
        ensure_store(progress=progress)
    except StoreError as exc:
        bar.empty()
        st.error(str(exc))
        st.stop()
    except Exception as exc:  # noqa: BLE001 - one sentence, no traceback
        bar.empty()
        st.error(t("common.demo_build.failed", error=type(exc).__name__))
        st.stop()
    bar.empty()


def _page(spec: nav.PageSpec, *, default: bool = False) -> st.Page:
    return st.Page(
        spec.path,
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        default=default,
    )


def build_navigation(role: str | None) -> dict[str, list[st.Page]]:
    pages = nav.visible_pages(role)
    sections: dict[str, list[st.Page]] = {}
    for spec in pages:
        sections.setdefault(t(spec.section), []).append(_page(spec))
    return sections


def _start_page() -> None:
    """The root URL of a logged-in user: forward to the role's start page (总览 for most)."""
    user = current_user()
    spec = nav.page_spec(nav.default_page_key(nav.visible_pages(user.role if user else None)) or "")
    if spec is not None:
        st.switch_page(spec.path)
    st.error(t("common.no_pages"))


def _note_page_not_found(ctx=None) -> None:
    """Replaces Streamlit's English "Page not found" dialog: the start page opens instead, with a
    Chinese sentence above it (shown by page_setup)."""
    st.session_state[PAGE_NOT_FOUND_KEY] = True


PAGE_NOT_FOUND_KEY = "_page_not_found"


def _silence_page_not_found() -> None:
    import streamlit.commands.navigation as st_navigation

    if getattr(st_navigation, "send_page_not_found", None) is not _note_page_not_found:
        st_navigation.send_page_not_found = _note_page_not_found


def declare_navigation(user) -> st.Page:
    """st.navigation for this user: when logged out, the log-in page plus every page hidden (a page's
    page_setup shows the log-in form instead of data, so a bookmarked URL works after log-in); else
    the role's pages, and as the root URL a hidden start page that forwards to the role's first page,
    so every page keeps its own address (a default page would only answer at "/"). An unknown address
    opens the start page with a Chinese note instead of Streamlit's English "Page not found"."""
    _silence_page_not_found()
    if user is None:
        hidden = [_page(nav.LOGIN, default=True)]
        hidden += [_page(spec) for spec in nav.PAGES if spec.exists()]
        return st.navigation(hidden, position="hidden")
    sections = build_navigation(user.role)
    if not sections:
        st.error(t("common.no_pages"))
        st.stop()
    start = st.Page(
        _start_page,
        title=t("common.page.start"),
        icon=":material/home:",
        url_path="start",
        default=True,
        visibility="hidden",
    )
    login = st.Page(
        nav.LOGIN.path, title=t(nav.LOGIN.title_key), url_path="login", visibility="hidden"
    )
    first = next(iter(sections))
    sections[first] = [start, login, *sections[first]]
    return st.navigation(sections, position="sidebar", expanded=True)


def run(first_start_bar=None) -> None:
    _ensure_store_with_progress(first_start_bar)
    try:
        store = get_store()
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    check_expiry(store)
    _start_backup_schedule()
    page = declare_navigation(current_user())
    # a page switch computes for 1–4 s: a Chinese spinner says so (Streamlit shows it after 0.5 s)
    with st.spinner(t("common.working.page")):
        try:
            page.run()
        except duckdb.Error as exc:  # the store's time or memory limit: a sentence, not a traceback
            sentence = query_failure(
                exc, _memory_limit_mb(store), getattr(store, "max_execution_ms", 60_000)
            )
            if sentence is None:
                raise
            _log.warning("page query stopped: %s", exc)
            st.error(sentence)


def _memory_limit_mb(store) -> int | None:
    from dashboard.config import get_setting

    try:
        return int(get_setting(store, "store.memory_limit_mb"))
    except Exception:  # the message still helps without the figure
        return None


def _start_backup_schedule() -> None:
    """The running app's scheduled backups (setting backup_interval_hours, daily by default): one
    daemon thread per process, see dashboard.store.backup.start_scheduler. DASHBOARD_BACKUP_SCHEDULE=0
    turns it off (the tests do, so page tests do not copy their stores)."""
    import os

    if os.environ.get("DASHBOARD_BACKUP_SCHEDULE", "1") == "0":
        return
    from dashboard.store import backup

    backup.start_scheduler(get_store)
