"""Tamper-evident books, the shop's part: the ledger's seals are append-only and chain one way per shop; on
PostgreSQL no TRUNCATE passes the ledger; and the refusal every kept record of the books raises (written by hand:
the same intent in each engine's SQL).

`aixin_refused(why)` is for records that change until they are decided or closed (a till session, an approved
service, a points gift): their triggers refuse what happens after, and say why.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger seals: one per transaction, one chain per shop, append-only; no TRUNCATE of the ledger"

INDEXES = [
    # one chain per shop: no two seals follow the same one (a shop's first follows "")
    "CREATE UNIQUE INDEX ledger_seal_chain ON ledger_seal (shop, prev_hash)",
    "CREATE INDEX ledger_seal_shop ON ledger_seal (shop, id)",
]

SQLITE = [
    *INDEXES,
    *(
        f"CREATE TRIGGER ledger_seal_no_{op.lower()} BEFORE {op} ON ledger_seal "
        f"BEGIN SELECT RAISE(ABORT, 'ledger_seal is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    *INDEXES,
    """
    CREATE FUNCTION aixin_refused() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% %: % refused', TG_TABLE_NAME, TG_ARGV[0], TG_OP;
    END $$
    """,
    "CREATE TRIGGER ledger_seal_append_only BEFORE UPDATE OR DELETE ON ledger_seal "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION aixin_append_only()"
        for table in ("ledger_txn", "ledger_entry", "ledger_seal")
    ),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
