"""The love bank, as it stands: members, their service records, points gifts and points reversals.

One migration builds it (issue 17: these tables were made by donations' migrations before the love bank was its own
app; none of those had run in a shop). The tables are Piccolo's; after them, SQL written by hand for each engine:
member numbers unique per shop, at most one pending reversal per service or gift (partial unique indexes), the
pending ones found fast, and the records kept as they were once decided.

What may still change once decided, and only that, each column left as it was:
- an approved service: its ledger transaction noted once (it earned points); then its reversal (status reversed,
  the reason, who asked, when); then the reversal's ledger transaction noted once (it had earned points);
- an approved points gift: its ledger transaction noted once (it was 0); its reversal (the reason, who asked, when);
  then the reversal's ledger transaction noted once;
- an approved points reversal: its ledger transaction noted once.
A rejected one never changes. Nothing is deleted, and on PostgreSQL no TRUNCATE passes any of them.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members, service records, points gifts and reversals; kept as they were once decided"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Member(Table, tablename="member", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class PointsGift(Table, tablename="points_gift", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class ServiceRecord(Table, tablename="service_record", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table] | str, **given) -> dict:
    return _params(references=table, on_delete=given.pop("on_delete", OnDelete.restrict), on_update=OnUpdate.cascade,
                   target_column=None, **given)


# Each table's columns, in the order the chain it replaces made them; params as Piccolo's own writes them.
TABLES = {
    ("Member", "member"): (
        ("shop", ForeignKey, _references(Shop)),
        ("number", Varchar, _params(length=16, default="")),
        ("name", Varchar, _params(length=100, default="")),
        ("phone", Varchar, _params(length=20, default="")),
        ("notes", Varchar, _params(length=200, default="")),
        ("may_contact", Boolean, _params(default=False)),
        ("card_code", Varchar, _params(length=32, default="", unique=True)),
        ("status", Varchar, _params(length=8, default="open")),
        ("opened_by", ForeignKey, _references(Staff, null=True)),
        ("opened_at", Timestamptz, _params(default=TimestamptzNow())),
        ("closed_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("ServiceRecord", "service_record"): (
        ("shop", ForeignKey, _references(Shop)),
        ("member", ForeignKey, _references(Member, index=True)),
        ("served_on", Date, _params(default=DateNow())),
        ("start_time", Varchar, _params(length=5, default="")),
        ("place", Varchar, _params(length=100, default="")),
        ("content", Varchar, _params(length=200, default="")),
        ("service_type", Varchar, _params(length=32, default="")),
        ("half_hours", Integer, _params(default=0)),
        ("witness", Varchar, _params(length=50, default="")),
        ("status", Varchar, _params(length=10, default="pending")),
        ("entered_by", ForeignKey, _references(Staff)),
        ("entered_at", Timestamptz, _params(default=TimestamptzNow())),
        ("decided_by", ForeignKey, _references(Staff, null=True)),
        ("decided_at", Timestamptz, _params(default=None, null=True)),
        ("rate_pts", Integer, _params(default=None, null=True)),
        ("points_pts", Integer, _params(default=None, null=True)),
        ("ledger_txn", Integer, _params(default=None, null=True)),
        ("reason", Varchar, _params(length=200, default="")),
        ("reversal_txn", Integer, _params(default=None, null=True)),
        ("reversed_by", ForeignKey, _references(Staff, null=True)),
        ("reversed_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("PointsGift", "points_gift"): (
        ("shop", ForeignKey, _references(Shop)),
        ("from_member", ForeignKey, _references(Member, index=True)),
        ("to_member", ForeignKey, _references(Member, null=True, index=True)),
        ("points_pts", Integer, _params(default=0)),
        ("note", Varchar, _params(length=200, default="")),
        ("ledger_txn", Integer, _params(default=0)),
        ("staff", ForeignKey, _references(Staff)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("reason", Varchar, _params(length=200, default="")),
        ("reversal_txn", Integer, _params(default=None, null=True)),
        ("reversed_by", ForeignKey, _references(Staff, null=True)),
        ("reversed_at", Timestamptz, _params(default=None, null=True)),
        ("status", Varchar, _params(length=10, default="approved")),
        ("decided_by", ForeignKey, _references(Staff, null=True)),
        ("decided_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("PointsReversal", "points_reversal"): (
        ("shop", ForeignKey, _references(Shop)),
        ("service", ForeignKey, _references(ServiceRecord, null=True, index=True)),
        ("gift", ForeignKey, _references(PointsGift, null=True, index=True)),
        ("reason", Varchar, _params(length=200, default="")),
        ("status", Varchar, _params(length=10, default="pending")),
        ("entered_by", ForeignKey, _references(Staff)),
        ("entered_at", Timestamptz, _params(default=TimestamptzNow())),
        ("decided_by", ForeignKey, _references(Staff, null=True)),
        ("decided_at", Timestamptz, _params(default=None, null=True)),
        ("decision_reason", Varchar, _params(length=200, default="")),
        ("ledger_txn", Integer, _params(default=None, null=True)),
    ),
}


INDEXES = [
    "CREATE UNIQUE INDEX member_shop_number ON member (shop, number)",
    # the pending approvals, and a member's passbook, found fast
    "CREATE INDEX service_record_shop_status ON service_record (shop, status)",
    "CREATE INDEX points_gift_shop_status ON points_gift (shop, status)",
    "CREATE INDEX points_reversal_shop_status ON points_reversal (shop, status)",
    # At most one reversal of a record waits at a time (the operations check it under the members' locks; this is
    # the database's own guard). Partial indexes: the same SQL on SQLite and PostgreSQL.
    "CREATE UNIQUE INDEX points_reversal_one_pending_service ON points_reversal (service) WHERE status = 'pending'",
    "CREATE UNIQUE INDEX points_reversal_one_pending_gift ON points_reversal (gift) WHERE status = 'pending'",
]

# Every column of each kept table, as the triggers are written (a column added later must be added to them, in a
# new migration: tests/pos/test_books_tamper.py checks this list against the tables).
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
    *INDEXES,
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
    *INDEXES,
    *(
        statement
        for table in COLUMNS
        for statement in (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN {refused('postgres', table)} EXECUTE FUNCTION aixin_refused('is in the books once decided')",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION aixin_refused('is in the books')",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
            "EXECUTE FUNCTION aixin_refused('is in the books')",
        )
    ),
]


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables (piccolo-orm/piccolo#541); this SQL needs the tables,
    so it runs after them, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="lovebank", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
