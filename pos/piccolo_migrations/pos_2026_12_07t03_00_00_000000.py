"""Issue 18: a sale made offline that the server refused reaches a manager; a renumbered one keeps its first number.

offline_refusal keeps each refused sale whole as the till reported it (pos/offline_refusals.py), once per key (a
unique index on shop and key: the report sent again, or from two tabs, is one row), until a manager settles it with a
note; it is never deleted (a trigger on each engine refuses DELETE). offline_sale.printed_number is the number the
till gave a sale first and printed on the customer's paper, when the server had that number from another sale and
the till renumbered it (null for every sale before it, and for every sale not renumbered).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "offline sales the server refused, reported for a manager; the number a renumbered sale was printed with"


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
    ("till_code", Varchar, _params(length=32, default="")),
    ("cashier", ForeignKey, _references(Staff)),
    ("idempotency_key", Varchar, _params(length=64, default="")),
    ("offline_number", Varchar, _params(length=32, default="")),
    ("made_at", Varchar, _params(length=64, default="")),
    ("body", JSON, _params(default="{}")),
    ("code", Varchar, _params(length=64, default="")),
    ("detail", Varchar, _params(length=500, default="")),
    ("params", JSON, _params(default="{}")),
    ("received_at", Timestamptz, _params(default=TimestamptzNow())),
    ("status", Varchar, _params(length=16, default="")),
    ("decided_by", ForeignKey, _references(Staff, null=True)),
    ("decided_at", Timestamptz, _params(default=None, null=True)),
    ("note", Varchar, _params(length=200, default="")),
)
PRINTED_NUMBER = _params(length=24, default=None, null=True)

INDEXES = [
    "CREATE UNIQUE INDEX offline_refusal_shop_idempotency_key ON offline_refusal (shop, idempotency_key)",
    "CREATE INDEX offline_refusal_shop_status ON offline_refusal (shop, status)",
]
SQLITE = [*INDEXES, "CREATE TRIGGER offline_refusal_no_delete BEFORE DELETE ON offline_refusal "
                    "BEGIN SELECT RAISE(ABORT, 'offline_refusal is kept: DELETE refused'); END"]
POSTGRES = [*INDEXES, "CREATE TRIGGER offline_refusal_no_delete BEFORE DELETE ON offline_refusal FOR EACH ROW "
                      "EXECUTE FUNCTION aixin_refused('is kept')"]


class TableThenSQL(MigrationManager):
    """Piccolo runs add_raw() before its tables (piccolo-orm/piccolo#541): this SQL needs the table, so it runs
    after it, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TableThenSQL(migration_id=ID, app_name="pos", description=DESCRIPTION)
    manager.add_table(class_name="OfflineRefusal", tablename="offline_refusal", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="OfflineRefusal", tablename="offline_refusal", column_name=name,
                           db_column_name=params["db_column_name"] or name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params, schema=None)
    manager.add_column(table_class_name="OfflineSale", tablename="offline_sale", column_name="printed_number",
                       db_column_name="printed_number", column_class_name="Varchar", column_class=Varchar,
                       params=PRINTED_NUMBER, schema=None)
    return manager
