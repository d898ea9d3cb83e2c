"""Tamper-evident books, the intake desk's and the love bank's part: a donation's header is append-only; a service
record, a points gift and a points reversal are kept as they were once decided, but for the few steps that follow a
decision in its own operation (donations/lovebank.py); on PostgreSQL no TRUNCATE passes any of them (written by
hand: the same intent in each engine's SQL).

What may still change once decided, and only that, each column left as it was:
- an approved service: its ledger transaction noted once (it earned points); then its reversal (status reversed,
  the reason, who asked, when); then the reversal's ledger transaction noted once (it had earned points);
- an approved points gift: its ledger transaction noted once (it was 0); its reversal (the reason, who asked, when);
  then the reversal's ledger transaction noted once;
- an approved points reversal: its ledger transaction noted once.
A rejected one never changes. Nothing is deleted.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "donations append-only; service, points gifts and reversals kept once decided; no TRUNCATE"

# Every column of each kept table, as the triggers were written (a column added later must be added to them).
COLUMNS = {
    "service_record": ("id", "shop", "member", "served_on", "start_time", "place", "content", "service_type",
                       "half_hours", "witness", "status", "entered_by", "entered_at", "decided_by", "decided_at",
                       "rate_pts", "points_pts", "ledger_txn", "reason", "reversal_txn", "reversed_by", "reversed_at"),
    "points_gift": ("id", "shop", "from_member", "to_member", "points_pts", "note", "ledger_txn", "staff",
                    "created_at", "reason", "reversal_txn", "reversed_by", "reversed_at", "status", "decided_by",
                    "decided_at"),
    "points_reversal": ("id", "shop", "service", "gift", "reason", "status", "entered_by", "entered_at",
                        "decided_by", "decided_at", "decision_reason", "ledger_txn"),
}
NO_TRUNCATE = ("donation", "donated_item", "maker_payout", "service_record", "points_gift", "points_reversal")


def refused(engine: str, table: str) -> str:
    """When an UPDATE of a kept record is refused: once decided (not pending), unless it is one of the steps that
    follow the decision, changing only its own columns."""
    same = "IS" if engine == "sqlite" else "IS NOT DISTINCT FROM"

    def only(*changing: str) -> str:
        return " AND ".join(f'OLD."{column}" {same} NEW."{column}"'
                            for column in COLUMNS[table] if column not in changing)

    steps = {
        "service_record": (
            f"OLD.status = 'approved' AND OLD.ledger_txn IS NULL AND OLD.points_pts > 0 AND {only('ledger_txn')}",
            "OLD.status = 'approved' AND NEW.status = 'reversed' AND NEW.reversed_at IS NOT NULL "
            f"AND {only('status', 'reason', 'reversed_by', 'reversed_at')}",
            "OLD.status = 'reversed' AND OLD.reversal_txn IS NULL AND OLD.ledger_txn IS NOT NULL "
            f"AND {only('reversal_txn')}",
        ),
        "points_gift": (
            f"OLD.status = 'approved' AND OLD.ledger_txn = 0 AND {only('ledger_txn')}",
            "OLD.status = 'approved' AND OLD.reversed_at IS NULL AND NEW.reversed_at IS NOT NULL "
            f"AND {only('reason', 'reversed_by', 'reversed_at')}",
            "OLD.status = 'approved' AND OLD.reversed_at IS NOT NULL AND OLD.reversal_txn IS NULL "
            f"AND {only('reversal_txn')}",
        ),
        "points_reversal": (
            f"OLD.status = 'approved' AND OLD.ledger_txn IS NULL AND {only('ledger_txn')}",
        ),
    }[table]
    return f"(OLD.status <> 'pending' AND NOT ({' OR '.join(f'({step})' for step in steps)}))"


SQLITE = [
    *(
        f"CREATE TRIGGER donation_no_{op.lower()} BEFORE {op} ON donation "
        f"BEGIN SELECT RAISE(ABORT, 'donation is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ),
    *(
        statement
        for table in COLUMNS
        for statement in (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW WHEN {refused('sqlite', table)} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is in the books once decided: UPDATE refused'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is in the books: DELETE refused'); END",
        )
    ),
]

POSTGRES = [
    "CREATE TRIGGER donation_append_only BEFORE UPDATE OR DELETE ON donation "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
    *(
        statement
        for table in COLUMNS
        for statement in (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN {refused('postgres', table)} EXECUTE FUNCTION aixin_refused('is in the books once decided')",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION aixin_refused('is in the books')",
        )
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
        + ("EXECUTE FUNCTION aixin_refused('is in the books')" if table in COLUMNS else
           "EXECUTE FUNCTION aixin_append_only()")
        for table in NO_TRUNCATE
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
