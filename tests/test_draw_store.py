"""Draws against a store: pool rules, ratios, ledger, redraws, concurrency, tampering, documents."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from test_draw_fixtures import POOL_ON_D, D, build, h

from dashboard import draw
from dashboard.draw import protocol

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def county(store):
    build(store)
    return store


def test_preview_pool_rules_strata_and_plan_ratios(county):
    prev = draw.preview(county, "T1", D)
    pool = list(
        zip(prev.pool["entity_code"].to_pylist(), prev.pool["stratum"].to_pylist(), strict=True)
    )
    # excluded: E13 注销, E14 closed the day before D, E15 registered after D, E16 other item, E18 "i1"
    assert pool == POOL_ON_D
    assert prev.pool_hash == h("".join(f"{c}|{s}\n" for c, s in POOL_ON_D))
    assert prev.strata == [
        {"stratum": "A", "pool_size": 3, "ratio": "0.5", "size": 2},
        {"stratum": "B", "pool_size": 2, "ratio": "0.14", "size": 1},
        {"stratum": "D", "pool_size": 2, "ratio": "1", "size": 2},
        {"stratum": "U", "pool_size": 6, "ratio": "0.14", "size": 1},
    ]
    assert prev.ratio_source == "plan" and prev.ready and prev.total_size == 6
    assert prev.units == ["KCK", "SJJ"] and prev.min_inspectors == 2
    # K3 valid on D itself; K4 expired, K5 wrong specialty, K6 inactive; S2's " I1" trimmed
    assert [p["inspector_code"] for p in prev.inspector_pool] == ["K1", "K2", "K3", "S1", "S2"]
    # preview writes nothing
    assert county.scalar("SELECT count(*) FROM draws") == 0
    assert county.scalar("SELECT status FROM tasks WHERE task_code = 'T1'") == "planned"


def test_plan_task_refuses_operator_ratios_and_adhoc_needs_them(county):
    with pytest.raises(draw.DrawError, match="取自计划"):
        draw.preview(county, "T1", D, ["0.3"])
    prev = draw.preview(county, "T2", D)
    assert not prev.ready and prev.missing_ratios == ["A", "B", "D", "U"]
    with pytest.raises(draw.DrawError, match="没有抽查比例"):
        draw.run_draw(county, "T2", "1", operator="王", draw_date=D)
    # refused before the write transaction: nothing frozen, nothing chained
    _assert_nothing_drawn(county)
    prev = draw.preview(county, "T2", D, ["0.14", "D=30%", "A=1"])
    assert [(s["stratum"], s["ratio"], s["size"]) for s in prev.strata] == [
        ("A", "1", 3),
        ("B", "0.14", 1),
        ("D", "0.3", 1),
        ("U", "0.14", 1),
    ]
    with pytest.raises(draw.DrawError, match="比例"):
        draw.preview(county, "T2", D, ["5"])


def test_draw_records_chain_pool_selections_status_and_audit(county):
    rec = draw.run_draw(
        county, "T1", "  12345 ", operator="王", draw_date=D, witnesses=["李", "赵"]
    )
    assert rec["draw_id"] == "DR-000001" and rec["public_value"] == "12345"
    assert rec["previous_hash"] == "0" * 64
    body = {k: v for k, v in rec.items() if k != "record_hash"}
    assert set(body) == set(protocol.RECORD_KEYS)
    assert rec["record_hash"] == h(
        "0" * 64 + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    seed = h(f"v1|T1|{rec['pool_hash']}|12345")
    assert rec["seed"] == seed
    # E01 (D) conflicts with K1 and S1 → team K2/K3 + S2 only
    e01 = next(a for a in rec["assignments"] if a["entity_code"] == "E01")
    assert e01["recused"] == ["K1", "S1"]
    k_pick = min(("K2", "K3"), key=lambda c: h(f"{seed}/E01/{c}"))
    assert e01["inspector_codes"] == [k_pick, "S2"]
    assert county.scalar("SELECT status FROM tasks WHERE task_code = 'T1'") == "drawn"
    assert county.scalar("SELECT count(*) FROM draw_pool WHERE draw_id = 'DR-000001'") == 13
    assert county.scalar("SELECT count(*) FROM draw_selections WHERE draw_id = 'DR-000001'") == 6
    assert county.scalar("SELECT witnesses FROM draws") == "李；赵"
    actions = [r[0] for r in county.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    assert actions == ["draw", "task_drawn"]
    assert draw.verify_store(county) == []


def test_refusals(county):
    with pytest.raises(draw.DrawError, match="作废"):
        draw.run_draw(county, "T3", "1", operator="王", draw_date=D, ratios="0.1")
    with pytest.raises(draw.DrawError, match="检查或已完成"):
        draw.run_draw(county, "T4", "1", operator="王", draw_date=D, ratios="0.1")
    with pytest.raises(draw.DrawError, match="公开随机值不能为空"):
        draw.run_draw(county, "T1", "   ", operator="王", draw_date=D)
    with pytest.raises(draw.DrawError, match="找不到"):
        draw.run_draw(county, "NOPE", "1", operator="王", draw_date=D)
    first = draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    with pytest.raises(draw.DrawError, match="该任务已抽取.*请用重新抽取并说明原因"):
        draw.run_draw(county, "T1", "2", operator="王", draw_date=D)
    for reason in (None, "", "   "):
        with pytest.raises(draw.DrawError, match="必须说明原因"):
            draw.redraw(county, first["draw_id"], "2", reason=reason, operator="王", draw_date=D)
    assert county.scalar("SELECT count(*) FROM draws") == 1


def test_redraw_supersedes_and_chain_continues(county):
    first = draw.run_draw(county, "T2", "1", operator="王", draw_date=D, ratios=["0.5"])
    second = draw.redraw(
        county, first["draw_id"], "2", reason="开奖号码录入错误", operator="王", draw_date=D
    )
    assert second["supersedes"] == first["draw_id"] and second["reason"] == "开奖号码录入错误"
    assert second["previous_hash"] == first["record_hash"]
    assert [s["ratio"] for s in second["strata"]] == ["0.5"] * 4  # ad-hoc ratios reused
    with pytest.raises(draw.DrawError, match="已被 DR-000002 取代"):
        draw.redraw(county, first["draw_id"], "3", reason="再来", operator="王", draw_date=D)
    led = draw.ledger(county)
    assert list(led["status"]) == ["superseded", "current"]
    assert list(led["superseded_by"].fillna("")) == ["DR-000002", ""]
    with pytest.raises(draw.DrawError, match="取代"):
        draw.confirm_draw(county, first["draw_id"], "领导")
    draw.confirm_draw(county, second["draw_id"], "领导")
    with pytest.raises(draw.DrawError, match="已确认"):
        draw.confirm_draw(county, second["draw_id"], "领导")
    led = draw.ledger(county)
    assert led["confirmed_by"].iloc[1] == "领导"
    assert led["confirm_deadline"].iloc[1].date() == date(
        2026, 3, 12
    )  # 2 working days after Tue 03-10
    per_unit = draw.redraws_per_unit(county)
    assert per_unit[["unit_code", "draws", "redraws"]].values.tolist() == [["KCK", 2, 1]]
    assert per_unit["redraw_share"].iloc[0] == pytest.approx(0.5)
    assert draw.verify_store(county) == []


def test_joint_team_three_units_and_k3(county):
    rec = draw.run_draw(county, "T5", "42", operator="王", draw_date=D, ratios="1")
    assert rec["min_inspectors"] == 3 and rec["units"] == ["KCK", "SJJ", "CHK"]
    unit_of = {p["inspector_code"]: p["unit_code"] for p in rec["inspector_pool"]}
    for a in rec["assignments"]:
        if a["entity_code"] == "E01":  # K1 and S1 recused: still one per unit
            assert [unit_of[c] for c in a["inspector_codes"]] == ["KCK", "SJJ", "CHK"]
        else:
            assert [unit_of[c] for c in a["inspector_codes"]] == ["KCK", "SJJ", "CHK"]
    assert rec["unstaffed"] == []


def test_unstaffed_reported(county):
    with county.transaction() as cur:
        cur.execute(
            "UPDATE inspectors SET active = false WHERE inspector_code IN ('K2', 'K3', 'S2')"
        )
    rec = draw.run_draw(county, "T1", "9", operator="王", draw_date=D)
    e01 = next(a for a in rec["assignments"] if a["entity_code"] == "E01")
    assert e01["inspector_codes"] == [] and "E01" in rec["unstaffed"]
    assert all(
        len(a["inspector_codes"]) == 2 for a in rec["assignments"] if a["entity_code"] != "E01"
    )
    assert county.scalar("SELECT unstaffed FROM draw_selections WHERE entity_code = 'E01'") is True


def test_concurrent_draws_exactly_one_succeeds(county):
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker(value):
        barrier.wait()
        try:
            results.append(draw.run_draw(county, "T1", value, operator="王", draw_date=D))
        except draw.DrawError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=worker, args=(v,)) for v in ("1", "2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 1
    assert "该任务已抽取" in errors[0] and "请用重新抽取并说明原因" in errors[0]
    assert county.scalar("SELECT count(*) FROM draws") == 1


def test_triggers_refuse_update_and_delete(county):
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    for sql in (
        "DELETE FROM draw_pool",
        "UPDATE draw_pool SET stratum = 'A'",
        "DELETE FROM draw_selections",
        "UPDATE draw_selections SET key = 'x'",
    ):
        with pytest.raises(Exception, match="只允许追加"):
            with county.transaction() as cur:
                cur.execute(sql)
    for sql in ("UPDATE draws SET operator = 'x'", "DELETE FROM draws"):
        # draws is also referenced by foreign keys, which may refuse first
        with pytest.raises(Exception, match="只允许追加|foreign key"):
            with county.transaction() as cur:
                cur.execute(sql)
    assert draw.verify_store(county) == []


def _tamper(store, trigger, sql):
    table = trigger.rsplit("_no_", 1)[0]
    with store.transaction() as cur:
        cur.execute(f"DROP TRIGGER {trigger} ON {table}")
        cur.execute(sql)


def test_tampering_with_ledger_row_is_named(county):
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    draw.run_draw(county, "T2", "1", operator="王", draw_date=D, ratios="0.2")
    _tamper(
        county, "draws_no_update", "UPDATE draws SET public_value = '2' WHERE draw_id = 'DR-000001'"
    )
    found = [d for d in draw.verify_store(county) if not d.warning]
    assert found and all(d.draw_id == "DR-000001" for d in found)
    assert any("public_value" in d.check for d in found)


def test_tampering_with_record_json_breaks_the_chain(county):
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    draw.run_draw(county, "T2", "1", operator="王", draw_date=D, ratios="0.2")
    _tamper(
        county,
        "draws_no_update",
        'UPDATE draws SET record_json = replace(record_json, \'"operator":"王"\', \'"operator":"李"\')'
        " WHERE draw_id = 'DR-000001'",
    )
    checks = {d.check for d in draw.verify_store(county) if d.draw_id == "DR-000001"}
    assert "记录哈希" in checks


def test_tampering_with_frozen_pool_is_named(county):
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    _tamper(
        county,
        "draw_pool_no_update",
        "UPDATE draw_pool SET stratum = 'A' WHERE entity_code = 'E08'",
    )
    found = draw.verify_store(county, "DR-000001")
    assert any(d.check == "冻结名单" and not d.warning for d in found)


def test_store_drift_is_a_warning(county):
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)
    with county.transaction() as cur:
        cur.execute("UPDATE inspectors SET active = false WHERE inspector_code = 'K3'")
        cur.execute("INSERT INTO conflicts VALUES ('K2', 'E06', '新登记')")
    found = draw.verify_store(county)
    assert found and all(d.warning for d in found)
    assert {d.check for d in found} == {"库内数据变化"}


def test_certificate_and_standalone_tool(county, tmp_path):
    rec = draw.run_draw(county, "T1", "12345", operator="王", draw_date=D)
    cert = draw.certificate(county, rec["draw_id"])
    assert cert["record_hash"] == rec["record_hash"]
    assert cert["pool"] == [{"entity_code": c, "stratum": s} for c, s in POOL_ON_D]
    assert draw.verify_certificate(cert) == []
    good = tmp_path / "good.json"
    good.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
    tool = ROOT / "tools" / "verify_certificate.py"
    run = subprocess.run([sys.executable, str(tool), str(good)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "不通过" not in run.stdout and run.stdout.count("通过") >= 8
    # tamper: swap a selected entity for an unselected one of the same stratum
    bad_cert = json.loads(json.dumps(cert))
    chosen = {s["entity_code"] for s in bad_cert["selections"]}
    other = next(c for c, s in POOL_ON_D if s == "U" and c not in chosen)
    u_sel = next(s for s in bad_cert["selections"] if s["stratum"] == "U")
    bad_cert["assignments"][bad_cert["selections"].index(u_sel)]["entity_code"] = other
    u_sel["entity_code"] = other
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_cert, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(tool), str(bad)], capture_output=True, text=True)
    assert run.returncode == 1
    assert (
        "不通过  抽中对象 selections" in run.stdout and "不通过  记录哈希 record_hash" in run.stdout
    )
    assert "通过  名录哈希 pool_hash" in run.stdout
    # the product's check gives the same verdicts
    assert [n for n, ok, _ in protocol.check_certificate(bad_cert) if not ok] == [
        line.split("  ", 2)[2].split("：")[0]
        for line in run.stdout.splitlines()
        if line.strip().startswith("不通过")
    ]
    # a stratum changed in the pool breaks the pool hash
    bad_cert = json.loads(json.dumps(cert))
    bad_cert["pool"][0]["stratum"] = "A"
    assert any(d.startswith("名录哈希") for d in draw.verify_certificate(bad_cert))


def test_documents_and_public_list_have_no_grades(county):
    rec = draw.run_draw(county, "T1", "12345", operator="王", draw_date=D)
    cert = draw.certificate(county, rec["draw_id"])
    names = draw.names_for(county, cert)
    html = draw.certificate_html(cert, names)
    assert "抽取证书" in html and "@page" in html and "http" not in html and "<script" not in html
    assert cert["pool_hash"] in html and cert["seed"] in html and "高风险" in html
    public = draw.public_certificate_html(cert, names)
    assert "高风险" not in public and "分层" not in public and "企业" in public
    pub = draw.publication_list(county, rec["draw_id"])
    assert len(pub) == 6 and "stratum" not in pub.columns and "等级" not in "".join(pub.columns)
    assert sorted(pub["主体编码"]) == sorted(s["entity_code"] for s in rec["selections"])
    assert set(pub["检查单位"]) == {"矿产资源管理股；县市场监督管理局"}
    wb = openpyxl.load_workbook(io.BytesIO(draw.dispatch_sheet(county, rec["draw_id"])))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == 7
    first = wb[wb.sheetnames[1]]
    values = [c.value for row in first.iter_rows() for c in row if c.value]
    assert "检查组" in values and rec["selections"][0]["entity_code"] in values


def test_revisit_draw(county):
    with county.transaction() as cur:
        cur.execute(
            "INSERT INTO inspections (task_code, entity_code, inspected_on) VALUES"
            " ('T4', 'E01', '2026-01-05'), ('T4', 'E02', '2026-01-05'), ('T4', 'E03', '2026-01-05'),"
            " ('T3', 'E04', '2026-01-05')"
        )
        cur.execute(
            "INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, closed_on, revisit_on)"
            " VALUES ('T4', 'E01', '3', 'ZFD', '2026-02-01', NULL), ('T4', 'E02', '3', NULL, '2026-02-01', NULL),"
            " ('T4', 'E03', '3', 'ZFD', '2026-03-20', NULL), ('T3', 'E04', '3', 'ZFD', '2026-02-01', NULL)"
        )
    prev = draw.revisit_preview(county, "HF2026-01", D, ["1"])
    # E03 closed after D; T3 is voided; E02 has no responsible unit → the task's lead unit
    assert [(s["stratum"], s["pool_size"]) for s in prev.strata] == [("KCK", 1), ("ZFD", 1)]
    assert prev.pool["entity_code"].to_pylist() == ["T4/E01", "T4/E02"]
    rec = draw.run_revisit_draw(county, "HF2026-01", "88", operator="王", draw_date=D, ratios="1")
    assert rec["draw_id"] == "RV-000001" and rec["units"] == [] and rec["assignments"] == []
    assert county.scalar("SELECT kind FROM draws") == "revisit"
    with pytest.raises(draw.DrawError, match="已抽取"):
        draw.run_revisit_draw(county, "HF2026-01", "89", operator="王", draw_date=D, ratios="1")
    again = draw.redraw(county, rec["draw_id"], "89", reason="重抽", operator="王", draw_date=D)
    assert again["supersedes"] == rec["draw_id"]
    assert draw.verify_store(county) == []
    assert draw.verify_certificate(draw.certificate(county, again["draw_id"])) == []
    pub = draw.publication_list(county, again["draw_id"])
    assert sorted(pub["主体编码"]) == ["E01", "E02"] and set(pub["任务编号"]) == {"T4"}
    assert draw.dispatch_sheet(county, again["draw_id"])[:2] == b"PK"
    with pytest.raises(draw.DrawError, match="重复"):
        draw.revisit_preview(county, "T1", D, "0.5")


def test_fifty_at_014_draws_seven(county):
    with county.transaction() as cur:
        cur.execute("INSERT INTO items (item_code, item_name) VALUES ('I9', '五十家')")
        cur.execute(
            "INSERT INTO entities (entity_code, name, tags) SELECT 'F' || lpad(i::VARCHAR, 2, '0'), 'f', ['I9']"
            " FROM range(50) AS r(i)"
        )
        cur.execute(
            "INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, source)"
            " VALUES ('T9', '五十家', ['I9'], 'CHK', 'adhoc')"
        )
    rec = draw.run_draw(county, "T9", "5", operator="王", draw_date=D, ratios="0.14")
    assert rec["strata"] == [{"stratum": "U", "pool_size": 50, "ratio": "0.14", "size": 7}]
    seed = h(f"v1|T9|{h(''.join(f'F{i:02d}|U' + chr(10) for i in range(50)))}|5")
    assert rec["seed"] == seed
    expected = sorted((h(f"{seed}/F{i:02d}"), f"F{i:02d}") for i in range(50))[:7]
    assert [(s["key"], s["entity_code"]) for s in rec["selections"]] == expected
    # CHK has C1, C2 (no specialties) → every team is exactly those two
    assert all(sorted(a["inspector_codes"]) == ["C1", "C2"] for a in rec["assignments"])


def test_ledger_scope_by_unit_and_year(county):
    from dashboard.scope import Scope

    draw.run_draw(county, "T1", "1", operator="王", draw_date=D)  # KCK + SJJ
    draw.run_draw(county, "T2", "1", operator="王", draw_date=D, ratios="0.1")  # KCK
    sjj = Scope(year=2026, as_of=D, allowed_units=frozenset({"SJJ"}))
    assert list(draw.ledger(county, sjj)["task_code"]) == ["T1"]
    assert list(draw.ledger(county, Scope(year=2026, as_of=D))["task_code"]) == ["T1", "T2"]
    assert draw.ledger(county, Scope(year=2025, as_of=date(2025, 12, 31))).empty
    assert draw.redraws_per_unit(county, sjj).empty  # SJJ leads nothing


def test_draw_reuses_the_preview_until_something_is_written(county, monkeypatch):
    from dashboard.draw import service

    resolved = []
    real = service.resolve_task_pool
    monkeypatch.setattr(service, "resolve_task_pool", lambda *a: resolved.append(a[1:]) or real(*a))
    prev = draw.preview(county, "T1", D)
    assert len(resolved) == 1
    # another date is another request: the preview is neither reused nor held against the draw
    other = draw.run_draw(
        county, "T2", "7", operator="王", draw_date=date(2026, 3, 12), ratios="0.5", previewed=prev
    )
    assert len(resolved) == 2 and other["draw_date"] == "2026-03-12"
    # a write since the preview (T2's draw): T1's pool is resolved again; unchanged, so it draws
    rec = draw.run_draw(county, "T1", "7", operator="王", draw_date=D, previewed=prev)
    assert len(resolved) == 3 and rec["pool_hash"] == prev.pool_hash

    # nothing written since this preview: the draw takes its pool as it is
    prev = draw.preview(county, "T5", D, "0.5")
    assert len(resolved) == 4
    again = draw.run_draw(
        county, "T5", "7", operator="王", draw_date=D, ratios="50%", previewed=prev
    )
    assert len(resolved) == 4 and again["pool_hash"] == prev.pool_hash
    assert draw.verify_store(county) == []


def test_draw_refuses_when_the_pool_changed_after_the_preview(county):
    prev = draw.preview(county, "T1", D)
    _register_new_member(county)
    with pytest.raises(draw.DrawError, match="名录已发生变化"):
        draw.run_draw(county, "T1", "7", operator="王", draw_date=D, previewed=prev)
    assert county.scalar("SELECT count(*) FROM draws") == 0


def test_a_failure_while_the_pool_freezes_rolls_everything_back(county, monkeypatch):
    """The pool is frozen on a background thread inside the transaction; if the record cannot be
    made, the transaction rolls back the frozen rows too, and the next draw works."""
    from dashboard.draw import service

    real = service.compute_record

    def broken(*args, **kwargs):
        raise RuntimeError("计算中断")

    monkeypatch.setattr(service, "compute_record", broken)
    with pytest.raises(RuntimeError, match="计算中断"):
        draw.run_draw(county, "T1", "7", operator="王", draw_date=D)
    _assert_nothing_drawn(county)
    assert county.scalar("SELECT status FROM tasks WHERE task_code = 'T1'") == "planned"
    monkeypatch.setattr(service, "compute_record", real)
    draw.run_draw(county, "T1", "7", operator="王", draw_date=D)
    assert county.scalar("SELECT count(*) FROM draw_pool") == len(POOL_ON_D)
    assert draw.verify_store(county) == []


def test_a_write_while_the_draw_waited_for_the_lock_refuses_it(county):
    """The data version is checked again inside the write transaction: a preview (reused or just
    made) whose pool was read before a write that has since committed is refused."""
    from functools import partial

    from dashboard.draw import service

    prev = draw.preview(county, "T1", D)
    _register_new_member(county)
    with pytest.raises(draw.DrawError, match="预览之后数据已有变更"):
        service.write_record(
            county,
            prev,
            partial(service.compute_record, prev, "7", store=county),
            operator="王",
            witnesses=None,
            supersedes=None,
            reason=None,
            now=None,
        )
    _assert_nothing_drawn(county)


def test_revisit_draw_reuses_its_preview(county, monkeypatch):
    from dashboard.draw import service

    with county.transaction() as cur:
        cur.execute(
            "INSERT INTO inspections (task_code, entity_code, inspected_on) VALUES ('T4', 'E01', '2026-01-05')"
        )
        cur.execute(
            "INSERT INTO followups (task_code, entity_code, measure_code, closed_on)"
            " VALUES ('T4', 'E01', '3', '2026-02-01')"
        )
        county.audit(cur, "王", "followup", table_name="followups", record_key="T4/E01")
    prev = draw.revisit_preview(county, "HF2026-02", D, "1", units=["KCK"])
    monkeypatch.setattr(service, "resolve_revisit_pool", lambda *a, **k: pytest.fail("resolved"))
    rec = draw.run_revisit_draw(
        county, "HF2026-02", "5", operator="王", draw_date=D, ratios="100%", units=["KCK"],
        previewed=prev,
    )  # fmt: skip
    assert [s["entity_code"] for s in rec["selections"]] == ["T4/E01"]
    assert rec["pool_hash"] == prev.pool_hash


def test_merge_path_draw_equals_the_sql_join_draw(monkeypatch):
    """A whole draw with the pool resolved by the merge (FAST_POOL_MIN 0) records exactly what the
    SQL join's draw records, and verifies."""
    from datetime import datetime

    from dashboard.draw import engine
    from dashboard.store import open_store

    records = []
    for fast_min in (engine.FAST_POOL_MIN, 0):
        monkeypatch.setattr(engine, "FAST_POOL_MIN", fast_min)
        store = open_store(":memory:")
        try:
            build(store)
            records.append(
                draw.run_draw(
                    store, "T1", "7", operator="王", draw_date=D, now=datetime(2026, 3, 10)
                )
            )
            assert draw.verify_store(store) == []
        finally:
            store.close()
    assert records[0] == records[1]


def test_selection_rows_when_assignments_come_in_another_order():
    from dashboard.draw import service

    record = {
        "selections": [
            {"entity_code": "E1", "stratum": "A", "key": "k1"},
            {"entity_code": "E2", "stratum": "B", "key": "k2"},
        ],
        "assignments": [
            {"entity_code": "E2", "inspector_codes": ["K2"], "recused": []},
            {"entity_code": "E1", "inspector_codes": ["K1", "S1"], "recused": []},
        ],
        "unstaffed": ["E2"],
    }
    rows = service._selections_table(record).to_pylist()
    assert [(r["entity_code"], r["inspector_codes"], r["unstaffed"]) for r in rows] == [
        ("E1", ["K1", "S1"], False),
        ("E2", ["K2"], True),
    ]


def _register_new_member(store) -> None:
    """An audited import of one more entity with T1's item: T1's pool changes."""
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO entities (entity_code, name, tags, status) VALUES ('E19', '新企业', ['I1'], '存续')"
        )
        store.audit(cur, "王", "import", table_name="entities", record_key="E19")


def _assert_nothing_drawn(store) -> None:
    """A refused or failed draw left no frozen pool and no ledger row."""
    assert store.rows("SELECT (SELECT count(*) FROM draw_pool), (SELECT count(*) FROM draws)") == [
        (0, 0)
    ]
