"""Helpers for app and browser tests (reusable by every page's tests).

copy_demo_store(demo_store, demo_db_path, dest)  a private copy of the session demo store
login_as(at, username)                          preset a logged-in user in an AppTest (test hook)
free_port()                                     an unused TCP port on 127.0.0.1
StreamlitServer(db_path, port=None)             `uv run streamlit run app.py` in the background
launch_chromium(playwright)                     headless /usr/bin/chromium with offline flags
served_browser(db_path, playwright=None)        a StreamlitServer and a headless chromium: (server, browser)
app_page(db_path, username, password, ...)      served_browser plus one page at the app, logged in if asked
open_page(page, title, text)                    sidebar link → wait for text and idle; the main area
CHROMIUM                                        the browser path; browser tests skip without it
BROWSER_MARKS                                   `pytestmark` of browser tests (marker, skip without chromium)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]
APP = PROJECT_ROOT / "app.py"
SHOTS = Path("/tmp/shots")


def copy_demo_store(demo_store, demo_db_path: Path, dest: Path) -> Path:
    """Copy the (open, read-only in tests) session demo store to dest after a checkpoint."""
    demo_store.rows("CHECKPOINT")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_db_path, dest)
    return dest


def login_as(at, username: str, store) -> None:
    """The explicit test hook: put a stored user into the AppTest session as if they had logged in."""
    from dashboard.auth import get_user
    from dashboard.ui.session import ACTIVITY_KEY, USER_KEY

    user = get_user(store, username)
    assert user is not None, username
    at.session_state[USER_KEY] = user
    at.session_state[ACTIVITY_KEY] = datetime.now()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """A fresh `streamlit run app.py` on a free port with DASHBOARD_DB=db_path; use as a context manager."""

    def __init__(self, db_path: Path, port: int | None = None, log_path: Path | None = None):
        self.db_path = Path(db_path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.db_path.with_suffix(f".{self.port}.log")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> StreamlitServer:
        env = dict(os.environ, DASHBOARD_DB=str(self.db_path))
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                "uv",
                "run",
                "streamlit",
                "run",
                str(APP),
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("streamlit did not start within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def launch_chromium(playwright):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@contextmanager
def served_browser(db_path: Path, playwright=None) -> Iterator[tuple[StreamlitServer, object]]:
    """A fresh StreamlitServer on db_path and a headless chromium (closed on exit): (server, browser).

    Without `playwright` a sync_playwright() session is started for the duration.
    """
    with StreamlitServer(db_path) as server, ExitStack() as stack:
        if playwright is None:
            from playwright.sync_api import sync_playwright

            playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        try:
            yield server, browser
        finally:
            browser.close()


@contextmanager
def app_page(
    db_path: Path,
    username: str | None = None,
    password: str | None = None,
    *,
    width: int = 1440,
    height: int = 1000,
    playwright=None,
) -> Iterator[tuple[StreamlitServer, object]]:
    """served_browser plus one zh-CN page opened at the app, logged in when `username` is given."""
    with served_browser(db_path, playwright) as (server, browser):
        page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
        page.goto(server.url)
        if username is not None:
            log_in(page, username, password)
        yield server, page


def wait_for_text(page, text: str, timeout_ms: int = 90_000) -> None:
    """Wait until `text` shows in the page (a cold first run imports DuckDB, pandas … and is slow)."""
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout_ms)


def wait_for_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit is not running a script (its status widget gone) and the DOM settled."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(250)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)
    page.wait_for_timeout(250)


def log_in(page, username: str, password: str, timeout_ms: int = 90_000) -> None:
    """Fill the log-in form of the current page and wait for the logged-in sidebar."""
    wait_for_text(page, "用户名", timeout_ms)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_for_text(page, "退出登录", timeout_ms)
    wait_for_idle(page, timeout_ms)


def open_page(page, title: str, text: str):
    """Click the sidebar link `title`, wait for `text` and an idle app; returns the main area locator."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).click()
    wait_for_text(page, text)
    wait_for_idle(page)
    return page.locator('[data-testid="stMain"]')


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
