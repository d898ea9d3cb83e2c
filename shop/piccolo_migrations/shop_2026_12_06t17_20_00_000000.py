"""The ledger's seals (shop/seal.py): each committed ledger transaction's hash, chained to the one sealed before it
in its shop. Written by hand: additive, the same on SQLite and PostgreSQL; its indexes and triggers follow in the
next migration, as Piccolo runs raw SQL before a migration's tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger_seal: each ledger transaction's hash, chained per shop"


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class LedgerTxn(Table, tablename="ledger_txn", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _reference(table: type[Table], **given):
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   default=None, **given)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    manager.add_table(class_name="LedgerSeal", tablename="ledger_seal", schema=None, columns=None)
    for name, column_class, params in (
        ("shop", ForeignKey, _reference(Shop)),
        ("txn", ForeignKey, _reference(LedgerTxn, unique=True)),
        ("prev_hash", Varchar, _params(length=64, default="")),
        ("hash", Varchar, _params(length=64, default="")),
        ("sealed_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(table_class_name="LedgerSeal", tablename="ledger_seal", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
