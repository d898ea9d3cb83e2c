"""Two people for every move of points between members: a points gift's status and who decided it, and the
reversals waiting for a second coordinator (written by hand, additive: new columns with defaults and a new table;
their indexes follow in the next migration, as Piccolo runs raw SQL before a migration's tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "points gifts pending a second coordinator; points reversals pending a second coordinator"


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None,
                db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None,
                db_column_name="id", secret=False)


class ServiceRecord(Table, tablename="service_record", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None,
                db_column_name="id", secret=False)


class PointsGift(Table, tablename="points_gift", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree, choices=None,
                db_column_name="id", secret=False)


def _plain(default, *, null: bool, length: int | None = None, index: bool = False) -> dict:
    params = {"default": default, "null": null, "primary_key": False, "unique": False, "index": index,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    if length is not None:
        params["length"] = length
    return params


def _reference(table: type[Table], *, null: bool, index: bool = False) -> dict:
    return {"references": table, "on_delete": OnDelete.restrict, "on_update": OnUpdate.cascade, "target_column": None,
            "null": null, "primary_key": False, "unique": False, "index": index, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False}


GIFT_COLUMNS = (
    ("status", Varchar, _plain("approved", null=False, length=10)),
    ("decided_by", ForeignKey, _reference(Staff, null=True)),
    ("decided_at", Timestamptz, _plain(None, null=True)),
)

REVERSAL_COLUMNS = (
    ("shop", ForeignKey, _reference(Shop, null=False)),
    ("service", ForeignKey, _reference(ServiceRecord, null=True, index=True)),
    ("gift", ForeignKey, _reference(PointsGift, null=True, index=True)),
    ("reason", Varchar, _plain("", null=False, length=200)),
    ("status", Varchar, _plain("pending", null=False, length=10)),
    ("entered_by", ForeignKey, _reference(Staff, null=False)),
    ("entered_at", Timestamptz, _plain(TimestamptzNow(), null=False)),
    ("decided_by", ForeignKey, _reference(Staff, null=True)),
    ("decided_at", Timestamptz, _plain(None, null=True)),
    ("decision_reason", Varchar, _plain("", null=False, length=200)),
    ("ledger_txn", Integer, _plain(None, null=True)),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="donations", description=DESCRIPTION)
    for name, column_class, params in GIFT_COLUMNS:
        manager.add_column(table_class_name="PointsGift", tablename="points_gift", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    manager.add_table(class_name="PointsReversal", tablename="points_reversal", schema=None, columns=None)
    for name, column_class, params in REVERSAL_COLUMNS:
        manager.add_column(table_class_name="PointsReversal", tablename="points_reversal", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
