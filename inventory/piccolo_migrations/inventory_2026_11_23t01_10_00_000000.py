"""one count per item per stock take; price changes are append-only; search keys for the items already there.

Written by hand: each engine's SQL, and the pinyin keys computed in Python (inventory.search).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one count per item per stock take; price changes append-only; search keys filled in"

SQLITE = [
    "CREATE UNIQUE INDEX stock_take_count_item ON stock_take_count (stock_take, item)",
    *(f"CREATE TRIGGER price_change_no_{op.lower()} BEFORE {op} ON price_change "
      f"BEGIN SELECT RAISE(ABORT, 'price_change is append-only: {op} refused'); END" for op in ("UPDATE", "DELETE")),
]
POSTGRES = [
    "CREATE UNIQUE INDEX stock_take_count_item ON stock_take_count (stock_take, item)",
    "CREATE TRIGGER price_change_append_only BEFORE UPDATE OR DELETE ON price_change "
    "FOR EACH ROW EXECUTE FUNCTION aixin_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inventory", description=DESCRIPTION)

    async def run():
        from inventory.search import pinyin_keys

        engine = engine_finder()
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)
        rows = await engine.run_ddl("SELECT id, name FROM item")
        for row in rows or []:
            initials, full = pinyin_keys(row["name"])
            await engine.run_ddl(
                f"UPDATE item SET search_initials = '{initials}', search_pinyin = '{full}' WHERE id = {int(row['id'])}")

    manager.add_raw(run)
    return manager
