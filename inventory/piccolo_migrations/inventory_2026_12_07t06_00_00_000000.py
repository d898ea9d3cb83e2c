"""Stock transfers between a district's shops (issue 19): transfer (the document: from, to, status, who and when) and
transfer_line (the sending shop's item and its pieces; once received, the receiving shop's item).

After the tables, SQL for each engine: a transfer's idempotency key unique per sending shop. A transfer is kept, not
append-only (its status moves sent → received or cancelled); what it moved is in stock_movement, which is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "transfer and transfer_line: stock sent from one shop of the district to another"


# The tables this migration's foreign keys point to, as Piccolo's migrations name them.
class Item(Table, tablename="item", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Transfer(Table, tablename="transfer", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table], **given) -> dict:
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   **given)


TABLES = {
    ("Transfer", "transfer"): (
        ("shop", ForeignKey, _references(Shop)),
        ("to_shop", ForeignKey, _references(Shop, index=True)),
        ("status", Varchar, _params(length=16, default="sent")),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("request_digest", Varchar, _params(length=64, default="")),
        ("sent_by", ForeignKey, _references(Staff)),
        ("sent_at", Timestamptz, _params(default=TimestamptzNow())),
        ("closed_by", ForeignKey, _references(Staff, null=True)),
        ("closed_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("TransferLine", "transfer_line"): (
        ("transfer", ForeignKey, _references(Transfer, index=True)),
        ("item", ForeignKey, _references(Item)),
        ("quantity", Integer, _params(default=0)),
        ("received_item", ForeignKey, _references(Item, null=True, index=True)),
    ),
}

SQL = ["CREATE UNIQUE INDEX transfer_shop_idempotency_key ON transfer (shop, idempotency_key)"]


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
