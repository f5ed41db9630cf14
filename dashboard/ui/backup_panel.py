"""数据管理 → 备份 (issue 13): back up now, the generations kept, and the schedule in force."""

from __future__ import annotations

import streamlit as st

from dashboard import config
from dashboard.store import Store, StoreError
from dashboard.store import backup as store_backup
from dashboard.ui.components import error
from dashboard.ui.i18n import t


def backup_panel(store: Store, user) -> None:
    """Administrators only: a consistent backup of the open store (under the write lock, after a
    checkpoint) and the list of backups kept in <store folder>/backups."""
    st.subheader(t("data.backup.title"))
    if user is None or not user.is_admin:
        st.caption(t("data.backup.not_allowed"))
        return
    if str(store.path) == ":memory:":
        return
    interval = float(config.get_setting(store, "backup_interval_hours"))
    keep = int(config.get_setting(store, "backup_keep"))
    schedule = (
        t("data.backup.schedule", hours=f"{interval:g}", keep=keep)
        if interval > 0
        else t("data.backup.schedule_off", keep=keep)
    )
    st.caption(f"{schedule} {t('data.backup.where', folder=store_backup.backup_dir(store.path))}")
    if st.button(t("data.backup.now"), icon=":material/backup:", key="backup_now"):
        try:
            made = store_backup.make_backup(store, "manual", keep=keep)
        except StoreError as exc:
            error(str(exc))
        else:
            st.success(t("data.backup.done", path=made.name), icon=":material/check_circle:")
    found = store_backup.list_backups(store.path)
    if not found:
        st.caption(t("data.backup.none"))
        return
    st.dataframe(
        [
            {
                t("data.backup.col_time"): f"{b.created_at:%Y-%m-%d %H:%M:%S}",
                t("data.backup.col_reason"): b.label,
                t("data.backup.col_size"): f"{b.size / 1024 / 1024:.1f} MB",
                t("data.backup.col_file"): b.path.name,
            }
            for b in found
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(t("data.backup.restore_hint"))
