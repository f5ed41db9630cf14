"""数据管理 — store inventory, import (dry run first), templates, export."""

from dashboard.ui import page_setup

scope = page_setup("data_management", needs_scope=False)

from dashboard.ui.pages_data import render  # noqa: E402

render(scope)
