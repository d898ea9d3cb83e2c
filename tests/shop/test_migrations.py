"""The migrations build the tables the code declares: every table class of every app, with its columns, and nothing
else. `db` is a database migrated from empty by tests/conftest.py (shop.database.migrate), on each engine.

bench/schema_compare.py compares the whole schema (indexes, triggers, functions) two trees of the code make."""

from __future__ import annotations

from piccolo.apps.migrations.tables import Migration
from piccolo.columns import Serial
from piccolo.conf.apps import Finder

from shop import sql
from shop.database import migrate, run

# Made by pos's migrations in SQL, not by table classes: the reports' hourly summaries and their outbox.
SUMMARIES = {"report_line_hour", "report_sale_hour", "report_line_outbox", "report_sale_outbox"}

_COLUMNS = {
    "sqlite": """
        SELECT m.name AS tbl, c.name AS col, c."notnull" AS not_null, c.type AS type
        FROM sqlite_master m JOIN pragma_table_info(m.name) c
        WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'""",
    "postgres": """
        SELECT c.relname AS tbl, a.attname AS col, a.attnotnull AS not_null,
               format_type(a.atttypid, a.atttypmod) AS type
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped""",
}
# PostgreSQL's names for the types Piccolo declares
_POSTGRES_TYPES = {"character varying": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "boolean": "BOOLEAN",
                   "timestamp with time zone": "TIMESTAMPTZ", "timestamp without time zone": "TIMESTAMP",
                   "date": "DATE", "bytea": "BYTEA", "json": "JSON"}


def _type(declared: str) -> str:
    name, _, size = declared.partition("(")
    return _POSTGRES_TYPES.get(name, name).upper() + (f"({size}" if size else "")


def _declared() -> dict[str, dict[str, tuple[bool, str]]]:
    """Each table class's table: its columns, whether each may be NULL, and its SQL type on the bound engine."""
    return {
        table._meta.tablename: {
            column._meta.db_column_name: (column._meta.null,
                                          "INTEGER" if isinstance(column, Serial) else column.column_type.upper())
            for column in table._meta.columns
        }
        for table in [*Finder().get_table_classes(), Migration]
    }


async def test_every_table_class_has_its_table_with_its_columns_and_nothing_else(db):
    # given a database migrated from empty
    rows = await run(db, _COLUMNS[sql.dialect(db)])
    # when its tables and columns are read
    made: dict[str, dict[str, tuple[bool, str]]] = {}
    for row in rows:
        made.setdefault(row["tbl"], {})[row["col"]] = (not row["not_null"], _type(row["type"]))
    # then they are the table classes' own, and the summaries pos's SQL makes
    assert set(made) - SUMMARIES == set(_declared())
    assert {table: made[table] for table in _declared()} == _declared()


async def test_a_migrated_database_has_no_migration_left_to_run(db):
    # given a database migrated from empty / when it is migrated again / then nothing runs
    assert await migrate(db) == []
    ran = await Migration.select(Migration.app_name).run()
    assert sorted({row["app_name"] for row in ran}) == ["donations", "inventory", "lovebank", "pos", "printing", "shop"]
