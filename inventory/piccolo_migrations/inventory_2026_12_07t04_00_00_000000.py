"""The history of each category's own split (issue 18: an offline sale is split by the rule of the time it was made).

category_rule_change keeps every change of a category's split (fund and maker percents, null for the goods source's
rule): from what, to what, who, when. set_category_rules writes it in the transaction that makes the change; the
split in force at a past moment is the old split of the first change after it, else the category's split now. It is
a record of the books: append-only, as price_change is (triggers refuse UPDATE and DELETE, and TRUNCATE on
PostgreSQL).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "category_rule_change: each change of a category's split, append-only"


# The tables this migration's foreign keys point to, as Piccolo's migrations name them.
class Category(Table, tablename="category", schema=None):
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


COLUMNS = (
    ("shop", ForeignKey, _references(Shop)),
    ("category", ForeignKey, _references(Category, index=True)),
    ("old_fund_percent", Integer, _params(default=None, null=True)),
    ("old_maker_percent", Integer, _params(default=None, null=True)),
    ("new_fund_percent", Integer, _params(default=None, null=True)),
    ("new_maker_percent", Integer, _params(default=None, null=True)),
    ("changed_by", ForeignKey, _references(Staff, null=True)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
)

TABLE = "category_rule_change"

SQLITE = [
    f"CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
]

POSTGRES = [
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} FOR EACH STATEMENT "
    "EXECUTE FUNCTION aixin_append_only()",
]


class TablesThenSQL(MigrationManager):
    """Piccolo runs a migration's add_raw() before its tables (piccolo-orm/piccolo#541); this SQL needs the table,
    so it runs after it, in the same transaction."""

    async def run(self, backwards: bool = False):
        engine = engine_finder()
        async with engine.transaction():
            await super().run(backwards=backwards)
            if not backwards and not self.preview:
                for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="inventory", description=DESCRIPTION)
    manager.add_table(class_name="CategoryRuleChange", tablename=TABLE, schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="CategoryRuleChange", tablename=TABLE, column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
