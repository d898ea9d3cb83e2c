"""Issue 20: staff logins linked to members, members' skills, the history of their details, replaced cards, and the
keys service records were entered with.

staff_member links a login to one member (unique both ways). member_skill holds a member's skills as tags;
member_change each change of their details or card (who, when, from what, to what). replaced_card keeps the codes of
cards replaced by a new one: the till refuses them; it is append-only, as the books are (triggers refuse UPDATE and
DELETE, and TRUNCATE on PostgreSQL). service_entry keeps the idempotency key of a service record entered with one,
unique per shop (a unique index on shop and key).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff_member, member_skill, member_change, replaced_card (append-only), service_entry"


# The tables this migration's foreign keys point to, as Piccolo's migrations name them.
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


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


def _references(table: type[Table], **given) -> dict:
    return _params(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade, target_column=None,
                   **given)


TABLES = {
    ("StaffMember", "staff_member"): (
        ("staff", ForeignKey, _references(Staff, unique=True)),
        ("member", ForeignKey, _references(Member, unique=True)),
        ("linked_by", ForeignKey, _references(Staff, null=True)),
        ("linked_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("MemberSkill", "member_skill"): (
        ("member", ForeignKey, _references(Member, index=True)),
        ("skill", Varchar, _params(length=20, default="")),
    ),
    ("MemberChange", "member_change"): (
        ("member", ForeignKey, _references(Member, index=True)),
        ("field", Varchar, _params(length=16, default="")),
        ("old_value", Varchar, _params(length=300, default="")),
        ("new_value", Varchar, _params(length=300, default="")),
        ("changed_by", ForeignKey, _references(Staff, null=True)),
        ("changed_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("ReplacedCard", "replaced_card"): (
        ("member", ForeignKey, _references(Member, index=True)),
        ("card_code", Varchar, _params(length=32, default="", unique=True)),
        ("replaced_by", ForeignKey, _references(Staff, null=True)),
        ("replaced_at", Timestamptz, _params(default=TimestamptzNow())),
    ),
    ("ServiceEntry", "service_entry"): (
        ("shop", ForeignKey, _references(Shop)),
        ("idempotency_key", Varchar, _params(length=64, default="")),
        ("request_digest", Varchar, _params(length=64, default="")),
        ("service", ForeignKey, _references(ServiceRecord, unique=True)),
    ),
}

BOTH = ["CREATE UNIQUE INDEX service_entry_shop_idempotency_key ON service_entry (shop, idempotency_key)"]

SQLITE = [
    f"CREATE TRIGGER replaced_card_no_{op.lower()} BEFORE {op} ON replaced_card "
    f"BEGIN SELECT RAISE(ABORT, 'replaced_card is append-only: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
]

POSTGRES = [
    "CREATE TRIGGER replaced_card_append_only BEFORE UPDATE OR DELETE ON replaced_card "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
    "CREATE TRIGGER replaced_card_no_truncate BEFORE TRUNCATE ON replaced_card FOR EACH STATEMENT "
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
                for statement in BOTH + (SQLITE if engine.engine_type == "sqlite" else POSTGRES):
                    await engine.run_ddl(statement)


async def forwards():
    manager = TablesThenSQL(migration_id=ID, app_name="lovebank", description=DESCRIPTION)
    for (class_name, table), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=table, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=table, column_name=name, db_column_name=name,
                               column_class_name=column_class.__name__, column_class=column_class, params=params,
                               schema=None)
    return manager
