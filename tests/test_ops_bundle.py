"""The offline bundle (issue 15): wheels chosen from uv.lock for a target, and — marked `bundle`, run by
.ci/run with DASHBOARD_BUNDLE_TEST=1 — a Linux bundle built here, installed into a fresh venv with
--offline --no-index from the bundle alone (network blocked, empty uv cache), answering its health check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboard.ops import bundle as B
from tests.browser_util import free_port

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _names(packages) -> dict[str, str]:
    return {p["name"]: p["version"] for p in packages}


def test_resolution_follows_the_lock_and_the_targets_markers():
    lock = B.load_lock()
    linux311 = _names(B.resolve(lock, B.target("linux-x86_64"), "3.11"))
    linux312 = _names(B.resolve(lock, B.target("linux-x86_64"), "3.12"))
    assert {"streamlit", "duckdb", "numba", "lunar-python", "chinesecalendar"} <= set(linux311)
    assert not {"pytest", "ruff", "playwright", "dashboard"} & set(
        linux311
    )  # no dev group, no root
    numpy = [p["version"] for p in lock if p["name"] == "numpy"]
    if len(numpy) == 2:  # the lock splits numpy by Python version
        assert linux311["numpy"] != linux312["numpy"]
    declared = {p["name"]: p for p in lock}["dashboard"]["dependencies"]
    assert {d["name"] for d in declared} <= set(linux311)


def test_the_best_wheel_for_each_target():
    lock = {p["name"]: p for p in B.load_lock() if p["name"] != "numpy"}
    linux, windows = B.target("linux-x86_64"), B.target("windows-amd64")
    duck = B.choose_wheel(lock["duckdb"], linux, "3.11")
    assert "cp311-cp311-manylinux" in duck.filename and duck.sha256 and duck.url
    assert "win_amd64" in B.choose_wheel(lock["duckdb"], windows, "3.11").filename
    pure = B.choose_wheel(lock["streamlit"], windows, "3.13")
    assert pure.filename.endswith("-none-any.whl")
    lunar = B.choose_wheel(lock["lunar-python"], linux, "3.11")
    assert lunar.url is None and lunar.sdist  # published as an sdist only: built into a wheel
    # an older glibc than the lock's wheels need is refused with the package named
    with pytest.raises(B.BundleError) as exc:
        B.choose_wheel(lock["duckdb"], B.target("linux-x86_64", "2.17"), "3.11")
    assert "duckdb" in str(exc.value) and "linux-x86_64" in str(exc.value)


def test_bad_bundle_requests_get_one_chinese_sentence(tmp_path, capsys):
    from dashboard.cli import main

    assert main(["bundle", "--out", str(tmp_path / "b"), "--python", "3.10"]) == 2
    assert "Python 3.10 太旧" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["bundle", "--out", str(tmp_path / "full")]) == 2
    assert "已存在且不是空的" in capsys.readouterr().err
    with pytest.raises(B.BundleError, match="不支持的目标平台"):
        B.target("linux-arm64")


def _health(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _offline_env(tmp_path: Path) -> dict[str, str]:
    dead = "http://127.0.0.1:9"  # any attempt at the network fails at once
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "PIP_", "VIRTUAL_ENV", "PYTHON")) and k != "DASHBOARD_DB"
    }
    env.update(
        UV_CACHE_DIR=str(tmp_path / "empty-uv-cache"),
        http_proxy=dead,
        https_proxy=dead,
        HTTP_PROXY=dead,
        HTTPS_PROXY=dead,
        no_proxy="127.0.0.1,localhost",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


@pytest.mark.bundle
@pytest.mark.skipif(
    os.environ.get("DASHBOARD_BUNDLE_TEST") != "1",
    reason="downloads ~230 MB once and installs it: set DASHBOARD_BUNDLE_TEST=1 (.ci/run does)",
)
def test_a_linux_bundle_installs_offline_and_answers_its_health_check(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("builds and installs the linux-x86_64 bundle")
    started = time.monotonic()
    out = tmp_path / "bundle"
    info = B.build_bundle(out, "linux-x86_64", [PYTHON])
    built = time.monotonic() - started
    manifest = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    requirements = (out / f"requirements-cp3{sys.version_info.minor}.txt").read_text().splitlines()
    assert len(requirements) == len(B.resolve(B.load_lock(), B.target("linux-x86_64"), PYTHON))
    for name, sha in manifest["wheels"].items():
        assert B._sha256(out / "wheels" / name) == sha
    assert (out / "app" / "app.py").exists() and (out / "app" / "pages").is_dir()
    assert not list((out / "app").rglob("*.duckdb"))

    # the target: only a Python 3.11+ (not this venv's), the bundle, and no network
    base_python = Path(sys.base_prefix) / "bin" / f"python{PYTHON}"
    port = free_port()
    db = tmp_path / "office" / "supervision.duckdb"
    env = _offline_env(tmp_path)
    log = (tmp_path / "install.log").open("wb")
    proc = subprocess.Popen(
        [str(base_python), "install.py", "--", "--port", str(port), "--db", str(db)],
        cwd=out,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 300
        while _health(url) != 200:
            assert proc.poll() is None, (tmp_path / "install.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "no health answer within 300 s"
            time.sleep(0.5)
        installed = time.monotonic() - started - built
        text = (tmp_path / "install.log").read_text(errors="replace")
        assert "安装完成" in text and "--offline" not in text  # our words, not a uv error
        venv = out / "app" / ".venv"
        where = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import dashboard, duckdb; print(dashboard.__file__)",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,  # not the source tree
            check=True,
        ).stdout.strip()
        assert where == str(out / "app" / "dashboard" / "__init__.py")
        version = subprocess.run(
            [str(venv / "bin" / "dashboard"), "--version"],
            capture_output=True,
            text=True,
            env=dict(env, DASHBOARD_DB=str(db)),
            check=True,
        ).stdout
        assert f"双随机监管驾驶舱 {manifest['program_version']}" in version
        assert not list((tmp_path / "empty-uv-cache").rglob("*.whl"))  # nothing fetched
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    print(
        f"\nbundle: built in {built:.1f} s (downloaded {info.downloaded_bytes / 1024**2:.0f} MB), "
        f"installed and answering in {installed:.1f} s"
    )
