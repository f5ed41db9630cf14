"""Access control on the command line: `dashboard --as USERNAME …` for each demo role (issue #7).

Each test works on its own copy of the demo store and runs the CLI in-process (dashboard.cli.main) with
the password in DASHBOARD_PASSWORD: a unit user's KPIs cover only its units, exports of every unit's rows
are refused to unit and read-only accounts, writes are refused to every role but the administrator and
leave the store unchanged, draw certificates and verification follow the scoped draw ledger, five wrong
passwords lock the account, and no password ever reaches stdout, stderr or the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.auth import get_user, reset_password, scope_for
from dashboard.cli import main
from dashboard.metrics.kpi import compute_kpis, kpis_json
from dashboard.scope import Scope
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store
from tests.conftest import DEMO_AS_OF

PASSWORDS = {
    "admin": "Admin@2026",
    "leader": "Leader@2026",
    "kck": "Unit@2026",
    "chk": "Unit@2026",
    "viewer": "Read@2026",
}
WRONG = "Wr0ng-Secret#7"
NON_ADMINS = ["leader", "kck", "chk", "viewer"]
OTHER_TASK = "RW2026017"  # the demo's one planned task (TCZX with GHK): none of KCK, CHK, DHK
KCK_TASK = "RW2026KCK1"  # imported by the administrator in test_draw_certificates_follow_the_scope


@pytest.fixture
def db(demo_store, demo_db_path, tmp_path):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path / "cli.duckdb")
    yield path
    close_store(path)


class Runner:
    """Runs `dashboard [--as USER] …` on the test's store and keeps every output for the leak check."""

    def __init__(self, db: Path, capsys, monkeypatch) -> None:
        self.db, self.capsys, self.monkeypatch = db, capsys, monkeypatch
        self.outputs: list[str] = []

    def __call__(self, user: str | None, *args, password: str | None = None):
        argv = [*map(str, args), "--db", str(self.db)]
        if user is not None:
            self.monkeypatch.setenv("DASHBOARD_PASSWORD", password or PASSWORDS[user])
            argv = ["--as", user, *argv]
        else:
            self.monkeypatch.delenv("DASHBOARD_PASSWORD", raising=False)
        code = main(argv)
        captured = self.capsys.readouterr()
        self.outputs += [captured.out, captured.err]
        return code, captured.out, captured.err


@pytest.fixture
def cli(db, capsys, monkeypatch):
    return Runner(db, capsys, monkeypatch)


def _snapshot(store) -> dict:
    """Everything a write command could change, and the audit log without log-in / log-out rows."""
    return {
        "draws": store.scalar("SELECT count(*) FROM draws"),
        "confirmations": store.scalar("SELECT count(*) FROM draw_confirmations"),
        "tasks": store.rows("SELECT task_code, status FROM tasks ORDER BY task_code"),
        "users": store.rows(
            "SELECT username, role, active, password_hash FROM users ORDER BY username"
        ),
        "imports": store.scalar("SELECT count(*) FROM import_log"),
        "audit": store.rows(
            "SELECT audit_id, actor, action FROM audit_log WHERE action NOT LIKE 'auth.%'"
            " ORDER BY audit_id"
        ),
    }


def _last_actor(db, action: str) -> str | None:
    """Who the audit log names for the latest `action`."""
    return open_store(db).scalar(
        "SELECT actor FROM audit_log WHERE action = ? ORDER BY audit_id DESC LIMIT 1", [action]
    )


def _audit_text(store) -> str:
    rows = store.rows(
        "SELECT concat_ws('|', actor, action, table_name, record_key, old_value, new_value, detail)"
        " FROM audit_log"
    )
    return "\n".join(r[0] for r in rows)


def _assert_no_password(store, outputs: list[str]) -> None:
    text = "\n".join(outputs) + "\n" + _audit_text(store)
    for secret in {*PASSWORDS.values(), WRONG}:
        assert secret not in text
    for (hash_,) in store.rows("SELECT password_hash FROM users"):
        assert hash_.startswith("$argon2") and hash_ not in set(PASSWORDS.values())


# -- reading: KPIs follow the account's scope -------------------------------------------------------


@pytest.mark.parametrize("username", ["admin", "leader", "kck", "chk", "viewer"])
def test_kpi_json_uses_the_accounts_scope(cli, username):
    code, out, err = cli(username, "kpi", "--year", 2026, "--as-of", DEMO_AS_OF, "--json")
    assert code == 0, err
    store = open_store(cli.db)
    user = get_user(store, username)
    cur = store.cursor()
    try:
        expected = kpis_json(compute_kpis(cur, scope_for(user, 2026, DEMO_AS_OF)))
        everything = kpis_json(compute_kpis(cur, Scope(year=2026, as_of=DEMO_AS_OF)))
    finally:
        cur.close()
    got = json.loads(out)
    assert got == json.loads(json.dumps(expected, ensure_ascii=False))
    if user.allowed_units is None:
        assert got == json.loads(json.dumps(everything, ensure_ascii=False))
    else:  # fewer tasks than the whole county
        assert (
            got["joint_task_share"]["denominator"] < everything["joint_task_share"]["denominator"]
        )
    _assert_no_password(store, cli.outputs)


def test_kpi_of_kck_counts_only_kck_tasks_by_hand(cli):
    code, out, _ = cli("kck", "kpi", "--year", 2026, "--as-of", DEMO_AS_OF, "--json")
    assert code == 0
    got = json.loads(out)
    store = open_store(cli.db)
    # DESIGN.md §5 by hand: tasks of 2026 started by T, not voided, with KCK as lead or partner unit
    tasks = store.rows(
        "SELECT task_code, uses_risk_grades FROM tasks WHERE year(start_on) = 2026"
        " AND start_on <= ? AND status <> 'voided'"
        " AND (lead_unit = 'KCK' OR list_contains(coalesce(partner_units, []), 'KCK'))",
        [DEMO_AS_OF],
    )
    assert tasks
    assert got["joint_task_share"]["denominator"] == len(tasks)
    assert got["risk_graded_share"]["numerator"] == sum(1 for _, r in tasks if r)
    all_tasks = store.scalar(
        "SELECT count(*) FROM tasks WHERE year(start_on) = 2026 AND start_on <= ?"
        " AND status <> 'voided'",
        [DEMO_AS_OF],
    )
    assert len(tasks) < all_tasks
    # the text table says whose units it shows
    code, out, _ = cli("kck", "kpi", "--year", 2026, "--as-of", DEMO_AS_OF)
    assert code == 0 and "账号 kck 的单位 KCK" in out


def test_kpi_of_another_unit_is_refused(cli):
    code, out, err = cli("kck", "kpi", "--year", 2026, "--unit", "CHK", "--json")
    assert code == 2 and out == ""
    assert "只能查看单位 KCK" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("kck", "kpi", "--year", 2026, "--as-of", DEMO_AS_OF, "--unit", "KCK")
    assert code == 0 and "单位 KCK" in out


def test_without_as_the_cli_is_unchanged(cli):
    store = open_store(cli.db)
    before = store.scalar("SELECT count(*) FROM audit_log")
    code, out, _ = cli(None, "kpi", "--year", 2026, "--as-of", DEMO_AS_OF, "--json")
    assert code == 0
    cur = store.cursor()
    try:
        everything = kpis_json(compute_kpis(cur, Scope(year=2026, as_of=DEMO_AS_OF)))
    finally:
        cur.close()
    assert json.loads(out) == json.loads(json.dumps(everything, ensure_ascii=False))
    assert store.scalar("SELECT count(*) FROM audit_log") == before  # no log-in without --as


# -- exports -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["kck", "chk", "viewer"])
def test_export_is_refused_to_unit_scoped_accounts(cli, tmp_path, username):
    out_dir = tmp_path / f"export-{username}"
    code, out, err = cli(username, "export", out_dir)
    assert code == 2 and out == ""
    assert "导出全部数据仅限办公室管理员和领导" in err and len(err.strip().splitlines()) == 1
    assert not out_dir.exists()
    _assert_no_password(open_store(cli.db), cli.outputs)


@pytest.mark.parametrize("username", ["admin", "leader"])
def test_export_for_all_unit_roles(cli, tmp_path, username):
    out_dir = tmp_path / f"export-{username}"
    code, out, err = cli(username, "export", out_dir)
    assert code == 0, err
    assert len(list(out_dir.glob("*.csv"))) == 17
    assert "CHK" in (out_dir / "tasks.csv").read_text(encoding="utf-8-sig")


# -- writes: administrator only ----------------------------------------------------------------------


def _tasks_csv(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "tasks.csv"
    path.write_text(
        "task_code,plan_code,task_name,item_codes,lead_unit,partner_units,joint_kind,source,"
        "uses_risk_grades,start_on,end_on,status\n"
        f"{KCK_TASK},,测试：矿产资源管理股临时任务,ZR-003,KCK,,none,adhoc,true,"
        "2026-11-20,2026-12-31,planned\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("username", NON_ADMINS)
def test_writes_are_refused_and_change_nothing(cli, tmp_path, username):
    from dashboard.draw import service as draws

    store = open_store(cli.db)
    record = draws.run_draw(store, OTHER_TASK, "4711", operator="admin", draw_date=DEMO_AS_OF)
    draw_id = record["draw_id"]
    imports = _tasks_csv(tmp_path / "in")
    before = _snapshot(store)
    commands = [
        ("draw", OTHER_TASK, "--public-value", "1", "--date", DEMO_AS_OF),
        ("draw", OTHER_TASK, "--dry-run"),
        ("redraw", draw_id, "--public-value", "2", "--reason", "试试"),
        ("confirm-draw", draw_id),
        ("revisit-draw", "HF2026-09", "--public-value", "3", "--ratio", "0.5"),
        ("import", imports),
        ("import", imports, "--dry-run"),
        ("user", "add", "newbie", "--role", "unit", "--unit", "KCK", "--password", "Newbie@2026"),
        ("user", "reset", "admin", "--password", "Taken@2026x"),
        ("user", "disable", "admin"),
        ("user", "list"),
        ("init",),
    ]
    for command in commands:
        code, out, err = cli(username, *command)
        assert code == 2, (command, out, err)
        assert out == "" and "无权执行" in err and len(err.strip().splitlines()) == 1, command
        assert _snapshot(store) == before, command
    # every refused command was still a real log-in, audited with its end on the command line
    logouts = store.rows(
        "SELECT detail FROM audit_log WHERE actor = ? AND action = 'auth.logout'", [username]
    )
    assert len(logouts) == len(commands)
    assert all(d.startswith("命令行 ") and d.endswith("无权执行") for (d,) in logouts)
    _assert_no_password(store, cli.outputs)


def test_admin_as_can_draw_and_is_the_audit_actor(cli):
    store = open_store(cli.db)
    before = store.scalar("SELECT count(*) FROM draws")
    # the audit trail must name the account: no other operator with --as
    code, _, err = cli(
        "admin", "draw", OTHER_TASK, "--public-value", "9", "--operator", "王五", "--json"
    )
    assert code == 2 and "--operator" in err
    assert store.scalar("SELECT count(*) FROM draws") == before

    code, out, err = cli(
        "admin", "draw", OTHER_TASK, "--public-value", "9", "--date", DEMO_AS_OF, "--json"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["operator"] == "admin"
    assert store.scalar("SELECT count(*) FROM draws") == before + 1
    actors = store.rows(
        "SELECT DISTINCT actor FROM audit_log WHERE action IN ('draw', 'task_drawn') AND record_key IN (?, ?)",
        [record["draw_id"], OTHER_TASK],
    )
    assert actors == [("admin",)]
    assert store.scalar("SELECT actor FROM audit_log WHERE action = 'draw'") != "命令行"

    code, out, err = cli("admin", "confirm-draw", record["draw_id"])
    assert code == 0, err
    assert (
        store.scalar(
            "SELECT confirmed_by FROM draw_confirmations WHERE draw_id = ?", [record["draw_id"]]
        )
        == "admin"
    )

    login, logout = store.rows(
        "SELECT action, detail FROM audit_log WHERE actor = 'admin' AND action LIKE 'auth.%'"
        " ORDER BY audit_id DESC LIMIT 2"
    )[::-1]
    assert login == ("auth.login", "登录成功")
    assert logout == ("auth.logout", "命令行 confirm-draw 结束")
    _assert_no_password(store, cli.outputs)


def test_user_commands_as_admin_are_audited_under_its_name(cli):
    code, out, err = cli(
        "admin",
        "user",
        "add",
        "kck2",
        "--role",
        "unit",
        "--unit",
        "KCK",
        "--password",
        "Kck2@2026x",
    )
    assert code == 0, err
    assert _last_actor(cli.db, "user.create") == "admin"
    store = open_store(cli.db)
    code, _, err = cli("admin", "user", "disable", "admin")
    assert code == 1 and "不能停用自己" in err  # the account in use is the actor
    assert "Kck2@2026x" not in "\n".join(cli.outputs) + _audit_text(store)


# -- the draw ledger: certificates and verification ---------------------------------------------------


def _kck_and_other_draws(cli, tmp_path) -> tuple[str, str]:
    code, out, err = cli("admin", "import", _tasks_csv(tmp_path / "in"))
    assert code == 0, err
    assert _last_actor(cli.db, "import") == "admin"
    ids = []
    for task, ratio in ((KCK_TASK, ["--ratio", "0.05"]), (OTHER_TASK, [])):
        code, out, err = cli(
            "admin", "draw", task, "--public-value", "2468", "--date", DEMO_AS_OF, *ratio, "--json"
        )
        assert code == 0, err
        ids.append(json.loads(out)["draw_id"])
    return ids[0], ids[1]


def test_draw_certificates_follow_the_scope(cli, tmp_path):
    kck_draw, other_draw = _kck_and_other_draws(cli, tmp_path)
    allowed = {"admin": {kck_draw, other_draw}, "leader": {kck_draw, other_draw}, "kck": {kck_draw}}
    for username in ["admin", "leader", "kck", "chk", "viewer"]:
        for draw_id in (kck_draw, other_draw):
            out_dir = tmp_path / f"cert-{username}-{draw_id}"
            code, out, err = cli(username, "draw-cert", draw_id, "--out", out_dir)
            if draw_id in allowed.get(username, set()):
                assert code == 0, (username, draw_id, err)
                assert (out_dir / f"{draw_id}.json").exists()
            else:
                assert code == 2, (username, draw_id)
                assert "无权查看" in err and len(err.strip().splitlines()) == 1
                assert not out_dir.exists()
            code, out, err = cli(username, "verify", draw_id)
            if draw_id in allowed.get(username, set()):
                assert code == 0 and "一致" in out, (username, draw_id, err)
            else:
                assert code == 2 and "无权查看" in err and out == ""
    code, out, _ = cli("kck", "verify")
    assert code == 0 and "本账号单位的 1 次抽取" in out
    _assert_no_password(open_store(cli.db), cli.outputs)


def test_verify_as_unit_user_details_only_its_draws(cli, tmp_path):
    kck_draw, other_draw = _kck_and_other_draws(cli, tmp_path)
    store = open_store(cli.db)
    with store.transaction() as cur:  # tamper with the other unit's draw
        cur.execute("DROP TRIGGER draw_selections_no_update ON draw_selections")
        cur.execute(
            "UPDATE draw_selections SET inspector_codes = ['X1'] WHERE draw_id = ?", [other_draw]
        )
    code, out, _ = cli("admin", "verify")
    assert code == 1 and other_draw in out
    code, out, _ = cli("kck", "verify")
    assert code == 1
    assert other_draw not in out and "属于其他单位的抽取" in out
    code, out, _ = cli("kck", "verify", kck_draw)
    assert other_draw not in out


# -- log-in: lock-out, prompt, refusals ---------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account(cli):
    store = open_store(cli.db)
    for attempt in range(1, 6):
        code, out, err = cli("kck", "kpi", "--year", 2026, "--json", password=WRONG)
        assert code == 2 and out == ""
        assert err.startswith("登录失败：") and len(err.strip().splitlines()) == 1
        if attempt < 5:
            assert "用户名或密码错误" in err
    assert "已锁定" in err
    assert store.scalar("SELECT locked_until FROM users WHERE username = 'kck'") is not None
    assert (
        store.scalar(
            "SELECT count(*) FROM audit_log WHERE actor = 'kck' AND action = 'auth.lockout'"
        )
        == 1
    )
    # now even the right password is refused, and the refusal is audited
    code, out, err = cli("kck", "kpi", "--year", 2026, "--json")
    assert code == 2 and out == "" and "锁定" in err
    assert (
        store.scalar(
            "SELECT count(*) FROM audit_log WHERE actor = 'kck' AND action = 'auth.locked'"
        )
        == 1
    )
    assert not store.scalar(
        "SELECT count(*) FROM audit_log WHERE actor = 'kck' AND action = 'auth.login'"
    )
    _assert_no_password(store, cli.outputs)


def test_unknown_user_and_prompt(cli, monkeypatch):
    code, out, err = cli("nobody", "kpi", "--year", 2026, password=WRONG)
    assert code == 2 and err.strip() == "登录失败：用户名或密码错误。"

    prompts = []

    def fake_getpass(prompt):
        prompts.append(prompt)
        return PASSWORDS["chk"]

    monkeypatch.delenv("DASHBOARD_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code = main(["--as", "chk", "kpi", "--year", "2026", "--json", "--db", str(cli.db)])
    captured = cli.capsys.readouterr()
    assert code == 0 and json.loads(captured.out)
    assert prompts == ["请输入密码："]
    assert PASSWORDS["chk"] not in captured.out + captured.err


def test_must_change_password_and_demo_are_refused(cli):
    store = open_store(cli.db)
    reset_password(store, "chk", "Reset@2026x", actor="admin")
    code, out, err = cli("chk", "kpi", "--year", 2026, password="Reset@2026x")
    assert code == 2 and out == "" and "请先登录驾驶舱修改密码" in err
    code, out, err = cli("admin", "demo", "--force")
    assert code == 2 and "请不带 --as 运行" in err
    assert store.scalar("SELECT count(*) FROM users") == 5  # not rebuilt
    assert "Reset@2026x" not in "\n".join(cli.outputs) + _audit_text(store)


def test_missing_store_is_not_created(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_PASSWORD", PASSWORDS["admin"])
    path = tmp_path / "nothing.duckdb"
    code = main(["--as", "admin", "kpi", "--year", "2026", "--db", str(path)])
    assert code == 2 and "不存在" in capsys.readouterr().err
    assert not path.exists()
