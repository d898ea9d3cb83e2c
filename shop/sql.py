"""The SQL dialect: every difference between SQLite and PostgreSQL that an operation's statements meet.

Piccolo holds the tables, the migrations and simple queries. The operations' statements are SQL, written
once for both engines with $1, $2 … placeholders (run() in shop/database.py reads them as ?1, ?2 … on SQLite);
where the engines differ — row locks, advisory locks, ILIKE, casts, a bulk insert — the statement asks here.

On SQLite a writing transaction is IMMEDIATE and holds the whole database (shop.database.writing), so the
locks PostgreSQL needs row by row are nothing there: each lock below is "" or does nothing on SQLite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.table import Table

from shop.database import run


def _postgres(db: Engine) -> bool:
    return db.engine_type == "postgres"


def dialect(db: Engine) -> str:
    """"sqlite" or "postgres": for what is named per engine (the books' triggers, written per engine in the
    migrations). A statement that differs asks one of the functions below instead."""
    return "postgres" if _postgres(db) else "sqlite"


def locks_rows(db: Engine) -> bool:
    """Whether a writer must lock the rows it reads (PostgreSQL); SQLite's writer has the database to itself."""
    return _postgres(db)


def _row_lock(db: Engine, strength: str, of: str) -> str:
    if not locks_rows(db):
        return ""
    return f" FOR {strength}" + (f" OF {of}" if of else "")


def for_update(db: Engine, of: str = "") -> str:
    """The end of a SELECT that locks its rows until the transaction ends: " FOR UPDATE [OF of]", or ""."""
    return _row_lock(db, "UPDATE", of)


def for_no_key_update(db: Engine, of: str = "") -> str:
    """" FOR NO KEY UPDATE [OF of]", or "": a write lock that lets rows referencing these ones be written."""
    return _row_lock(db, "NO KEY UPDATE", of)


def for_share(db: Engine, of: str = "") -> str:
    """" FOR SHARE [OF of]", or "": others may read and share, nobody may change the rows."""
    return _row_lock(db, "SHARE", of)


async def advisory_lock(db: Engine, key: str) -> None:
    """Inside a write transaction: wait until no other transaction holds `key`, and hold it until this one ends
    (PostgreSQL's transaction-level advisory lock on the key's hash). Nothing on SQLite."""
    if _postgres(db):
        await run(db, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)


async def try_advisory_lock(db: Engine, key: str) -> bool:
    """advisory_lock() without the wait: False when another transaction holds `key`. Always True on SQLite."""
    if not _postgres(db):
        return True
    rows = await run(db, "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS mine", key)
    return bool(rows[0]["mine"])


def ilike(db: Engine, column: str, pattern: str) -> str:
    """`column` matches the LIKE `pattern` (a placeholder), ignoring case: SQLite's LIKE already ignores the case
    of Latin letters, PostgreSQL needs ILIKE. The escape character is \\ on both (SQLite has no default one)."""
    return f"{column} {'ILIKE' if _postgres(db) else 'LIKE'} {pattern} ESCAPE '\\'"


def placeholders(start: int, count: int) -> str:
    """"$start, $start+1, …", `count` of them: the list inside IN (…) or VALUES (…)."""
    return ", ".join(f"${n}" for n in range(start, start + count))


def as_it_was(table: str, owner: str, columns: str, owners: str) -> str:
    """SQL of what a table of changes (each row holding the values before it: price_change, category_rule_change,
    maker_terms_change) says each owner's values were at the moment $1: the old values of its first change after
    $1, with the owner. An owner with no change since has its values of now, and is not in the answer. `owners`
    is an IN list or a subquery (its parameters from $2); `columns` the old values' columns, "c." before each."""
    return f"""
        SELECT c.{owner}, {columns} FROM {table} c
        WHERE c.{owner} IN ({owners}) AND c.created_at > $1
          AND NOT EXISTS (SELECT 1 FROM {table} q WHERE q.{owner} = c.{owner} AND q.created_at > $1 AND q.id < c.id)"""


def typed(db: Engine, expression: str, sql_type: str) -> str:
    """`expression` (usually a placeholder) as `sql_type`: PostgreSQL must know a parameter's type inside VALUES
    or CASE, where nothing else says it; SQLite takes the value as it comes."""
    return f"CAST({expression} AS {sql_type})" if _postgres(db) else expression


def hour_date(db: Engine, hour: str, minutes: int) -> str:
    """The date of `hour`, a UTC hour as text (YYYY-MM-DD HH, as the reports' summaries key them), `minutes` later:
    text YYYY-MM-DD on SQLite, a DATE on PostgreSQL (str() of it reads the same)."""
    if _postgres(db):
        return f"CAST(CAST({hour} || ':00' AS TIMESTAMP) + INTERVAL '{int(minutes)} minutes' AS DATE)"
    return f"date({hour} || ':00', '{int(minutes):+d} minutes')"


def big_integer(db: Engine) -> str:
    """The SQL type a product of fen is computed in without overflow (SQLite's INTEGER is 64-bit already)."""
    return "BIGINT" if _postgres(db) else "INTEGER"


async def refresh_statistics(db: Engine, *tables: str) -> None:
    """After many rows were added at once: PostgreSQL's planner statistics of these tables, at once (its
    autovacuum would take a while). SQLite plans without them: nothing."""
    if _postgres(db):
        await run(db, "ANALYZE " + ", ".join(tables))


_TRIGGERS = {
    "sqlite": "SELECT tbl_name AS tbl, name, 'O' AS enabled, sql AS body FROM sqlite_master WHERE type = 'trigger'",
    # a trigger fires when enabled as O (origin) or A (always); D is disabled, R fires only on a replica
    "postgres": """
        SELECT c.relname AS tbl, t.tgname AS name, t.tgenabled::text AS enabled, p.prosrc AS body
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND n.nspname = current_schema()""",
}
_REFUSES = {"sqlite": "RAISE(ABORT", "postgres": "RAISE EXCEPTION"}


async def triggers(db: Engine) -> list[dict[str, Any]]:
    """Every trigger of the database's own tables: tbl, name, enabled ("O" or "A" when it fires) and body."""
    return await run(db, _TRIGGERS[dialect(db)])


def refuses(db: Engine, body: str) -> bool:
    """Whether a trigger's body raises an error (refuses the statement that fired it)."""
    return _REFUSES[dialect(db)] in body


async def insert_rows(table: type[Table], rows: Sequence[Mapping[str, Any]], *, returning: str = "") -> list[dict]:
    """INSERT rows (dicts of column → value, all with the same keys) in one statement, past Piccolo's query
    builder; `returning` names columns ("id", "id, barcode") to get back, one row per row inserted (in no
    promised order)."""
    if not rows:
        return []
    columns = list(rows[0])
    values, args = [], []
    for row in rows:
        values.append(f"({placeholders(len(args) + 1, len(columns))})")
        args.extend(row[column] for column in columns)
    back = ", ".join(f'"{name.strip()}"' for name in returning.split(",")) if returning else ""
    statement = (f'INSERT INTO "{table._meta.tablename}" (' + ", ".join(f'"{c}"' for c in columns) + ") VALUES "
                 + ", ".join(values) + (f" RETURNING {back}" if back else ""))
    return await run(table._meta.db, statement, *args)
