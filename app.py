"""双随机监管驾驶舱 — entry point: page config, log-in gate, navigation (docs/ARCHITECTURE.md)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    # The first session after `streamlit run app.py` comes here through Streamlit's legacy pages/
    # folder navigation, which has just listed the file names in English and, at an unknown address,
    # opened its English "Page not found" dialog. Hide both at once, before the imports below take a
    # second; st.navigation then replaces that menu (`dashboard serve` avoids the legacy run).
    st.html(
        "<style>[data-testid='stSidebarNav'], div:has(> section[role='dialog'])"
        " { display: none !important; }</style>"
    )
# .streamlit/config.toml starts with the sidebar menu off, so that the legacy run above lists nothing;
# the app's own menu (st.navigation in dashboard.ui.shell) is shown from here on.
st.set_option("client.showSidebarNavigation", True)

st.set_page_config(
    page_title="双随机监管驾驶舱",
    page_icon=":material/verified_user:",
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone, so it never covers the form,
)


def _first_start_bar():
    """On the first start (no store yet) the demo-build progress bar, in Chinese, before the imports
    below (pandas, DuckDB, Plotly: seconds on a cold start) run; shell.run then drives it."""
    import tomllib

    from dashboard import config  # light: standard library only

    if config.db_path().exists():
        return None
    locale = config.PROJECT_ROOT / "dashboard" / "ui" / "locales" / "zh_CN" / "common.toml"
    with locale.open("rb") as fh:
        text = tomllib.load(fh)["demo_build"]["start"]
    return st.progress(0.0, text=text)


first_start_bar = _first_start_bar()

from dashboard.ui.shell import run  # noqa: E402

run(first_start_bar)
