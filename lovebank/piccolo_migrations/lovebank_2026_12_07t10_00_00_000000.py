"""Issue 20: services for points, with vouchers. The menu of services (service_offer) and the vouchers redeemed for
them (redemption), each voucher's idempotency key unique per shop; then SQL written by hand for each engine.

A voucher is in the books from the moment it is made: its points are held in the ledger. What may change, and only
that, each other column left as it was: its holding transaction noted once; then, once, its settling — held →
delivered or cancelled, with who, when and the settling transaction, all at once. Nothing is deleted, and on
PostgreSQL no TRUNCATE passes. An offer is not in the books (a voucher keeps its name and price): it is withdrawn
by a status, like an item.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "service offers and the vouchers redeemed for them; a voucher kept as it was once settled"


# The tables this migration's foreign keys point to, as Piccolo's migrations name them.
class Member(Table, tablename="member", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class ServiceOffer(Table, tablename="service_offer", schema=None):
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


def _references(table: type[Table], **given) -> dict:
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   **given)


TABLES = {
    ("ServiceOffer", "service_offer"): (
        ("shop", ForeignKey, _references(Shop)),
        ("name", Varchar, _params(length=100, default="")),
        ("points_pts", Integer, _params(default=0)),
        ("provider_member", ForeignKey, _references(Member, null=True)),
        ("partner", Varchar, _params(length=100, default="")),
        ("status", Varchar, _params(length=10, default="active")),
        ("entered_by", ForeignKey, _references(Staff)),
        ("entered_at", Timestamptz, _params(default=TimestamptzNow())),
        ("withdrawn_by", ForeignKey, _references(Staff, null=True)),
        ("withdrawn_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("Redemption", "redemption"): (
        ("shop", ForeignKey, _references(Shop)),
        ("offer", ForeignKey, _references(ServiceOffer)),
        ("member", ForeignKey, _references(Member, index=True)),
        ("service", Varchar, _params(length=100, default="")),
        ("points_pts", Integer, _params(default=0)),
        ("provider_member", ForeignKey, _references(Member, null=True, index=True)),
        ("partner", Varchar, _params(length=100, default="")),
        ("status", Varchar, _params(length=10, default="held")),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("request_digest", Varchar, _params(length=64, default="")),
        ("held_txn", Integer, _params(default=None, null=True)),
        ("entered_by", ForeignKey, _references(Staff)),
        ("entered_at", Timestamptz, _params(default=TimestamptzNow())),
        ("settled_txn", Integer, _params(default=None, null=True)),
        ("settled_by", ForeignKey, _references(Staff, null=True)),
        ("settled_at", Timestamptz, _params(default=None, null=True)),
    ),
}

INDEXES = [
    "CREATE UNIQUE INDEX redemption_shop_idempotency_key ON redemption (shop, idempotency_key)",
    "CREATE INDEX redemption_shop_status ON redemption (shop, status)",
    "CREATE INDEX service_offer_shop_status ON service_offer (shop, status)",
]

# Every column of the voucher, as the triggers are written (a column added later must be added here, in a new
# migration).
COLUMNS = ("id", "shop", "offer", "member", "service", "points_pts", "provider_member", "partner", "status",
           "idempotency_key", "request_digest", "held_txn", "entered_by", "entered_at", "settled_txn", "settled_by",
           "settled_at")


def refused(engine: str) -> str:
    """When an UPDATE of a voucher is refused: unless it is its holding transaction noted once, or its one
    settling (held → delivered | cancelled, with its transaction, who and when), changing only those columns."""
    same = "IS" if engine == "sqlite" else "IS NOT DISTINCT FROM"

    def only(*changing: str) -> str:
        return " AND ".join(f'OLD."{column}" {same} NEW."{column}"' for column in COLUMNS if column not in changing)

    steps = (
        f"OLD.status = 'held' AND OLD.held_txn IS NULL AND {only('held_txn')}",
        "OLD.status = 'held' AND OLD.held_txn IS NOT NULL AND NEW.status IN ('delivered', 'cancelled') "
        "AND NEW.settled_txn IS NOT NULL AND NEW.settled_by IS NOT NULL AND NEW.settled_at IS NOT NULL "
        f"AND {only('status', 'settled_txn', 'settled_by', 'settled_at')}",
    )
    return f"(NOT ({' OR '.join(f'({step})' for step in steps)}))"


SQLITE = [
    *INDEXES,
    f"CREATE TRIGGER redemption_no_update BEFORE UPDATE ON redemption FOR EACH ROW WHEN {refused('sqlite')} "
    "BEGIN SELECT RAISE(ABORT, 'redemption is in the books once made: UPDATE refused'); END",
    "CREATE TRIGGER redemption_no_delete BEFORE DELETE ON redemption "
    "BEGIN SELECT RAISE(ABORT, 'redemption is in the books: DELETE refused'); END",
]

POSTGRES = [
    *INDEXES,
    f"CREATE TRIGGER redemption_no_update BEFORE UPDATE ON redemption FOR EACH ROW WHEN {refused('postgres')} "
    "EXECUTE FUNCTION aixin_refused('is in the books once made')",
    "CREATE TRIGGER redemption_no_delete BEFORE DELETE ON redemption FOR EACH ROW "
    "EXECUTE FUNCTION aixin_refused('is in the books')",
    "CREATE TRIGGER redemption_no_truncate BEFORE TRUNCATE ON redemption FOR EACH STATEMENT "
    "EXECUTE FUNCTION aixin_refused('is in the books')",
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
