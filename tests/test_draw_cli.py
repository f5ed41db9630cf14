"""`dashboard draw / redraw / draw-cert / verify / revisit-draw / confirm-draw`: output and exit codes."""

from __future__ import annotations

import json

import pytest
from test_draw_fixtures import build

from dashboard.cli import main
from dashboard.store import close_store, open_store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "draw.duckdb"
    build(open_store(path))
    yield path
    close_store(path)


def run(capsys, *args):
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_draw_cli_flow(db, tmp_path, capsys):
    code, out, _ = run(capsys, "draw", "T1", "--dry-run", "--date", "2026-03-10", "--db", db)
    assert code == 0 and "名录对象 13 个" in out and "0.14" in out
    code, out, _ = run(
        capsys, "draw", "T1", "--dry-run", "--json", "--date", "2026-03-10", "--db", db
    )
    assert code == 0 and json.loads(out)["pool_size"] == 13
    assert open_store(db).scalar("SELECT count(*) FROM draws") == 0

    code, _, err = run(capsys, "draw", "T1", "--date", "2026-03-10", "--db", db)
    assert code == 2 and "公开随机值" in err

    code, out, _ = run(
        capsys,
        "draw",
        "T1",
        "--public-value",
        "12345",
        "--date",
        "2026-03-10",
        "--json",
        "--witness",
        "李",
        "--operator",
        "王",
        "--db",
        db,
    )
    assert code == 0
    record = json.loads(out)
    assert (
        record["draw_id"] == "DR-000001"
        and len(record["selections"]) == 6
        and record["record_hash"]
    )

    code, _, err = run(
        capsys, "draw", "T1", "--public-value", "2", "--date", "2026-03-10", "--db", db
    )
    assert code == 2 and "该任务已抽取" in err

    for reason in ([], ["--reason", "  "]):
        code, _, err = run(
            capsys, "redraw", "DR-000001", "--public-value", "2", *reason, "--db", db
        )
        assert code == 2 and "必须说明原因" in err
    code, out, _ = run(
        capsys,
        "redraw",
        "DR-000001",
        "--public-value",
        "2",
        "--reason",
        "号码录错",
        "--date",
        "2026-03-10",
        "--db",
        db,
    )
    assert code == 0 and "DR-000002" in out

    code, out, _ = run(capsys, "confirm-draw", "DR-000002", "--user", "领导", "--db", db)
    assert code == 0

    outdir = tmp_path / "certs"
    code, out, _ = run(capsys, "draw-cert", "DR-000002", "--out", outdir, "--public", "--db", db)
    assert code == 0
    cert = json.loads((outdir / "DR-000002.json").read_text(encoding="utf-8"))
    assert cert["supersedes"] == "DR-000001" and len(cert["pool"]) == 13
    html = (outdir / "DR-000002.html").read_text(encoding="utf-8")
    assert "抽取证书" in html and "号码录错" in html
    assert "高风险" not in (outdir / "DR-000002.public.html").read_text(encoding="utf-8")

    code, out, _ = run(capsys, "verify", "--db", db)
    assert code == 0 and "全部 2 次抽取" in out
    code, out, _ = run(capsys, "verify", "DR-000001", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "verify", "--cert", outdir / "DR-000002.json")
    assert code == 0 and "不通过" not in out

    cert["public_value"] = "3"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "verify", "--cert", bad)
    assert code == 1 and "不通过  种子 seed" in out

    store = open_store(db)
    with store.transaction() as cur:
        cur.execute("DROP TRIGGER draw_selections_no_update ON draw_selections")
        cur.execute(
            "UPDATE draw_selections SET inspector_codes = ['K1'] WHERE draw_id = 'DR-000002'"
        )
    code, out, _ = run(capsys, "verify", "--db", db)
    assert code == 1 and "抽取结果表" in out and "DR-000002" in out

    code, _, err = run(capsys, "verify", "DR-999999", "--db", db)
    assert code == 2 and "找不到" in err


def test_revisit_and_ratio_cli(db, capsys):
    code, _, err = run(
        capsys, "draw", "T2", "--public-value", "1", "--date", "2026-03-10", "--db", db
    )
    assert code == 2 and "没有抽查比例" in err
    code, out, _ = run(
        capsys,
        "draw",
        "T2",
        "--public-value",
        "1",
        "--ratio",
        "0.2",
        "--ratio",
        "D=1",
        "--date",
        "2026-03-10",
        "--json",
        "--db",
        db,
    )
    assert code == 0
    strata = {s["stratum"]: (s["ratio"], s["size"]) for s in json.loads(out)["strata"]}
    assert strata == {"A": ("0.2", 1), "B": ("0.2", 1), "D": ("1", 2), "U": ("0.2", 2)}
    code, out, _ = run(capsys, "revisit-draw", "HF1", "--dry-run", "--ratio", "0.5", "--db", db)
    assert code == 0 and "名录对象 0 个" in out


def test_every_draw_command_reports_draw_errors_in_one_sentence(db, tmp_path, capsys):
    """One helper turns a DrawError of any command into its Chinese sentence on stderr, exit code 2."""
    from dashboard.cli import draw_cmds

    cases = [
        (["draw", "NOPE", "--dry-run"], "找不到抽查任务 NOPE"),
        (["draw", "T1", "--public-value", "1", "--date", "2026-13-01"], "抽取日期"),
        (["redraw", "DR-999999", "--reason", "号码录错", "--public-value", "1"], "找不到抽取记录"),
        (["revisit-draw", "T1", "--dry-run"], "与抽查任务编码重复"),
        (["revisit-draw", "HF1", "--public-value", "1", "--ratio", "2"], "抽查比例"),
        (["confirm-draw", "DR-999999"], "找不到抽取记录 DR-999999"),
        (["draw-cert", "DR-999999", "--out", tmp_path], "找不到抽取记录 DR-999999"),
        (["verify", "DR-999999"], "找不到抽取记录 DR-999999"),
    ]
    for args, message in cases:
        code, out, err = run(capsys, *args, "--db", db)
        assert code == 2 and message in err and out == "", args
        assert err.count("\n") == 1 and "Traceback" not in err, args
    for name in ("cmd_draw", "cmd_redraw", "cmd_revisit", "cmd_confirm", "cmd_cert", "cmd_verify"):
        assert getattr(draw_cmds, name).__name__ == name
    code, _, err = run(capsys, "verify", "--cert", tmp_path / "missing.json")
    assert code == 2 and "无法读取证书" in err
