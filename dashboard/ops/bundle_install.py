"""Install the dashboard from this offline bundle, then start it (issue 15). Standard library only.

    python install.py                  install (first run only) and start `dashboard serve`
    python install.py --no-start       install only
    python install.py -- --host 0.0.0.0 --port 8501    arguments after -- go to `dashboard serve`

Everything comes from this folder: uv from wheels/uv-*.whl, every package from wheels/ with the hashes of
requirements-cp3XY.txt (--offline --no-index), and the project in app/ (linked into app/.venv by a small
editable wheel made here, so app/ stays the program folder: app.py, pages/, data/, .streamlit/).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP = HERE / "app"
VENV = APP / ".venv"
WINDOWS = os.name == "nt"
MARK = VENV / "bundle-installed.json"


def say(text: str) -> None:
    print(text, flush=True)


def fail(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
    raise SystemExit(2)


def manifest() -> dict:
    return json.loads((HERE / "bundle.json").read_text(encoding="utf-8"))


def check_target(info: dict) -> str:
    if sys.version_info < (3, 11):  # noqa: UP036 - the target's Python, not ours
        fail(f"需要 Python 3.11 或更新版本，当前是 {platform.python_version()}。")
    machine = platform.machine().lower()
    wants = info["target"]
    ok = (
        wants == "linux-x86_64"
        and sys.platform.startswith("linux")
        and machine in ("x86_64", "amd64")
    ) or (wants == "windows-amd64" and WINDOWS and machine in ("amd64", "x86_64"))
    if not ok:
        fail(
            f"本安装包适用于 {wants}，这台机器是 {sys.platform} {platform.machine()}：请换用对应平台的安装包。"
        )
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    requirements = HERE / f"requirements-cp3{sys.version_info.minor}.txt"
    if python not in info["pythons"] or not requirements.exists():
        fail(
            f"本安装包只含 Python {'、'.join(info['pythons'])} 的程序包，当前 Python 是 {python}："
            "请用其中一个版本运行 install.py（例如 py -3.11 install.py），或重新打包。"
        )
    return str(requirements)


def extract_uv(info: dict) -> Path:
    """The uv binary out of its wheel (a zip), into tools/."""
    name = "uv.exe" if WINDOWS else "uv"
    dest = HERE / "tools" / name
    if dest.exists():
        return dest
    wheel = HERE / "wheels" / info["uv"]
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.endswith(f".data/scripts/{name}")]
        if not members:
            fail(f"{wheel.name} 中没有 {name}：安装包不完整，请重新复制。")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(members[0]) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out)
    dest.chmod(dest.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dest


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def dashboard_command() -> Path:
    return VENV / ("Scripts/dashboard.exe" if WINDOWS else "bin/dashboard")


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def editable_wheel(dest_dir: Path) -> Path:
    """A wheel that links app/ into the venv (a .pth line) and declares the `dashboard` command."""
    import tomllib

    project = tomllib.loads((APP / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = project["version"]
    dist = f"dashboard-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: dashboard\nVersion: {version}\nRequires-Python: >=3.11\n"
    )
    metadata += "".join(f"Requires-Dist: {d}\n" for d in project.get("dependencies", []))
    scripts = project.get("scripts", {"dashboard": "dashboard.cli:main"})
    files = {
        "_dashboard_bundle.pth": f"{APP}\n",
        f"{dist}/METADATA": metadata,
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: dashboard-bundle\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/entry_points.txt": "[console_scripts]\n"
        + "".join(f"{k} = {v}\n" for k, v in scripts.items()),
    }
    record = [
        f"{name},{_record_hash(text.encode())},{len(text.encode())}" for name, text in files.items()
    ]
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    dest_dir.mkdir(parents=True, exist_ok=True)
    wheel = dest_dir / f"dashboard-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def install(info: dict, requirements: str, *, compile_bytecode: bool) -> None:
    uv = extract_uv(info)
    env = dict(os.environ, UV_OFFLINE="1", UV_PYTHON_DOWNLOADS="never", UV_NO_CONFIG="1")
    env.pop("VIRTUAL_ENV", None)

    def run(*args: str) -> None:
        result = subprocess.run([str(uv), *args], env=env)
        if result.returncode != 0:
            fail(
                f"安装失败（uv {args[0]} {args[1] if len(args) > 1 else ''} 退出码 {result.returncode}），见上方输出。"
            )

    if not venv_python().exists():
        say(f"创建虚拟环境 {VENV} …")
        run("venv", "--python", sys.executable, "--no-project", str(VENV))
    say("离线安装程序包（只用本文件夹中的 wheels）…")
    common = [
        "--python",
        str(venv_python()),
        "--offline",
        "--no-index",
        "--find-links",
        str(HERE / "wheels"),
    ]
    if compile_bytecode:
        common.append("--compile-bytecode")
    run("pip", "install", *common, "--require-hashes", "-r", requirements)
    run(
        "pip",
        "install",
        *common,
        "--no-deps",
        "--reinstall",
        str(editable_wheel(VENV / "bundle-build")),
    )
    MARK.write_text(
        json.dumps(
            {"program_version": info["program_version"], "python": sys.version.split()[0]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    say(f"安装完成：{dashboard_command()}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    serve_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, serve_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(
        prog="install.py", description="离线安装并启动双随机监管驾驶舱"
    )
    parser.add_argument("--no-start", action="store_true", help="只安装，不启动")
    parser.add_argument("--reinstall", action="store_true", help="已安装也重新安装")
    parser.add_argument(
        "--no-compile", action="store_true", help="安装时不预编译字节码（安装更快，首次启动更慢）"
    )
    args = parser.parse_args(argv)
    info = manifest()
    requirements = check_target(info)
    done = (
        MARK.exists()
        and json.loads(MARK.read_text(encoding="utf-8")).get("program_version")
        == info["program_version"]
    )
    if args.reinstall or not done or not dashboard_command().exists():
        install(info, requirements, compile_bytecode=not args.no_compile)
    else:
        say(f"已安装（{info['program_version']}）：跳过安装。")
    if args.no_start:
        return 0
    command = [str(dashboard_command()), "serve", *serve_args]
    say("启动：" + " ".join(command))
    if WINDOWS:
        return subprocess.call(command)
    os.execv(command[0], command)
    return 0  # pragma: no cover


if __name__ == "__main__":
    raise SystemExit(main())
