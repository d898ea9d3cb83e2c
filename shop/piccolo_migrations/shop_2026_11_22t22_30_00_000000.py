"""the ledger is append-only: triggers refuse UPDATE and DELETE (written by hand: the same intent in each engine's SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the ledger is append-only: triggers refuse UPDATE and DELETE"

SQLITE = [
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in ("ledger_txn", "ledger_entry")
        for op in ("UPDATE", "DELETE")
    ),
    "CREATE INDEX ledger_entry_txn ON ledger_entry (txn)",
]

POSTGRES = [
    """
    CREATE FUNCTION aixin_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
    END $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in ("ledger_txn", "ledger_entry")
    ),
    "CREATE INDEX ledger_entry_txn ON ledger_entry (txn)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
