"""Love-bank member numbers unique per shop; the pending approvals and a member's passbook found fast
(written by hand: the same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "member numbers unique per shop; service records by shop and status"

STATEMENTS = [
    "CREATE UNIQUE INDEX member_shop_number ON member (shop, number)",
    "CREATE INDEX service_record_shop_status ON service_record (shop, status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="donations", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
