"""idempotency keys unique per shop; donated items and payouts are append-only (written by hand: each engine's SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "donation idempotency keys unique per shop; donated items and maker payouts are append-only"

APPEND_ONLY = ("donated_item", "maker_payout")

SQLITE = [
    "CREATE UNIQUE INDEX donation_shop_idempotency_key ON donation (shop, idempotency_key)",
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    "CREATE UNIQUE INDEX donation_shop_idempotency_key ON donation (shop, idempotency_key)",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="donations", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
