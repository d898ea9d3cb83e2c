"""Issue 21: the staff card. A staff row gets its badge, the code on the card scanned at the till's lock screen (the
cashier switch: the badge, then the person's PIN). An added nullable column, so SQLite's ALTER TABLE can make it; its
uniqueness is an index made after it (SQLite cannot add a UNIQUE column), on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-07T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a staff member's badge: the code on their staff card"

SQL = ["CREATE UNIQUE INDEX staff_badge ON staff (badge)"]


class ColumnThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its columns (piccolo-orm/piccolo#541); the index needs the column,
    so it is made after it, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQL:
                    await engine.run_ddl(statement)


async def forwards():
    manager = ColumnThenSQL(migration_id=ID, app_name="shop", description=DESCRIPTION)
    manager.add_column(table_class_name="Staff", tablename="staff", column_name="badge", db_column_name="badge",
                       column_class_name="Varchar", column_class=Varchar,
                       params={"length": 14, "default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False},
                       schema=None)
    return manager
