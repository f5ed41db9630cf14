"""A small hand-made store for the analysis tests (values in the tests are computed by hand from it).

Units KCK, CHK, DHK, SJJ; items I1 (矿山, owner KCK), I2 (测绘, owner CHK).
Tasks: T1 lead KCK [I1] 2026; T2 lead CHK + partner SJJ [I2] 2026 (cross); T3 lead DHK + partner KCK [I1] 2025.
Inspections (task/entity: town, result, entered, published):
  T1/E1 赞皇镇 A (finding) 2026-04-10, entered 04-13, published 04-20   → on time / on time
  T1/E2 院头镇 1           2026-04-15, entered 06-30, not published     → late / late
  T2/E3 赞皇镇 1           2026-05-06, entered 05-07, published 05-08   → on time / on time
  T2/E4 院头镇 (no result) 2026-05-06, not entered, not published       → late / late (as of 2026-11-27)
  T3/E1 赞皇镇 E (finding) 2025-07-01, entered 07-02, published 07-02   → on time / on time
E5 (土门乡, tag I1) and E6 (土门乡, no tag) are never inspected.
"""

from __future__ import annotations

from datetime import date

from dashboard.scope import Scope

AS_OF = date(2026, 11, 27)

FIXTURE_SQL = """
INSERT INTO units VALUES
  ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘地理信息股', '股室', false),
  ('DHK', '地质环境股', '股室', false), ('SJJ', '县市场监督管理局', '外部门', true);
INSERT INTO items (item_code, item_name, owner_unit, category) VALUES
  ('I1', '对采矿权人履行矿山地质环境保护义务的检查', 'KCK', '重点'),
  ('I2', '对测绘资质的巡查', 'CHK', '一般');
INSERT INTO entities (entity_code, name, entity_kind, town, tags) VALUES
  ('E1', '甲矿业有限公司', '采矿权人', '赞皇镇', ['I1']),
  ('E2', '乙石料厂', '采矿权人', '院头镇', ['I1']),
  ('E3', '丙测绘公司', '测绘单位', '赞皇镇', ['I2']),
  ('E4', '丁测绘公司', '测绘单位', '院头镇', ['I2']),
  ('E5', '戊矿业公司', '采矿权人', '土门乡', ['I1']),
  ('E6', '己商贸公司', '企业', '土门乡', []);
INSERT INTO risk_grades (entity_code, period, grade, score) VALUES
  ('E1', '2026-01', 'B', 40), ('E1', '2026-05', 'D', 85), ('E2', '2026-03', 'C', 60);
INSERT INTO inspectors (inspector_code, name, unit_code, cert_no) VALUES
  ('P1', '张一', 'KCK', 'Z001'), ('P2', '李二', 'KCK', 'Z002'), ('P3', '王三', 'CHK', 'Z003'),
  ('P4', '赵四', 'CHK', 'Z004'), ('P5', '钱五', 'DHK', 'Z005');
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, partner_units, joint_kind, start_on, status)
VALUES
  ('T1', '矿山地质环境检查', ['I1'], 'KCK', [], 'none', '2026-03-01', 'done'),
  ('T2', '测绘资质联合巡查', ['I2'], 'CHK', ['SJJ'], 'cross', '2026-04-01', 'done'),
  ('T3', '矿山联合检查', ['I1'], 'DHK', ['KCK'], 'internal', '2025-06-01', 'done');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on,
                         published_on) VALUES
  ('T1', 'E1', ['P1', 'P2'], '2026-04-10', ['A'], '2026-04-13', '2026-04-20'),
  ('T1', 'E2', ['P1', 'P2'], '2026-04-15', ['1'], '2026-06-30', NULL),
  ('T2', 'E3', ['P3', 'P4'], '2026-05-06', ['1'], '2026-05-07', '2026-05-08'),
  ('T2', 'E4', ['P3', 'P4'], '2026-05-06', [], NULL, NULL),
  ('T3', 'E1', ['P5', 'P1'], '2025-07-01', ['E'], '2025-07-02', '2025-07-02');
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on,
                       backfilled_on) VALUES
  ('T1', 'E1', '3', 'KCK', '2026-06-01', '2026-05-25', '2026-05-26');
"""


def load_fixture(store) -> None:
    with store.transaction() as cur:
        cur.execute(FIXTURE_SQL)


def scope_for(units=None, role="admin", username="admin", as_of=AS_OF, **kw) -> Scope:
    return Scope(
        year=as_of.year,
        as_of=as_of,
        allowed_units=None if units is None else frozenset(units),
        role=role,
        username=username,
        **kw,
    )


def store_checksum(store) -> dict[str, tuple]:
    """Row count and an order-independent digest of every table of the store."""
    out = {}
    for (name,) in store.rows(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        " ORDER BY table_name"
    ):
        out[name] = store.rows(
            f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), ''))"
            f' FROM "{name}" AS t'
        )[0]
    return out
