"""Settings: declared here (`SETTINGS`: default, type, range, help), overridden by the `settings` table;
the store path comes from env / .streamlit/secrets.toml."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.store import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "supervision.duckdb"


class SettingError(ValueError):
    """A value a setting does not take, explained in one Chinese sentence."""


def _number(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Setting:
    """One tunable of the product, declared once: its default, type, allowed range and help.

    kind: "int" (whole numbers), "float" (any number) or "month_day" (MM-DD). ratio: a share in [0, 1],
    shown and also accepted as a percentage ("5%"). `name` is the Chinese name (the zh_CN locale's
    admin.setting_names.* says the same; a test keeps them equal), `help` the Chinese help of the page.
    """

    key: str
    default: Any
    name: str
    help: str
    kind: str = "int"
    minimum: float | None = None
    maximum: float | None = None
    ratio: bool = False

    def range_text(self) -> str:
        """The allowed values, as a Chinese phrase: 不小于 1 的整数, 0% 到 100% 之间的比例…"""
        if self.kind == "month_day":
            return "按“月-日”填写的日期（例如 11-10）"
        noun = "整数" if self.kind == "int" else "数"
        lo, hi = self.minimum, self.maximum
        if (
            self.ratio and lo is not None and hi is not None
        ):  # percentages, as every page shows them
            return f"{_number(lo * 100)}% 到 {_number(hi * 100)}% 之间的比例（可填 5% 或 0.05）"
        if lo is not None and hi is not None:
            text = f"{_number(lo)} 到 {_number(hi)} 之间的{noun}"
        elif lo is not None:
            text = f"不小于 {_number(lo)} 的{noun}"
        elif hi is not None:
            text = f"不大于 {_number(hi)} 的{noun}"
        else:
            text = noun
        return text

    def display(self, value: Any) -> str:
        """A value as shown on screen (ratios as percentages)."""
        if self.ratio and isinstance(value, int | float) and not isinstance(value, bool):
            return f"{round(float(value) * 100, 6):g}%"
        return str(value)

    def refuse(self, value: Any) -> SettingError:
        """The one Chinese sentence that names the setting, the value refused and the allowed range."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = f" {_number(value)}"
        else:
            shown = f"“{value}”"
        allowed = self.range_text()
        return SettingError(
            f"设置项“{self.name}”不能设为{shown}，允许的值是"
            f"{' ' if allowed[0].isascii() else ''}{allowed}。"
        )

    def check(self, value: Any) -> Any:
        """The value in this setting's type if it is allowed, else SettingError (one Chinese sentence)."""
        if self.kind == "month_day":
            try:
                month, day = (int(x) for x in str(value).strip().split("-"))
                date(2024, month, day)  # a leap year: 02-29 is a valid cut-off
            except ValueError:
                raise self.refuse(value) from None
            return f"{month:02d}-{day:02d}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse(value)
        number = float(value)
        if not math.isfinite(number):
            raise self.refuse(value)
        if self.kind == "int":
            if number != int(number):
                raise self.refuse(value)
            number = int(number)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise self.refuse(value)
        return number

    def parse(self, text: str) -> Any:
        """The text typed on the settings page, checked: "20", "0.05", "5%" (ratios), "11-10"."""
        raw = str(text).strip()
        if self.kind == "month_day":
            return self.check(raw)
        number: float | int
        try:
            if self.ratio and raw.endswith(("%", "％")):
                number = round(float(raw[:-1].strip()) / 100, 12)
            elif self.kind == "int":
                number = int(raw)
            else:
                number = float(raw)
        except ValueError:
            raise self.refuse(raw) from None
        return self.check(number)


def _workdays(key: str, default: int, name: str, help: str) -> Setting:
    return Setting(key, default, name, help, "int", minimum=1)


def _share(key: str, default: float, name: str, help: str) -> Setting:
    return Setting(key, default, name, help, "float", minimum=0, maximum=1, ratio=True)


def _count(key: str, default: int, name: str, help: str, minimum: int = 0) -> Setting:
    return Setting(key, default, name, help, "int", minimum=minimum)


# Every tunable number of the product, with its default (DESIGN.md §5, DOMAIN.md §2/§4).
SETTINGS: tuple[Setting, ...] = (
    _workdays(
        "entry_limit_workdays",
        20,
        "结果录入公示时限（工作日）",
        "检查结束后须在多少个工作日内录入并公示结果；检查结束当日不计，按官方工作日日历计算。",
    ),
    _workdays(
        "backfill_limit_workdays",
        5,
        "后续处理回填时限（工作日）",
        "后续处理办结后须在多少个工作日内回填办结情况。",
    ),
    _workdays(
        "confirm_limit_workdays",
        2,
        "抽取名单确认时限（工作日）",
        "抽取后须在多少个工作日内确认抽取名单。",
    ),
    _share(
        "target.coverage",
        0.05,
        "目标：抽查覆盖率",
        "年度内被抽查的检查对象占上年末存续对象的比例目标。",
    ),
    _share(
        "target.joint_task_share",
        1.0,
        "目标：联合抽查次数占比",
        "联合抽查任务占全部抽查任务的比例目标。",
    ),
    _share(
        "target.joint_household_share",
        1.0,
        "目标：联合抽查户数占比",
        "联合抽查涉及的户次占全部抽查户次的比例目标。",
    ),
    _share(
        "target.risk_graded_share",
        1.0,
        "目标：运用信用风险分类占比",
        "运用信用风险分类结果抽取的任务占全部任务的比例目标。",
    ),
    _share(
        "target.entry_on_time",
        1.0,
        "目标：按时录入率",
        "在录入公示时限内录入结果的检查占应录入检查的比例目标。",
    ),
    _share(
        "target.publish_on_time",
        1.0,
        "目标：按时公示率",
        "在录入公示时限内公示结果的检查占应公示检查的比例目标。",
    ),
    _count(
        "target.entry_overdue",
        0,
        "目标：超期未录入数",
        "已过录入时限仍未录入结果的检查条数目标（不超过该数为达标）。",
    ),
    _share(
        "target.followup_closed",
        1.0,
        "目标：后续处理完结率",
        "已办结的后续处理占全部后续处理的比例目标。",
    ),
    _count(
        "target.followup_overdue",
        0,
        "目标：后续处理超期数",
        "已过办理期限仍未办结的后续处理条数目标。",
    ),
    _count(
        "target.backfill_late",
        0,
        "目标：回填不及时数",
        "办结后未在回填时限内回填的后续处理条数目标。",
    ),
    _count(
        "target.high_risk_uninspected",
        0,
        "目标：高风险未检查数",
        "D 级（高风险）对象在“高风险未检查天数”内未被检查的户数目标。",
    ),
    _count(
        "target.followup_missing",
        0,
        "目标：应后续处理未建记录数",
        "检查发现问题（A 类结果）却没有任何后续处理记录的检查条数目标。",
    ),
    _workdays(
        "due_soon_workdays",
        5,
        "即将到期提醒范围（工作日）",
        "“即将到期”清单列出截止日在统计日之后多少个工作日以内的事项。",
    ),
    Setting(
        "warning_band",
        0.05,
        "预警区间（低于目标多少以内显示预警）",
        "比例指标低于目标、但不低于“目标 ×（1 − 预警区间）”时显示预警而非未达标。",
        "float",
        minimum=0,
        maximum=1,
        ratio=True,
    ),
    Setting(
        "risk.score_jump",
        15.0,
        "风险指数跳升阈值",
        "风险指数（0–100）比上一个评级月份升高达到该值时发出预警。",
        "float",
        minimum=0,
        maximum=100,
    ),
    _count(
        "risk.uninspected_days",
        365,
        "高风险未检查天数",
        "D 级对象在统计日前多少天内没有检查即计入“高风险未检查”。",
        minimum=1,
    ),
    _count(
        "risk.licence_expiry_days",
        90,
        "许可证到期提醒天数",
        "许可证在统计日后多少天内到期即发出提醒。",
    ),
    _count(
        "risk.repeated_findings",
        2,
        "重复发现问题次数",
        "回看期内发现问题的检查达到该次数即列为“多次发现问题”。",
        minimum=2,
    ),
    _count(
        "risk.repeated_window_days",
        1095,
        "重复发现问题回看天数",
        "统计“多次发现问题”时回看统计日前多少天。",
        minimum=1,
    ),
    _count(
        "quality.bulk_identical_notes",
        5,
        "批量相同备注的最少条数",
        "同一备注出现在至少这么多条检查记录中时列为“批量相同备注”。",
        minimum=2,
    ),
    Setting(
        "quality.low_rate_alpha",
        0.01,
        "发现率显著偏低的检验水平",
        "判断某单位问题发现率显著偏低所用的显著性水平（越小越严格）。",
        "float",
        minimum=0,
        maximum=1,
    ),
    _count(
        "quality.cert_warning_days",
        30,
        "执法证到期提醒天数",
        "执法证在统计日后多少天内到期即发出提醒。",
    ),
    Setting(
        "plan_cutoff",
        "11-10",
        "年度计划截止日（月-日）",
        "年度抽查计划任务的截止日，每年相同。",
        "month_day",
    ),
    _count(
        "session_timeout_minutes",
        30,
        "登录超时（分钟）",
        "无操作超过该分钟数后自动退出登录。",
        minimum=1,
    ),
    _count(
        "session_token_hours",
        12,
        "登录保持时长（小时）",
        "登录后，刷新页面或在同一浏览器打开新标签页时无须重新登录，最长保持这么多小时（其间无操作超过“登录超时”仍会退出）。",
        minimum=1,
    ),
    _count(
        "lockout_attempts",
        5,
        "密码错误锁定次数",
        "连续输错密码达到该次数后锁定账号。",
        minimum=1,
    ),
    _count("lockout_minutes", 15, "锁定时长（分钟）", "账号被锁定的分钟数。", minimum=1),
    Setting(
        "lockout_max_minutes",
        1440,
        "最长锁定时长（分钟）",
        "每次再被锁定，锁定时长加倍（从“锁定时长”起），但不超过该分钟数；登录成功或管理员解锁后重新计算。",
        minimum=1,
        maximum=10080,
    ),
    Setting(
        "backup_interval_hours",
        24,
        "自动备份间隔（小时）",
        "驾驶舱运行时每隔该小时数自动备份一次数据库（默认每天一次）；0 表示不自动备份。",
        minimum=0,
        maximum=720,
    ),
    Setting(
        "backup_keep",
        10,
        "保留备份份数",
        "数据库目录下 backups 文件夹中最多保留的备份份数，超出时删除最早的。",
        minimum=1,
        maximum=1000,
    ),
    _count(
        "sql_row_cap",
        10_000,
        "自助查询最多返回行数",
        "自助查询一次最多返回的行数。",
        minimum=1,
    ),
    _count(
        "sql_time_limit_ms",
        5_000,
        "自助查询时限（毫秒）",
        "自助查询超过该毫秒数即中止。",
        minimum=1,
    ),
    # the work registers (DESIGN.md §8)
    _workdays(
        "register.penalty_publish_workdays",
        7,
        "处罚决定公示时限（工作日）",
        "行政处罚决定作出后须在多少个工作日内公示（“双公示”），决定当日不计，按官方工作日日历计算。",
    ),
    # 单位排名: the scorecard's default weights (relative; normalised to 100; 0 = not scored)
    Setting(
        "weight.plan_completion",
        25.0,
        "排名权重：计划完成率",
        "单位排名总分中“计划完成率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.entry_on_time",
        15.0,
        "排名权重：按时录入率",
        "单位排名总分中“按时录入率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.publish_on_time",
        15.0,
        "排名权重：按时公示率",
        "单位排名总分中“按时公示率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.followup_closed",
        15.0,
        "排名权重：后续处理完结率",
        "单位排名总分中“后续处理完结率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.joint_share",
        10.0,
        "排名权重：联合抽查占比",
        "单位排名总分中“联合抽查占比”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.risk_graded_share",
        10.0,
        "排名权重：信用分类运用占比",
        "单位排名总分中“信用分类运用占比”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.data_quality",
        10.0,
        "排名权重：数据质量",
        "单位排名总分中“数据质量”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.trained_share",
        5.0,
        "排名权重：执法人员参训率",
        "单位排名总分中“执法人员参训率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.reports_on_time",
        5.0,
        "排名权重：信息按时报送率",
        "单位排名总分中“信息按时报送率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.penalties_on_time",
        5.0,
        "排名权重：处罚按时公示率",
        "单位排名总分中“处罚按时公示率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.transfers_complete",
        5.0,
        "排名权重：移送信息完整率",
        "单位排名总分中“移送信息完整率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.credit_recorded",
        5.0,
        "排名权重：信用记录纳入率",
        "单位排名总分中“信用记录纳入率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "weight.supervision_on_time",
        5.0,
        "排名权重：督查整改按期率",
        "单位排名总分中“督查整改按期率”的权重（相对值，各项按比例折算为100分；0 表示不计分）。",
        "float",
        minimum=0,
        maximum=100,
    ),
    # imports: limits that keep a hostile or huge file from taking the server down (issue 16)
    _count(
        "import.max_upload_mb",
        50,
        "导入文件大小上限（MB）",
        "导入文件的最大大小；网页上传另受服务器配置 maxUploadSize 限制。",
        minimum=1,
    ),
    _count(
        "import.max_cells",
        2_000_000,
        "导入工作表单元格数上限",
        "一个 Excel 工作表最多允许的单元格数（行数 × 列数，从 A1 数到最远一个有内容的单元格），"
        "默认约 10 秒内能校验完；超过时不读取该表，以免远处一个误填的单元格耗尽服务器内存。"
        "更大的数据请用 CSV 文件，或在命令行导入。",
        minimum=1,
    ),
    _count(
        "import.max_cell_chars",
        32_767,
        "导入单元格字符数上限",
        "一个单元格最多允许的字符数（Excel 自身的上限为 32767）。",
        minimum=1,
    ),
    _count(
        "import.problem_limit",
        10_000,
        "导入问题清单最多列出条数",
        "导入校验时问题清单最多列出的条数。",
        minimum=1,
    ),
    # performance (issue 17): read when the store is opened, so a change takes effect after a restart
    Setting(
        "store.memory_limit_mb",
        1024,
        "数据库内存上限（MB）",
        "DuckDB 查询最多使用的内存（缓存的数据页和中间结果）；超出时把中间结果暂存到磁盘。"
        "默认 1024 MB，100 万检查对象时整个服务约占 2 GB 内存；驾驶舱重启后生效。",
        "int",
        minimum=128,
        maximum=1_048_576,
    ),
    Setting(
        "store.threads",
        0,
        "数据库查询线程数",
        "DuckDB 并行查询的线程数；0 表示与服务器的 CPU 核数相同。驾驶舱重启后生效。",
        "int",
        minimum=0,
        maximum=1024,
    ),
    _count(
        "cache.max_mb",
        256,
        "页面查询结果缓存上限（MB）",
        "各页面的指标和列表在数据没有变化时直接取自缓存，点选控件不再重算；"
        "超过该大小时丢弃最久未用的结果。0 表示不缓存。任何写入（导入、抽取、录入、改设置）后缓存自动失效。",
    ),
)

SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
# The defaults alone, for callers that only read them (derived from SETTINGS; do not edit here).
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}


def setting_spec(key: str) -> Setting:
    """The declaration of `key`; KeyError in Chinese for an unknown one."""
    try:
        return SETTINGS_BY_KEY[key]
    except KeyError:
        raise KeyError(f"未知的设置项：{key}") from None


def db_path() -> Path:
    """The store path: env DASHBOARD_DB, else secrets `db_path`, else data/supervision.duckdb."""
    env = os.environ.get("DASHBOARD_DB")
    if env:
        return Path(env)
    secrets = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        import tomllib

        value = tomllib.loads(secrets.read_text(encoding="utf-8")).get("db_path")
        if value:
            return Path(value)
    return DEFAULT_DB_PATH


def get_setting(store: Store | None, key: str) -> Any:
    if store is not None:
        raw = store.scalar("SELECT value FROM settings WHERE key = ?", [key])
        if raw is not None:
            return json.loads(raw)
    return DEFAULTS[key]


def all_settings(store: Store | None) -> dict[str, Any]:
    values = dict(DEFAULTS)
    if store is not None:
        for key, raw in store.rows("SELECT key, value FROM settings"):
            values[key] = json.loads(raw)
    return values


def set_setting(store: Store, key: str, value: Any, actor: str) -> None:
    """Store a value after checking it against the declaration (SettingError, one Chinese sentence)."""
    value = setting_spec(key).check(value)
    old = get_setting(store, key)
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO settings (key, value, updated_by) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = current_localtimestamp(), updated_by = excluded.updated_by",
            [key, json.dumps(value), actor],
        )
        store.audit(
            cur,
            actor,
            "setting.change",
            table_name="settings",
            record_key=key,
            old_value=old,
            new_value=value,
        )
