"""What is on the shelves, as it stands: categories, items, stock movements, price changes, stock takes and their
counts, and each shop's in-store barcode sequence.

One migration builds it (issue 17: it replaces the chain that grew it, which no shop had run). The tables are
Piccolo's; after them, SQL written by hand for each engine: category codes and barcodes unique per shop, one count per
item per stock take, and stock movements and price changes append-only (triggers refuse UPDATE and DELETE, and
TRUNCATE on PostgreSQL).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "categories, items, stock movements, price changes, stock takes; movements and price changes append-only"


# The tables this app's foreign keys point to, as Piccolo's migrations name them.
class Category(Table, tablename="category", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Item(Table, tablename="item", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Staff(Table, tablename="staff", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class StockTake(Table, tablename="stock_take", schema=None):
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
    ("Category", "category"): (
        ("shop", ForeignKey, _references(Shop)),
        ("code", Varchar, _params(length=32, default="")),
        ("name", Varchar, _params(length=100, default="")),
        ("name_en", Varchar, _params(length=100, default="")),
        ("source", Varchar, _params(length=16, default="")),
        ("accepts_points", Boolean, _params(default=True)),
        ("fund_percent", Integer, _params(default=None, null=True)),
        ("maker_percent", Integer, _params(default=None, null=True)),
        ("perishable", Boolean, _params(default=False)),
        ("price_fair_fen", Integer, _params(default=None, null=True)),
        ("price_good_fen", Integer, _params(default=None, null=True)),
        ("price_like_new_fen", Integer, _params(default=None, null=True)),
        ("price_new_fen", Integer, _params(default=None, null=True)),
    ),
    ("Item", "item"): (
        ("shop", ForeignKey, _references(Shop)),
        ("barcode", Varchar, _params(length=13, default="")),
        ("name", Varchar, _params(length=200, default="")),
        ("category", ForeignKey, _references(Category)),
        ("price_fen", Integer, _params(default=0)),
        ("one_off", Boolean, _params(default=False)),
        ("active", Boolean, _params(default=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("on_hand", Integer, _params(default=0)),
        ("condition", Varchar, _params(length=16, default="")),
        ("expires_on", Date, _params(default=None, null=True)),
        ("location", Varchar, _params(length=32, default="")),
        ("low_stock_at", Integer, _params(default=None, null=True)),
        ("search_initials", Varchar, _params(length=200, default="")),
        ("search_pinyin", Varchar, _params(length=800, default="")),
    ),
    ("PriceChange", "price_change"): (
        ("shop", ForeignKey, _references(Shop)),
        ("item", ForeignKey, _references(Item, index=True)),
        ("old_price_fen", Integer, _params(default=0)),
        ("new_price_fen", Integer, _params(default=0)),
        ("reason", Varchar, _params(length=200, default="")),
        ("staff", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("StockTake", "stock_take"): (
        ("shop", ForeignKey, _references(Shop)),
        ("scope", Varchar, _params(length=16, default="")),
        ("scope_value", Varchar, _params(length=64, default="")),
        ("status", Varchar, _params(length=16, default="open")),
        ("opened_by", ForeignKey, _references(Staff)),
        ("opened_at", Timestamptz, _params(default=TimestamptzNow())),
        ("closed_by", ForeignKey, _references(Staff, null=True)),
        ("closed_at", Timestamptz, _params(default=None, null=True)),
    ),
    ("StockTakeCount", "stock_take_count"): (
        ("stock_take", ForeignKey, _references(StockTake, index=True)),
        ("item", ForeignKey, _references(Item)),
        ("counted", Integer, _params(default=0)),
        ("expected", Integer, _params(default=0)),
        ("counted_by", ForeignKey, _references(Staff)),
        ("counted_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("InStoreSequence", "in_store_sequence"): (
        ("shop", ForeignKey, _references(Shop, unique=True)),
        ("last", BigInt, _params(default=0)),
    ),
    ("StockMovement", "stock_movement"): (
        ("ref", Varchar, _params(length=64, default="")),
        ("shop", ForeignKey, _references(Shop)),
        ("item", ForeignKey, _references(Item, index=True)),
        ("quantity", Integer, _params(default=0)),
        ("kind", Varchar, _params(length=16, default="")),
        ("reason", Varchar, _params(length=200, default="")),
        ("staff", ForeignKey, _references(Staff, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
}


# Stock movements and price changes are append-only.
APPEND_ONLY = ("stock_movement", "price_change")

INDEXES = [
    "CREATE UNIQUE INDEX category_shop_code ON category (shop, code)",
    "CREATE UNIQUE INDEX item_shop_barcode ON item (shop, barcode)",
    # one count per item per stock take
    "CREATE UNIQUE INDEX stock_take_count_item ON stock_take_count (stock_take, item)",
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
    manager = TablesThenSQL(migration_id=ID, app_name="inventory", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=params["db_column_name"] or name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
