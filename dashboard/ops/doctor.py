"""`dashboard doctor`: one screen in Chinese for the IT contractor — is the dashboard healthy, and if not,
what to do. Reads the store without changing it (read-only, no migration); when the running app holds
the file, the store's figures come from a read-only copy of the file (as of its last checkpoint)."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from dashboard.domain import workdays
from dashboard.ops import PROGRAM_NAME, program_version

OK, NOTE, PROBLEM = "正常", "注意", "问题"
MIN_FREE_BYTES = 1024**3  # 1 GiB: room for a day of logs, an import and a backup of a county store
BACKUP_STALE_DAYS = 7
BACKUPS_DIR_NAME = "backups"  # <store folder>/backups: the backups the app keeps (see _backups)


@dataclass
class Check:
    """One line of the screen: what was checked, what was found, how it stands, what to do."""

    label: str
    value: str
    status: str = OK
    advice: list[str] = field(default_factory=list)


@dataclass
class StoreFacts:
    schema_version: int | None = None
    is_demo: bool = False
    last_import: tuple | None = None  # (happened_at, actor, source)
    override_years: dict[int, int] = field(default_factory=dict)  # year -> manual days
    error: str | None = None
    from_copy: bool = False


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _read_facts(path: Path) -> StoreFacts:
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={"autoload_known_extensions": False, "autoinstall_known_extensions": False},
    )
    try:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        facts = StoreFacts()
        if "schema_version" in tables:
            facts.schema_version = con.execute(
                "SELECT max(version) FROM schema_version"
            ).fetchall()[0][0]
        if "store_meta" in tables:
            row = con.execute("SELECT value FROM store_meta WHERE key = 'demo'").fetchall()
            facts.is_demo = bool(row) and row[0][0] == "true"
        if "import_log" in tables:
            rows = con.execute(
                "SELECT happened_at, actor, source FROM import_log ORDER BY import_id DESC LIMIT 1"
            ).fetchall()
            facts.last_import = rows[0] if rows else None
        if "calendar_overrides" in tables:
            facts.override_years = dict(
                con.execute(
                    "SELECT year(day), count(*) FROM calendar_overrides GROUP BY ALL"
                ).fetchall()
            )
        return facts
    finally:
        con.close()


def store_facts(path: Path) -> tuple[StoreFacts, str | None]:
    """The store's figures, and the lock holder's description when another process holds the file."""
    try:
        return _read_facts(path), None
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            return StoreFacts(error=str(exc)), None
        holder = str(exc)
    except duckdb.Error as exc:
        return StoreFacts(error=str(exc)), None
    # held by another process (the running app): read a copy of the file as of its last checkpoint
    try:
        with tempfile.TemporaryDirectory(prefix="dashboard-doctor-") as tmp:
            copy = Path(tmp) / "copy.duckdb"
            shutil.copyfile(path, copy)
            facts = _read_facts(copy)
            facts.from_copy = True
            return facts, holder
    except (OSError, duckdb.Error) as exc:
        return StoreFacts(error=f"数据库正被占用，也无法读取它的副本：{exc}"), holder


def _holder_pid(text: str | None) -> str | None:
    import re

    found = re.search(r"PID (\d+)", text or "")
    return found.group(1) if found else None


def probe_health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
            return response.status == 200
    except (OSError, ValueError):
        return False


def _backups(path: Path) -> list[tuple[datetime, Path]]:
    """(time, file) of the store's backups, newest first: dashboard.store.backup.list_backups when that
    module exists, else the files of <store folder>/backups/ named after the store."""
    try:
        from dashboard.store import backup as backup_module  # issue 13's module, when present
    except ImportError:
        backup_module = None
    found: list[tuple[datetime, Path]] = []
    lister: Callable | None = getattr(backup_module, "list_backups", None)
    if lister is not None:
        try:
            for item in lister(path):
                file = Path(getattr(item, "path", item))
                when = getattr(item, "created_at", None) or datetime.fromtimestamp(
                    file.stat().st_mtime
                )
                found.append((when, file))
        except Exception:  # noqa: BLE001 - fall back to the folder convention below
            found = []
    if not found:
        folder = path.parent / BACKUPS_DIR_NAME
        if folder.is_dir():
            for file in folder.glob(f"{path.stem}*.duckdb"):
                found.append((datetime.fromtimestamp(file.stat().st_mtime), file))
    return sorted(found, key=lambda x: x[0], reverse=True)


def run_checks(
    db_path: Path, *, health: str, today: date | None = None, latest_schema: int | None = None
) -> list[Check]:
    from dashboard.store import LATEST_SCHEMA_VERSION

    today = today or date.today()
    latest = latest_schema or LATEST_SCHEMA_VERSION
    path = Path(db_path).resolve()
    checks = [Check("程序版本", f"{PROGRAM_NAME} {program_version()}（支持表结构版本 {latest}）")]

    # -- the store file --------------------------------------------------------------------------
    exists = path.exists()
    if exists:
        checks.append(Check("数据库文件", f"{path}，{human_size(path.stat().st_size)}"))
    else:
        checks.append(
            Check(
                "数据库文件",
                f"{path} 不存在",
                PROBLEM,
                [
                    "新装：运行 dashboard init 建空库，再用 dashboard user add 用户名 --role admin 创建管理员"
                    "（不建库就启动时，驾驶舱会生成演示数据）。",
                    "已有数据库：用环境变量 DASHBOARD_DB 或 .streamlit/secrets.toml 的 db_path 指向它。",
                ],
            )
        )
    facts, holder = store_facts(path) if exists else (StoreFacts(), None)

    # -- is the app running ----------------------------------------------------------------------
    answering = probe_health(health)
    pid = _holder_pid(holder)
    if answering:
        who = f"，数据库由进程 {pid} 打开" if pid else ""
        checks.append(Check("驾驶舱运行状态", f"正在运行（{health} 应答正常{who}）"))
    elif holder:
        checks.append(
            Check(
                "驾驶舱运行状态",
                f"数据库被进程 {pid or '（未知）'} 占用，但 {health} 没有应答",
                PROBLEM,
                [
                    "若驾驶舱在别的端口或网址前缀下运行，请用 --url 指定它的健康检查地址再查。",
                    "否则该进程可能卡住了：Linux 运行 sudo systemctl restart dashboard；Windows 在“任务计划程序”"
                    "中结束并重新运行任务“SupervisionDashboard”。",
                ],
            )
        )
    else:
        checks.append(
            Check(
                "驾驶舱运行状态",
                f"未运行（{health} 没有应答）",
                NOTE,
                [
                    "启动：Linux 运行 sudo systemctl start dashboard（日志：journalctl -u dashboard）；Windows 在"
                    "“任务计划程序”中运行任务“SupervisionDashboard”（日志在 C:\\dashboard-data\\logs）。",
                ],
            )
        )

    # -- what is inside the store ----------------------------------------------------------------
    copy_note = (
        "（驾驶舱运行中，取自数据库文件的只读副本，不含最近几分钟的改动）"
        if facts.from_copy
        else ""
    )
    if exists and facts.error:
        checks.append(
            Check(
                "表结构版本",
                f"无法读取数据库：{facts.error}",
                PROBLEM,
                ["停止驾驶舱后再运行 dashboard doctor；仍无法读取时，请用最近的备份恢复。"],
            )
        )
    elif exists:
        v = facts.schema_version
        if v is None:
            checks.append(
                Check(
                    "表结构版本",
                    "数据库中没有表结构版本记录",
                    PROBLEM,
                    ["这不是驾驶舱的数据库，或建库中途失败：请检查 DASHBOARD_DB 指向的文件。"],
                )
            )
        elif v < latest:
            checks.append(
                Check(
                    "表结构版本",
                    f"{v}（本程序为 {latest}）{copy_note}",
                    NOTE,
                    [
                        "驾驶舱或任一命令下次打开数据库时会先备份、再自动升级到版本 "
                        f"{latest}；确认磁盘空间足够放下一份备份。"
                    ],
                )
            )
        elif v > latest:
            checks.append(
                Check(
                    "表结构版本",
                    f"{v}，比本程序支持的 {latest} 新",
                    PROBLEM,
                    ["数据库已被更新版本的程序升级：请安装该版本，不要用旧版本打开。"],
                )
            )
        else:
            checks.append(Check("表结构版本", f"{v}（最新）{copy_note}"))
        if facts.is_demo:
            checks.append(
                Check(
                    "数据类别",
                    "演示数据库（侧栏标注“演示数据”）",
                    NOTE,
                    ["正式使用前用 dashboard init --db 新文件 建空库，并把 DASHBOARD_DB 指向它。"],
                )
            )

    # -- backups ----------------------------------------------------------------------------------
    if exists:
        backups = _backups(path)
        if not backups:
            checks.append(
                Check(
                    "最近备份",
                    "没有找到备份",
                    NOTE,
                    [
                        f"备份放在数据库所在文件夹的 {BACKUPS_DIR_NAME} 子文件夹；请按部署说明做一次备份，"
                        "并定期把备份复制到另一块磁盘或另一台机器。"
                    ],
                )
            )
        else:
            when, file = backups[0]
            age = (today - when.date()).days
            text = f"{when:%Y-%m-%d %H:%M}，{file.name}，共 {len(backups)} 份"
            if age > BACKUP_STALE_DAYS:
                checks.append(
                    Check(
                        "最近备份",
                        f"{text}（已 {age} 天）",
                        NOTE,
                        ["最近一次备份已超过一周：请检查定时备份，或现在做一次备份。"],
                    )
                )
            else:
                checks.append(Check("最近备份", text))

    # -- last import ----------------------------------------------------------------------------
    if exists and not facts.error:
        if facts.last_import:
            when, actor, source = facts.last_import
            checks.append(Check("最近导入", f"{when:%Y-%m-%d %H:%M}，{actor}，{source}"))
        else:
            checks.append(
                Check(
                    "最近导入",
                    "尚未导入任何数据",
                    NOTE,
                    ["在驾驶舱“数据管理”页面导入交换格式文件，或运行 dashboard import 文件夹。"],
                )
            )

    # -- provisional calendar years ---------------------------------------------------------------
    years = workdays.fallback_years(today.year - 1, workdays.CALENDAR_END.year)
    if not years:
        checks.append(Check("工作日日历", "各年均为国务院公布的正式安排"))
    else:
        soon = [y for y in years if y <= today.year + 1 and not facts.override_years.get(y)]
        entered = [
            f"{y} 年已补录 {facts.override_years[y]} 天"
            for y in years
            if facts.override_years.get(y)
        ]
        text = f"{'、'.join(str(y) for y in years)} 年为暂定（按法定节假日推算，调休未知）"
        if entered:
            text += "；" + "，".join(entered)
        advice = []
        if soon:
            advice.append(
                f"国务院公布 {'、'.join(str(y) for y in soon)} 年放假安排后，由管理员在“系统设置 → 工作日手工补录”"
                "逐日录入（放假选“休息”，调休上班的周末选“上班”）；升级 chinesecalendar 也可收录该年。"
            )
        checks.append(Check("工作日日历", text, NOTE if soon else OK, advice))

    # -- disk space -----------------------------------------------------------------------------
    folder = path.parent if path.parent.exists() else Path.cwd()
    usage = shutil.disk_usage(folder)
    need = max(MIN_FREE_BYTES, 2 * (path.stat().st_size if exists else 0))
    text = f"{folder} 所在磁盘剩余 {human_size(usage.free)}，共 {human_size(usage.total)}"
    if usage.free < need:
        checks.append(
            Check(
                "磁盘空间",
                text,
                PROBLEM,
                [
                    f"剩余空间少于 {human_size(need)}（至少 1 GB，且够放两份数据库）：导入、备份和升级可能失败。"
                    "请清理旧日志和多余的备份（先复制到别处），或把数据库移到更大的磁盘。"
                ],
            )
        )
    else:
        checks.append(Check("磁盘空间", text))
    return checks


def render(checks: list[Check], *, now: datetime | None = None) -> str:
    now = now or datetime.now()
    width = max(len(c.label) for c in checks)
    lines = [f"{PROGRAM_NAME} 体检  {now:%Y-%m-%d %H:%M}", ""]
    for c in checks:
        lines.append(f"[{c.status}] {c.label}{'　' * (width - len(c.label))}  {c.value}")
    todo = [(c, a) for c in checks if c.status != OK for a in c.advice]
    todo += [(c, a) for c in checks if c.status == OK for a in c.advice]
    lines.append("")
    if todo:
        lines.append("怎么办：")
        for n, (c, advice) in enumerate(todo, 1):
            lines.append(f"{n}. {c.label}：{advice}")
    problems = sum(c.status == PROBLEM for c in checks)
    notes = sum(c.status == NOTE for c in checks)
    lines.append("")
    if problems:
        lines.append(f"结论：{problems} 项有问题，{notes} 项需要注意，请按上面的步骤处理。")
    elif notes:
        lines.append(f"结论：没有问题，{notes} 项需要注意。")
    else:
        lines.append("结论：一切正常。")
    return "\n".join(lines)
