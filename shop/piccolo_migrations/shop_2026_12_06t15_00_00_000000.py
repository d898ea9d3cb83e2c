"""Staff: when their sessions were last ended (logout, deactivation, a new role or password); failed logins
and PINs, logged and throttled. Written by hand: additive, the same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff: sessions_ended_at; failed logins and PINs (access_failure, access_throttle)"


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)

    def column(table_class: str, table: str, name: str, column_class, **params) -> None:
        manager.add_column(table_class_name=table_class, tablename=table, column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class,
                           params=_params(**params), schema=None)

    column("Staff", "staff", "sessions_ended_at", Timestamptz, default=None, null=True)

    manager.add_table(class_name="AccessFailure", tablename="access_failure", schema=None, columns=None)
    column("AccessFailure", "access_failure", "kind", Varchar, length=8, default="")
    column("AccessFailure", "access_failure", "staff", ForeignKey, references=Staff, on_delete=OnDelete.restrict,
           on_update=OnUpdate.cascade, target_column=None, null=True, default=None)
    column("AccessFailure", "access_failure", "username", Varchar, length=64, default="")
    column("AccessFailure", "access_failure", "place", Varchar, length=64, default="")
    column("AccessFailure", "access_failure", "created_at", Timestamptz, default=TimestamptzNow(), index=True)

    manager.add_table(class_name="AccessThrottle", tablename="access_throttle", schema=None, columns=None)
    column("AccessThrottle", "access_throttle", "key", Varchar, length=120, default="", unique=True)
    column("AccessThrottle", "access_throttle", "failures", Integer, default=0)
    column("AccessThrottle", "access_throttle", "last_failure_at", Timestamptz, default=TimestamptzNow())

    return manager
