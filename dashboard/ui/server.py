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
    try:
        streamlit_cli.main(args=streamlit_argv(flags), prog_name="streamlit", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.stdout.flush()
    return 0
