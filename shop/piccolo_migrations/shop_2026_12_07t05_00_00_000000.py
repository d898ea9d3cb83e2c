"""Issue 19: a district's shops and stations on one database.

A shop row gets its kind, "shop" (tills, stock, sales: every row so far) or "station" (no tills, no stock: where
service is recorded), and a station the shop it feeds (where intake goods taken at the station go). Both are added
columns, so SQLite's ALTER TABLE can make them: kind with its default, feeds nullable.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a shop's kind (shop or station) and the shop a station feeds"


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    for name, column_class, params in (
        ("kind", Varchar, _params(length=16, default="shop")),
        ("feeds", ForeignKey, _params(references=Shop, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade,
                                      target_column=None, default=None, null=True)),
    ):
        manager.add_column(table_class_name="Shop", tablename="shop", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params,
                           schema=None)
    return manager
