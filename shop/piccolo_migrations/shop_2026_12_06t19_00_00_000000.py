"""The shop's kernel as it stands: shops, staff and their failed logins and PINs, the ledger and its seals.

One migration builds it (issue 17: it replaces the chain that grew it, which no shop had run). The tables are
Piccolo's; after them, SQL written by hand for each engine: the ledger and its seals are append-only (triggers refuse
UPDATE and DELETE, and TRUNCATE on PostgreSQL), one seal chain per shop, and on PostgreSQL the two functions every
app's triggers raise with: `aixin_append_only()`, and `aixin_refused(why)` for records kept once decided or closed.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shop, staff, access failures and throttles, the ledger and its seals; the books append-only"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class LedgerTxn(Table, tablename="ledger_txn", schema=None):
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
    ("Shop", "shop"): (
        ("code", Varchar, _params(length=32, default="", unique=True)),
        ("name", Varchar, _params(length=200, default="")),
        ("address", Varchar, _params(length=300, default="")),
    ),
    ("Staff", "staff"): (
        ("shop", ForeignKey, _references(Shop)),
        ("username", Varchar, _params(length=64, default="", unique=True)),
        ("display_name", Varchar, _params(length=100, default="")),
        ("password_hash", Varchar, _params(length=200, default="")),
        ("role", Varchar, _params(length=20, default="")),
        ("active", Boolean, _params(default=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("pin_hash", Varchar, _params(length=200, default=None, null=True)),
        ("sessions_ended_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("AccessFailure", "access_failure"): (
        ("kind", Varchar, _params(length=8, default="")),
        ("staff", ForeignKey, _references(Staff, null=True)),
        ("username", Varchar, _params(length=64, default="")),
        ("place", Varchar, _params(length=64, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    ),
    ("AccessThrottle", "access_throttle"): (
        ("key", Varchar, _params(length=120, default="", unique=True)),
        ("failures", Integer, _params(default=0)),
        ("last_failure_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("LedgerTxn", "ledger_txn"): (
        ("ref", Varchar, _params(length=64, default="", index=True)),
        ("shop", ForeignKey, _references(Shop)),
        ("kind", Varchar, _params(length=32, default="")),
        ("reverses", ForeignKey, _references("self", null=True)),
        ("staff", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("LedgerEntry", "ledger_entry"): (
        ("txn", ForeignKey, _references(LedgerTxn)),
        ("account", Varchar, _params(length=120, default="", index=True)),
        ("currency", Varchar, _params(length=3, default="")),
        ("amount", BigInt, _params(default=0)),
    ),
    ("LedgerSeal", "ledger_seal"): (
        ("shop", ForeignKey, _references(Shop)),
        ("txn", ForeignKey, _references(LedgerTxn, unique=True)),
        ("prev_hash", Varchar, _params(length=64, default="")),
        ("hash", Varchar, _params(length=64, default="")),
        ("sealed_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
}


# The ledger and its seals are append-only.
APPEND_ONLY = ("ledger_txn", "ledger_entry", "ledger_seal")

INDEXES = [
    "CREATE INDEX ledger_entry_txn ON ledger_entry (txn)",
    # the journal's export reads a period's transactions (their entries: ledger_entry_txn)
    "CREATE INDEX ledger_txn_shop_created_at ON ledger_txn (shop, created_at)",
    # one chain per shop: no two seals follow the same one (a shop's first follows "")
    "CREATE UNIQUE INDEX ledger_seal_chain ON ledger_seal (shop, prev_hash)",
    "CREATE INDEX ledger_seal_shop ON ledger_seal (shop, id)",
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
    # what every append-only record of the books raises, in every app
    """
    CREATE FUNCTION aixin_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
    END $$
    """,
    # for records that change until they are decided or closed (a till session, an approved service, a points
    # gift): their triggers refuse what happens after, and say why
    """
    CREATE FUNCTION aixin_refused() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% %: % refused', TG_TABLE_NAME, TG_ARGV[0], TG_OP;
    END $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()"
        for table in APPEND_ONLY
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION aixin_append_only()"
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
    manager = TablesThenSQL(migration_id=ID, app_name="shop", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
