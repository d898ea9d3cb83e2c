"""Issue 18: sales made at a till while the server was out of reach (pos/offline.py), as they arrive.

offline_sale keeps each one whole: sold (the sale it became), or held for a manager until settled or written off.
Its key is unique per shop (idempotency: the same journal sent twice makes one sale) and its number per till; it is
never deleted (a trigger on each engine refuses DELETE): a held sale is cash the till took, settled or written off,
never dropped.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "offline sales: sold or held for a manager, each once"


class Sale(Table, tablename="sale", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Till(Table, tablename="till", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class TillSession(Table, tablename="till_session", schema=None):
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
    ("till", ForeignKey, _references(Till)),
    ("cashier", ForeignKey, _references(Staff)),
    ("offline_number", Varchar, _params(length=24, default="")),
    ("idempotency_key", Varchar, _params(length=64, default="")),
    ("request_digest", Varchar, _params(length=64, default="")),
    ("made_at", Timestamptz, _params(default=TimestamptzNow())),
    ("received_at", Timestamptz, _params(default=TimestamptzNow())),
    ("lines", JSON, _params(default="{}")),
    ("total_fen", Integer, _params(default=0)),
    ("cash_given_fen", Integer, _params(default=0)),
    ("session", ForeignKey, _references(TillSession, null=True)),
    ("sale", ForeignKey, _references(Sale, null=True)),
    ("status", Varchar, _params(length=16, default="")),
    ("reason", Varchar, _params(length=32, default="")),
    ("detail", Varchar, _params(length=200, default="")),
    ("decided_by", ForeignKey, _references(Staff, null=True)),
    ("decided_at", Timestamptz, _params(default=None, null=True)),
    ("note", Varchar, _params(length=200, default="")),
)

INDEXES = [
    "CREATE UNIQUE INDEX offline_sale_shop_idempotency_key ON offline_sale (shop, idempotency_key)",
    "CREATE UNIQUE INDEX offline_sale_shop_till_number ON offline_sale (shop, till, offline_number)",
    "CREATE INDEX offline_sale_session ON offline_sale (session)",
    "CREATE INDEX offline_sale_shop_status ON offline_sale (shop, status)",
]
SQLITE = [*INDEXES, "CREATE TRIGGER offline_sale_no_delete BEFORE DELETE ON offline_sale "
                    "BEGIN SELECT RAISE(ABORT, 'offline_sale is kept: DELETE refused'); END"]
POSTGRES = [*INDEXES, "CREATE TRIGGER offline_sale_no_delete BEFORE DELETE ON offline_sale FOR EACH ROW "
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
    manager.add_table(class_name="OfflineSale", tablename="offline_sale", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="OfflineSale", tablename="offline_sale", column_name=name,
                           db_column_name=params["db_column_name"] or name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params, schema=None)
    return manager
