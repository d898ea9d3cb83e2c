"""What comes in, as it stands: donors and their donations and donated items, makers, their consignments and
payouts.

One migration builds it (issue 17: it replaces the chain that grew it, which no shop had run, and which also made the
love bank's tables, now lovebank's own). The tables are Piccolo's; after them, SQL written by hand for each engine: a
donation's idempotency key unique per shop, and donations, donated items and maker payouts append-only (triggers
refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL).
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
DESCRIPTION = "donors, donations and their items, makers, consignments and payouts; the books append-only"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Category(Table, tablename="category", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Donation(Table, tablename="donation", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Donor(Table, tablename="donor", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Item(Table, tablename="item", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Maker(Table, tablename="maker", schema=None):
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
    ("Donor", "donor"): (
        ("shop", ForeignKey, _references(Shop)),
        ("name", Varchar, _params(length=100, default="")),
        ("phone", Varchar, _params(length=20, default="")),
        ("may_contact", Boolean, _params(default=False)),
        ("created_by", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("Donation", "donation"): (
        ("shop", ForeignKey, _references(Shop)),
        ("donor", ForeignKey, _references(Donor, null=True)),
        ("received_on", Date, _params(default=DateNow())),
        ("volunteer", ForeignKey, _references(Staff)),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("request_digest", Varchar, _params(length=64, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("DonatedItem", "donated_item"): (
        ("donation", ForeignKey, _references(Donation, index=True)),
        ("category", ForeignKey, _references(Category)),
        ("description", Varchar, _params(length=200, default="")),
        ("condition", Varchar, _params(length=16, default="")),
        ("quantity", Integer, _params(default=0)),
        ("price_fen", Integer, _params(default=None, null=True)),
        ("expires_on", Date, _params(default=None, null=True)),
        ("item", ForeignKey, _references(Item, null=True, index=True)),
        ("refused_reason", Varchar, _params(length=200, default="")),
    ),
    ("Maker", "maker"): (
        ("shop", ForeignKey, _references(Shop)),
        ("name", Varchar, _params(length=100, default="")),
        ("phone", Varchar, _params(length=32, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("fund_percent", Integer, _params(default=None, null=True)),
        ("maker_percent", Integer, _params(default=None, null=True)),
    ),
    ("Consignment", "consignment"): (
        ("item", ForeignKey, _references(Item, unique=True)),
        ("maker", ForeignKey, _references(Maker, index=True)),
    ),
    ("MakerPayout", "maker_payout"): (
        ("shop", ForeignKey, _references(Shop)),
        ("maker", ForeignKey, _references(Maker, index=True)),
        ("amount_fen", Integer, _params(default=0)),
        ("method", Varchar, _params(length=16, default="")),
        ("note", Varchar, _params(length=200, default="")),
        ("ledger_txn", Integer, _params(default=0)),
        ("staff", ForeignKey, _references(Staff)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
}


# A donation, its items and the makers' payouts are append-only.
APPEND_ONLY = ("donation", "donated_item", "maker_payout")

INDEXES = [
    "CREATE UNIQUE INDEX donation_shop_idempotency_key ON donation (shop, idempotency_key)",
]

SQLITE = [
    *INDEXES,
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for table in APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
]

POSTGRES = [
    *INDEXES,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
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
    manager = TablesThenSQL(migration_id=ID, app_name="donations", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
