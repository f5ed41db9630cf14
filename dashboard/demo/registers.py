"""The demo county's work registers (DESIGN.md §8), with the problems issue 14 plants in them.

Generated after the rest of the demo (it reads the generator's units, inspectors, inspections and
follow-ups), deterministically from the seed, for the as-of year (trainings also for the year before).
Nothing is dated after as_of. Planted (manifest key ``registers``):

- ``untrained_unit``: 矿山综合整治专班 (ZBKS) organises no training and none of its inspectors attends one;
- ``late_reports``: two quarterly reports handed in after their due date, ``missing_reports``: one never;
- ``late_penalty``: one penalty published later than 7 working days after the decision;
- ``transfer_without_date``: one transfer (measure 4) with its receiving body but no date;
- ``revisit_contradiction``: a follow-up on an inspection reported 1 未发现问题 whose return visit found
  the rectification not done (未到位): a sign of a perfunctory check;
- ``supervision_overdue``: one special-inspection finding whose rectification is overdue.
Everything else is in order (reports on time, penalties published and in the credit record, transfers
complete), so each figure's problems are exactly the planted ones as of as_of.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from dashboard.domain import workdays

UNTRAINED_UNIT = "ZBKS"
KINDS = ("业务培训", "系统使用培训", "工作规范培训")
TOPICS = {
    "业务培训": "“双随机、一公开”抽查业务培训",
    "系统使用培训": "监管平台与驾驶舱系统使用培训",
    "工作规范培训": "《石家庄市“双随机、一公开”监管工作规范》培训",
}
CHANNELS = ("官方网站", "新闻媒体", "新媒体", "现场宣讲")
TITLES = (
    "开展{year}年度“双随机、一公开”抽查工作",
    "公开{year}年度随机抽查事项清单",
    "检查中向企业宣讲“双随机、一公开”政策",
    "公示{year}年度抽查检查结果",
)
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("芳", "伟", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰")


def _workday_after(d: date, n: int) -> date:
    return workdays.deadline(d, n)


def add_registers(gen, data) -> None:
    """Add the five register tables and the follow-up's register columns to ``data.tables`` and the
    planted register problems to ``data.manifest['registers']``."""
    rng = random.Random(gen.seed * 31 + 7)
    T = gen.T
    year = T.year
    internal = [code for code, _, _, external in gen.units if not external]
    active = {}
    for ins in gen.inspectors:
        if ins.active and ins.unit in internal:
            active.setdefault(ins.unit, []).append(ins.code)
    manifest: dict = {"untrained_unit": UNTRAINED_UNIT}

    # -- trainings: every unit but ZBKS, this year and last; an office-wide 工作规范培训 ------------
    trainings = []
    for y in (year - 1, year):
        last = min(T - timedelta(days=3), date(y, 12, 20))
        for n, unit in enumerate(u for u in internal if u != UNTRAINED_UNIT):
            for k in range(1 + (n + y) % 2):
                held = date(y, 1 + (n * 3 + k * 5) % 11, 5 + (n * 7 + k) % 20)
                if held > last:
                    continue
                kind = KINDS[(n + k) % 2]  # 业务培训 / 系统使用培训
                people = [p for p in active.get(unit, [])]
                attendees = sorted(rng.sample(people, max(1, len(people) - 1))) if people else []
                trainings.append(
                    {
                        "training_code": f"PX{y}-{unit}-{k + 1}",
                        "held_on": held,
                        "unit_code": unit,
                        "kind": kind,
                        "topic": TOPICS[kind],
                        "attendees": attendees,
                        "hours": float(2 + (n + k) % 3),
                        "note": None,
                    }
                )
        held = date(y, 3, 18)
        if held <= T:
            everyone = sorted(p for u, ps in active.items() if u != UNTRAINED_UNIT for p in ps)
            trainings.append(
                {
                    "training_code": f"PX{y}-BGS-GF",
                    "held_on": held,
                    "unit_code": "BGS",
                    "kind": "工作规范培训",
                    "topic": TOPICS["工作规范培训"],
                    "attendees": sorted(rng.sample(everyone, len(everyone) * 2 // 3)),
                    "hours": 3.0,
                    "note": "全局集中培训",
                }
            )
    trainings.sort(key=lambda r: r["training_code"])

    # -- publicity: 0–3 items a unit this year ------------------------------------------------------
    publicity = []
    for n, unit in enumerate(internal):
        for k in range(n % 4):
            published = date(year, 2 + (n + 2 * k) % 9, 3 + (n * 5 + k) % 24)
            if published > T:
                continue
            publicity.append(
                {
                    "publicity_code": f"XC{year}-{unit}-{k + 1}",
                    "published_on": published,
                    "unit_code": unit,
                    "channel": CHANNELS[(n + k) % len(CHANNELS)],
                    "title": TITLES[(n + k) % len(TITLES)].format(year=year),
                    "url": None,
                    "note": None,
                }
            )

    # -- liaisons: every internal unit ------------------------------------------------------------------
    liaisons = [
        {
            "unit_code": unit,
            "name": SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)],
            "phone": f"0311-84{n:02d}{(n * 37) % 100:02d}",
            "since": date(year - 1 - n % 2, 1 + n % 12, 1),
        }
        for n, unit in enumerate(internal)
    ]

    # -- submissions: the quarterly reports of the year, due the 10th after the quarter ------------------
    submissions = []
    late = {("GBK", f"{year}Q2"): 3, ("DHK", f"{year}Q1"): 5}
    missing = {("BDC", f"{year}Q3")}
    for unit in internal:
        for q, due in ((1, date(year, 4, 10)), (2, date(year, 7, 10)), (3, date(year, 10, 10))):
            period = f"{year}Q{q}"
            submitted = None
            if due < T and (unit, period) not in missing:
                if (unit, period) in late:
                    submitted = _workday_after(due, late[(unit, period)])
                else:
                    submitted = due - timedelta(days=1 + (len(unit) + q) % 4)
                submitted = submitted if submitted <= T else None
            submissions.append(
                {
                    "unit_code": unit,
                    "period": period,
                    "due_on": due,
                    "submitted_on": submitted,
                    "note": None,
                }
            )
    manifest["late_reports"] = sorted(
        [u, p] for (u, p) in late if any(
            s["unit_code"] == u and s["period"] == p and s["submitted_on"] for s in submissions
        )
    )  # fmt: skip
    manifest["missing_reports"] = sorted([u, p] for (u, p) in missing if date(year, 10, 10) < T)

    # -- the follow-ups' register columns ----------------------------------------------------------
    fu = data.tables["followups"]
    n_fu = len(fu["task_code"])
    cols = {c: [None] * n_fu for c in (
        "transferred_to", "transferred_on", "penalty_decided_on", "penalty_published_on",
        "credit_recorded_on",
    )}  # fmt: skip
    inspected = {(i.task, i.entity): i.inspected_on for i in gen.inspections}
    this_year = [
        i for i in range(n_fu)
        if inspected.get((fu["task_code"][i], fu["entity_code"][i]), date.min).year == year
    ]  # fmt: skip
    limit = 7
    transfer_missing = None
    for i in range(n_fu):
        key = (fu["task_code"][i], fu["entity_code"][i])
        when = fu["closed_on"][i] or inspected.get(key)
        if fu["measure_code"][i] in ("4", "6") and when is not None and when <= T:
            cols["transferred_to"][i] = (
                "县公安局" if fu["measure_code"][i] == "6" else "县综合行政执法局"
            )
            cols["transferred_on"][i] = min(when, T)
            if transfer_missing is None and i in this_year and fu["measure_code"][i] == "4":
                transfer_missing = i
                cols["transferred_on"][i] = None
    if transfer_missing is not None:
        manifest["transfer_without_date"] = [
            fu["task_code"][transfer_missing], fu["entity_code"][transfer_missing]
        ]  # fmt: skip
    penalties = [i for i in this_year if fu["measure_code"][i] == "3"][:12]
    late_penalty = None
    for n, i in enumerate(penalties):
        decided = inspected[(fu["task_code"][i], fu["entity_code"][i])] + timedelta(days=10 + n % 9)
        deadline = _workday_after(decided, limit)
        published = (
            _workday_after(deadline, 3) if n == 0 else _workday_after(decided, 1 + n % (limit - 1))
        )
        if published > T:
            continue
        if n == 0:
            late_penalty = i
        cols["penalty_decided_on"][i] = decided
        cols["penalty_published_on"][i] = published
        credit = published + timedelta(days=1 + n % 4)
        cols["credit_recorded_on"][i] = credit if credit <= T else published
    if late_penalty is not None:
        manifest["late_penalty"] = [fu["task_code"][late_penalty], fu["entity_code"][late_penalty]]
    for c, values in cols.items():
        fu[c] = values

    # -- a return visit that contradicts 未发现问题 ----------------------------------------------------
    clean = sorted(
        (i for i in gen.inspections
         if i.result_codes == ["1"] and i.inspected_on.year == year and i.entered_on
         and i.inspected_on + timedelta(days=40) <= T),
        key=lambda i: (i.task, i.entity),
    )  # fmt: skip
    lead = {t.code: t.lead for t in gen.tasks}
    if clean:
        pick = clean[len(clean) // 2]
        closed = pick.inspected_on + timedelta(days=5)
        row = {
            "task_code": pick.task, "entity_code": pick.entity, "measure_code": "1",
            "responsible_unit": lead.get(pick.task), "due_on": closed, "closed_on": closed,
            "backfilled_on": _workday_after(closed, 1), "revisit_on": closed + timedelta(days=30),
            "revisit_result": "未到位", "transferred_to": None, "transferred_on": None,
            "penalty_decided_on": None, "penalty_published_on": None, "credit_recorded_on": None,
        }  # fmt: skip
        for c in fu:
            fu[c].append(row.get(c))
        manifest["revisit_contradiction"] = [pick.task, pick.entity]

    # -- the office's special inspections ------------------------------------------------------------
    supervisions = []
    plans = (
        ("KCK", "结果录入及时性", "3 条结果超过 20 个工作日录入", 60, 20),
        ("GHK", "抽取过程规范性", "", 75, None),
        ("CHK", "后续处理回填", "2 条后续处理未按时回填", 120, 100),
        ("ZFD", "检查记录完整性", "检查记录缺少现场照片", 45, None),
    )
    for n, (unit, topic, finding, days_before, rectify) in enumerate(plans):
        held = T - timedelta(days=days_before)
        if held.year != year:
            continue
        due = held + timedelta(days=30) if finding else None
        supervisions.append(
            {
                "supervision_code": f"DC{year}-{n + 1:02d}",
                "held_on": held,
                "unit_code": unit,
                "topic": f"{topic}专项督查",
                "finding": finding or None,
                "rectify_due": due,
                "rectified_on": held + timedelta(days=rectify) if rectify else None,
            }
        )
    manifest["supervision_overdue"] = sorted(
        s["supervision_code"] for s in supervisions
        if s["finding"] and s["rectify_due"] < T and s["rectified_on"] is None
    )  # fmt: skip

    def columns(rows: list[dict]) -> dict[str, list]:
        keys = list(rows[0]) if rows else []
        return {k: [r[k] for r in rows] for k in keys}

    data.tables["trainings"] = columns(trainings)
    data.tables["publicity"] = columns(publicity)
    data.tables["liaisons"] = columns(liaisons)
    data.tables["submissions"] = columns(submissions)
    data.tables["supervisions"] = columns(supervisions)
    data.manifest["registers"] = manifest
