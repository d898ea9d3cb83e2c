"""One open session per till (a partial unique index); return keys unique per shop; returns, their lines and
refunds are append-only (written by hand: the same intent in each engine's SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T12:09:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open session per till; return keys unique per shop; returns append-only"

COMMON = [
    "CREATE UNIQUE INDEX till_session_one_open ON till_session (till) WHERE closed_at IS NULL",
    "CREATE UNIQUE INDEX sale_return_shop_idempotency_key ON sale_return (shop, idempotency_key)",
    "CREATE INDEX sale_session ON sale (session)",
]

SQLITE = [
    *COMMON,
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in ("sale_return", "return_line", "refund")
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    *COMMON,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in ("sale_return", "return_line", "refund")
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
