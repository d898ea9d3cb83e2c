"""Catalogue imports in the database (issue 19): catalogue_import keeps an import's progress and outcome, so any
process of `aixin serve --workers N` answers for it, whichever one writes it.

After the table, SQL for each engine: one running import per shop, across processes (a unique index on the shop of
the running ones, partial: both engines have them).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue_import: a background catalogue import's progress, read by any server process"


# The tables this migration's foreign keys point to, as Piccolo's migrations name them.
class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table], **given) -> dict:
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   **given)


TABLES = {
    ("CatalogueImport", "catalogue_import"): (
        ("shop", ForeignKey, _references(Shop, index=True)),
        ("staff", ForeignKey, _references(Staff, null=True)),
        ("status", Varchar, _params(length=16, default="running")),
        ("total", Integer, _params(default=0)),
        ("done", Integer, _params(default=0)),
        ("summary", Text, _params(default="")),
        ("error_code", Varchar, _params(length=64, default="")),
        ("error_params", Text, _params(default="")),
        ("started_at", Timestamptz, _params(default=TimestamptzNow())),
        ("beat_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
}

SQL = ["CREATE UNIQUE INDEX catalogue_import_running ON catalogue_import (shop) WHERE status = 'running'"]


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables (piccolo-orm/piccolo#541); this SQL needs the tables,
    so it runs after them, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQL:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="inventory", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class_name=column_class.__name__,
                               column_class=column_class, params=params, schema=None)
    return manager
