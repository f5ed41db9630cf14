"""`dashboard serve`: the Streamlit options of a production run (DESIGN.md §7) and the log file.

The options are passed as command-line flags, so they hold whatever a .streamlit/config.toml in the
working directory or the home directory says: no usage statistics, error details reduced to the error's
type (no tracebacks or messages to users), XSRF protection on, no file watcher, headless.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from dashboard.config import PROJECT_ROOT

APP_SCRIPT = PROJECT_ROOT / "app.py"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5

_BASE_PATH = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")


class ServeError(ValueError):
    """A serve option the server cannot take, in one Chinese sentence."""


def normalise_base_path(text: str | None) -> str:
    """'/dashboard/' → 'dashboard' (Streamlit's server.baseUrlPath); '' for none."""
    value = (text or "").strip().strip("/")
    if value and (not _BASE_PATH.match(value) or {".", ".."} & set(value.split("/"))):
        raise ServeError(
            f"网址前缀“{text}”不可用：只能包含字母、数字和 . _ ~ -，各段之间用 / 分隔，例如 dashboard。"
        )
    return value


def production_flags(host: str, port: int, base_path: str = "") -> dict[str, object]:
    """Streamlit config options (dotted names) of a production run."""
    if not 1 <= int(port) <= 65535:
        raise ServeError(f"端口 {port} 不可用：端口应是 1 到 65535 之间的整数，例如 8501。")
    if not host.strip():
        raise ServeError("监听地址不能为空：本机反向代理用 127.0.0.1，局域网直接访问用 0.0.0.0。")
    return {
        "server.address": host.strip(),
        "server.port": int(port),
        "server.baseUrlPath": normalise_base_path(base_path),
        "server.headless": True,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,
        "browser.gatherUsageStats": False,
        "client.showErrorDetails": "type",
        "client.toolbarMode": "minimal",
        "global.developmentMode": False,
    }


def streamlit_argv(flags: dict[str, object], script: Path = APP_SCRIPT) -> list[str]:
    """`streamlit run app.py --name value …` as an argument list (after the program name)."""
    argv = ["run", str(script)]
    for name, value in flags.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        argv += [f"--{name}", text]
    return argv


def health_url(host: str, port: int, base_path: str = "") -> str:
    """Streamlit's health check of a server started with these options (HTTP 200, body "ok")."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    prefix = f"/{normalise_base_path(base_path)}" if normalise_base_path(base_path) else ""
    return f"http://{shown}:{port}{prefix}/_stcore/health"


class RotatingLog(io.TextIOBase):
    """A text stream appending to `path` that rotates it by size: path.1 … path.N (N = backups).

    `dashboard serve --log-file` puts it in place of stdout and stderr before Streamlit is imported, so
    Streamlit's own log lines and every print land in the file (Windows has no journald)."""

    def __init__(self, path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes, self.backups = max_bytes, backups
        self._file = self.path.open("a", encoding="utf-8", errors="replace")

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._file.tell() + len(text.encode("utf-8", "replace")) > self.max_bytes:
            self._rotate()
        self._file.write(text)
        self._file.flush()
        return len(text)

    def flush(self) -> None:
        self._file.flush()

    @property
    def encoding(self) -> str:
        return "utf-8"

    def _rotate(self) -> None:
        self._file.close()
        for n in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{n + 1}"))
        if self.backups > 0 and self.path.exists():
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        self._file = self.path.open("a", encoding="utf-8", errors="replace")
