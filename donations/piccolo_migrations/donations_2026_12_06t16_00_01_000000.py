"""One pending reversal per service or gift at a time; pending gifts and reversals found fast (written by hand:
partial indexes, the same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T16:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pending reversal per record; pending gifts and reversals by shop and status"

# At most one reversal of a record waits at a time (the operations check it under the members' locks; this is
# the database's own guard). Partial indexes: the same SQL on SQLite and PostgreSQL.
STATEMENTS = [
    "CREATE UNIQUE INDEX points_reversal_one_pending_service ON points_reversal (service) WHERE status = 'pending'",
    "CREATE UNIQUE INDEX points_reversal_one_pending_gift ON points_reversal (gift) WHERE status = 'pending'",
    "CREATE INDEX points_reversal_shop_status ON points_reversal (shop, status)",
    "CREATE INDEX points_gift_shop_status ON points_gift (shop, status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="donations", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
