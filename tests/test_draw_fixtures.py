"""Small hand-made fixtures for the draw tests (no tests in this module; imported by test_draw_*)."""

from __future__ import annotations

import hashlib
from datetime import date

D = date(2026, 3, 10)


def h(text: str) -> str:
    """SHA-256 hex written out independently of dashboard.draw.protocol."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(store) -> None:
    """A tiny county: 3 units, 2 items, 14 entities, grades, 9 inspectors, conflicts, a plan, tasks."""
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false),"
            " ('CHK', '测绘地理信息股', '股室', false), ('SJJ', '县市场监督管理局', '外部门', true),"
            " ('ZFD', '自然资源执法监察大队', '事业单位', false)"
        )
        cur.execute(
            "INSERT INTO items (item_code, item_name, owner_unit, min_inspectors) VALUES"
            " ('I1', '矿山地质环境保护检查', 'KCK', 2), ('I2', '地质灾害防治资质检查', 'KCK', 3),"
            " ('I3', '测绘资质巡查', 'CHK', 2)"
        )
        ents = []
        for i in range(1, 13):
            ents.append((f"E{i:02d}", f"企业{i}", ["I1"], "存续", None, None))
        ents += [
            ("E13", "已注销企业", ["I1"], "注销", None, "2025-01-01"),
            ("E14", "将注销企业", ["I1"], "存续", None, "2026-03-09"),  # closed by D
            ("E15", "新设企业", ["I1"], "存续", "2026-03-11", None),  # registered after D
            ("E16", "其他事项", ["I3"], "存续", None, None),
            (
                "E17",
                "标签带空格",
                [" I1 "],
                "存续",
                "2026-03-10",
                None,
            ),  # registered on D, trimmed tag
            ("E18", "大小写不同", ["i1"], "存续", None, None),
        ]
        for code, name, tags, status, reg, closed in ents:
            cur.execute(
                "INSERT INTO entities (entity_code, name, tags, status, registered_on, closed_on, town)"
                " VALUES (?, ?, ?, ?, ?, ?, '赞皇镇')",
                [code, name, tags, status, reg, closed],
            )
        grades = [
            ("E01", "2026-01", "A"),
            ("E01", "2026-02", "D"),  # latest ≤ 2026-03 is D
            ("E02", "2026-02", "A"),
            ("E02", "2026-04", "D"),  # after D's month: ignored
            ("E03", "2026-03", "B"),
            ("E04", "2025-12", "A"),
            ("E05", "2026-01", "A"),
            ("E06", "2026-01", "D"),
            ("E07", "2026-01", "B"),
        ]
        for code, period, grade in grades:
            cur.execute(
                "INSERT INTO risk_grades (entity_code, period, grade) VALUES (?, ?, ?)",
                [code, period, grade],
            )
        # another system never drives strata
        cur.execute(
            "INSERT INTO risk_grades (entity_code, period, grade, system) VALUES ('E08', '2026-01', 'AA', '公共信用')"
        )
        inspectors = [
            ("K1", "张一", "KCK", "2027-01-01", [], True),
            ("K2", "张二", "KCK", "2027-01-01", ["I1"], True),
            ("K3", "张三", "KCK", "2026-03-10", ["I2", "I1"], True),  # valid until D: eligible
            ("K4", "张四", "KCK", "2026-03-09", [], True),  # expired the day before D
            ("K5", "张五", "KCK", "2027-01-01", ["I3"], True),  # wrong specialty
            ("K6", "张六", "KCK", "2027-01-01", [], False),  # inactive
            ("S1", "市一", "SJJ", "2027-01-01", [], True),
            ("S2", "市二", "SJJ", "2027-01-01", [" I1"], True),
            ("C1", "测一", "CHK", "2027-01-01", [], True),
            ("C2", "测二", "CHK", "2027-01-01", [], True),
            ("Z1", "队一", "ZFD", "2027-01-01", [], True),
        ]
        for code, name, unit, valid, spec, active in inspectors:
            cur.execute(
                "INSERT INTO inspectors (inspector_code, name, unit_code, cert_no, cert_valid_until,"
                " specialties, active) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [code, name, unit, f"冀{code}", valid, spec, active],
            )
        cur.execute(
            "INSERT INTO conflicts VALUES ('K1', 'E01', '亲属'), ('S1', 'E01', '曾任职'),"
            " ('K2', 'E02', '亲属'), ('K6', 'E03', '无关：不在人员库')"
        )
        cur.execute(
            "INSERT INTO plans (plan_code, year, item_code, unit_code, ratio, grade_ratios, status)"
            " VALUES ('P1', 2026, 'I1', 'KCK', '0.14', 'A:0.5;D:1', '已发布')"
        )
        tasks = [
            ("T1", "P1", "计划任务", ["I1"], "KCK", ["SJJ"], "cross", "plan", "planned"),
            ("T2", None, "临时任务", ["I1"], "KCK", [], "none", "adhoc", "planned"),
            ("T3", None, "作废任务", ["I1"], "KCK", [], "none", "adhoc", "voided"),
            ("T4", None, "检查中任务", ["I1"], "KCK", [], "none", "adhoc", "in_progress"),
            (
                "T5",
                None,
                "三人任务",
                ["I1", "I2"],
                "KCK",
                ["SJJ", "CHK"],
                "cross",
                "adhoc",
                "planned",
            ),
        ]
        for code, plan, name, items, lead, partners, joint, source, status in tasks:
            cur.execute(
                "INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, partner_units,"
                " joint_kind, source, uses_risk_grades, start_on, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, '2026-03-01', ?)",
                [code, plan, name, items, lead, partners, joint, source, status],
            )


# The pool of T1/T2 on D (entity_code|stratum), worked out by hand from build():
POOL_ON_D = [
    ("E01", "D"),
    ("E02", "A"),
    ("E03", "B"),
    ("E04", "A"),
    ("E05", "A"),
    ("E06", "D"),
    ("E07", "B"),
    ("E08", "U"),
    ("E09", "U"),
    ("E10", "U"),
    ("E11", "U"),
    ("E12", "U"),
    ("E17", "U"),
]
