"""The deterministic demo county: pure Python, no store (see README.md beside this file).

`generate(seed, scale, as_of)` returns a `DemoData` with one column-dict per interchange table and the
manifest of planted problems. Only `random.Random(seed)` is used, every choice is made from sorted
lists, and nothing depends on the clock except through `as_of`, so the same seed and as_of give the
same data.

Clean data is generated with safety margins (entries within 12 working days, follow-ups closed before
their due date, D-grade entities drawn at ratio 1 and inspected first); then the problems are planted
one by one and recorded in the manifest, so the manifest is exactly what the DESIGN.md §5 metrics find.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from dashboard.demo import ids
from dashboard.demo import names as N
from dashboard.domain import workdays
from dashboard.domain.codes import FINDING_CODES, FOLLOWUP_CODES
from dashboard.metrics.quality import fisher_lower

# province: the `large` county generated here, then copied to ≈ 80 counties in SQL (bulk_sql.py)
SCALES = {"county": 1, "large": 50, "xlarge": 500, "province": 50}
RISK_SYSTEM = "市场监管"
ENTRY_LIMIT = 20
BACKFILL_LIMIT = 5
LOW_FINDINGS_INSPECTOR = "KCK03"
BELOW_COVERAGE_UNIT = "TCZX"
# the demo covers as_of.year − 3 … as_of and needs the working-day calendar a few months past as_of
FIRST_AS_OF = date(workdays.CALENDAR_START.year + 3, 1, 1)
LAST_AS_OF = date(workdays.CALENDAR_END.year, 10, 31)
BALANCE_P = 0.05  # no inspector but the planted one ends up this far below the unit's finding rate

Progress = Callable[[float, str], None]


# ---------------------------------------------------------------------------------------------
# calendar: the same rule as dashboard.domain.workdays, indexed for speed
# ---------------------------------------------------------------------------------------------
class Cal:
    def __init__(self) -> None:
        rows = workdays.calendar_rows()
        self.seq = {d: s for d, _, s, _ in rows}
        self.work = {d: w for d, w, _, _ in rows}
        self.by_seq = {s: d for d, w, s, _ in rows if w}

    def deadline(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (n = 0: d itself)."""
        if n == 0:
            return d
        return self.by_seq[self.seq[d] + n]

    def workday_on_or_after(self, d: date) -> date:
        while not self.work[d]:
            d += timedelta(days=1)
        return d

    def workdays_in(self, a: date, b: date) -> list[date]:
        out, d = [], a
        while d <= b:
            if self.work[d]:
                out.append(d)
            d += timedelta(days=1)
        return out

    def longest_break(self, a: date, b: date) -> tuple[date, date]:
        """The longest run of non-working days within [a, b] (the Spring-Festival or National-Day break)."""
        best: tuple[date, date] | None = None
        run_start = None
        d = a
        while d <= b + timedelta(days=1):
            off = d <= b and not self.work[d]
            if off and run_start is None:
                run_start = d
            elif not off and run_start is not None:
                if best is None or (d - run_start) > (best[1] - best[0] + timedelta(days=1)):
                    best = (run_start, d - timedelta(days=1))
                run_start = None
            d += timedelta(days=1)
        assert best is not None
        return best


# ---------------------------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------------------------
@dataclass
class Entity:
    code: str
    name: str
    kind: str
    town: str | None
    address: str
    tags: list[str]
    status: str = "存续"
    registered_on: date | None = None
    closed_on: date | None = None
    graded: bool = True
    base_grade: str = "B"
    scores: list[float | None] = field(default_factory=list)  # per month index

    def alive_on(self, d: date) -> bool:
        reg_ok = self.registered_on is None or self.registered_on <= d
        return reg_ok and (self.closed_on is None or self.closed_on > d)


@dataclass
class Inspector:
    code: str
    name: str
    unit: str
    cert_no: str
    valid_until: date
    specialties: list[str]
    active: bool


@dataclass
class Task:
    code: str
    plan_code: str | None
    name: str
    items: list[str]
    lead: str
    partners: list[str]
    joint_kind: str
    source: str
    uses_risk: bool
    start: date
    end: date
    status: str
    ratio: str = "0.1"
    grade_ratios: str | None = None
    key: str = ""

    @property
    def units(self) -> list[str]:
        return [self.lead, *self.partners]


@dataclass
class Inspection:
    task: str
    entity: str
    inspectors: list[str]
    inspected_on: date
    stratum: str
    result_codes: list[str] = field(default_factory=list)
    entered_on: date | None = None
    published_on: date | None = None
    note: str | None = None


@dataclass
class Followup:
    task: str
    entity: str
    measure: str
    unit: str
    due_on: date
    closed_on: date | None
    backfilled_on: date | None
    revisit_on: date | None = None
    revisit_result: str | None = None


@dataclass
class DemoData:
    tables: dict[str, dict[str, list]]
    manifest: dict
    grade_rows: int = 0


# ---------------------------------------------------------------------------------------------
# task templates (offset = year − as_of.year; variants describe how a year differs)
# ---------------------------------------------------------------------------------------------
INTERNAL = {code for code, _, _, ext in N.UNITS if not ext}

# fmt: off
TEMPLATES = [
    # key, items, lead, partners, start, end, ratio, grade_ratios (None = no risk grades), source
    ("farmland", ["ZR-011"], "GBK", ["ZFD"], (1, 6), (3, 31), "1", None, "plan"),
    ("mine", ["ZR-001", "ZR-002"], "KCK", ["GBK", "DHK", "ZBKS"], (3, 2), (6, 30),
     "0.30", "A:0.20;B:0.30;C:0.50;D:1", "plan"),
    ("survey_qual", ["ZR-005"], "CHK", ["BDC"], (4, 1), (6, 30),
     "0.25", "A:0.15;B:0.25;C:0.50;D:1", "plan"),
    ("planning", ["ZR-013"], "GHK", ["ZFD"], (4, 15), (7, 31),
     "0.20", "A:0.10;B:0.20;C:0.50;D:1", "plan"),
    ("land", ["ZR-012"], "TCZX", ["GHK"], (5, 6), (8, 31),
     "0.05", "A:0.03;B:0.05;C:0.10;D:1", "plan"),
    ("survey_quality", ["ZR-006"], "CHK", ["BDC", "SJJ"], (5, 6), (9, 30),
     "0.20", "A:0.10;B:0.20;C:0.50;D:1", "plan"),
    ("explore", ["ZR-003"], "KCK", ["DHK"], (6, 1), (8, 31),
     "0.10", "A:0.05;B:0.10;C:0.30;D:1", "plan"),
    ("disclosure", ["ZR-004"], "KCK", ["ZFD", "SJJ"], (7, 1), (9, 30),
     "0.10", "A:0.05;B:0.10;C:0.30;D:1", "dispatched"),
    ("geohazard", ["ZR-009"], "DHK", ["YJJ"], (9, 1), (11, 13),
     "0.05", "A:0.05;B:0.05;C:0.20;D:1", "plan"),
    ("realestate_survey", ["ZR-008"], "BDC", ["CHK"], (9, 1), (10, 31),
     "0.30", "A:0.20;B:0.30;C:0.50;D:1", "plan"),
    ("fossil", ["ZR-010"], "DHK", ["ZFD"], (9, 15), (10, 31),
     "0.20", "A:0.20;B:0.20;C:0.50;D:1", "plan"),
    ("survey_submit", ["ZR-007"], "CHK", ["BDC"], (10, 9), (12, 15),
     "0.10", "A:0.05;B:0.10;C:0.30;D:1", "plan"),
    ("mine_eco", ["ZR-002"], "ZBKS", ["STJ", "YJJ"], (10, 12), (12, 18),
     "0.10", "A:0.05;B:0.10;C:0.30;D:1", "adhoc"),
]
# tasks of the current year only: the same columns plus the planted status
CURRENT_YEAR_EXTRA = [
    ("explore2", ["ZR-003"], "KCK", ["DHK"], (8, 3), (10, 30),
     "0.10", "A:0.05;B:0.10;C:0.30;D:1", "plan", "drawn_no_results"),
    ("land2", ["ZR-012"], "TCZX", ["GHK"], (12, 7), (12, 25),
     "0.05", "A:0.03;B:0.05;C:0.10;D:1", "plan", None),
    ("fossil_dup", ["ZR-010"], "DHK", ["ZFD"], (3, 2), (4, 30),
     "0.20", "A:0.20;B:0.20;C:0.50;D:1", "plan", "voided"),
    ("petition", ["ZR-013"], "ZFD", [], (11, 2), (11, 30), "0.01", None, "adhoc", None),
]
# fmt: on


def _spec(y, key, items, lead, partners, start, end, ratio, gr, source, status=None) -> dict:
    return dict(
        key=key,
        items=list(items),
        lead=lead,
        partners=list(partners),
        start=date(y, *start),
        end=date(y, *end),
        ratio=ratio,
        gr=gr,
        uses_risk=gr is not None,
        source=source,
        status=status,
    )


TASK_NAMES = {
    "farmland": "{y}年度耕地保护责任目标落实情况检查",
    "mine": "{y}年矿山土地复垦与地质环境保护治理恢复联合检查",
    "survey_qual": "{y}年测绘资质巡查",
    "planning": "{y}年建设工程规划许可批后监管抽查",
    "land": "{y}年国有建设用地出让合同履约及闲置土地检查",
    "survey_quality": "{y}年测绘成果质量监督抽查",
    "explore": "{y}年探矿权人勘查信息公示情况抽查",
    "disclosure": "{y}年上级下派：矿业权人勘查开采信息公示实地核查",
    "geohazard": "{y}年地质灾害防治资质单位监督检查",
    "realestate_survey": "{y}年不动产测绘监督检查",
    "fossil": "{y}年古生物化石收藏单位监督检查",
    "survey_submit": "{y}年测绘成果汇交情况检查",
    "mine_eco": "{y}年矿山生态修复跨部门专项检查",
    "explore2": "{y}年探矿权人勘查信息公示情况抽查（第二批）",
    "land2": "{y}年闲置土地专项检查（第二批）",
    "fossil_dup": "{y}年古生物化石收藏单位监督检查（重复下达）",
    "petition": "{y}年信访举报违法建设核查",
}

# plan adjustments: (offset, item, field, old, new, reason, (month, day), republish after n days or None)
PLAN_CHANGES = [
    (-2, "ZR-013", "ratio", "0.15", "0.20", "根据上年问题发现率提高抽查比例", (3, 10), 5),
    (-1, "ZR-005", "planned_end", "{y}-06-15", "{y}-06-30", "受汛期影响延长检查时间", (6, 5), 3),
    (-1, "ZR-006", "joint_units", "BDC", "BDC;SJJ", "与县市场监督管理局联合开展", (4, 20), 4),
    (-1, "ZR-010", "status", "已发布", "已作废", "市局统一组织，县级计划作废", (5, 8), 2),
    (0, "ZR-012", "ratio", "0.08", "0.05", "人员不足，下调抽查比例", (4, 28), None),
    (
        0,
        "ZR-009",
        "planned_start",
        "{y}-08-15",
        "{y}-09-01",
        "与县应急管理局协调检查时间",
        (8, 10),
        3,
    ),
    (0, "ZR-007", "joint_units", "BDC", "", "不动产登记中心人员抽调，改为单独检查", (9, 25), None),
]

FINDING_COMBOS = (
    (("E",), 35),
    (("A", "2", "B"), 18),
    (("A", "2", "D"), 20),
    (("A", "5"), 8),
    (("A", "2", "6"), 5),
    (("E", "A", "2", "D"), 9),
    (("8",), 5),
)

# notes of findings that depend on the item (task template key)
ITEM_NOTES = {
    ("mine", "D"): ("矿山地质环境治理恢复未按方案实施。", "土地复垦义务履行不到位，需限期整改。"),
    ("mine_eco", "D"): ("矿山生态修复进度滞后于方案。",),
    ("explore", "B"): ("未按规定公示年度勘查信息，已责令限期公示。",),
    ("disclosure", "B"): ("未按规定公示勘查开采信息，已责令限期公示。",),
    ("survey_qual", "D"): ("测绘资质条件不再符合要求，需限期整改。",),
    ("survey_quality", "D"): ("抽检测绘成果质量不合格，需限期整改。",),
    ("survey_submit", "D"): ("测绘成果未按规定汇交。",),
    ("land", "D"): ("未按出让合同约定动工开发，涉嫌闲置土地。",),
    ("planning", "D"): ("未按规划许可内容建设。",),
    ("farmland", "D"): ("耕地保护责任目标落实不到位。",),
}

NOTES = {
    "1": ("现场核查，未发现问题。", "资料齐全，现场情况与申报一致。", "书面检查，符合要求。"),
    "E": ("发现台账记录不完整，已当场责令改正。",),
    "B": ("未按规定公示应当公示的信息，已责令限期公示。",),
    "D": ("违反本部门其他规定，已责令限期整改。", "检查发现问题，需后续处理。"),
    "5": ("发现安全生产隐患，已抄告应急管理部门。",),
    "6": ("通过登记的住所无法联系。",),
    "8": ("拒绝提供有关资料，不配合检查。",),
    "F": ("现场未发现开展相关经营活动。",),
    "7": ("企业已停产，正在组织清算。",),
    "9": ("企业已办理注销登记。",),
}


def _ceil_size(pool: int, ratio: str) -> int:
    return min(
        pool, int((Decimal(pool) * Decimal(ratio)).to_integral_value(rounding=ROUND_CEILING))
    )


def _grade(score: float) -> str:
    if score < 35:
        return "A"
    if score < 60:
        return "B"
    if score < 80:
        return "C"
    return "D"


def _ratios(text: str) -> dict[str, str]:
    return dict(part.split(":") for part in text.split(";"))


class Generator:
    def __init__(self, seed: int, scale: str, as_of: date, progress: Progress | None) -> None:
        if scale not in SCALES:
            raise ValueError(f"未知的演示规模：{scale}（可选 county / large / xlarge / province）")
        if not FIRST_AS_OF <= as_of <= LAST_AS_OF:
            raise ValueError(
                f"演示数据的基准日须在 {FIRST_AS_OF} 至 {LAST_AS_OF} 之间（工作日历覆盖的范围），"
                f"收到 {as_of}。"
            )
        self.rng = random.Random(seed)
        self.seed, self.scale, self.T = seed, scale, as_of
        self.factor = SCALES[scale]
        self.cur = as_of.year
        self.years = list(range(self.cur - 3, self.cur + 1))
        self.cal = Cal()
        self.progress = progress or (lambda f, m: None)
        # months: index 0 = January of the first year, last = as_of's month
        self.m0 = (self.years[0], 1)
        self.n_months = (as_of.year - self.years[0]) * 12 + as_of.month
        if scale in ("xlarge", "province"):  # benchmark builds: only the last 12 months graded
            self.first_graded_month = max(0, self.n_months - 12)
        else:
            self.first_graded_month = 0
        self.entities: list[Entity] = []
        self.by_code: dict[str, Entity] = {}
        self.inspectors: list[Inspector] = []
        self.conflicts: list[tuple[str, str, str]] = []
        self.conflict_set: set[tuple[str, str]] = set()
        self.plans: list[dict] = []
        self.plan_changes: list[dict] = []
        self.tasks: list[Task] = []
        self.inspections: list[Inspection] = []
        self.followups: list[Followup] = []
        self.checklists: list[dict] = []
        self.manifest: dict = {}
        self._names: set[str] = set()
        self._person_names: set[str] = set()
        self._eligible: dict[tuple[str, str, date], tuple[list[str], list[str]]] = {}
        self._conflict_entities: set[str] = set()

    # -- helpers ------------------------------------------------------------------------------
    def month_index(self, d: date) -> int:
        return (d.year - self.m0[0]) * 12 + d.month - 1

    def period(self, m: int) -> str:
        y, mo = divmod(self.m0[1] - 1 + m, 12)
        return f"{self.m0[0] + y:04d}-{mo + 1:02d}"

    def grade_on(self, e: Entity, d: date) -> str:
        """Latest 市场监管 grade with period ≤ d's month ('U' if none)."""
        m = min(self.month_index(d), self.n_months - 1)
        while m >= 0:
            s = e.scores[m] if m < len(e.scores) else None
            if s is not None:
                return _grade(s)
            m -= 1
        return "U"

    def rand_date(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def trade(self) -> str:
        return self.rng.choice(N.TRADE_CHARS) + self.rng.choice(N.TRADE_CHARS)

    def unique_name(self, make: Callable[[], str]) -> str:
        """A name not used yet (at large scales: numbered once the few tries collide)."""
        for _ in range(20 if self.factor == 1 else 2):
            name = make()
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{make()}{len(self._names)}"
        self._names.add(name)
        return name

    def person(self) -> str:
        for _ in range(50):
            name = self.rng.choice(N.SURNAMES) + "".join(
                self.rng.choice(N.GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self._person_names:
                self._person_names.add(name)
                return name
        name = f"{self.rng.choice(N.SURNAMES)}{len(self._person_names)}"
        self._person_names.add(name)
        return name

    # -- 1. units, items --------------------------------------------------------------------------
    def gen_reference(self) -> None:
        self.units = list(N.UNITS)
        self.items = list(N.ITEMS)
        self.min_insp = {it[0]: it[6] for it in self.items}

    # -- 2. entities ----------------------------------------------------------------------------------
    def _address(self, town: str) -> str:
        village = self.rng.choice(N.VILLAGES[town])
        return f"河北省石家庄市{N.COUNTY}{town}{village}村{self.rng.randint(1, 300)}号"

    def _reg_date(self, *, allow_current: bool = True) -> date:
        r = self.rng.random()
        if allow_current and r < 0.03 and self.T > date(self.cur, 1, 15):
            return self.rand_date(date(self.cur, 1, 2), self.T - timedelta(days=1))
        first = date(1998, 1, 1)
        last = date(self.cur - 1, 12, 31)
        # more entities registered in recent years
        span = (last - first).days
        return first + timedelta(days=int(span * math.sqrt(self.rng.random())))

    def _enterprise_code(self, reg: date, region: str = N.COUNTY_REGION, kind: str = "91") -> str:
        return ids.make_uscc(kind, region, ids.org_code(self.rng, modern=reg.year >= 2016))

    def _add(self, e: Entity) -> None:
        """Add an entity; a USCC that collides with one already drawn (large scales) is redrawn."""
        while e.code in self.by_code:
            if len(e.code) != 18:
                raise AssertionError(f"duplicate demo entity code {e.code}")
            modern = e.code[8:10] == "MA"
            e.code = ids.make_uscc(e.code[:2], e.code[2:8], ids.org_code(self.rng, modern=modern))
        self.entities.append(e)
        self.by_code[e.code] = e

    def gen_entities(self) -> None:
        f, rng = self.factor, self.rng
        towns = N.TOWNS
        # townships (耕地保护责任目标): government bodies, USCC 11…, no registration date, no grades
        for town in towns:
            code = ids.make_uscc("11", N.COUNTY_REGION, ids.org_code(self.rng, modern=False))
            self._add(
                Entity(
                    code=code,
                    name=f"{N.COUNTY}{town}人民政府",
                    kind="乡镇人民政府",
                    town=town,
                    address=f"河北省石家庄市{N.COUNTY}{town}{N.VILLAGES[town][0]}村",
                    tags=["ZR-011"],
                    registered_on=None,
                    graded=False,
                )
            )
        seq = 0
        # mining-right holders keyed by 采矿许可证号
        for _ in range(350 * f):
            town = rng.choice(towns)
            reg = self._reg_date(allow_current=False)
            company = self.unique_name(lambda: f"{N.COUNTY}{self.trade()}石料有限公司")
            village = rng.choice(N.VILLAGES[town])
            seq += 1
            code = ids.mining_licence(N.COUNTY_REGION, max(reg.year, 2005), reg.month, seq)
            tags = ["ZR-001", "ZR-002", "ZR-004"]
            if rng.random() < 0.08:
                tags.append("绿色矿山")
            self._add(
                Entity(
                    code=code,
                    name=f"{company}{town}{village}{rng.choice(N.MINERALS)}",
                    kind="采矿权人",
                    town=town,
                    address=self._address(town),
                    tags=tags,
                    registered_on=reg,
                )
            )
        # exploration-right holders keyed by 勘查许可证号
        for _ in range(60 * f):
            town = rng.choice(towns)
            reg = self._reg_date(allow_current=False)
            company = self.unique_name(lambda: f"河北{self.trade()}矿业有限公司")
            seq += 1
            code = ids.exploration_licence(N.COUNTY_REGION, max(reg.year, 2005), reg.month, seq)
            self._add(
                Entity(
                    code=code,
                    name=f"{company}{N.COUNTY}{town}{rng.choice(N.EXPLORE_TARGETS)}",
                    kind="探矿权人",
                    town=town,
                    address=self._address(town),
                    tags=["ZR-003", "ZR-004"],
                    registered_on=reg,
                )
            )

        def company(
            kind: str, make_name: Callable[[], str], tags_fn, *, local: float = 0.85
        ) -> None:
            reg = self._reg_date()
            name_fn = make_name
            if rng.random() < local:
                town, region = rng.choice(towns), N.COUNTY_REGION
                address = self._address(town)
            else:  # registered in a district of 石家庄市
                town, region = None, rng.choice(N.CITY_REGIONS)
                road = rng.choice(("中山路", "建设大街", "槐安路", "友谊大街", "红旗大街"))
                address = f"河北省石家庄市{N.CITY_DISTRICTS[region]}{road}{rng.randint(1, 500)}号"

                def name_fn() -> str:
                    name = make_name()
                    return "石家庄" + name[len(N.COUNTY) :] if name.startswith(N.COUNTY) else name

            self._add(
                Entity(
                    code=self._enterprise_code(reg, region),
                    name=self.unique_name(name_fn),
                    kind=kind,
                    town=town,
                    address=address,
                    tags=tags_fn(),
                    registered_on=reg,
                )
            )

        def survey_tags() -> list[str]:
            t = ["ZR-005"]
            if rng.random() < 0.47:
                t.append("ZR-006")
            if rng.random() < 0.47:
                t.append("ZR-007")
            if rng.random() < 0.38:
                t.append("ZR-008")
            return t

        survey_names = (
            lambda: f"河北{self.trade()}测绘有限公司",
            lambda: f"石家庄{self.trade()}地理信息技术有限公司",
            lambda: f"{N.COUNTY}{self.trade()}测绘服务有限公司",
            lambda: f"河北{self.trade()}勘察测绘有限公司",
        )
        for _ in range(320 * f):
            company("测绘资质单位", rng.choice(survey_names), survey_tags, local=0.6)
        geo_names = (
            lambda: f"河北{self.trade()}地质工程有限公司",
            lambda: f"石家庄{self.trade()}岩土工程勘察有限公司",
            lambda: f"河北{self.trade()}地质勘查有限公司",
        )
        for _ in range(100 * f):
            company("地质灾害防治资质单位", rng.choice(geo_names), lambda: ["ZR-009"], local=0.5)
        fossil_names = (
            lambda: f"{N.COUNTY}{self.trade()}奇石馆",
            lambda: f"河北{self.trade()}古生物化石博物馆有限公司",
        )
        for _ in range(15 * f):
            company("古生物化石收藏单位", rng.choice(fossil_names), lambda: ["ZR-010"])
        land_names = (
            lambda: f"{N.COUNTY}{self.trade()}房地产开发有限公司",
            lambda: f"{N.COUNTY}{self.trade()}建材有限公司",
            lambda: f"{N.COUNTY}{self.trade()}农业科技有限公司",
            lambda: f"{N.COUNTY}{self.trade()}物流有限公司",
            lambda: f"{N.COUNTY}{self.trade()}新能源科技有限公司",
        )

        def land_tags() -> list[str]:
            t = ["ZR-012"]
            if rng.random() < 0.2:
                t.append("ZR-013")
            if rng.random() < 0.03:
                t.append("信访关注")
            return t

        for _ in range(600 * f):
            company("建设用地使用权人", rng.choice(land_names), land_tags)
        plan_names = (
            lambda: f"{N.COUNTY}{self.trade()}置业有限公司",
            lambda: f"{N.COUNTY}{self.trade()}建筑工程有限公司",
            lambda: f"{N.COUNTY}{self.trade()}商贸有限公司",
            lambda: f"河北{self.trade()}实业有限公司",
        )
        for _ in range(530 * f):
            company("建设单位", rng.choice(plan_names), lambda: ["ZR-013"])
        # a few entities without any tag (just entered the directory, not yet tagged)
        for _ in range(10 * f):
            company("其他", lambda: f"{N.COUNTY}{self.trade()}商贸有限公司", lambda: [])

        # -- codes to plant: legacy 注册号, failing check digits --------------------------------------------
        enterprises = sorted(
            (e for e in self.entities if e.code[:2] == "91" and e.registered_on is not None),
            key=lambda e: e.code,
        )
        old = [e for e in enterprises if e.registered_on.year < 2014 and e.code[8:10] != "MA"]
        legacy = rng.sample(old, 5)
        for i, e in enumerate(sorted(legacy, key=lambda e: e.code)):
            del self.by_code[e.code]
            e.code = ids.registration_no(N.COUNTY_REGION, 10000 + 137 * i + rng.randint(0, 99))
            self.by_code[e.code] = e
        legacy_ids = {id(e) for e in legacy}
        rest = [e for e in enterprises if id(e) not in legacy_ids and e.registered_on.year < 2016]
        bad = rng.sample(rest, 8)
        for e in sorted(bad, key=lambda e: e.code):
            del self.by_code[e.code]
            e.code = ids.break_check(e.code, rng)
            self.by_code[e.code] = e
        # -- closures (注销 / 吊销 / 迁出 with closed_on) ----------------------------------------------------
        candidates = sorted(
            (e for e in self.entities if e.registered_on is not None and e.tags),
            key=lambda e: e.code,
        )
        for e in rng.sample(candidates, int(len(candidates) * 0.05)):
            earliest = max(e.registered_on + timedelta(days=200), date(2019, 1, 1))
            if earliest >= self.T:
                continue
            e.closed_on = self.rand_date(earliest, self.T - timedelta(days=1))
            e.status = rng.choices(("注销", "吊销", "迁出"), weights=(80, 10, 10))[0]
        # a free tag or two
        for e in rng.sample(candidates, max(1, len(candidates) // 40)):
            if "重点监管" not in e.tags:
                e.tags.append("重点监管")
        self.manifest["entity_codes"] = {
            "registration_no": sorted(e.code for e in legacy),
            "bad_check_digit": sorted(e.code for e in bad),
        }

    # -- 3. risk grades -------------------------------------------------------------------------------
    def gen_grades(self) -> None:
        rng = self.rng
        nm = self.n_months
        ranges = {"A": (12, 30), "B": (40, 55), "C": (64, 75), "D": (84, 94)}
        for e in self.entities:
            e.scores = [None] * nm
            if not e.graded:
                continue
            if e.kind == "乡镇人民政府" or rng.random() < 0.03:
                e.graded = False
                continue
            g = rng.choices("ABCD", weights=(45, 38, 13, 4))[0]
            new = e.registered_on is not None and e.registered_on.year >= self.years[0]
            if g == "D" and (not e.tags or new or not any(t.startswith("ZR-") for t in e.tags)):
                g = "C"
            e.base_grade = g
            base = rng.uniform(*ranges[g])
            # a few improve gradually (C → B over six months) early on
            drift_at = None
            if g == "C" and rng.random() < 0.15:
                drift_at = rng.randint(3, max(4, nm - 18))
            dev = 0.0
            first = self.first_graded_month
            if e.registered_on is not None:
                first = max(first, self.month_index(e.registered_on) + 1)
            last = nm - 1
            if e.closed_on is not None:
                last = min(last, self.month_index(e.closed_on))
            for m in range(first, last + 1):
                dev = max(-4.0, min(4.0, 0.8 * dev + rng.gauss(0, 1.2)))
                level = base
                if drift_at is not None and m >= drift_at:
                    level = base - min(6, m - drift_at + 1) * (base - 50) / 6
                e.scores[m] = round(level + dev, 1)
        # planted: ≈10 entities worsening sharply B → D in the last 3 months
        last = nm - 1
        pool = sorted(
            (
                e
                for e in self.entities
                if e.graded
                and e.base_grade == "B"
                and e.closed_on is None
                and any(t.startswith("ZR-") for t in e.tags)
                and e.registered_on is not None
                and self.month_index(e.registered_on) < last - 12
            ),
            key=lambda e: e.code,
        )
        worsened = sorted(rng.sample(pool, min(10, len(pool))), key=lambda e: e.code)
        for e in worsened:
            b = e.scores[last - 3]
            e.scores[last - 2] = round(b + rng.uniform(10, 13), 1)
            e.scores[last - 1] = round(b + rng.uniform(20, 24), 1)
            e.scores[last] = round(rng.uniform(82, 92), 1)
        self.worsened = worsened
        # planted: two D-grade entities whose item tag is missing, so no draw can reach them
        long_d = []
        for _ in range(2):
            reg = date(2012 + len(long_d), 3 + len(long_d), 18)
            e = Entity(
                code=self._enterprise_code(reg),
                name=self.unique_name(lambda: f"{N.COUNTY}{self.trade()}矿产品加工有限公司"),
                kind="建设用地使用权人",
                town=rng.choice(N.TOWNS),
                address="",
                tags=["重点监管"],
                registered_on=reg,
                base_grade="D",
            )
            e.address = self._address(e.town)
            e.scores = [None] * nm
            for m in range(self.first_graded_month, nm):
                e.scores[m] = round(rng.uniform(84, 93), 1)
            self._add(e)
            long_d.append(e)
        self.long_d = long_d

    # -- 4. inspectors and conflicts ---------------------------------------------------------------
    def gen_inspectors(self) -> None:
        rng, T = self.rng, self.T
        per_unit = {
            "BGS": 2,
            "GHK": 4,
            "GBK": 4,
            "KCK": 6,
            "DHK": 6,
            "CHK": 6,
            "BDC": 4,
            "ZFD": 10,
            "TCZX": 3,
            "ZBKS": 4,
            "SJJ": 3,
            "YJJ": 3,
            "STJ": 2,
        }
        mult = max(1, self.factor // 5)
        unit_items: dict[str, set[str]] = {u: set() for u, *_ in N.UNITS}
        for _key, items, lead, partners, *_ in TEMPLATES:
            for u in [lead, *partners]:
                unit_items[u].update(items)
        unit_items["ZFD"].add("ZR-013")
        unit_items["KCK"].add("ZR-003")
        for unit, *_ in N.UNITS:
            for i in range(per_unit[unit] * mult):
                code = f"{unit}{i + 1:02d}"
                items = sorted(unit_items[unit])
                r = rng.random()
                if not items or r < 0.25:
                    spec: list[str] = []
                elif r < 0.85 or len(items) < 2:
                    spec = items
                else:
                    spec = sorted(rng.sample(items, len(items) - 1))
                expired = i >= 2 and rng.random() < 0.15
                if expired:
                    valid = self.rand_date(T - timedelta(days=400), T - timedelta(days=10))
                else:
                    valid = date(T.year + rng.randint(1, 3), 12, 31)
                active = not (i >= 2 and rng.random() < 0.06)
                if code == LOW_FINDINGS_INSPECTOR:
                    spec, valid, active = [], date(T.year + 2, 12, 31), True
                prefix = "冀" if unit not in ("SJJ", "YJJ", "STJ") else "冀执"
                self.inspectors.append(
                    Inspector(
                        code=code,
                        name=self.person(),
                        unit=unit,
                        cert_no=f"{prefix}{N.COUNTY_REGION}{rng.randint(10000, 99999)}",
                        valid_until=valid,
                        specialties=spec,
                        active=active,
                    )
                )
        self.insp_by_unit: dict[str, list[Inspector]] = {}
        for i in self.inspectors:
            self.insp_by_unit.setdefault(i.unit, []).append(i)
        # conflicts of interest (≈20)
        reasons = (
            "近亲属在该单位任职",
            "曾在该单位任职未满三年",
            "与该单位存在经济往来",
            "本人申请回避",
        )
        tagged = sorted((e for e in self.entities if e.tags), key=lambda e: e.code)
        active = [i for i in self.inspectors if i.active and i.unit in INTERNAL]
        while len(self.conflicts) < 20 * self.factor:
            i = rng.choice(active)
            e = rng.choice(tagged)
            if (i.code, e.code) in self.conflict_set:
                continue
            self.conflict_set.add((i.code, e.code))
            self._conflict_entities.add(e.code)
            self.conflicts.append((i.code, e.code, rng.choice(reasons)))

    # -- 5. plans and tasks ---------------------------------------------------------------------------
    def pool(self, items: list[str], d: date) -> list[Entity]:
        """Entities alive on d with a tag equal to one of the items (in directory order)."""
        if not hasattr(self, "_by_tag"):
            self._by_tag: dict[str, list[tuple[int, Entity]]] = {}
            for n, e in enumerate(self.entities):
                for tag in e.tags:
                    self._by_tag.setdefault(tag, []).append((n, e))
        found: dict[int, Entity] = {}
        for item in items:
            for n, e in self._by_tag.get(item, ()):
                found[n] = e
        return [found[n] for n in sorted(found) if found[n].alive_on(d)]

    def gen_plans_and_tasks(self) -> None:
        rng, T = self.rng, self.T
        changes_by_plan: dict[str, list[tuple]] = {}
        for off, item, fld, old, new, reason, (mo, dy), rep in PLAN_CHANGES:
            y = self.cur + off
            if y not in self.years:
                continue
            changes_by_plan.setdefault(f"JH{y}-{item}", []).append(
                (y, fld, old.format(y=y), new.format(y=y), reason, date(y, mo, dy), rep)
            )
        for y in self.years:
            off = y - self.cur
            specs: list[dict] = []
            for key, items, lead, partners, st, en, ratio, gr, source in TEMPLATES:
                if key == "mine_eco" and off < -1:
                    continue
                if key == "fossil" and off == -1:
                    continue  # the plan of that year was voided: no task
                if key == "survey_submit" and off in (-3, 0):
                    partners = []  # non-joint (planted in the current year)
                if key == "fossil" and off in (-3, -2):
                    partners = []
                if key == "land" and off == -3:
                    gr = None  # not using risk grades that year
                specs.append(_spec(y, key, items, lead, partners, st, en, ratio, gr, source))
            if off == 0:
                specs += [_spec(y, *extra) for extra in CURRENT_YEAR_EXTRA]
            # plans: one per plan-sourced template item and year
            plan_codes: dict[str, str] = {}
            template_keys = {t[0] for t in TEMPLATES}
            plan_specs = [s for s in specs if s["source"] == "plan" and s["key"] in template_keys]
            if off == -1:  # the voided plan (no task)
                plan_specs.append(_spec(y, *next(t for t in TEMPLATES if t[0] == "fossil")))
            for s in plan_specs:
                item = s["items"][0]
                pcode = f"JH{y}-{item}"
                plan_codes[s["key"]] = pcode
                base = len(self.pool(s["items"], date(y - 1, 12, 31)))
                published = self.cal.workday_on_or_after(
                    date(y, 1, 10) + timedelta(days=rng.randint(0, 12))
                )
                if item == "ZR-011":
                    published = self.cal.workday_on_or_after(date(y, 1, 3))
                changes = [c for c in changes_by_plan.get(pcode, []) if c[5] <= T]
                status = "已发布"
                if changes:
                    status = "已调整"
                if any(c[1] == "status" for c in changes):
                    status = "已作废"
                if published > T:
                    status, published = "草案", None
                joint = list(s["partners"])
                if item == "ZR-007" and any(c[1] == "joint_units" for c in changes):
                    joint = []
                self.plans.append(
                    dict(
                        plan_code=pcode,
                        year=y,
                        item_code=item,
                        unit_code=s["lead"],
                        base_count=base,
                        ratio=s["ratio"],
                        grade_ratios=s["gr"],
                        planned_start=s["start"],
                        planned_end=s["end"],
                        joint_units=joint,
                        status=status,
                        published_on=published,
                    )
                )
                for _y, fld, old, new, reason, changed, rep in changes:
                    republished = None
                    if rep is not None:
                        republished = self.cal.deadline(changed, rep)
                        if republished > T:
                            republished = None
                    self.plan_changes.append(
                        dict(
                            plan_code=pcode,
                            changed_on=changed,
                            field=fld,
                            old_value=old,
                            new_value=new,
                            reason=reason,
                            republished_on=republished,
                        )
                    )
            # tasks (codes in start order)
            specs.sort(key=lambda s: (s["start"], s["key"]))
            for n, s in enumerate(specs, start=1):
                partners = s["partners"]
                if not partners:
                    joint = "none"
                elif any(p not in INTERNAL for p in partners):
                    joint = "cross"
                else:
                    joint = "internal"
                plan_code = None
                if s["source"] == "plan":
                    base_key = {"explore2": "explore", "land2": "land", "fossil_dup": "fossil"}.get(
                        s["key"], s["key"]
                    )
                    plan_code = plan_codes.get(base_key)
                self.tasks.append(
                    Task(
                        code=f"RW{y}{n:03d}",
                        plan_code=plan_code,
                        name=TASK_NAMES[s["key"]].format(y=y),
                        items=s["items"],
                        lead=s["lead"],
                        partners=partners,
                        joint_kind=joint,
                        source=s["source"],
                        uses_risk=s["uses_risk"],
                        start=s["start"],
                        end=s["end"],
                        status=s["status"] or "",
                        ratio=s["ratio"],
                        grade_ratios=s["gr"],
                        key=s["key"],
                    )
                )
        self.manifest["voided_plans"] = sorted(
            p["plan_code"] for p in self.plans if p["status"] == "已作废"
        )
        self.manifest["plan_changes_not_republished"] = sorted(
            [c["plan_code"], c["changed_on"].isoformat(), c["field"]]
            for c in self.plan_changes
            if c["republished_on"] is None
        )

    # -- 6. draws (outside the ledger), teams and inspection dates ------------------------------
    def team(self, task: Task, entity: str, d: date, year_bias: bool) -> list[str]:
        """One eligible inspector per unit of the task (lead first), then fill up to k (DESIGN §6.5)."""
        rng = self.rng
        x = LOW_FINDINGS_INSPECTOR
        k = max(2, max(self.min_insp[i] for i in task.items))
        conflicted = entity in self._conflict_entities
        chosen: list[str] = []
        unit_lists: list[list[str]] = []
        for unit in task.units:
            key = (task.code, unit, d)
            cached = self._eligible.get(key)
            if cached is None:
                items = set(task.items)
                codes = [
                    i.code
                    for i in self.insp_by_unit.get(unit, [])
                    if i.active
                    and i.valid_until >= d
                    and (not i.specialties or items.intersection(i.specialties))
                ]
                cached = self._eligible[key] = (codes, [c for c in codes if c != x])
            codes, without_x = cached
            if conflicted:
                codes = [c for c in codes if (c, entity) not in self.conflict_set]
                without_x = [c for c in codes if c != x]
            if not codes:
                continue
            unit_lists.append(codes)
            if year_bias and unit == "KCK" and x in codes and rng.random() < 0.45:
                chosen.append(x)
            else:
                chosen.append(rng.choice(without_x or codes))
        if len(chosen) < k:
            rest = [c for codes in unit_lists for c in codes if c not in chosen and c != x]
            while len(chosen) < k and rest:
                c = rng.choice(rest)
                rest.remove(c)
                chosen.append(c)
        return chosen

    def gen_inspections(self) -> None:
        rng, T, cal = self.rng, self.T, self.cal
        excluded = {e.code for e in self.long_d}
        for t in self.tasks:
            if t.status in ("voided",):
                continue
            if t.start > T:
                t.status = "planned"
                continue
            if t.status == "drawn_no_results":
                t.status = "drawn"
                continue
            pool = [e for e in self.pool(t.items, t.start) if e.code not in excluded]
            strata: dict[str, list[Entity]] = {}
            for e in pool:
                g = self.grade_on(e, t.start) if (t.uses_risk and e.graded) else "U"
                strata.setdefault(g, []).append(e)
            ratios = _ratios(t.grade_ratios) if t.uses_risk and t.grade_ratios else {}
            targets: list[tuple[str, Entity]] = []
            for g in sorted(strata):
                members = sorted(strata[g], key=lambda e: e.code)
                n = _ceil_size(len(members), ratios.get(g, t.ratio))
                targets += [(g, e) for e in sorted(rng.sample(members, n), key=lambda e: e.code)]
            if t.key == "petition":
                targets = targets[:6]
            # high risk first, then random order
            order = {"D": 0, "C": 1, "B": 2, "A": 3, "U": 2}
            rng.shuffle(targets)
            targets.sort(key=lambda ge: order[ge[0]])
            days = cal.workdays_in(t.start + timedelta(days=3), t.end - timedelta(days=3))
            if t.key == "farmland":  # a third before the Spring-Festival break
                brk = cal.longest_break(date(t.start.year, 1, 10), date(t.start.year, 2, 28))
                early = [d for d in days if brk[0] - timedelta(days=14) <= d < brk[0]]
                late = [d for d in days if d > brk[1]]
                n_early = len(targets) // 3
                dates = sorted(rng.choice(early) for _ in range(n_early))
                dates += sorted(rng.choice(late) for _ in range(len(targets) - n_early))
            else:
                dates = sorted(rng.choice(days) for _ in range(len(targets)))
            done_all = True
            for (g, e), d in zip(targets, dates, strict=True):
                if d > T:
                    done_all = False
                    continue
                team = self.team(t, e.code, d, year_bias=(d.year == self.cur))
                self.inspections.append(Inspection(t.code, e.code, team, d, g))
            if t.end < T and done_all:
                t.status = "done"
            else:
                t.status = "in_progress"
        self.manifest["voided_tasks"] = sorted(t.code for t in self.tasks if t.status == "voided")

    # -- 7. results, entry and publication ------------------------------------------------------------
    def gen_results(self) -> None:
        rng, cal, T = self.rng, self.cal, self.T
        task_by = {t.code: t for t in self.tasks}
        combos = [c for c, _ in FINDING_COMBOS]
        weights = [w for _, w in FINDING_COMBOS]
        for ins in self.inspections:
            t = task_by[ins.task]
            p = 0.30 if t.lead == "KCK" else 0.25 if t.key == "farmland" else 0.18
            r = rng.random()
            if LOW_FINDINGS_INSPECTOR in ins.inspectors and ins.inspected_on.year == self.cur:
                codes: tuple[str, ...] = ("1",)
            elif r < p:
                codes = rng.choices(combos, weights)[0]
            elif r < p + 0.025 and t.key != "farmland":
                codes = ("F",)
            else:
                codes = ("1",)
            ins.result_codes = list(codes)
            k = rng.randint(1, 12)
            ins.entered_on = cal.deadline(ins.inspected_on, k)
            ins.published_on = cal.deadline(ins.inspected_on, k + rng.randint(0, 5))
            if ins.published_on > T:
                ins.published_on = None
            if ins.entered_on > T:
                ins.entered_on = ins.published_on = None
        self.balance_findings(combos, weights)
        # status codes that close the entity: 9 已注销, 7 已关闭停业 (entity's last inspection only)
        last_seen: dict[str, date] = {}
        for ins in self.inspections:
            last_seen[ins.entity] = max(
                last_seen.get(ins.entity, ins.inspected_on), ins.inspected_on
            )
        protected = {e.code for e in self.worsened} | {e.code for e in self.long_d}
        cands = sorted(
            (
                ins
                for ins in self.inspections
                if ins.entered_on is not None
                and ins.result_codes == ["1"]
                and LOW_FINDINGS_INSPECTOR not in ins.inspectors
                and ins.entity not in protected
                and last_seen[ins.entity] == ins.inspected_on
                and self.by_code[ins.entity].closed_on is None
                and self.by_code[ins.entity].kind != "乡镇人民政府"
            ),
            key=lambda i: (i.task, i.entity),
        )
        for n, ins in enumerate(rng.sample(cands, min(len(cands), 8 * self.factor))):
            code, status = ("9", "注销") if n % 3 else ("7", "停业清算")
            ins.result_codes = [code]
            e = self.by_code[ins.entity]
            e.status, e.closed_on = status, ins.inspected_on
            for m in range(self.month_index(ins.inspected_on) + 1, self.n_months):
                e.scores[m] = None
        for ins in self.inspections:
            if ins.entered_on is None:
                ins.result_codes = []
                ins.note = None
            else:
                key = next(
                    (
                        c
                        for c in ("8", "5", "6", "B", "D", "E", "F", "7", "9")
                        if c in ins.result_codes
                    ),
                    "1",
                )
                note_key = (task_by[ins.task].key, key)
                ins.note = rng.choice(ITEM_NOTES.get(note_key, NOTES[key]))

    def balance_findings(self, combos: list, weights: list) -> None:
        """Keep every inspector but the planted one close to the unit's finding rate.

        Chance alone would give one inspector in a hundred a rate "significantly below" the unit's;
        the planted low-findings inspector must be the only one, so an inspector whose one-sided
        Fisher p-value against the rest of the unit is below BALANCE_P gets findings on some of
        their "no finding" inspections until it is not.
        """
        if self.scale == "xlarge":  # quadratic; the benchmark scale does without it
            return
        rng, x = self.rng, LOW_FINDINGS_INSPECTOR
        unit_of = {i.code: i.unit for i in self.inspectors}
        year_of = self._year_of()
        groups: dict[tuple[int, str], list[Inspection]] = {}
        for ins in self.inspections:
            if ins.entered_on is None or not ins.result_codes:
                continue
            for unit in sorted({unit_of[c] for c in ins.inspectors}):
                groups.setdefault((year_of[ins.task], unit), []).append(ins)
        for key in sorted(groups):
            lst = groups[key]
            for _ in range(len(lst)):
                total_k = sum(1 for i in lst if FINDING_CODES.intersection(i.result_codes))
                stats: dict[str, list[int]] = {}
                for i in lst:
                    f = 1 if FINDING_CODES.intersection(i.result_codes) else 0
                    for c in i.inspectors:
                        if unit_of[c] == key[1] and c != x:
                            st = stats.setdefault(c, [0, 0])
                            st[0] += 1
                            st[1] += f
                worst, worst_p = None, 1.0
                for c in sorted(stats):
                    n, k = stats[c]
                    if n < len(lst):
                        p = fisher_lower(k, n, total_k - k, len(lst) - n)
                        if p < worst_p:
                            worst, worst_p = c, p
                if worst is None or worst_p >= BALANCE_P:
                    break
                clean = [
                    i
                    for i in lst
                    if worst in i.inspectors and x not in i.inspectors and i.result_codes == ["1"]
                ]
                if not clean:
                    break
                rng.choice(clean).result_codes = list(rng.choices(combos, weights)[0])

    def _year_of(self) -> dict[str, int]:
        return {t.code: t.start.year for t in self.tasks}

    def plant_timeliness(self) -> None:
        rng, cal, T = self.rng, self.cal, self.T
        year_of = self._year_of()
        voided = {t.code for t in self.tasks if t.status == "voided"}
        used: set[tuple[str, str]] = set()
        out: dict[int, dict[str, list]] = {y: {} for y in self.years}

        def pick(y: int, n: int, cond) -> list[Inspection]:
            cands = [
                i
                for i in self.inspections
                if year_of[i.task] == y
                and i.task not in voided
                and (i.task, i.entity) not in used
                and i.entered_on is not None
                and i.published_on is not None
                and cond(i)
            ]
            cands.sort(key=lambda i: (i.task, i.entity))
            chosen = rng.sample(cands, min(n, len(cands)))
            for i in chosen:
                used.add((i.task, i.entity))
            return sorted(chosen, key=lambda i: (i.task, i.entity))

        for y, counts in ((self.cur - 1, (1, 1, 2, 1, 2, 1)), (self.cur, (2, 1, 3, 4, 3, 2))):
            if y not in self.years:
                continue
            n_nd, n_sf, n_late, n_over, n_pub, n_pubover = counts
            nd = cal.longest_break(date(y, 9, 25), date(y, 10, 12))
            sf = cal.longest_break(date(y, 1, 10), date(y, 2, 28))

            def late_ok(i: Inspection, k: int = 8) -> bool:
                return cal.deadline(i.inspected_on, ENTRY_LIMIT + k) <= T

            lst_nd = pick(
                y,
                n_nd,
                lambda i, b=nd: b[0] - timedelta(days=21) <= i.inspected_on < b[0] and late_ok(i),
            )
            lst_sf = pick(
                y,
                n_sf,
                lambda i, b=sf: b[0] - timedelta(days=14) <= i.inspected_on < b[0] and late_ok(i),
            )
            lst_late = pick(y, n_late, late_ok)
            late_entries = lst_nd + lst_sf + lst_late
            for i in late_entries:
                i.entered_on = cal.deadline(i.inspected_on, ENTRY_LIMIT + rng.randint(1, 8))
                pub = cal.deadline(i.entered_on, rng.randint(0, 2))
                i.published_on = pub if pub <= T else None
            overdue = pick(y, n_over, lambda i: cal.deadline(i.inspected_on, ENTRY_LIMIT) < T)
            for i in overdue:
                i.entered_on = i.published_on = i.note = None
                i.result_codes = []
            pub_late = pick(y, n_pub, lambda i: late_ok(i, 10))
            for i in pub_late:
                i.published_on = cal.deadline(i.inspected_on, ENTRY_LIMIT + rng.randint(1, 10))
            pub_over = pick(y, n_pubover, lambda i: cal.deadline(i.inspected_on, ENTRY_LIMIT) < T)
            for i in pub_over:
                i.published_on = None

            def keys(lst: list[Inspection]) -> list[list[str]]:
                return sorted([i.task, i.entity] for i in lst)

            out[y] = {
                "late_entries": keys(late_entries),
                "late_entries_across_national_day": keys(lst_nd),
                "late_entries_across_spring_festival": keys(lst_sf),
                "entry_overdue": keys(overdue),
            }
            # late entries are published late too; one still unpublished is publish-overdue instead
            out[y]["late_publications"] = keys(
                [i for i in late_entries if i.published_on] + pub_late
            )
            out[y]["publish_overdue"] = keys(
                overdue + pub_over + [i for i in late_entries if i.published_on is None]
            )
        self.timeliness = out

    # -- 8. follow-ups ------------------------------------------------------------------------------
    def gen_followups(self) -> None:
        rng, cal, T = self.rng, self.cal, self.T
        task_by = {t.code: t for t in self.tasks}
        for ins in self.inspections:
            if ins.entered_on is None or not FOLLOWUP_CODES.intersection(ins.result_codes):
                continue
            codes = ins.result_codes
            if "5" in codes:
                measure = "5"
            elif "6" in codes:
                measure = "2"
            elif "D" in codes and rng.random() < 0.25:
                measure = "4"
            else:
                measure = "3"
            limit = 30 if measure == "3" else 15
            due = cal.deadline(ins.entered_on, limit)
            closed = cal.deadline(ins.entered_on, rng.randint(3, limit - 2))
            backfilled = cal.deadline(closed, rng.choice((0, 0, 1, 2, 3, 4)))
            if closed > T:
                closed = backfilled = None
            elif backfilled > T:
                backfilled = None
            f = Followup(
                ins.task, ins.entity, measure, task_by[ins.task].lead, due, closed, backfilled
            )
            if closed is not None and measure == "3" and rng.random() < 0.4:
                rv = cal.deadline(closed, rng.randint(10, 25))
                if rv <= T:
                    f.revisit_on = rv
                    f.revisit_result = rng.choices(("整改到位", "未到位", "无法核实"), (80, 12, 8))[
                        0
                    ]
            self.followups.append(f)

    def plant_followups(self) -> None:
        rng, cal, T = self.rng, self.cal, self.T
        year_of = self._year_of()
        used: set[tuple[str, str]] = set()

        def pick(y: int, n: int, cond) -> list[Followup]:
            cands = sorted(
                (
                    f
                    for f in self.followups
                    if year_of[f.task] == y
                    and (f.task, f.entity) not in used
                    and f.closed_on
                    and cond(f)
                ),
                key=lambda f: (f.task, f.entity),
            )
            chosen = rng.sample(cands, min(n, len(cands)))
            used.update((f.task, f.entity) for f in chosen)
            return sorted(chosen, key=lambda f: (f.task, f.entity))

        for y, (n_over, n_late, n_missing) in ((self.cur - 1, (2, 2, 1)), (self.cur, (4, 3, 2))):
            if y not in self.years:
                continue
            overdue = pick(y, n_over, lambda f: f.due_on < T - timedelta(days=7))
            for f in overdue:
                f.closed_on = f.backfilled_on = f.revisit_on = f.revisit_result = None
            late = pick(y, n_late, lambda f: cal.deadline(f.closed_on, 12) <= T)
            for f in late:
                f.backfilled_on = cal.deadline(f.closed_on, BACKFILL_LIMIT + rng.randint(1, 7))
            missing = pick(y, n_missing, lambda f: cal.deadline(f.closed_on, BACKFILL_LIMIT) < T)
            for f in missing:
                f.backfilled_on = None

            def keys(lst: list[Followup]) -> list[list[str]]:
                return sorted([f.task, f.entity] for f in lst)

            self.timeliness[y].update(
                {
                    "followup_overdue": keys(overdue),
                    "backfill_late": keys(late + missing),
                    "backfill_late_backfilled": keys(late),
                    "backfill_missing": keys(missing),
                }
            )

    # -- 9. checklists ------------------------------------------------------------------------------
    def gen_checklists(self) -> None:
        T = self.T
        for code, name, *_ in self.items:
            self.checklists.append(
                dict(
                    item_code=code,
                    form_name=f"{name}检查表",
                    added_on=date(self.years[0] - 1, 12, 20),
                )
            )
        late_forms = []
        for key, item, form, off, days in (
            ("survey_quality", "ZR-006", "测绘成果质量监督抽查记录表（修订版）", 0, 40),
            ("geohazard", "ZR-009", "地质灾害防治单位资质核查补充表", -1, 20),
        ):
            y = self.cur + off
            task = next((t for t in self.tasks if t.key == key and t.start.year == y), None)
            if task is None or task.start + timedelta(days=days) > T:
                continue
            added = task.start + timedelta(days=days)
            self.checklists.append(dict(item_code=item, form_name=form, added_on=added))
            late_forms.append([item, form, added.isoformat(), task.code])
        self.manifest["checklists_added_after_start"] = late_forms

    # -- 10. the manifest: what the §5 metrics find ------------------------------------------------------
    def finish_manifest(self) -> None:
        T = self.T
        m = self.manifest
        task_by = {t.code: t for t in self.tasks}
        live_tasks = {t.code for t in self.tasks if t.status != "voided" and t.start <= T}
        by_year: dict[str, dict] = {}
        for y in self.years:
            entry = {
                "late_entries": [],
                "late_entries_across_national_day": [],
                "late_entries_across_spring_festival": [],
                "entry_overdue": [],
                "late_publications": [],
                "publish_overdue": [],
                "followup_overdue": [],
                "backfill_late": [],
                "backfill_late_backfilled": [],
                "backfill_missing": [],
            }
            entry.update(self.timeliness.get(y, {}))
            tasks_y = sorted(c for c in live_tasks if task_by[c].start.year == y)
            entry["tasks"] = len(tasks_y)
            entry["non_joint_tasks"] = [c for c in tasks_y if task_by[c].joint_kind == "none"]
            entry["non_risk_graded_tasks"] = [c for c in tasks_y if not task_by[c].uses_risk]
            ins_y = [
                i
                for i in self.inspections
                if i.task in live_tasks and task_by[i.task].start.year == y
            ]
            entry["entry_pending"] = sorted(
                [i.task, i.entity]
                for i in ins_y
                if i.entered_on is None and self.cal.deadline(i.inspected_on, ENTRY_LIMIT) >= T
            )
            cutoff = date(y - 1, 12, 31)
            base = sum(
                1
                for e in self.entities
                if (e.registered_on is None or e.registered_on <= cutoff)
                and not (e.closed_on is not None and e.closed_on <= cutoff)
            )
            inspected = {i.entity for i in ins_y}
            by_unit = {}
            for unit, *_ in N.UNITS:
                codes = {i.entity for i in ins_y if unit in task_by[i.task].units}
                if any(unit in task_by[c].units for c in tasks_y):
                    by_unit[unit] = len(codes)
            entry["coverage"] = {"base": base, "inspected": len(inspected), "by_unit": by_unit}
            entry["units_below_coverage"] = sorted(
                u for u, n in by_unit.items() if u in INTERNAL and n * 20 < base
            )
            by_year[str(y)] = entry
        m["by_year"] = by_year
        # tasks past their end with no results
        with_results = {i.task for i in self.inspections}
        m["tasks_past_end_without_results"] = sorted(
            t.code
            for t in self.tasks
            if t.code in live_tasks and t.end < T and t.code not in with_results
        )
        # risk warnings
        last = self.n_months - 1
        m["risk_worsened"] = [
            {
                "entity_code": e.code,
                "from_period": self.period(last - 3),
                "from_grade": _grade(e.scores[last - 3]),
                "from_score": e.scores[last - 3],
                "to_period": self.period(last),
                "to_grade": _grade(e.scores[last]),
                "to_score": e.scores[last],
            }
            for e in self.worsened
        ]
        recent = {
            i.entity
            for i in self.inspections
            if i.task in live_tasks and T - timedelta(days=365) < i.inspected_on <= T
        }
        worsened_uninspected = sorted(
            e.code for e in self.worsened if e.code not in recent and e.closed_on is None
        )
        m["high_risk_uninspected_planted"] = sorted(e.code for e in self.long_d)
        m["high_risk_uninspected"] = sorted(
            m["high_risk_uninspected_planted"] + worsened_uninspected
        )
        # the inspector whose finding rate is far below the unit's (current year)
        ins_cur = [
            i
            for i in self.inspections
            if i.task in live_tasks
            and task_by[i.task].start.year == self.cur
            and i.entered_on
            and i.result_codes
        ]
        unit_codes = {i.code for i in self.insp_by_unit["KCK"]}
        mine = [i for i in ins_cur if LOW_FINDINGS_INSPECTOR in i.inspectors]
        unit = [i for i in ins_cur if unit_codes.intersection(i.inspectors)]
        m["inspector_low_findings"] = {
            "inspector_code": LOW_FINDINGS_INSPECTOR,
            "unit_code": "KCK",
            "year": self.cur,
            "inspections": len(mine),
            "findings": sum(1 for i in mine if FINDING_CODES.intersection(i.result_codes)),
            "unit_inspections": len(unit),
            "unit_findings": sum(1 for i in unit if FINDING_CODES.intersection(i.result_codes)),
        }
        m["entity_codes"]["untagged"] = sorted(e.code for e in self.entities if not e.tags)
        m["below_coverage_unit"] = BELOW_COVERAGE_UNIT

    # -- run ------------------------------------------------------------------------------------------
    def run(self) -> DemoData:
        steps = (
            (self.gen_reference, "生成单位与抽查事项"),
            (self.gen_entities, "生成检查对象名录"),
            (self.gen_grades, "生成信用风险分类结果"),
            (self.gen_inspectors, "生成执法检查人员与回避关系"),
            (self.gen_plans_and_tasks, "生成年度计划与抽查任务"),
            (self.gen_inspections, "生成抽查对象与检查组"),
            (self.gen_results, "生成检查结果"),
            (self.plant_timeliness, "设置录入与公示逾期样例"),
            (self.gen_followups, "生成后续处理"),
            (self.plant_followups, "设置后续处理逾期样例"),
            (self.gen_checklists, "生成检查表单"),
            (self.finish_manifest, "汇总预设问题清单"),
        )
        for n, (step, message) in enumerate(steps):
            self.progress(0.6 * n / len(steps), message)
            step()
        self.manifest.update(
            seed=self.seed, scale=self.scale, as_of=self.T.isoformat(), years=self.years
        )
        return DemoData(tables=self.tables(), manifest=self.manifest)

    # -- tables (column dicts, interchange column names) --------------------------------------------
    def tables(self) -> dict[str, dict[str, list]]:
        def cols(rows: list[dict]) -> dict[str, list]:
            keys = list(rows[0]) if rows else []
            return {k: [r[k] for r in rows] for k in keys}

        t: dict[str, dict[str, list]] = {}
        t["units"] = {
            "unit_code": [u[0] for u in self.units],
            "unit_name": [u[1] for u in self.units],
            "unit_kind": [u[2] for u in self.units],
            "external": [u[3] for u in self.units],
        }
        t["items"] = {
            "item_code": [i[0] for i in self.items],
            "item_name": [i[1] for i in self.items],
            "owner_unit": [i[2] for i in self.items],
            "category": [i[3] for i in self.items],
            "target_kind": [i[4] for i in self.items],
            "legal_basis": [i[5] for i in self.items],
            "min_inspectors": [i[6] for i in self.items],
        }
        ents = sorted(self.entities, key=lambda e: e.code)
        t["entities"] = {
            "entity_code": [e.code for e in ents],
            "name": [e.name for e in ents],
            "entity_kind": [e.kind for e in ents],
            "town": [e.town for e in ents],
            "address": [e.address for e in ents],
            "tags": [list(e.tags) for e in ents],
            "status": [e.status for e in ents],
            "registered_on": [e.registered_on for e in ents],
            "closed_on": [e.closed_on for e in ents],
        }
        t["inspectors"] = {
            "inspector_code": [i.code for i in self.inspectors],
            "name": [i.name for i in self.inspectors],
            "unit_code": [i.unit for i in self.inspectors],
            "cert_no": [i.cert_no for i in self.inspectors],
            "cert_valid_until": [i.valid_until for i in self.inspectors],
            "specialties": [list(i.specialties) for i in self.inspectors],
            "active": [i.active for i in self.inspectors],
        }
        t["conflicts"] = {
            "inspector_code": [c[0] for c in self.conflicts],
            "entity_code": [c[1] for c in self.conflicts],
            "reason": [c[2] for c in self.conflicts],
        }
        t["checklists"] = cols(self.checklists)
        t["plans"] = cols(self.plans)
        t["plan_changes"] = cols(self.plan_changes)
        t["tasks"] = {
            "task_code": [x.code for x in self.tasks],
            "plan_code": [x.plan_code for x in self.tasks],
            "task_name": [x.name for x in self.tasks],
            "item_codes": [list(x.items) for x in self.tasks],
            "lead_unit": [x.lead for x in self.tasks],
            "partner_units": [list(x.partners) for x in self.tasks],
            "joint_kind": [x.joint_kind for x in self.tasks],
            "source": [x.source for x in self.tasks],
            "uses_risk_grades": [x.uses_risk for x in self.tasks],
            "start_on": [x.start for x in self.tasks],
            "end_on": [x.end for x in self.tasks],
            "status": [x.status for x in self.tasks],
        }
        t["inspections"] = {
            "task_code": [i.task for i in self.inspections],
            "entity_code": [i.entity for i in self.inspections],
            "inspectors": [list(i.inspectors) for i in self.inspections],
            "inspected_on": [i.inspected_on for i in self.inspections],
            "result_codes": [list(i.result_codes) for i in self.inspections],
            "entered_on": [i.entered_on for i in self.inspections],
            "published_on": [i.published_on for i in self.inspections],
            "note": [i.note for i in self.inspections],
        }
        t["followups"] = {
            "task_code": [f.task for f in self.followups],
            "entity_code": [f.entity for f in self.followups],
            "measure_code": [f.measure for f in self.followups],
            "responsible_unit": [f.unit for f in self.followups],
            "due_on": [f.due_on for f in self.followups],
            "closed_on": [f.closed_on for f in self.followups],
            "backfilled_on": [f.backfilled_on for f in self.followups],
            "revisit_on": [f.revisit_on for f in self.followups],
            "revisit_result": [f.revisit_result for f in self.followups],
        }
        return t

    def grade_chunks(self, chunk_entities: int = 50_000):
        """risk_grades as column dicts, a chunk of entities at a time (the big table at large scales)."""
        ents = sorted(self.entities, key=lambda e: e.code)
        periods = [self.period(m) for m in range(self.n_months)]
        for start in range(0, len(ents), chunk_entities):
            code, period, grade, score, system = [], [], [], [], []
            for e in ents[start : start + chunk_entities]:
                for m, s in enumerate(e.scores):
                    if s is None:
                        continue
                    code.append(e.code)
                    period.append(periods[m])
                    grade.append(_grade(s))
                    score.append(s)
                    system.append(RISK_SYSTEM)
            yield {
                "entity_code": code,
                "period": period,
                "grade": grade,
                "score": score,
                "system": system,
            }
        # a second system (公共信用, AA–D) for a few entities, to show several systems side by side
        rng = random.Random(self.seed * 7 + 1)
        graded = [
            e for e in ents if e.graded and e.closed_on is None and e.registered_on is not None
        ]
        code, period, grade, score, system = [], [], [], [], []
        for e in rng.sample(graded, min(len(graded), 30 * self.factor)):
            for y in self.years[:-1]:
                if e.registered_on.year >= y:
                    continue
                code.append(e.code)
                period.append(f"{y}-12")
                grade.append(rng.choices(("AA", "A", "B", "C"), (20, 50, 25, 5))[0])
                score.append(None)
                system.append("公共信用")
        yield {
            "entity_code": code,
            "period": period,
            "grade": grade,
            "score": score,
            "system": system,
        }


def generate(
    seed: int = 2026,
    scale: str = "county",
    as_of: date | None = None,
    progress: Progress | None = None,
) -> tuple[Generator, DemoData]:
    from dashboard.demo.registers import add_registers

    gen = Generator(seed, scale, as_of or date.today(), progress)
    data = gen.run()
    add_registers(gen, data)  # the work registers (DESIGN.md §8) read what the run generated
    return gen, data
