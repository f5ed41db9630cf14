"""The 数据管理 page body (kept in dashboard.ui so it can be tested and reused)."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.i18n import t


def render(scope) -> None:
    st.title(t("common.page.data_management"))
