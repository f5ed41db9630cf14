"""`dashboard --help`, `dashboard init` and `dashboard demo` (exit codes, determinism, no default accounts)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dashboard.cli import main
from dashboard.store import LATEST_SCHEMA_VERSION, close_store, open_store


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in (
        "init",
        "demo",
        "import",
        "export",
        "kpi",
        "draw",
        "redraw",
        "draw-cert",
        "verify",
        "user",
    ):
        assert command in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2


def test_init_creates_an_empty_store_without_accounts(tmp_path, capsys):
    db = tmp_path / "real.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "已创建" in out and "user add" in out
    store = open_store(db)
    try:
        assert store.schema_version == LATEST_SCHEMA_VERSION
        assert store.scalar("SELECT count(*) FROM users") == 0
        assert store.scalar("SELECT count(*) FROM entities") == 0
        assert store.scalar("SELECT count(*) FROM calendar") > 3000
        assert not store.is_demo
    finally:
        close_store(db)
    # running init again upgrades nothing and keeps the store
    assert main(["init", "--db", str(db)]) == 0
    assert "已升级" in capsys.readouterr().out


def test_demo_refuses_to_overwrite_without_force(tmp_path, capsys):
    db = tmp_path / "x.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    close_store(db)
    capsys.readouterr()
    assert main(["demo", "--db", str(db), "--as-of", "2026-11-27"]) == 2
    assert "--force" in capsys.readouterr().err


def test_demo_same_seed_same_data_and_bad_date_is_usage_error(tmp_path):
    exports = []
    for name in ("a", "b"):
        db = tmp_path / f"{name}.duckdb"
        assert main(["demo", "--db", str(db), "--seed", "11", "--as-of", "2025-06-30"]) == 0
        close_store(db)
        out = tmp_path / f"export_{name}"
        assert main(["export", str(out), "--db", str(db)]) == 0
        close_store(db)
        exports.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert exports[0] == exports[1]
    assert len(exports[0]) == 17
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--db", str(tmp_path / "c.duckdb"), "--as-of", "2025-02-30"])
    assert exc.value.code == 2


def test_cli_on_a_locked_store_says_so_in_one_sentence(tmp_path):
    db = tmp_path / "locked.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    close_store(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard.cli",
                "export",
                str(tmp_path / "out"),
                "--db",
                str(db),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
    assert result.returncode == 2
    assert "占用" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
