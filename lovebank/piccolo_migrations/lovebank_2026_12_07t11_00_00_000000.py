"""Issue 20: the wish wall (微心愿墙): wishes and the goods from stock that fulfilled them.

A wish's status only moves forward (posted → claimed → fulfilled → thanked, or posted → withdrawn): a trigger on each
engine refuses an UPDATE that moves it back or changes a thanked or withdrawn wish, and any DELETE (and TRUNCATE on
PostgreSQL). The goods that fulfilled a wish are append-only. The same SQL in each WHEN clause on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the wish wall: wishes, and the goods from stock that fulfilled them"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Member(Table, tablename="member", schema=None):
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


class Wish(Table, tablename="wish", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table], **given) -> dict:
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   **given)


TABLES = {
    ("Wish", "wish"): (
        ("shop", ForeignKey, _references(Shop)),
        ("household_ref", Varchar, _params(length=16, default="")),
        ("text", Varchar, _params(length=200, default="")),
        ("kind", Varchar, _params(length=8, default="")),
        ("status", Varchar, _params(length=10, default="posted")),
        ("posted_by", ForeignKey, _references(Staff)),
        ("posted_at", Timestamptz, _params(default=TimestamptzNow())),
        ("member", ForeignKey, _references(Member, null=True, index=True)),
        ("donor", Integer, _params(default=None, null=True)),
        ("claimed_by", ForeignKey, _references(Staff, null=True)),
        ("claimed_at", Timestamptz, _params(default=None, null=True)),
        ("fulfilled_how", Varchar, _params(length=10, default="")),
        ("value_fen", Integer, _params(default=0)),
        ("ledger_txn", Integer, _params(default=None, null=True)),
        ("donation", Integer, _params(default=None, null=True)),
        ("service", ForeignKey, _references(ServiceRecord, null=True)),
        ("fulfilled_by", ForeignKey, _references(Staff, null=True)),
        ("fulfilled_at", Timestamptz, _params(default=None, null=True)),
        ("thanks", Varchar, _params(length=200, default="")),
        ("thanked_at", Timestamptz, _params(default=None, null=True)),
        ("reason", Varchar, _params(length=200, default="")),
        ("withdrawn_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("WishGoods", "wish_goods"): (
        ("wish", ForeignKey, _references(Wish, index=True)),
        ("item", Integer, _params(default=0)),
        ("barcode", Varchar, _params(length=32, default="")),
        ("name", Varchar, _params(length=200, default="")),
        ("quantity", Integer, _params(default=0)),
        ("value_fen", Integer, _params(default=0)),
        ("maker", Integer, _params(default=None, null=True)),
        ("maker_fen", Integer, _params(default=0)),
        ("running_fen", Integer, _params(default=0)),
    ),
}

_RANK = "CASE {row}.status WHEN 'posted' THEN 0 WHEN 'claimed' THEN 1 WHEN 'fulfilled' THEN 2 WHEN 'thanked' THEN 3 " \
        "WHEN 'withdrawn' THEN 3 ELSE -1 END"
# A step back, a change to a wish whose life has ended, or a posted wish withdrawn once claimed (ranks alone allow it)
BACKWARDS = (f"({_RANK.format(row='NEW')} < {_RANK.format(row='OLD')} OR OLD.status IN ('thanked', 'withdrawn') "
             "OR (NEW.status = 'withdrawn' AND OLD.status <> 'posted'))")

INDEXES = [
    "CREATE INDEX wish_shop_status ON wish (shop, status)",
    # a donor's gift fulfils one wish
    "CREATE UNIQUE INDEX wish_donation ON wish (donation) WHERE donation IS NOT NULL",
]

SQLITE = [
    *INDEXES,
    f"CREATE TRIGGER wish_no_update BEFORE UPDATE ON wish FOR EACH ROW WHEN {BACKWARDS} "
    "BEGIN SELECT RAISE(ABORT, 'wish moves only forward: UPDATE refused'); END",
    "CREATE TRIGGER wish_no_delete BEFORE DELETE ON wish "
    "BEGIN SELECT RAISE(ABORT, 'wish is kept: DELETE refused'); END",
    "CREATE TRIGGER wish_goods_no_update BEFORE UPDATE ON wish_goods "
    "BEGIN SELECT RAISE(ABORT, 'wish_goods is append-only: UPDATE refused'); END",
    "CREATE TRIGGER wish_goods_no_delete BEFORE DELETE ON wish_goods "
    "BEGIN SELECT RAISE(ABORT, 'wish_goods is append-only: DELETE refused'); END",
]

POSTGRES = [
    *INDEXES,
    f"CREATE TRIGGER wish_no_update BEFORE UPDATE ON wish FOR EACH ROW WHEN {BACKWARDS} "
    "EXECUTE FUNCTION aixin_refused('moves only forward')",
    "CREATE TRIGGER wish_no_delete BEFORE DELETE ON wish FOR EACH ROW EXECUTE FUNCTION aixin_refused('is kept')",
    "CREATE TRIGGER wish_no_truncate BEFORE TRUNCATE ON wish FOR EACH STATEMENT "
    "EXECUTE FUNCTION aixin_refused('is kept')",
    "CREATE TRIGGER wish_goods_append_only BEFORE UPDATE OR DELETE ON wish_goods FOR EACH ROW "
    "EXECUTE FUNCTION aixin_append_only()",
    "CREATE TRIGGER wish_goods_no_truncate BEFORE TRUNCATE ON wish_goods FOR EACH STATEMENT "
    "EXECUTE FUNCTION aixin_append_only()",
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
