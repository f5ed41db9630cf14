"""What app.py runs: store (demo build on first start), log-in gate, navigation filtered by role."""

from __future__ import annotations

import streamlit as st

from dashboard.store import StoreError
from dashboard.ui import nav
from dashboard.ui.i18n import t
from dashboard.ui.session import check_expiry, current_user
from dashboard.ui.store import ensure_store, get_store

APP_TITLE = "双随机监管驾驶舱"


def _ensure_store_with_progress() -> None:
    from dashboard import config

    if config.db_path().exists():
        return
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
    default_key = nav.default_page_key(pages)
    sections: dict[str, list[st.Page]] = {}
    for spec in pages:
        sections.setdefault(t(spec.section), []).append(
            _page(spec, default=spec.key == default_key)
        )
    return sections


def declare_navigation(user) -> st.Page:
    """st.navigation for this user: when logged out, the log-in page plus every page hidden (a page's
    page_setup shows the log-in form instead of data, so a bookmarked URL works after log-in and never
    meets Streamlit's English "Page not found"); else the role's pages."""
    if user is None:
        hidden = [_page(nav.LOGIN, default=True)]
        hidden += [_page(spec) for spec in nav.PAGES if spec.exists()]
        return st.navigation(hidden, position="hidden")
    sections = build_navigation(user.role)
    if not sections:
        st.error(t("common.no_pages"))
        st.stop()
    return st.navigation(sections, position="sidebar", expanded=True)


def run() -> None:
    _ensure_store_with_progress()
    try:
        store = get_store()
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    check_expiry(store)
    _start_backup_schedule()
    declare_navigation(current_user()).run()


def _start_backup_schedule() -> None:
    """The running app's scheduled backups (setting backup_interval_hours, daily by default): one
    daemon thread per process, see dashboard.store.backup.start_scheduler. DASHBOARD_BACKUP_SCHEDULE=0
    turns it off (the tests do, so page tests do not copy their stores)."""
    import os

    if os.environ.get("DASHBOARD_BACKUP_SCHEDULE", "1") == "0":
        return
    from dashboard.store import backup

    backup.start_scheduler(get_store)
