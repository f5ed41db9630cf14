"""Security and limits of the SQL console: every attack refused or cut, the store unchanged."""

from __future__ import annotations

import time

import pytest
from test_analysis_support import load_fixture, scope_for, store_checksum

from dashboard.analysis.console import ConsoleError, SqlConsole, check_sql
from dashboard.analysis.views import analysis_views
from dashboard.store import open_store


@pytest.fixture(scope="module")
def loaded():
    store = open_store(":memory:")
    load_fixture(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def console(loaded):
    c = SqlConsole(analysis_views(loaded, scope_for()), row_cap=1000, time_limit_ms=1000)
    yield c
    c.close()


# (attack, words the refusal must contain)
ATTACKS = [
    ("COPY v_units TO '/tmp/analysis_leak.csv'", "COPY"),
    ("COPY (SELECT * FROM v_inspections) TO '/tmp/analysis_leak.parquet' (FORMAT parquet)", "COPY"),
    ("ATTACH '/tmp/analysis_other.duckdb' AS other", "ATTACH"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "read_csv_auto"),
    ("SELECT * FROM read_text('/etc/passwd')", "read_text"),
    ("SELECT * FROM read_blob('/etc/passwd')", "read_blob"),
    ("SELECT * FROM read_parquet('/tmp/x.parquet')", "read_parquet"),
    ("SELECT * FROM glob('/etc/*')", "glob"),
    ("SELECT * FROM sniff_csv('/etc/passwd')", "sniff_csv"),
    ("SELECT * FROM \"read_csv\"('/etc/passwd')", "read_csv"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("SET threads = 1", "SET"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "SET"),
    ("PRAGMA database_list", "PRAGMA"),
    ("CREATE TABLE evil AS SELECT 1", "CREATE"),
    ("CREATE MACRO evil(x) AS x", "CREATE"),
    ("DELETE FROM v_inspections", "DELETE"),
    ("UPDATE v_units SET unit_name = 'x'", "UPDATE"),
    ("INSERT INTO v_units VALUES ('X', 'x', '股室', false)", "INSERT"),
    ("DROP TABLE v_units", "DROP"),
    ("WITH x AS (SELECT 1) DELETE FROM v_units", "DELETE"),
    ("SELECT 1; DELETE FROM v_units", "一次只能执行一条"),
    ("SELECT 1; SELECT 2", "一次只能执行一条"),
    ("EXPORT DATABASE '/tmp/analysis_export'", "EXPORT"),
    ("CALL pragma_version()", "CALL"),
    ("CHECKPOINT", "CALL"),
    ("BEGIN TRANSACTION", "BEGIN"),
    ("DETACH memory", "DETACH"),
    ("", "请输入"),
]


@pytest.mark.parametrize(("sql", "words"), ATTACKS)
def test_attack_is_refused_with_clear_message_and_store_unchanged(loaded, console, sql, words):
    before = store_checksum(loaded)
    with pytest.raises(ConsoleError) as info:
        console.run(sql)
    message = str(info.value)
    assert words in message
    assert "查询台" in message or "一次只能" in message or "请输入" in message
    assert "\n" not in message
    assert store_checksum(loaded) == before
    # the console itself still answers and its views are intact
    assert len(console.run("SELECT * FROM v_inspections").df) == 5


def test_file_access_is_blocked_by_duckdb_too(console):
    """Even past the name guard (through query()), DuckDB's own external-access lock refuses."""
    with pytest.raises(ConsoleError, match="不能读取或写入文件"):
        console.run("SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')")
    with pytest.raises(ConsoleError, match="不能读取或写入文件"):
        console.run("SELECT * FROM '/etc/passwd.csv'")


def test_configuration_is_locked(console):
    locked = console.run(
        "SELECT name, value FROM duckdb_settings() WHERE name IN"
        " ('lock_configuration', 'enable_external_access', 'allowed_directories',"
        " 'max_execution_time', 'python_enable_replacements', 'temp_directory')"
    ).df
    values = dict(zip(locked["name"], locked["value"], strict=True))
    assert values == {
        "lock_configuration": "true",
        "enable_external_access": "false",
        "allowed_directories": "[]",
        "max_execution_time": "1000",
        "python_enable_replacements": "false",
        "temp_directory": "",
    }


def test_console_cannot_see_the_store(loaded, console):
    names = set(console.run("SELECT table_name FROM duckdb_tables()").df["table_name"])
    assert names == {
        "v_inspections",
        "v_followups",
        "v_draws",
        "v_entities",
        "v_tasks",
        "v_units",
        "v_inspectors",
        "v_items",
        "v_trainings",
        "v_publicity",
        "v_liaisons",
        "v_submissions",
        "v_supervisions",
        "v_scope",
    }
    for table in ("users", "audit_log", "saved_queries", "inspections", "trainings"):
        with pytest.raises(ConsoleError, match="不存在"):
            console.run(f"SELECT * FROM {table}")


def test_forever_query_is_cut_by_the_time_limit(loaded, console):
    before = store_checksum(loaded)
    started = time.monotonic()
    with pytest.raises(ConsoleError, match="超过 1 秒的时间限制"):
        console.run("SELECT count(*) FROM range(100000000000) AS a, range(1000) AS b")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    # a query that streams no rows for ever is cut while fetching
    started = time.monotonic()
    with pytest.raises(ConsoleError, match="时间限制"):
        console.run("SELECT i FROM range(10000000000000) AS t(i) WHERE hash(i) % 1000000000000 = 7")
    assert time.monotonic() - started < 2.0
    assert store_checksum(loaded) == before


def test_millions_of_rows_are_cut_at_the_cap(loaded, console):
    before = store_checksum(loaded)
    started = time.monotonic()
    result = console.run("SELECT i, i * 2 AS j FROM range(5000000) AS t(i)")
    assert time.monotonic() - started < 2.0
    assert result.truncated
    assert len(result.df) == 1000
    assert list(result.df["i"][:3]) == [0, 1, 2]
    assert "结果已截断" in result.message and "1000" in result.message
    assert store_checksum(loaded) == before


def test_result_at_the_cap_is_not_called_truncated(console):
    result = console.run("SELECT * FROM range(1000)")
    assert len(result.df) == 1000 and not result.truncated
    assert "结果已截断" not in result.message


def test_select_forms_that_are_allowed(console):
    assert console.run("SELECT count(*) AS n FROM v_inspections").df["n"][0] == 5
    assert console.run("FROM v_units ORDER BY unit_code").df["unit_code"].tolist() == [
        "CHK",
        "DHK",
        "KCK",
        "SJJ",
    ]
    assert len(console.run("WITH x AS (SELECT * FROM v_tasks) SELECT * FROM x;").df) == 3
    assert len(console.run("DESCRIBE v_units").df) == 4
    assert console.run("SELECT 1 AS a WHERE false").df.columns.tolist() == ["a"]


def test_errors_are_one_chinese_sentence(console):
    with pytest.raises(ConsoleError, match="语法错误"):
        console.run("SELEC * FROM v_units")
    with pytest.raises(ConsoleError, match="不存在的表"):
        console.run("SELECT * FROM nope")
    with pytest.raises(ConsoleError, match="列名或类型有误"):
        console.run("SELECT nope FROM v_units")


def test_check_sql_ignores_names_inside_literals_and_comments():
    assert check_sql("SELECT 'read_csv(x)' AS t -- glob(y)\n")
    with pytest.raises(ConsoleError):
        check_sql("SELECT * FROM read_json('x')")
