"""`dashboard serve` (issue 15): production options, a base path behind a reverse proxy, the log file."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from dashboard.cli import main
from dashboard.config import PROJECT_ROOT
from dashboard.ops import serve as S
from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, free_port


def test_production_flags_are_the_design_settings():
    flags = S.production_flags("127.0.0.1", 8501, "/dashboard/")
    assert flags["browser.gatherUsageStats"] is False
    assert flags["client.showErrorDetails"] == "type"  # no tracebacks or messages to users
    assert flags["server.enableXsrfProtection"] is True
    assert flags["server.fileWatcherType"] == "none"
    assert flags["server.runOnSave"] is False and flags["server.headless"] is True
    assert flags["server.baseUrlPath"] == "dashboard"
    argv = S.streamlit_argv(flags)
    assert argv[:2] == ["run", str(PROJECT_ROOT / "app.py")]
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"
    assert S.health_url("0.0.0.0", 8501, "dashboard") == (
        "http://127.0.0.1:8501/dashboard/_stcore/health"
    )


@pytest.mark.parametrize(
    ("host", "port", "base", "says"),
    [
        ("127.0.0.1", 0, "", "端口 0 不可用"),
        ("127.0.0.1", 70000, "", "端口 70000 不可用"),
        ("127.0.0.1", 8501, "a b", "网址前缀“a b”不可用"),
        ("127.0.0.1", 8501, "../x", "网址前缀“../x”不可用"),
        (" ", 8501, "", "监听地址不能为空"),
    ],
)
def test_bad_serve_options_get_one_chinese_sentence(host, port, base, says, capsys):
    code = main(["serve", "--host", host, "--port", str(port), "--base-path", base])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert says in err and err.endswith("。") and "\n" not in err


def test_rotating_log_keeps_n_files_of_bounded_size(tmp_path):
    log = S.RotatingLog(tmp_path / "logs" / "dashboard.log", max_bytes=1000, backups=3)
    for n in range(100):
        log.write(f"第 {n:03d} 行 " + "x" * 50 + "\n")
    log.flush()
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == ["dashboard.log", "dashboard.log.1", "dashboard.log.2", "dashboard.log.3"]
    assert all((tmp_path / "logs" / n).stat().st_size <= 1000 for n in names)
    assert "第 099 行" in (tmp_path / "logs" / "dashboard.log").read_text(encoding="utf-8")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:  # not listening yet
        return 0, ""


def test_serve_under_a_base_path_answers_health_and_a_page(fresh_demo_copy, tmp_path):
    port = free_port()
    log_file = tmp_path / "logs" / "dashboard.log"
    env = dict(os.environ)
    env.pop("DASHBOARD_DB", None)
    proc = subprocess.Popen(
        [
            "uv", "run", "dashboard", "serve", "--port", str(port), "--base-path", "/dash/",
            "--db", str(fresh_demo_copy), "--log-file", str(log_file),
        ],
        cwd=tmp_path,  # the server finds app.py and .streamlit/ from the project, not the cwd
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/dash"
    try:
        deadline = time.time() + 60
        while _get(f"{base}/_stcore/health")[0] != 200:
            assert proc.poll() is None, log_file.read_text(errors="replace")
            assert time.time() < deadline, "dashboard serve did not answer within 60 s"
            time.sleep(0.3)
        assert _get(f"{base}/_stcore/health") == (200, "ok")
        assert _get(f"http://127.0.0.1:{port}/_stcore/health")[0] == 404  # only under the base path
        status, html = _get(f"{base}/")
        assert status == 200 and "<noscript>" in html
        text = log_file.read_text(encoding="utf-8")
        assert f"健康检查：{base}/_stcore/health" in text and "表结构版本" in text

        if CHROMIUM.exists():  # the log-in page renders through the base path, with XSRF's cookie
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.goto(f"{base}/")
                page.get_by_role("button", name="登录").wait_for(timeout=30_000)
                assert "演示" in page.inner_text("body")
                cookies = {c["name"] for c in page.context.cookies()}
                browser.close()
            assert "_streamlit_xsrf" in cookies

            # the running app holds the store now: doctor says it runs, and which process
            out = subprocess.run(
                ["uv", "run", "dashboard", "doctor", "--db", str(fresh_demo_copy),
                 "--port", str(port), "--base-path", "dash"],
                cwd=PROJECT_ROOT, capture_output=True, text=True, env=env, timeout=60,
            ).stdout  # fmt: skip
            assert "[正常] 驾驶舱运行状态" in out and "数据库由进程" in out
            assert "取自数据库文件的只读副本" in out
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0, log_file.read_text(errors="replace")


def test_the_deploy_files_start_what_the_cli_accepts():
    """The systemd unit, the nginx example and the Windows wrapper agree with `dashboard serve`."""
    import re
    import shlex

    from dashboard.cli import build_parser

    deploy = PROJECT_ROOT / "deploy"
    unit = (deploy / "linux" / "dashboard.service").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit, re.M)
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/app/.venv/bin/dashboard")
    args = build_parser().parse_args(argv[1:])
    assert args.func.__name__ == "cmd_serve" and args.host == "127.0.0.1"
    base = S.normalise_base_path(args.base_path)
    nginx = (deploy / "nginx" / "dashboard.conf").read_text(encoding="utf-8")
    assert f"proxy_pass http://127.0.0.1:{args.port}/{base}/;" in nginx
    assert f"location /{base}/" in nginx and "listen 443 ssl" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx  # the websocket
    assert "Restart=on-failure" in unit and "LogsDirectory=dashboard" in unit
    assert str(args.log_file).startswith("/var/log/dashboard/")

    cmd = (deploy / "windows" / "dashboard-serve.cmd").read_bytes()
    assert b"\r\n" in cmd and b"\n" not in cmd.replace(b"\r\n", b"")  # CRLF for cmd.exe
    (line,) = [x for x in cmd.decode().splitlines() if "dashboard.exe" in x]
    win = build_parser().parse_args(shlex.split(line.split('dashboard.exe"', 1)[1], posix=False))
    assert win.func.__name__ == "cmd_serve" and win.log_file is not None
    task = (deploy / "windows" / "install-task.cmd").read_text(encoding="utf-8")
    assert "/SC ONSTART" in task and "dashboard-serve.cmd" in task


def test_the_first_visitor_after_a_start_sees_no_english(fresh_demo_copy, tmp_path):
    """Issue 12 point 10: the first session of a fresh `dashboard serve`, at an unknown address, shows
    neither Streamlit's pages/ file names nor its "Page not found" dialog while it loads, and lands
    on the log-in form with the Chinese note."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = dict(os.environ)
    env.pop("DASHBOARD_DB", None)
    proc = subprocess.Popen(
        ["uv", "run", "dashboard", "serve", "--port", str(port), "--db", str(fresh_demo_copy)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while _get(f"{base}/_stcore/health")[0] != 200:
            assert proc.poll() is None and time.time() < deadline, "dashboard serve did not start"
            time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{base}/no-such-page", wait_until="commit")
            seen: list[str] = []
            for _ in range(200):  # every 50 ms from the first byte until the form is there
                try:
                    seen.append(page.inner_text("body", timeout=1000))
                except Exception:  # noqa: BLE001 - the body is not there yet
                    continue
                if "用户名" in seen[-1] and "没有对应的页面" in seen[-1]:
                    break
                page.wait_for_timeout(50)
            browser.close()
        assert "用户名" in seen[-1] and "没有对应的页面" in seen[-1], seen[-1]
        flashed = [s for s in seen if "Page not found" in s or "data management" in s]
        assert flashed == [], flashed[0][:300]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
