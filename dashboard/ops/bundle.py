"""`dashboard bundle`: a folder that installs and starts the dashboard on a machine without network
(issue 15). Run on a machine that reaches the package index; the target needs only Python 3.11+.

The bundle holds, for one target platform and the chosen Python versions:

    install.py                 stdlib only: `python install.py` installs offline and starts the app
    安装说明.txt                the steps, in Chinese
    bundle.json                target, versions, and the SHA-256 of every wheel
    requirements-cp3XY.txt     one per Python version: name==version --hash=sha256:… of its wheels
    wheels/                    every wheel uv.lock resolves to for the target (lunar-python, published as
                               an sdist only, is built into a pure-Python wheel here), and uv's wheel
    app/                       the project: app.py, pages/, dashboard/, .streamlit/config.toml,
                               data/templates/, deploy/, docs/, tools/, pyproject.toml, uv.lock

Wheels are chosen from uv.lock alone (its dependency graph evaluated under the target's markers, the best
wheel by the target's tag order) and checked against the lock's SHA-256; downloads are kept in a cache
(default ~/.cache/dashboard-bundle) so a second build needs no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.config import PROJECT_ROOT

INSTALLER = Path(__file__).with_name("bundle_install.py")
DEFAULT_PYTHONS = ("3.11", "3.12", "3.13")
DEFAULT_GLIBC = "2.28"  # duckdb, numba, llvmlite and pyarrow of the lock need manylinux_2_28
INDEX_URL = "https://pypi.org/simple"
MIGRATIONS = "dashboard/store/migrations"

# the project files a bundle carries (relative to the project root); directories are copied whole
PROJECT_FILES = (
    "app.py",
    "pages",
    "dashboard",
    ".streamlit/config.toml",
    "data/templates",
    "deploy",
    "docs",
    "tools",
    "pyproject.toml",
    "uv.lock",
    "README.md",
)
SKIP_SUFFIXES = (".pyc", ".nbi", ".nbc", ".duckdb", ".wal", ".part")
SKIP_DIRS = ("__pycache__", ".pytest_cache", ".ruff_cache")


class BundleError(Exception):
    """Why a bundle cannot be built, in one Chinese sentence."""


@dataclass(frozen=True)
class Target:
    name: str  # linux-x86_64 | windows-amd64
    markers: dict[str, str]
    platforms: tuple[str, ...]  # wheel platform tags, best first
    uv_platforms: tuple[str, ...]


def target(name: str, glibc: str = DEFAULT_GLIBC) -> Target:
    if name == "linux-x86_64":
        major, minor = (int(x) for x in glibc.split("."))
        platforms: list[str] = []
        for m in range(minor, 4, -1):
            platforms.append(f"manylinux_{major}_{m}_x86_64")
            legacy = {
                17: "manylinux2014_x86_64",
                12: "manylinux2010_x86_64",
                5: "manylinux1_x86_64",
            }
            if m in legacy:
                platforms.append(legacy[m])
        markers = {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "platform_machine": "x86_64",
        }
        return Target(name, markers, tuple(platforms), tuple(platforms))
    if name == "windows-amd64":
        markers = {
            "sys_platform": "win32",
            "platform_system": "Windows",
            "os_name": "nt",
            "platform_machine": "AMD64",
        }
        return Target(name, markers, ("win_amd64",), ("win_amd64",))
    raise BundleError(f"不支持的目标平台“{name}”：可选 linux-x86_64 或 windows-amd64。")


def _environment(t: Target, python: str) -> dict[str, str]:
    return {
        **t.markers,
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def _supported_tags(t: Target, python: str) -> list:
    from packaging import tags

    version = tuple(int(x) for x in python.split("."))
    interpreter = f"cp{version[0]}{version[1]}"
    return list(tags.cpython_tags(version, [interpreter], t.platforms)) + list(
        tags.compatible_tags(version, interpreter, t.platforms)
    )


@dataclass
class Chosen:
    name: str
    version: str
    filename: str
    url: str | None  # None: built here from the sdist
    sha256: str | None
    sdist: dict | None = None


@dataclass
class BundleInfo:
    out: Path
    target: str
    pythons: list[str]
    wheels: dict[str, str] = field(default_factory=dict)  # filename -> sha256
    requirements: dict[str, list[str]] = field(default_factory=dict)
    downloaded_bytes: int = 0


def load_lock(commit: str | None = None) -> list[dict]:
    """uv.lock's packages: as committed at `commit`, else the file in the project folder."""
    text = _git("show", f"{commit}:uv.lock") if commit else None
    if text is None:
        text = (PROJECT_ROOT / "uv.lock").read_bytes()
    return tomllib.loads(text.decode("utf-8"))["package"]


def resolve(packages: list[dict], t: Target, python: str) -> list[dict]:
    """The lock's packages the project needs on (target, python), without the dev group."""
    from packaging.markers import Marker

    env = _environment(t, python)
    by_name: dict[str, list[dict]] = {}
    for p in packages:
        by_name.setdefault(p["name"], []).append(p)
    (root,) = [p for p in packages if p.get("source", {}).get("editable") == "."]

    def find(dep: dict) -> dict:
        found = by_name[dep["name"]]
        if len(found) > 1:
            found = [p for p in found if p["version"] == dep.get("version")]
        if len(found) != 1:
            raise BundleError(f"uv.lock 中 {dep['name']} 的版本无法确定，请重新运行 uv lock。")
        return found[0]

    seen: dict[tuple[str, str], dict] = {}
    todo = list(root.get("dependencies", []))
    while todo:
        dep = todo.pop()
        if "marker" in dep and not Marker(dep["marker"]).evaluate(env):
            continue
        package = find(dep)
        key = (package["name"], package["version"])
        extras = dep.get("extra", [])
        if key in seen and not extras:
            continue
        seen[key] = package
        todo.extend(package.get("dependencies", []))
        for extra in extras:
            todo.extend(package.get("optional-dependencies", {}).get(extra, []))
    return sorted(seen.values(), key=lambda p: p["name"])


def choose_wheel(package: dict, t: Target, python: str) -> Chosen:
    """The lock's best wheel of `package` for (target, python); its sdist when it has no wheel at all."""
    from packaging.utils import parse_wheel_filename

    order = {tag: n for n, tag in enumerate(_supported_tags(t, python))}
    best: tuple[int, dict] | None = None
    for wheel in package.get("wheels", []):
        filename = wheel["url"].rsplit("/", 1)[1]
        rank = min(
            (order[tag] for tag in parse_wheel_filename(filename)[3] if tag in order), default=None
        )
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, wheel)
    if best is not None:
        wheel = best[1]
        return Chosen(
            package["name"],
            package["version"],
            wheel["url"].rsplit("/", 1)[1],
            wheel["url"],
            wheel["hash"].removeprefix("sha256:"),
        )
    if not package.get("wheels") and package.get("sdist"):
        return Chosen(package["name"], package["version"], "", None, None, package["sdist"])
    raise BundleError(
        f"{package['name']} {package['version']} 没有适用于 {t.name}、Python {python} 的 wheel，"
        "无法为该目标打包。"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(url: str, sha256: str, dest: Path, info: BundleInfo) -> Path:
    """`url` into `dest` (kept when it already has the hash); the hash is checked."""
    if dest.exists() and _sha256(dest) == sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last: Exception | None = None
    for _attempt in range(3):
        try:
            with urllib.request.urlopen(url, timeout=120) as response, part.open("wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out, 1 << 20)
            break
        except OSError as exc:
            last = exc
    else:
        part.unlink(missing_ok=True)
        raise BundleError(f"下载 {url} 失败：{last}（本命令需要能访问软件包索引的网络）。")
    if _sha256(part) != sha256:
        part.unlink(missing_ok=True)
        raise BundleError(f"{dest.name} 的校验值与 uv.lock 不符，已丢弃：请重新运行或检查镜像。")
    info.downloaded_bytes += part.stat().st_size
    os.replace(part, dest)
    return dest


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise BundleError("找不到 uv：请用 uv run dashboard bundle 运行，或先 pip install uv。")
    return found


def _build_sdist(chosen: Chosen, cache: Path, info: BundleInfo) -> Path:
    """A pure-Python wheel built from the lock's sdist (checked against its hash), cached by that hash."""
    sdist = chosen.sdist or {}
    sha = sdist["hash"].removeprefix("sha256:")
    built = cache / "built" / sha
    found = sorted(built.glob("*.whl")) if built.is_dir() else []
    if not found:
        source = _download(
            sdist["url"], sha, cache / "sdist" / sdist["url"].rsplit("/", 1)[1], info
        )
        with tempfile.TemporaryDirectory() as tmp:
            run = subprocess.run(
                [_uv(), "build", "--wheel", "--out-dir", tmp, str(source)],
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise BundleError(
                    f"无法由源码包构建 {chosen.name} 的 wheel：{run.stderr.strip()[-300:]}"
                )
            wheels = sorted(Path(tmp).glob("*.whl"))
            if len(wheels) != 1 or not wheels[0].name.endswith("-none-any.whl"):
                raise BundleError(
                    f"{chosen.name} 的源码包没有构建出纯 Python 的 wheel，无法离线打包。"
                )
            built.mkdir(parents=True, exist_ok=True)
            shutil.copy2(wheels[0], built / wheels[0].name)
        found = sorted(built.glob("*.whl"))
    return found[0]


def _index_files(project: str, index: str) -> list[dict]:
    """The files of `project` on the package index (the simple API's JSON form, PEP 691)."""
    request = urllib.request.Request(
        f"{index.rstrip('/')}/{project}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return json.loads(response.read())["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise BundleError(f"无法从软件包索引 {index} 读取 {project} 的文件列表：{exc}") from exc


def uv_version() -> str:
    out = subprocess.run([_uv(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def _uv_wheel(t: Target, cache: Path, info: BundleInfo, index: str) -> Path:
    """uv's wheel for the target (the version of the uv running here): the installer's tool."""
    from packaging.utils import parse_wheel_filename

    version = uv_version()
    best = None
    for file in _index_files("uv", index):
        name = file["filename"]
        if not name.startswith(f"uv-{version}-") or not name.endswith(".whl"):
            continue
        platforms = {tag.platform for tag in parse_wheel_filename(name)[3]}
        rank = min(
            (t.uv_platforms.index(p) for p in platforms if p in t.uv_platforms), default=None
        )
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, file)
    if best is None:
        raise BundleError(f"软件包索引上没有 uv {version} 适用于 {t.name} 的 wheel。")
    file = best[1]
    return _download(
        file["url"], file["hashes"]["sha256"], cache / "wheels" / file["filename"], info
    )


def _git(*args: str) -> bytes | None:
    git = shutil.which("git")
    if git is None or not (PROJECT_ROOT / ".git").exists():
        return None
    run = subprocess.run([git, *args], cwd=PROJECT_ROOT, capture_output=True, check=False)
    return run.stdout if run.returncode == 0 else None


def release_commit() -> str | None:
    """The commit a bundle is made from: HEAD of the git checkout (None outside git). The bundle carries
    the committed project, never a working tree's uncommitted edits or new files."""
    out = _git("rev-parse", "HEAD")
    return out.decode().strip() if out else None


def _is_project_file(name: str) -> bool:
    return any(name == rel or name.startswith(rel + "/") for rel in PROJECT_FILES) and not (
        name.endswith(SKIP_SUFFIXES) or any(part in SKIP_DIRS for part in name.split("/"))
    )


def _copy_project(dest: Path, commit: str | None) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_DIRS or n.endswith(SKIP_SUFFIXES)}

    archive = _git("archive", "--format=tar", commit) if commit else None
    if archive is not None:
        import io
        import tarfile

        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and _is_project_file(m.name)]
            tar.extractall(dest, members=members, filter="data")
        return
    for rel in PROJECT_FILES:
        source = PROJECT_ROOT / rel
        if not source.exists():
            continue
        target_path = dest / rel
        target_path.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target_path, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target_path)


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("DASHBOARD_BUNDLE_CACHE") or Path(base) / "dashboard-bundle")


def build_bundle(
    out: Path,
    platform: str = "linux-x86_64",
    pythons: tuple[str, ...] | list[str] = DEFAULT_PYTHONS,
    *,
    glibc: str = DEFAULT_GLIBC,
    cache: Path | None = None,
    index: str | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> BundleInfo:
    """Build the bundle folder `out` (which must not exist or be empty)."""
    t = target(platform, glibc)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BundleError(f"输出文件夹 {out} 已存在且不是空的：请换一个文件夹或先删除它。")
    for python in pythons:
        if tuple(int(x) for x in python.split(".")) < (3, 11):
            raise BundleError(f"Python {python} 太旧：驾驶舱需要 Python 3.11 或更新版本。")
    cache = Path(cache or default_cache())
    index = index or os.environ.get("UV_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or INDEX_URL
    info = BundleInfo(out=out, target=t.name, pythons=list(pythons))
    wheels_dir = out / "wheels"
    wheels_dir.mkdir(parents=True)
    commit = release_commit()
    packages = load_lock(commit)

    def place(source: Path) -> str:
        dest = wheels_dir / source.name
        if not dest.exists():
            try:
                os.link(source, dest)
            except OSError:
                shutil.copy2(source, dest)
        sha = _sha256(dest)
        info.wheels[dest.name] = sha
        return sha

    for python in pythons:
        lines = []
        for package in resolve(packages, t, python):
            chosen = choose_wheel(package, t, python)
            if chosen.url is None:
                source = _build_sdist(chosen, cache, info)
            else:
                progress(f"Python {python}：{chosen.filename}")
                source = _download(
                    chosen.url, chosen.sha256, cache / "wheels" / chosen.filename, info
                )
            sha = place(source)
            lines.append(f"{chosen.name}=={chosen.version} --hash=sha256:{sha}")
        tag = "cp3" + python.split(".")[1]
        (out / f"requirements-{tag}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        info.requirements[python] = lines
    progress("uv")
    uv_wheel = _uv_wheel(t, cache, info, index)
    place(uv_wheel)

    progress("项目文件")
    _copy_project(out / "app", commit)
    shutil.copy2(INSTALLER, out / "install.py")
    app = out / "app"
    pyproject = tomllib.loads((app / "pyproject.toml").read_text(encoding="utf-8"))
    migrations = [int(f.name.split("_", 1)[0]) for f in (app / MIGRATIONS).glob("*.sql")]
    manifest = {
        "program_version": pyproject["project"]["version"],
        "schema_version": max(migrations),
        "commit": commit,
        "target": t.name,
        "glibc": glibc if t.name.startswith("linux") else None,
        "pythons": list(pythons),
        "uv": uv_wheel.name,
        "wheels": dict(sorted(info.wheels.items())),
    }
    (out / "bundle.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "安装说明.txt").write_text(install_notes(manifest), encoding="utf-8")
    return info


def install_notes(manifest: dict) -> str:
    linux = manifest["target"].startswith("linux")
    py = "python3" if linux else "py -3"
    versions = "、".join(manifest["pythons"])
    need = (
        f"Linux x86_64（glibc {manifest['glibc']} 或更新，例如 麒麟 V10、统信 UOS 20、CentOS/RHEL 8、Debian 10 起）"
        if linux
        else "Windows 10/11 或 Windows Server 2016 起（64 位）"
    )
    dashboard = "app/.venv/bin/dashboard" if linux else r"app\.venv\Scripts\dashboard.exe"
    folder = "/opt/dashboard" if linux else r"C:\dashboard"
    return f"""双随机监管驾驶舱 {manifest["program_version"]} 离线安装包（{manifest["target"]}）

目标机器需要：{need}，以及 Python {versions} 之一（python.org 或系统自带的均可）。
不需要网络，也不需要 pip：安装所用的 uv 和全部程序包都在本文件夹里。

一、安装并启动（一条命令）
    把整个文件夹复制到目标机器（例如 {folder}），在该文件夹中运行：

        {py} install.py

    第一次运行时离线安装（约一分钟），然后启动驾驶舱；之后再运行只启动。浏览器打开 http://本机地址:8501/ 。
    只安装不启动：{py} install.py --no-start
    传给 dashboard serve 的参数写在 -- 之后，例如：{py} install.py -- --host 0.0.0.0 --port 8501

二、正式使用
    新建正式数据库并创建管理员：
        {dashboard} init
        {dashboard} user add admin --role admin
    （不建库就启动时，驾驶舱会生成演示数据。）
    开机自动运行、HTTPS 反向代理、日志和升级：见 app/docs/DEPLOY.md 与 app/deploy/。
    体检：{dashboard} doctor

三、升级
    把新版本的安装包放到新文件夹，运行 {py} install.py --no-start，停止旧服务，再从新文件夹启动。
    数据库（环境变量 DASHBOARD_DB 指定的文件）不随程序文件夹移动；新版本第一次打开它时先自动备份、再升级表结构。
"""


def main_cli(out: Path, platform: str, pythons: list[str], glibc: str, cache: Path | None) -> int:
    info = build_bundle(
        out,
        platform,
        pythons,
        glibc=glibc,
        cache=cache,
        progress=lambda m: print(m, file=sys.stderr),
    )
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(
        f"已生成离线安装包 {out}（{info.target}，Python {'、'.join(info.pythons)}，"
        f"{len(info.wheels)} 个 wheel，共 {size / 1024**2:.0f} MB，本次下载 {info.downloaded_bytes / 1024**2:.0f} MB）。"
    )
    print(
        f"在目标机器上运行：{'python3' if info.target.startswith('linux') else 'py -3'} install.py"
    )
    return 0
