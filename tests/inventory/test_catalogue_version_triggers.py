"""verify() checks that the triggers stamping items with the catalogue version are there (the tills' offline copies
learn of a change only through them): a dropped one is named, on both engines, and a disabled one on PostgreSQL."""

from __future__ import annotations

import contextlib

import pytest

from inventory.catalogue import change_price
from inventory.catalogue_feed import VERSION_TRIGGERS, version_trigger_problems
from inventory.tables import Item
from pos.verify import printed_report, verify, verify_report
from shop.database import run

TRIGGERS = [(table, name) for table, names in VERSION_TRIGGERS.items() for name in names]
TITLE = "Every change of an item or a category takes a catalogue version"


@contextlib.asynccontextmanager
async def dropped(db, table: str, name: str):
    """The trigger `name` of `table` dropped, then made again as it was."""
    if db.engine_type == "sqlite":
        made = (await run(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1", name))[0]["sql"]
        await db.run_ddl(f"DROP TRIGGER {name}")
    else:
        made = (await run(db, "SELECT pg_get_triggerdef(t.oid) AS sql FROM pg_trigger t JOIN pg_class c "
                              "ON c.oid = t.tgrelid WHERE c.relname = $1 AND t.tgname = $2", table, name))[0]["sql"]
        await db.run_ddl(f"DROP TRIGGER {name} ON {table}")
    try:
        yield
    finally:
        await db.run_ddl(made)


async def test_on_a_new_database_every_version_trigger_is_there(db):
    assert len(TRIGGERS) == 3
    assert await version_trigger_problems(db) == []
    assert next(rule for rule in await verify_report() if rule.title.startswith(TITLE)).problems == ()


@pytest.mark.parametrize(("table", "name"), TRIGGERS)
async def test_a_dropped_version_trigger_is_named(goods, db, table, name):
    async with dropped(db, table, name):
        # given the trigger gone: a change no longer moves the item's version (the tills would never learn of it)
        if name == "item_catalogue_update":
            before = (await Item.select(Item.catalogue_version).where(Item.barcode == goods.book).first())
            await change_price(shop_id=goods.shop_id, barcode=goods.book, price_fen=999, staff_id=goods.manager_id)
            after = (await Item.select(Item.catalogue_version).where(Item.barcode == goods.book).first())
            assert after == before
        # then verify() names it, and the printed report fails that rule
        problems = await verify()
        report = printed_report(await verify_report())
    assert problems == [f"{table}: the trigger {name} is missing, so the tills' copies of the catalogue miss changes"]
    assert f"FAIL  {TITLE}" in report
    if name == "item_catalogue_update":  # put right as it would have been, for the test's own verify()
        await change_price(shop_id=goods.shop_id, barcode=goods.book, price_fen=1200, staff_id=goods.manager_id)
    assert await verify() == []


@pytest.mark.postgres_only  # SQLite cannot disable a trigger, only drop it
async def test_a_disabled_version_trigger_is_named_on_postgresql(db):
    await db.run_ddl("ALTER TABLE category DISABLE TRIGGER category_catalogue_update")
    try:
        problems = await verify()
    finally:
        await db.run_ddl("ALTER TABLE category ENABLE TRIGGER category_catalogue_update")
    assert problems == ["category: the trigger category_catalogue_update is disabled, so the tills' copies of the "
                        "catalogue miss changes"]
