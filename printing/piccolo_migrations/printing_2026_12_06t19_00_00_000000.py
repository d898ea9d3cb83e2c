"""Printing, as it stands: the print queue (leased jobs, the start of sending, copies), the printers set up and
the places each prints.

One migration builds it (issue 17: it replaces the chain that grew it, which no shop had run). Tables only: printing
has no SQL of its own, and no foreign key to the shop's other tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the print queue, the printers and their places"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Printer(Table, tablename="printer", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table] | str, **given) -> dict:
    return _params(references=table, on_delete=given.pop("on_delete", OnDelete.restrict), on_update=OnUpdate.cascade,
                   target_column=None, **given)


# Each table's columns, in the order the chain it replaces made them; params as Piccolo's own writes them.
TABLES = {
    ("PrintJob", "print_job"): (
        ("ref", Varchar, _params(length=64, default="", index=True)),
        ("shop_id", Integer, _params(default=0, index=True)),
        ("printer", Varchar, _params(length=32, default="")),
        ("document", Varchar, _params(length=32, default="")),
        ("data", Bytea, _params(default=b"")),
        ("status", Varchar, _params(length=16, default="", index=True)),
        ("attempts", Integer, _params(default=0)),
        ("last_error", Varchar, _params(length=300, default="")),
        ("not_before", Timestamptz, _params(default=TimestamptzNow())),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("printed_at", Timestamptz, _params(default=None, null=True)),
        ("till", Varchar, _params(length=16, default="", index=True)),
        ("lease", Varchar, _params(length=32, default="")),
        ("lease_until", Timestamptz, _params(default=None, null=True)),
        ("send_started_at", Timestamptz, _params(default=None, null=True)),
        ("as_copy", Boolean, _params(default=False)),
    ),
    ("Printer", "printer"): (
        ("shop_id", Integer, _params(default=0, index=True)),
        ("name", Varchar, _params(length=40, default="")),
        ("connection", Varchar, _params(length=300, default="")),
        ("encoding", Varchar, _params(length=16, default="gb18030")),
        ("chinese_mode", Boolean, _params(default=True)),
        ("paper_columns", Integer, _params(default=48)),
        ("cut", Boolean, _params(default=True)),
        ("drawer", Boolean, _params(default=True)),
        ("drawer_pin", Integer, _params(default=2)),
        ("drawer_on_ms", Integer, _params(default=100)),
        ("drawer_off_ms", Integer, _params(default=100)),
        ("native_barcodes", Boolean, _params(default=True)),
        ("raster_chinese", Boolean, _params(default=False)),
        ("tested", Boolean, _params(default=False)),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("PrinterPlace", "printer_place"): (
        ("shop_id", Integer, _params(default=0, index=True)),
        ("place", Varchar, _params(length=40, default="")),
        ("printer", ForeignKey, _references(Printer, on_delete=OnDelete.cascade, null=True)),
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="printing", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
