"""The printed draw certificate (issue 12 point 9): the witnesses typed in and the record time as
北京时间 in words; the protocol's record (JSON certificate, ledger, hashes) stays exactly as it is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from test_draw_fixtures import D, build

from dashboard import draw
from dashboard.cli import main
from dashboard.draw.documents import beijing_time_words
from dashboard.store import close_store, open_store

NOW = datetime(2026, 3, 10, 6, 5, 41, tzinfo=UTC)  # 14:05 in Beijing


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "draw.duckdb"
    store = open_store(path)
    build(store)
    draw.run_draw(
        store, "T1", "12345", operator="王", draw_date=D, witnesses=[" 李明 ", "赵红"], now=NOW
    )
    yield path
    close_store(path)


def test_beijing_time_in_words():
    assert beijing_time_words("2026-11-27T06:05:00+00:00") == "2026年11月27日 14时05分（北京时间）"
    assert beijing_time_words("2026-11-27T14:05:09+08:00") == "2026年11月27日 14时05分（北京时间）"
    # 22:30 UTC is the next morning in Beijing
    assert beijing_time_words("2026-12-31T22:30:00+00:00") == "2027年1月1日 06时30分（北京时间）"
    assert beijing_time_words("2026-11-27T09:01:00") == "2026年11月27日 09时01分（北京时间）"


def test_certificate_shows_witnesses_and_beijing_time_and_the_record_is_unchanged(db):
    store = open_store(db)
    cert = draw.certificate(store, "DR-000001")
    assert cert["created_at"] == "2026-03-10T06:05:41+00:00"  # the protocol's record, as it was
    assert "witnesses" not in cert  # a ledger column, outside the hashed record
    names = draw.names_for(store, cert)
    html = draw.certificate_html(cert, names)
    assert "<th>见证人</th><td>李明、赵红</td>" in html
    assert "见证人（签字）：李明、赵红" in html
    assert "<th>记录时间</th><td>2026年3月10日 14时05分（北京时间）</td>" in html
    assert "<th>抽取日期</th><td>2026年3月10日</td>" in html
    # the machine-readable time stays printed for whoever checks it against the JSON
    assert "2026-03-10T06:05:41+00:00" in html
    public = draw.public_certificate_html(cert, names)
    assert "李明、赵红" in public and "2026年3月10日 14时05分（北京时间）" in public
    assert draw.verify_certificate(cert) == []
    assert draw.verify_store(store) == []


def test_cli_certificate_files_still_verify(db, tmp_path, capsys):
    out = tmp_path / "certs"
    assert main(["draw-cert", "DR-000001", "--out", str(out), "--db", str(db)]) == 0
    html = (out / "DR-000001.html").read_text(encoding="utf-8")
    assert "李明、赵红" in html and "14时05分（北京时间）" in html
    cert = json.loads((out / "DR-000001.json").read_text(encoding="utf-8"))
    assert cert["created_at"] == "2026-03-10T06:05:41+00:00"
    capsys.readouterr()
    assert main(["verify", "--cert", str(out / "DR-000001.json")]) == 0
    assert "不通过" not in capsys.readouterr().out
