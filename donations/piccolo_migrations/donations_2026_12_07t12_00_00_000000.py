"""Issue 20: intake shifts. intake_shift keeps each intake volunteer's shift at the desk, opened and closed by them;
at most one open shift per person (a partial unique index, on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "intake_shift: an intake volunteer's shift at the desk, one open per person"


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


COLUMNS = (
    ("shop", ForeignKey, _references(Shop)),
    ("staff", ForeignKey, _references(Staff, index=True)),
    ("opened_at", Timestamptz, _params(default=TimestamptzNow())),
    ("closed_at", Timestamptz, _params(default=None, null=True)),
    ("closed_by", ForeignKey, _references(Staff, null=True)),
)

TABLE = "intake_shift"
INDEX = f"CREATE UNIQUE INDEX {TABLE}_open ON {TABLE} (staff) WHERE closed_at IS NULL"


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables (piccolo-orm/piccolo#541); the index needs the table,
    so it is made after it, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                await engine.run_ddl(INDEX)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="donations", description=DESCRIPTION)
    manager.add_table(class_name="IntakeShift", tablename=TABLE, schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="IntakeShift", tablename=TABLE, column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params,
                           schema=None)
    return manager
