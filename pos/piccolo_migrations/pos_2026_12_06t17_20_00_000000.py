"""Tamper-evident books, the till's part: a sale's header and the override log are append-only; a till session is
kept as it was once closed (closing it is its one change); on PostgreSQL no TRUNCATE passes any of the till's
records nor the stock's (written by hand: the same intent in each engine's SQL; the stock's tables are here because
pos is the last app to migrate, after inventory).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sale headers and overrides append-only; closed till sessions kept; no TRUNCATE of the books"

APPEND_ONLY = ("sale", "override")
# Every column of till_session; closing an open session sets the last five, and nothing else ever changes.
SESSION_COLUMNS = ("id", "shop", "till", "opened_by", "opened_at", "float_fen", "ledger_mark",
                   "closed_by", "closed_at", "counted_fen", "expected_fen", "over_short_fen")
CLOSING = ("closed_by", "closed_at", "counted_fen", "expected_fen", "over_short_fen")
NO_TRUNCATE = ("sale", "sale_line", "tender", "override", "till_session", "sale_return", "return_line", "refund",
               "stock_movement", "price_change")


def session_refused(engine: str) -> str:
    """When an UPDATE of a till session is refused: once it is closed, or when it changes more than its close."""
    same = "IS" if engine == "sqlite" else "IS NOT DISTINCT FROM"
    kept = " AND ".join(f'OLD."{column}" {same} NEW."{column}"' for column in SESSION_COLUMNS if column not in CLOSING)
    return f"(OLD.closed_at IS NOT NULL OR NOT ({kept}))"


SQLITE = [
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER till_session_no_update BEFORE UPDATE ON till_session FOR EACH ROW "
    f"WHEN {session_refused('sqlite')} "
    "BEGIN SELECT RAISE(ABORT, 'till_session is in the books once closed: UPDATE refused'); END",
    "CREATE TRIGGER till_session_no_delete BEFORE DELETE ON till_session "
    "BEGIN SELECT RAISE(ABORT, 'till_session is in the books: DELETE refused'); END",
]

POSTGRES = [
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
    f"CREATE TRIGGER till_session_no_update BEFORE UPDATE ON till_session FOR EACH ROW "
    f"WHEN {session_refused('postgres')} EXECUTE FUNCTION aixin_refused('is in the books once closed')",
    "CREATE TRIGGER till_session_no_delete BEFORE DELETE ON till_session FOR EACH ROW "
    "EXECUTE FUNCTION aixin_refused('is in the books')",
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
        + ("EXECUTE FUNCTION aixin_refused('is in the books')" if table == "till_session" else
           "EXECUTE FUNCTION aixin_append_only()")
        for table in NO_TRUNCATE
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
