"""Helpers for app and browser tests (reusable by every page's tests).

copy_demo_store(demo_store, demo_db_path, dest)  a private copy of the session demo store
login_as(at, username)                          preset a logged-in user in an AppTest (test hook)
free_port()                                     an unused TCP port on 127.0.0.1
StreamlitServer(db_path, port=None)             `uv run streamlit run app.py` in the background
launch_chromium(playwright)                     headless /usr/bin/chromium with offline flags
CHROMIUM                                        the browser path; browser tests skip without it
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import datetime
from pathlib import Path

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


def wait_for_app(page, timeout_ms: int = 30_000) -> None:
    """Wait until Streamlit has finished the current script run (no 'running' indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') !== 'running';
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)
