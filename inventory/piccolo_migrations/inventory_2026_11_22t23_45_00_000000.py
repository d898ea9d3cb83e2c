"""Fill item.on_hand from the stock movements already recorded (written by hand: plain SQL both engines run)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T23:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fill item.on_hand from the stock movements"

BACKFILL = (
    "UPDATE item SET on_hand = "
    "(SELECT COALESCE(SUM(m.quantity), 0) FROM stock_movement m WHERE m.item = item.id)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(BACKFILL)

    manager.add_raw(run)
    return manager
