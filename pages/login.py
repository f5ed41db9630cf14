"""登录 — the only page a visitor who is not logged in can reach."""

from dashboard.ui.login import render

render()
