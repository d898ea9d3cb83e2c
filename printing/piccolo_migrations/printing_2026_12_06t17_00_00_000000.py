"""Print jobs: the till whose document it is (a receipt or refund slip made at a till), so a till can list its own
unprinted ones. Written by hand: additive, the same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "print_job.till: the till a document was made at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="printing", description=DESCRIPTION)
    manager.add_column(table_class_name="PrintJob", tablename="print_job", column_name="till", db_column_name="till",
                       column_class_name="Varchar", column_class=Varchar,
                       params={"length": 16, "default": "", "null": False, "primary_key": False, "unique": False,
                               "index": True, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    return manager
