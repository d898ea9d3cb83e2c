"""The catalogue's version (issue 18: the till keeps selling offline from its own copy of the catalogue).

Each shop has a counter (catalogue_counter) that only grows, and every item remembers the value it had when it last
changed in a way a till's copy shows: added, renamed, repriced, moved to another category, withdrawn or put back, its
intake date or expiry changed, or its category renamed or given other rules. Triggers set it, in the transaction that
makes the change, so no writer (the manager's forms, the CSV import, the demo, a hand-written UPDATE) can forget it.
Stock moving (on_hand) does not change it: a sale would otherwise lock the counter and queue behind a long import.

The counter's row is locked by the first change of a transaction until it ends, so versions become visible in the
order they were given: a till that read version V has every change up to V, and whatever commits later is above V.
On PostgreSQL one transaction takes one version (kept in a transaction-local setting), so an import of 300,000 rows
updates the counter once, not 300,000 times; on SQLite (one writer, no transaction-local state) each row takes the
next one. Indexes: item (shop, catalogue_version, id) for "what changed since V", item (shop, created_at) for the
markdowns that moved a step since a given day.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the catalogue's version per shop, set on items by triggers, for the till's offline copy"


class Shop(Table, tablename="shop", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


# What a till's copy of an item shows (price with today's markdown, name, category, expiry, sellable or not).
ITEM_COLUMNS = ("barcode", "name", "category", "price_fen", "active", "created_at", "expires_on")
CATEGORY_COLUMNS = ("code", "name", "source", "accepts_points", "perishable")

INDEXES = [
    "CREATE INDEX item_shop_catalogue_version ON item (shop, catalogue_version, id)",
    "CREATE INDEX item_shop_created_at ON item (shop, created_at)",
]


def _changed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


_SQLITE_BUMP = """
    INSERT INTO catalogue_counter (shop, version) VALUES (NEW.shop, 1)
        ON CONFLICT (shop) DO UPDATE SET version = version + 1;"""
_SQLITE_NOW = "(SELECT version FROM catalogue_counter WHERE shop = NEW.shop)"

SQLITE = [
    *INDEXES,
    f"CREATE TRIGGER item_catalogue_insert AFTER INSERT ON item BEGIN {_SQLITE_BUMP}"
    f" UPDATE item SET catalogue_version = {_SQLITE_NOW} WHERE id = NEW.id; END",
    f"CREATE TRIGGER item_catalogue_update AFTER UPDATE OF {', '.join(ITEM_COLUMNS)} ON item "
    f"WHEN {_changed(ITEM_COLUMNS, 'IS NOT')} BEGIN {_SQLITE_BUMP}"
    f" UPDATE item SET catalogue_version = {_SQLITE_NOW} WHERE id = NEW.id; END",
    f"CREATE TRIGGER category_catalogue_update AFTER UPDATE OF {', '.join(CATEGORY_COLUMNS)} ON category "
    f"WHEN {_changed(CATEGORY_COLUMNS, 'IS NOT')} BEGIN {_SQLITE_BUMP}"
    f" UPDATE item SET catalogue_version = {_SQLITE_NOW} WHERE category = NEW.id; END",
]

POSTGRES = [
    *INDEXES,
    # the shop's version for this transaction: the counter moved on (and its row locked) by the first change only
    """
    CREATE FUNCTION aixin_catalogue_version(shop_id integer) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
        kept text := current_setting('aixin.catalogue_version_' || shop_id, true);
        given bigint;
    BEGIN
        IF kept IS NOT NULL AND kept <> '' THEN
            RETURN kept::bigint;
        END IF;
        INSERT INTO catalogue_counter (shop, version) VALUES (shop_id, 1)
            ON CONFLICT (shop) DO UPDATE SET version = catalogue_counter.version + 1
            RETURNING version INTO given;
        PERFORM set_config('aixin.catalogue_version_' || shop_id, given::text, true);
        RETURN given;
    END $$
    """,
    """
    CREATE FUNCTION aixin_item_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.catalogue_version := aixin_catalogue_version(NEW.shop);
        RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION aixin_category_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        given bigint := aixin_catalogue_version(NEW.shop);
    BEGIN
        UPDATE item SET catalogue_version = given WHERE category = NEW.id;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER item_catalogue_insert BEFORE INSERT ON item FOR EACH ROW "
    "EXECUTE FUNCTION aixin_item_catalogue_version()",
    f"CREATE TRIGGER item_catalogue_update BEFORE UPDATE OF {', '.join(ITEM_COLUMNS)} ON item FOR EACH ROW "
    f"WHEN ({_changed(ITEM_COLUMNS, 'IS DISTINCT FROM')}) EXECUTE FUNCTION aixin_item_catalogue_version()",
    f"CREATE TRIGGER category_catalogue_update AFTER UPDATE OF {', '.join(CATEGORY_COLUMNS)} ON category "
    f"FOR EACH ROW WHEN ({_changed(CATEGORY_COLUMNS, 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION aixin_category_catalogue_version()",
]


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables and columns (piccolo-orm/piccolo#541); this SQL needs
    them, so it runs after them, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="inventory", description=DESCRIPTION)
    manager.add_table(class_name="CatalogueCounter", tablename="catalogue_counter", schema=None, columns=None)
    for name, column_class, params in (
        ("shop", ForeignKey, _params(references=Shop, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade,
                                     target_column=None, unique=True)),
        ("version", BigInt, _params(default=0)),
    ):
        manager.add_column(table_class_name="CatalogueCounter", tablename="catalogue_counter", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    manager.add_column(table_class_name="Item", tablename="item", column_name="catalogue_version",
                       db_column_name="catalogue_version", column_class_name="BigInt", column_class=BigInt,
                       params=_params(default=0), schema=None)
    return manager
