"""登录 — the only page a visitor who is not logged in can reach."""

from dashboard.ui import page_setup

scope = page_setup("login", needs_scope=False)  # None: the log-in page has no scope

from dashboard.ui.login import render  # noqa: E402

render()
