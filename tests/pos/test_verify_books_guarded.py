"""verify() checks that the books guard themselves: every trigger that refuses UPDATE, DELETE (and TRUNCATE on
PostgreSQL) on a record of the books is there, enabled and refusing, and the ledger's seals chain unbroken; a
transaction the sealer has not sealed yet is said, as information, not as a problem."""

from __future__ import annotations

import contextlib

import pytest

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.verify import APPEND_ONLY, KEPT, books_triggers, printed_report, trigger_problems, verify, verify_report
from shop.database import run
from shop.seal import seal_pending
from shop.tables import LedgerSeal
from tests.tampering import triggers_off

GUARDED = "Every record of the books refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL)"
SEALED = "Each sealed ledger transaction is as it was sealed"


@contextlib.asynccontextmanager
async def trigger_replaced(db, table: str, name: str, replacement: str | None):
    """The trigger `name` of `table` dropped (and `replacement` made in its place, if given), then made again."""
    if db.engine_type == "sqlite":
        made = (await run(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1", name))[0]["sql"]
        await db.run_ddl(f"DROP TRIGGER {name}")
    else:
        made = (await run(db, "SELECT pg_get_triggerdef(t.oid) AS sql FROM pg_trigger t JOIN pg_class c "
                              "ON c.oid = t.tgrelid WHERE c.relname = $1 AND t.tgname = $2", table, name))[0]["sql"]
        await db.run_ddl(f"DROP TRIGGER {name} ON {table}")
    if replacement:
        await db.run_ddl(replacement)
    try:
        yield
    finally:
        if replacement:
            await db.run_ddl(f"DROP TRIGGER {name}" + (f" ON {table}" if db.engine_type == "postgres" else ""))
        await db.run_ddl(made)


def sell(goods, settings, key: str):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(goods.noodles, 1)], cash_given_fen=5000, idempotency_key=key,
                       rules=till_rules(settings))


def rule(checked, title: str):
    return next(r for r in checked if r.title.startswith(title))


async def test_every_record_of_the_books_is_guarded_by_its_triggers_on_a_new_database(db):
    expected = books_triggers(db.engine_type)
    assert set(expected) == set(APPEND_ONLY + KEPT) and len(APPEND_ONLY + KEPT) == 22
    assert await trigger_problems(db) == []
    assert rule(await verify_report(), GUARDED).problems == ()


@pytest.mark.parametrize("table", ["sale", "till_session", "service_record", "ledger_seal", "stock_movement"])
async def test_a_dropped_trigger_is_named(db, table):
    name = books_triggers(db.engine_type)[table][0]
    async with trigger_replaced(db, table, name, None):
        problems = await verify()
    assert problems == [f"{table}: the trigger {name} is missing, so its rows can be changed"]


async def test_a_trigger_that_no_longer_refuses_anything_is_named(db):
    if db.engine_type == "sqlite":
        name, harmless = "sale_no_update", "CREATE TRIGGER sale_no_update BEFORE UPDATE ON sale BEGIN SELECT 1; END"
    else:
        await db.run_ddl("CREATE FUNCTION aixin_lets_through() RETURNS trigger LANGUAGE plpgsql AS $$ "
                         "BEGIN RETURN NEW; END $$")
        name, harmless = "sale_append_only", ("CREATE TRIGGER sale_append_only BEFORE UPDATE OR DELETE ON sale "
                                              "FOR EACH ROW EXECUTE FUNCTION aixin_lets_through()")
    try:
        async with trigger_replaced(db, "sale", name, harmless):
            problems = await verify()
    finally:
        if db.engine_type == "postgres":
            await db.run_ddl("DROP FUNCTION aixin_lets_through()")
    assert problems == [f"sale: the trigger {name} no longer refuses anything"]


@pytest.mark.postgres_only  # on SQLite: SQLite cannot disable a trigger, only drop it
async def test_a_disabled_trigger_is_named_on_postgresql(db):
    await db.run_ddl("ALTER TABLE till_session DISABLE TRIGGER till_session_no_truncate")
    try:
        problems = await verify()
    finally:
        await db.run_ddl("ALTER TABLE till_session ENABLE TRIGGER till_session_no_truncate")
    assert problems == ["till_session: the trigger till_session_no_truncate is disabled, so its rows can be changed"]


async def test_transactions_waiting_for_the_sealer_are_information_and_a_broken_chain_a_problem(goods, settings):
    # given a sale the sealer has not sealed yet
    await sell(goods, settings, "guard-000001")
    # then the report says so, as information: the books are in order
    checked = await verify_report()
    assert rule(checked, SEALED).problems == ()
    (note,) = rule(checked, SEALED).notes
    assert note.startswith("1 ledger transaction(s) not sealed yet, the oldest posted ")
    report = printed_report(checked)
    assert f"· {note}" in report and report.endswith("the books are in order")
    assert await verify() == []
    # when sealed, nothing waits
    await seal_pending()
    assert rule(await verify_report(), SEALED).notes == ()
    # when a seal is removed (its triggers off), the report fails on the chain and on the triggers
    await sell(goods, settings, "guard-000002")
    await sell(goods, settings, "guard-000003")
    await seal_pending()
    db = LedgerSeal._meta.db
    async with triggers_off(db, "ledger_seal"):
        await run(db, "DELETE FROM ledger_seal WHERE txn = 2")
        report = printed_report(await verify_report())
        # put back as the sealer would have it: the chain continues from the seal before
        await run(db, "DELETE FROM ledger_seal WHERE txn = 3")
    await seal_pending()
    assert ("FAIL  Each sealed ledger transaction is as it was sealed, and each shop's seals form one unbroken chain: "
            "1 problem(s)") in report
    assert (f"shop {goods.shop_id}: the seal of ledger transaction 3 does not follow the one sealed before it (a seal "
            "was removed, added or moved)") in report
    assert f"FAIL  {GUARDED}" in report and "ledger_seal: the trigger ledger_seal_" in report
    assert await verify() == []
