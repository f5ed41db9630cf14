"""The province demo's bulk tables in DuckDB SQL (issue 17): ≈ 8 M entities, ≈ 2 M inspections a year.

The pure-Python generator needs minutes and gigabytes per million entities, so `--scale province`
generates one city-sized base with it (the `large` demo: ≈ 100,000 entities, grades of the last 12
months only, as `xlarge`) and then, in SQL, adds `PROVINCE_COPIES − 1` more counties: every entity of
the base is copied once per county k = 1 … 79 under a new administrative division code, with its grade
history, its inspections and its follow-ups. So every invariant the metrics rely on holds in each
copy exactly as in the base (an inspection lies in its task's window and follows its entity's
registration, a follow-up belongs to an inspection with a finding, deadlines and grades agree, the
share of high-risk entities inspected is the base's), and a copy differs from its base only in:

- the entity code: positions 3–8 of a USCC (the registering authority's division code) become the
  county's code `13 02 kk` (kk = 01 … 79; the base's codes are 1301xx), and the check character is
  moved by the same amount, so a code that passes the GB 32100 check still does and a planted wrong
  check stays wrong; positions 2–7 of a mining / exploration licence number likewise. Codes of other
  kinds (the few legacy 15-digit 注册号 and the planted malformed codes) stay in the base only;
- the name: the base's name followed by （k）.

Tasks, plans, inspectors, units and the work registers are the base's: the province's tasks are
80 times larger. The planted problems of the manifest are the base's (county 0). Deterministic: the
same base and the same SQL give the same store.
"""

from __future__ import annotations

from dashboard.domain.uscc import CHARSET, WEIGHTS

PROVINCE_COPIES = 80  # the base and 79 copies: 99,263 × 80 ≈ 7.9 M entities
USCC_PATTERN = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
LICENCE_PATTERN = "[CT][0-9]{22}"


def _check_shift_sql(old: str, region: str) -> str:
    """SQL: Σ weight × (new digit − old digit) over USCC positions 3–8 (the division code)."""
    return " + ".join(
        f"{WEIGHTS[2 + j]} * (CAST(substr({region}, {j + 1}, 1) AS INTEGER)"
        f" - CAST(substr({old}, {3 + j}, 1) AS INTEGER))"
        for j in range(6)
    )


def entity_map_sql(copies: int) -> str:
    """SQL creating TABLE bulk_emap(old_code, k, new_code): one row per base entity and copy (a table,
    not a TEMP one: each transaction of `multiply` is a cursor of its own)."""
    shift = _check_shift_sql("old_code", "region")
    return f"""
    CREATE OR REPLACE TABLE bulk_emap AS
    WITH copies AS (
        SELECT range AS k, '1302' || lpad(CAST(range AS VARCHAR), 2, '0') AS region
        FROM range(1, {int(copies)})
    ),
    src AS (
        SELECT e.entity_code AS old_code, c.k, c.region,
               CASE WHEN regexp_full_match(e.entity_code, '{USCC_PATTERN}') THEN 'uscc'
                    WHEN regexp_full_match(e.entity_code, '{LICENCE_PATTERN}') THEN 'licence'
               END AS kind
        FROM entities AS e CROSS JOIN copies AS c
    ),
    coded AS (
        SELECT old_code, k,
               CASE kind
                 WHEN 'licence' THEN left(old_code, 1) || region || substr(old_code, 8)
                 WHEN 'uscc' THEN left(old_code, 2) || region || substr(old_code, 9, 9)
                     || substr('{CHARSET}',
                               1 + (((strpos('{CHARSET}', substr(old_code, 18, 1)) - 1
                                      - ({shift})) % 31 + 31) % 31),
                               1)
               END AS new_code
        FROM src
        WHERE kind IS NOT NULL
    )
    SELECT old_code, k, new_code FROM coded
    WHERE new_code NOT IN (SELECT entity_code FROM entities)
    QUALIFY count(*) OVER (PARTITION BY new_code) = 1
    """


def _columns(cur, table: str) -> list[str]:
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
        " ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _copy_sql(cur, table: str, renames: dict[str, str]) -> str:
    """INSERT of every row of `table` joined to bulk_emap's copies $k0 … $k1, with its entity code
    (and `renames`)."""
    cols = _columns(cur, table)
    select = ", ".join(
        renames.get(c, "m.new_code" if c == "entity_code" else f"t.{c}") for c in cols
    )
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table} AS t"
        " JOIN bulk_emap AS m ON m.old_code = t.entity_code AND m.k BETWEEN $k0 AND $k1"
    )


TABLES = ("entities", "risk_grades", "inspections", "followups")


def multiply(
    store, copies: int = PROVINCE_COPIES, progress=None, *, per_transaction: int = 10
) -> dict[str, int]:
    """Add copies 1 … copies−1 of every base entity and its grades, inspections and follow-ups to the
    committed base; `per_transaction` copies are written per transaction (one transaction with
    80 M grade rows does not fit in memory). Returns the rows added per table."""
    report = progress or (lambda f, m: None)
    with store.transaction() as cur:
        cur.execute(entity_map_sql(copies))
    before = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}
    renames = {"entities": {"name": "t.name || '（' || m.k || '）'"}}
    batches = [
        (k0, min(k0 + per_transaction - 1, copies - 1)) for k0 in range(1, copies, per_transaction)
    ]
    for n, (k0, k1) in enumerate(batches):
        report(0.66 + 0.28 * n / len(batches), f"复制第 {k0}–{k1} 个县的检查对象与检查结果（全省）")
        with store.transaction() as cur:
            # the base rows only: a copy's entity code is never a base code (bulk_emap)
            for table in TABLES:
                cur.execute(_copy_sql(cur, table, renames.get(table, {})), {"k0": k0, "k1": k1})
    with store.transaction() as cur:
        cur.execute("DROP TABLE bulk_emap")
    return {t: store.scalar(f"SELECT count(*) FROM {t}") - n for t, n in before.items()}
