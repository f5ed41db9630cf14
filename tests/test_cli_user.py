"""`dashboard user …`: exit codes, messages, and that passwords never reach output or the audit log."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dashboard import auth
from dashboard.auth import passwords
from dashboard.cli import main
from dashboard.store import close_store, open_store

PW = "Strong2026pw"


@pytest.fixture(autouse=True)
def cheap_hasher():
    old = passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    passwords.set_hasher(old)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.duckdb"
    store = open_store(path)
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false),"
            " ('CHK', '测绘地理信息股', '股室', false), ('DHK', '地质环境股', '股室', false)"
        )
    yield path
    close_store(path)


def run(db, *argv) -> int:
    return main(["user", *argv, "--db", str(db)])


def audit_text(db) -> str:
    rows = open_store(db).rows(
        "SELECT concat_ws('|', actor, action, table_name, record_key, old_value, new_value, detail)"
        " FROM audit_log"
    )
    return "\n".join(r[0] for r in rows)


def fake_getpass(monkeypatch, *answers):
    queue = list(answers)
    prompts = []

    def _getpass(prompt=""):
        prompts.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr("getpass.getpass", _getpass)
    return prompts


def test_add_admin_with_prompted_password(db, monkeypatch, capsys):
    prompts = fake_getpass(monkeypatch, PW, PW)
    assert run(db, "add", "Boss", "--role", "admin", "--name", "王主任") == 0
    out = capsys.readouterr()
    assert out.out.strip() == "已创建用户 boss（王主任，办公室管理员，可查看全部单位）。"
    assert len(prompts) == 2
    assert PW not in out.out + out.err
    store = open_store(db)
    assert auth.authenticate(store, "boss", PW).role == "admin"
    assert store.scalar("SELECT actor FROM audit_log WHERE action = 'user.create'") == "命令行"
    assert PW not in audit_text(db)


def test_add_unit_user_with_several_units(db, capsys):
    assert (
        run(db, "add", "kck", "--role", "unit", "--unit", "KCK", "--unit", "CHK", "--password", PW)
        == 0
    )
    assert "（kck，单位用户，单位：KCK、CHK）" in capsys.readouterr().out
    user = auth.get_user(open_store(db), "kck")
    assert user.unit_codes == ("KCK", "CHK")
    assert run(db, "add", "ro", "--role", "readonly", "--unit", "DHK", "CHK", "--password", PW) == 0
    assert auth.get_user(open_store(db), "ro").unit_codes == ("DHK", "CHK")
    assert PW not in audit_text(db)


def test_add_unit_user_needs_an_existing_unit(db, monkeypatch, capsys):
    prompts = fake_getpass(monkeypatch, PW, PW)
    assert run(db, "add", "kck", "--role", "unit") == 1
    assert "单位用户账号至少要指定一个所属单位" in capsys.readouterr().err
    assert run(db, "add", "kck", "--role", "unit", "--unit", "NOPE") == 1
    assert "单位编码“NOPE”不存在" in capsys.readouterr().err
    assert prompts == []  # refused before asking for a password
    assert open_store(db).scalar("SELECT count(*) FROM users") == 0


def test_add_refusals(db, monkeypatch, capsys):
    assert run(db, "add", "kck", "--role", "unit", "--unit", "KCK", "--password", "short1") == 1
    err = capsys.readouterr().err
    assert "密码至少需要 8 位" in err and "short1" not in err
    fake_getpass(monkeypatch, PW, PW + "x")
    assert run(db, "add", "kck", "--role", "unit", "--unit", "KCK") == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert run(db, "add", "kck", "--role", "unit", "--unit", "KCK", "--password", PW) == 0
    assert run(db, "add", "KCK", "--role", "unit", "--unit", "CHK", "--password", PW) == 1
    assert "用户名“kck”已存在" in capsys.readouterr().err
    assert open_store(db).scalar("SELECT count(*) FROM users") == 1


def test_bad_role_is_a_usage_error(db, capsys):
    with pytest.raises(SystemExit) as exc:
        run(db, "add", "x1", "--role", "boss", "--password", PW)
    assert exc.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_reset_unlocks_and_forces_change(db, monkeypatch, capsys):
    assert run(db, "add", "kck", "--role", "unit", "--unit", "KCK", "--password", PW) == 0
    store = open_store(db)
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "kck", "Wrong2026")
    assert store.scalar("SELECT locked_until FROM users") is not None
    capsys.readouterr()
    fake_getpass(monkeypatch, "Fresh2026", "Fresh2026")
    assert run(db, "reset", "KCK") == 0
    out = capsys.readouterr()
    assert "已重置用户 kck 的密码并解除锁定" in out.out
    assert "Fresh2026" not in out.out + out.err
    user = auth.authenticate(store, "kck", "Fresh2026")
    assert user.must_change_password
    text = audit_text(db)
    assert "Fresh2026" not in text and PW not in text and "Wrong2026" not in text


def test_reset_unknown_user(db, monkeypatch, capsys):
    prompts = fake_getpass(monkeypatch, PW, PW)
    assert run(db, "reset", "ghost") == 1
    assert "用户“ghost”不存在" in capsys.readouterr().err
    assert prompts == []


def test_disable_enable_and_list(db, capsys):
    assert run(db, "add", "boss", "--role", "admin", "--password", PW) == 0
    assert (
        run(
            db,
            "add",
            "kck",
            "--role",
            "unit",
            "--unit",
            "KCK",
            "--name",
            "矿管股",
            "--password",
            PW,
        )
        == 0
    )
    assert run(db, "disable", "boss") == 1
    assert "最后一个有效的管理员" in capsys.readouterr().err
    assert run(db, "disable", "kck") == 0
    assert capsys.readouterr().out.strip() == "已停用用户 kck。"
    with pytest.raises(auth.AuthError, match="已停用"):
        auth.authenticate(open_store(db), "kck", PW)
    assert run(db, "disable", "nobody") == 1
    assert "用户“nobody”不存在" in capsys.readouterr().err
    assert run(db, "list") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        "用户名\t显示名\t角色\t所属单位\t状态",
        "boss\tboss\t办公室管理员\t全部\t有效",
        "kck\t矿管股\t单位用户\tKCK\t已停用",
    ]
    assert run(db, "enable", "kck") == 0
    assert run(db, "list") == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "kck\t矿管股\t单位用户\tKCK\t有效"
    assert PW not in audit_text(db)


def test_list_shows_lock(db, capsys):
    assert run(db, "add", "kck", "--role", "unit", "--unit", "KCK", "--password", PW) == 0
    store = open_store(db)
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "kck", "Wrong2026")
    capsys.readouterr()
    assert run(db, "list") == 0
    assert "\t锁定至 " in capsys.readouterr().out


def test_list_empty(db, capsys):
    assert run(db, "list") == 0
    assert "尚无用户" in capsys.readouterr().out


def test_user_without_action_prints_help(db, capsys):
    assert main(["user"]) == 2
    assert "add" in capsys.readouterr().err
