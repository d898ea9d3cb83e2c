"""till codes and idempotency keys unique per shop; sale lines and tenders are append-only (written by hand: the same intent in each engine's SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "till codes and idempotency keys unique per shop; sale lines and tenders are append-only"

SQLITE = [
    "CREATE UNIQUE INDEX till_shop_code ON till (shop, code)",
    "CREATE UNIQUE INDEX sale_shop_idempotency_key ON sale (shop, idempotency_key)",
    "CREATE INDEX sale_shop_created_at ON sale (shop, created_at)",
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in ("sale_line", "tender")
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    "CREATE UNIQUE INDEX till_shop_code ON till (shop, code)",
    "CREATE UNIQUE INDEX sale_shop_idempotency_key ON sale (shop, idempotency_key)",
    "CREATE INDEX sale_shop_created_at ON sale (shop, created_at)",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in ("sale_line", "tender")
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pos", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
