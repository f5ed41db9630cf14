"""双随机监管驾驶舱 — entry point: page config, log-in gate, navigation (DESIGN.md §2, §7)."""

import streamlit as st

st.set_page_config(
    page_title="双随机监管驾驶舱",
    page_icon=":material/verified_user:",
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone, so it never covers the form,
)

from dashboard.ui.shell import run  # noqa: E402

run()
