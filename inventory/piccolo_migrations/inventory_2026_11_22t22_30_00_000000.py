"""codes unique per shop; stock movements are append-only (written by hand: the same intent in each engine's SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "codes unique per shop; stock movements are append-only"

SQLITE = [
    "CREATE UNIQUE INDEX category_shop_code ON category (shop, code)",
    "CREATE UNIQUE INDEX item_shop_barcode ON item (shop, barcode)",
    *(
        f"CREATE TRIGGER stock_movement_no_{op.lower()} BEFORE {op} ON stock_movement "
        f"BEGIN SELECT RAISE(ABORT, 'stock_movement is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    "CREATE UNIQUE INDEX category_shop_code ON category (shop, code)",
    "CREATE UNIQUE INDEX item_shop_barcode ON item (shop, barcode)",
    "CREATE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
