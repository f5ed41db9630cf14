"""Start the Streamlit server in this process for `dashboard serve` (dashboard.ops.serve has the options)."""

from __future__ import annotations

import os
import sys

from dashboard.config import PROJECT_ROOT
from dashboard.ops.serve import streamlit_argv


def run_server(flags: dict[str, object]) -> int:
    """Run `streamlit run app.py` with `flags` until the server stops (Ctrl+C, SIGTERM); its exit code.

    The working directory becomes the project folder so that its .streamlit/ (theme, secrets) applies;
    the flags win over any config.toml."""
    from streamlit.web import cli as streamlit_cli

    os.chdir(PROJECT_ROOT)
    _no_pages_directory_navigation()
    try:
        streamlit_cli.main(args=streamlit_argv(flags), prog_name="streamlit", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.stdout.flush()
    return 0


def _no_pages_directory_navigation() -> None:
    """The app declares its pages with st.navigation; without this, the first session after a start
    runs Streamlit's legacy pages/ folder navigation once before app.py gets to st.navigation, and
    its visitor sees the file names ("account", "analysis" …) and, at an unknown address, the English
    "Page not found" dialog for about a second (issue 12 point 10). st.navigation sets the same flag on
    its first call; this sets it before any session."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
