"""Print jobs: leased to one worker at a time (lease, lease_until), the moment their first byte went to the printer
(send_started_at), and whether they print again marked as a copy (as_copy). Written by hand: additive, the same on
SQLite and PostgreSQL.

A job left "printing" by the queue before leases may have printed, and nothing says how far: it is failed for a person
to reprint, as that queue itself did at its next start."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-06T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "print_job: leases, the start of sending, and copies"


def _params(**params) -> dict:
    return {**params, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False}


FAIL_CLAIMED_JOBS = ("UPDATE print_job SET status = 'failed', "
                     "last_error = 'interrupted while printing: reprint it if it did not come out' "
                     "WHERE status = 'printing'")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="printing", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(FAIL_CLAIMED_JOBS)

    manager.add_raw(run)
    for name, column_class, params in (
        ("lease", Varchar, _params(length=32, default="", null=False)),
        ("lease_until", Timestamptz, _params(default=None, null=True)),
        ("send_started_at", Timestamptz, _params(default=None, null=True)),
        ("as_copy", Boolean, _params(default=False, null=False)),
    ):
        manager.add_column(table_class_name="PrintJob", tablename="print_job", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params,
                           schema=None)
    return manager
