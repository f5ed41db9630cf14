"""Make the store fixture of a release (issue 15): a small store built by this release's code, its
export, and what else it holds, for the upgrade test of every later release (tests/test_ops_upgrade.py).

Run it from the release's own tree (for example `git archive v0.1.0 | tar -x -C /tmp/rel` and run it
there), never from a working tree with unreleased migrations:

    uv run python tools/make_release_fixture.py tests/fixtures/releases/<version>

It writes store.duckdb.gz (the store, gzip-compressed), export/ (`dashboard export` of it) and
release.json (program and schema version, accounts, settings and calendar days the export does not hold).
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import config  # noqa: E402
from dashboard.auth import create_user  # noqa: E402
from dashboard.ingest import export_store, run_import  # noqa: E402
from dashboard.ops import program_version  # noqa: E402
from dashboard.store import calendar as store_calendar  # noqa: E402
from dashboard.store import close_store, open_store  # noqa: E402

SOURCE = ROOT / "tests" / "fixtures" / "interchange_small"
ACTOR = "release-fixture"


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "store.duckdb"
    for old in (db, out / "store.duckdb.gz", out / "export"):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    store = open_store(db)
    report = run_import(store, SOURCE, actor=ACTOR)
    if report.errors:
        print(f"导入失败：{report.errors[:3]}", file=sys.stderr)
        return 1
    create_user(store, "admin", "办公室管理员", "admin", [], "Fixture@2026", actor=ACTOR)
    config.set_setting(store, "entry_limit_workdays", 21, ACTOR)
    store_calendar.set_calendar_override(
        store, date(2027, 2, 6), True, "调休上班（示例）", actor=ACTOR
    )
    export_store(store, out / "export")
    info = {
        "program_version": program_version(),
        "schema_version": store.schema_version,
        "users": [r[0] for r in store.rows("SELECT username FROM users ORDER BY username")],
        "settings": {"entry_limit_workdays": 21},
        "calendar_overrides": {"2027-02-06": True},
        "audit_rows": int(store.scalar("SELECT count(*) FROM audit_log")),
    }
    store.rows("CHECKPOINT")
    close_store(db)
    with db.open("rb") as src, gzip.open(out / "store.duckdb.gz", "wb", compresslevel=9) as dst:
        shutil.copyfileobj(src, dst)
    db.unlink()
    (out / "release.json").write_text(
        json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"{out}: 程序版本 {info['program_version']}，表结构版本 {info['schema_version']}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(Path(sys.argv[1])))
