"""Issue 13 point 4: what `dashboard verify` sees at the end of the chain and outside the hash.

Each attack is made as someone with the store file would make it (triggers dropped where they stand in
the way). Before issue 13 every one of them passed `verify`; now the ledger is checked against the
hash-chained audit log, confirmations and witnesses included, and a chain head published earlier
(`--head N:HASH`) catches even an attacker who also cut the end of the audit log.
"""

from __future__ import annotations

import json

import pytest
from test_draw_fixtures import D, build

from dashboard import draw
from dashboard.cli import main
from dashboard.draw import protocol
from dashboard.draw.service import load_record
from dashboard.store import close_store, open_store


@pytest.fixture
def ledger_db(tmp_path):
    """A store with two draws (the second with witnesses) and the first confirmed."""
    path = tmp_path / "ledger.duckdb"
    store = open_store(path)
    build(store)
    draw.run_draw(store, "T1", "1", operator="王", draw_date=D)
    draw.run_draw(store, "T2", "1", operator="王", draw_date=D, ratios="0.2", witnesses=["赵见证"])
    draw.confirm_draw(store, "DR-000001", "主任")
    yield path, store
    close_store(path)


def _errors(store, **kw):
    return [d for d in draw.verify_store(store, **kw) if not d.warning]


def _drop(cur, *triggers):
    for trigger in triggers:
        table = trigger.rsplit("_no_", 1)[0]
        cur.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")


def _delete_newest(store, draw_id="DR-000002"):
    with store.transaction() as cur:
        _drop(
            cur,
            "draws_no_delete",
            "draw_pool_no_delete",
            "draw_selections_no_delete",
        )
        for table in ("draw_selections", "draw_pool", "draws"):
            cur.execute(f"DELETE FROM {table} WHERE draw_id = ?", [draw_id])


def test_an_untouched_ledger_holds_with_its_head(ledger_db):
    _path, store = ledger_db
    head = draw.chain_head(store)
    assert head[0] == 2 and head[1] == store.scalar(
        "SELECT record_hash FROM draws WHERE draw_id = 'DR-000002'"
    )
    assert _errors(store, head=head) == []
    assert draw.parse_head(draw.head_text(head)) == head


def test_deleting_the_newest_draw_is_seen(ledger_db):
    _path, store = ledger_db
    head = draw.chain_head(store)
    _delete_newest(store)
    found = _errors(store)
    assert any(d.draw_id == "DR-000002" and "被删除" in d.detail for d in found)
    assert any("最新的 1 次抽取被删除" in d.detail for d in _errors(store, head=head))


def test_deleting_the_newest_draw_and_its_audit_rows_is_seen_by_the_published_head(ledger_db):
    _path, store = ledger_db
    head = draw.chain_head(store)
    _delete_newest(store)
    with store.transaction() as cur:  # the thorough attacker also cuts the end of the audit log
        _drop(cur, "audit_log_no_delete")
        first = cur.execute(
            "SELECT min(audit_id) FROM audit_log WHERE record_key = 'DR-000002'"
        ).fetchone()[0]
        cur.execute("DELETE FROM audit_log WHERE audit_id >= ?", [first])
        # DR-000001 was confirmed after DR-000002 was drawn: that confirmation goes with the cut
        _drop(cur, "draw_confirmations_no_delete")
        cur.execute("DELETE FROM draw_confirmations")
    assert _errors(store) == []  # the end of a chain cannot vouch for itself …
    found = _errors(store, head=head)  # … the head published with the 公示名单 can
    assert [d.check for d in found] == ["台账链头"]


def test_rerunning_the_last_draw_with_a_new_public_value_is_seen(ledger_db):
    _path, store = ledger_db
    head = draw.chain_head(store)
    _delete_newest(store)
    with store.transaction() as cur:
        cur.execute("UPDATE tasks SET status = 'planned' WHERE task_code = 'T2'")
    again = draw.run_draw(store, "T2", "999", operator="王", draw_date=D, ratios="0.2")
    assert again["draw_id"] == "DR-000002"  # the same number, a different record
    assert any("被抽取了 2 次" in d.detail for d in _errors(store))
    assert any(d.check == "台账链头" for d in _errors(store, head=head))


def test_rewriting_the_last_record_and_its_hash_is_seen(ledger_db):
    _path, store = ledger_db
    head = draw.chain_head(store)
    record, row = load_record(store, "DR-000002")
    record["operator"] = "李"
    text = protocol.canonical_json(record)
    digest = protocol.sha256_hex(row["previous_hash"] + text)
    with store.transaction() as cur:
        _drop(cur, "draws_no_update")
        cur.execute(
            "UPDATE draws SET operator = '李', record_json = ?, record_hash = ? WHERE draw_id = 'DR-000002'",
            [text, digest],
        )
    found = _errors(store)
    assert any(d.draw_id == "DR-000002" and "改写" in d.detail for d in found)
    assert not any(d.check in ("记录哈希", "哈希链") for d in found)  # the chain itself holds
    assert any(d.check == "台账链头" for d in _errors(store, head=head))


@pytest.mark.parametrize(
    ("sql", "check"),
    [
        ("UPDATE draws SET witnesses = '假见证人' WHERE draw_id = 'DR-000002'", "台账列 witnesses"),
        ("UPDATE draws SET witnesses = NULL WHERE draw_id = 'DR-000002'", "台账列 witnesses"),
        ("UPDATE draws SET kind = 'revisit' WHERE draw_id = 'DR-000001'", "台账列 kind"),
    ],
)
def test_edits_to_witnesses_and_kind_are_seen(ledger_db, sql, check):
    _path, store = ledger_db
    with store.transaction() as cur:
        _drop(cur, "draws_no_update")
        cur.execute(sql)
    assert any(d.check == check for d in _errors(store))


def test_a_forged_confirmation_is_seen_even_with_the_triggers_in_place(ledger_db):
    _path, store = ledger_db
    with store.transaction() as cur:  # INSERT is what the append-only triggers allow
        cur.execute(
            "INSERT INTO draw_confirmations VALUES ('DR-000002', '主任', TIMESTAMP '2026-03-10 09:00:00')"
        )
    found = _errors(store)
    assert any(d.draw_id == "DR-000002" and d.check == "确认记录" for d in found)


def test_an_edited_or_removed_confirmation_is_seen(ledger_db):
    _path, store = ledger_db
    with store.transaction() as cur:
        _drop(cur, "draw_confirmations_no_update", "draw_confirmations_no_delete")
        cur.execute("UPDATE draw_confirmations SET confirmed_by = '别人'")
    assert any(d.check == "确认记录" and "别人" in d.detail for d in _errors(store))
    with store.transaction() as cur:
        cur.execute("DELETE FROM draw_confirmations")
    assert any(d.check == "确认记录" and "被删除" in d.detail for d in _errors(store))


def test_the_audit_log_is_append_only_and_chained(ledger_db):
    _path, store = ledger_db
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="审计日志只允许追加"):
            with store.transaction() as cur:
                cur.execute(sql)
    assert _errors(store) == []
    with store.transaction() as cur:  # past the triggers: an old row edited
        _drop(cur, "audit_log_no_update")
        cur.execute(
            "UPDATE audit_log SET detail = '改过' WHERE audit_id = (SELECT min(audit_id) FROM audit_log)"
        )
    assert any(d.check == "审计哈希链" and "被改动" in d.detail for d in _errors(store))
    with store.transaction() as cur:  # a row slipped in without its hash
        cur.execute("INSERT INTO audit_log (actor, action) VALUES ('x', 'forged')")
    assert any(d.check == "审计哈希链" and "没有哈希" in d.detail for d in _errors(store))


def test_cli_verify_head_and_cert_against_the_store(ledger_db, tmp_path, capsys):
    path, store = ledger_db
    head = draw.head_text(draw.chain_head(store))
    assert main(["verify", "--db", str(path), "--head", head]) == 0
    out = capsys.readouterr().out
    assert f"当前台账链头：{head}" in out and "与公示的链头" in out
    assert main(["verify", "--db", str(path), "--head", "2:abc"]) == 2
    assert "格式不对" in capsys.readouterr().err
    assert main(["draw-cert", "DR-000002", "--out", str(tmp_path), "--db", str(path)]) == 0
    assert f"台账链头（请随公示一并公布）：{head}" in capsys.readouterr().out
    assert head in (tmp_path / "DR-000002.html").read_text(encoding="utf-8")
    cert = tmp_path / "DR-000002.json"
    assert main(["verify", "--cert", str(cert), "--db", str(path)]) == 0
    assert "证书与数据库" in capsys.readouterr().out
    # the store's record rewritten (and rehashed): the certificate no longer matches it
    record, row = load_record(store, "DR-000002")
    record["operator"] = "李"
    text = protocol.canonical_json(record)
    with store.transaction() as cur:
        _drop(cur, "draws_no_update")
        cur.execute(
            "UPDATE draws SET operator = '李', record_json = ?, record_hash = ? WHERE draw_id = 'DR-000002'",
            [text, protocol.sha256_hex(row["previous_hash"] + text)],
        )
    assert main(["verify", "--cert", str(cert), "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "证书与台账" in out and "operator" in out
    assert main(["verify", "--db", str(path), "--head", head]) == 1
    capsys.readouterr()
    # a certificate of a draw this store never had
    other = json.loads(cert.read_text(encoding="utf-8"))
    other["draw_id"] = "DR-000099"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", "--cert", str(forged), "--db", str(path)]) == 1
    assert "库中没有这次抽取" in capsys.readouterr().out
