"""The ledger's seal (shop/seal.py): committed transactions sealed afterwards in one hash chain per shop; a ledger
row edited past its triggers, or a seal removed, is found by the chain; a sale never waits for the sealer."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import UTC, datetime

import pytest

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.verify import verify
from shop import ledger
from shop.database import run, writing
from shop.seal import GENESIS, Sealer, seal_hash, seal_pending, seal_problems, unsealed
from shop.tables import LedgerSeal, Shop
from tests.tampering import triggers_off


def sell(goods, settings, key: str, lines=None):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=lines or [CartLine(goods.noodles, 1)], cash_given_fen=5000, idempotency_key=key,
                       rules=till_rules(settings))


def moved(shop_id: int, fen: int, ref: str) -> ledger.Txn:
    return ledger.Txn(kind="test", ref=ref, entries=(ledger.Entry(ledger.SAFE, ledger.Currency.CNY, fen),
                                                     ledger.Entry(ledger.RUNNING_COSTS, ledger.Currency.CNY, -fen)))


async def seals() -> list[dict]:
    return await run(LedgerSeal._meta.db, "SELECT id, shop, txn, prev_hash, hash FROM ledger_seal ORDER BY id")


async def test_each_shops_transactions_are_sealed_once_in_one_chain_of_its_own(goods, settings):
    # given sales in the test shop, and a second shop's transaction between them
    await sell(goods, settings, "seal-000001")
    other = (await Shop.insert(Shop(code="S2", name="二号站点")).returning(Shop.id))[0]["id"]
    await ledger.post(moved(other, 500, "x"), shop_id=other)
    await sell(goods, settings, "seal-000002", [CartLine(goods.coat, 1), CartLine(goods.coasters, 2)])
    count, oldest = await unsealed()
    assert count == 3 and oldest is not None
    # when
    assert await seal_pending() == 3
    # then each shop's chain starts from nothing and each seal follows the one before it
    rows = await seals()
    assert [(row["shop"], row["txn"]) for row in rows if row["shop"] == goods.shop_id] == [(goods.shop_id, 1),
                                                                                         (goods.shop_id, 3)]
    assert [(row["shop"], row["txn"]) for row in rows if row["shop"] == other] == [(other, 2)]
    chains: dict[int, str] = {}
    for row in rows:
        assert row["prev_hash"] == chains.get(row["shop"], GENESIS)
        chains[row["shop"]] = row["hash"]
    # and sealing again seals nothing; the chain checks out
    assert await seal_pending() == 0 and await seal_pending(everything=False) == 0
    assert await unsealed() == (0, None)
    assert await seal_problems() == []


def test_a_seal_hashes_the_transaction_and_every_entry_whatever_the_drivers_types():
    txn = {"id": 7, "shop": 1, "kind": "sale", "ref": "S00000007", "reverses": None, "staff": 2,
           "created_at": "2026-12-06 09:30:00.250000+00:00"}
    entries = [{"id": 20, "account": "asset:till:1:cash", "currency": "CNY", "amount": 1250},
               {"id": 21, "account": "liability:fund:community", "currency": "CNY", "amount": -1250}]
    first = seal_hash(GENESIS, txn, entries)
    assert seal_hash(GENESIS, {**txn, "created_at": datetime(2026, 12, 6, 9, 30, 0, 250000, tzinfo=UTC)},
                     entries) == first
    for changed in ({**txn, "ref": "S00000008"}, {**txn, "shop": 2}, {**txn, "reverses": 3}):
        assert seal_hash(GENESIS, changed, entries) != first
    assert seal_hash(GENESIS, txn, [entries[0], {**entries[1], "amount": -1249}]) != first
    assert seal_hash(GENESIS, txn, entries[:1]) != first
    assert seal_hash(first, txn, entries) != first


async def test_an_edited_ledger_entry_is_found_by_the_chain(goods, settings):
    # given a sealed sale
    sale = await sell(goods, settings, "seal-000001", [CartLine(goods.coat, 1), CartLine(goods.coasters, 2)])
    await seal_pending()
    db = LedgerSeal._meta.db
    entries = await run(db, "SELECT e.id, e.account FROM ledger_entry e JOIN ledger_txn t ON t.id = e.txn "
                            "WHERE t.ref = $1 ORDER BY e.id", sale.number)
    fund = next(e["id"] for e in entries if e["account"] == ledger.FUND)
    running = next(e["id"] for e in entries if e["account"] == ledger.RUNNING_COSTS)
    # when one fen of the fund's share is moved to running costs, past the ledger's triggers (still balanced)
    async with triggers_off(db, "ledger_entry"):
        await run(db, "UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", fund)
        await run(db, "UPDATE ledger_entry SET amount = amount - 1 WHERE id = $1", running)
        # then the chain names the shop and the transaction; verify() reports it
        assert await seal_problems() == [f"shop {goods.shop_id}: ledger transaction 1 is not as it was sealed (the "
                                         "transaction or its entries were changed)"]
        assert any("ledger transaction 1 is not as it was sealed" in p for p in await verify())
        await run(db, "UPDATE ledger_entry SET amount = amount - 1 WHERE id = $1", fund)
        await run(db, "UPDATE ledger_entry SET amount = amount + 1 WHERE id = $1", running)
    assert await seal_problems() == []


async def test_an_edited_transaction_or_its_entries_deleted_are_found_and_a_sealed_one_cannot_go(goods, settings):
    await sell(goods, settings, "seal-000001")
    await sell(goods, settings, "seal-000002")
    await seal_pending()
    db = LedgerSeal._meta.db
    async with triggers_off(db, "ledger_txn", "ledger_entry"):
        await run(db, "UPDATE ledger_txn SET ref = 'S00000099' WHERE id = 2")
        saved = await run(db, "SELECT id, txn, account, currency, amount FROM ledger_entry WHERE txn = 1")
        await run(db, "DELETE FROM ledger_entry WHERE txn = 1")
        assert await seal_problems() == [
            f"shop {goods.shop_id}: ledger transaction {txn} is not as it was sealed (the transaction or its entries "
            "were changed)" for txn in (1, 2)]
        with pytest.raises(Exception, match="(?i)foreign key"):  # its seal holds a sealed transaction
            await run(db, "DELETE FROM ledger_txn WHERE id = 1")
        for row in saved:
            await run(db, "INSERT INTO ledger_entry (id, txn, account, currency, amount) VALUES ($1, $2, $3, $4, $5)",
                      row["id"], row["txn"], row["account"], row["currency"], row["amount"])
        await run(db, "UPDATE ledger_txn SET ref = 'S00000002' WHERE id = 2")
    assert await seal_problems() == []


async def test_a_removed_seal_breaks_the_chain_where_it_was(goods, settings):
    for n in range(3):
        await sell(goods, settings, f"seal-00000{n}")
    await seal_pending()
    db = LedgerSeal._meta.db
    middle = (await seals())[1]
    async with triggers_off(db, "ledger_seal"):
        await run(db, "DELETE FROM ledger_seal WHERE id = $1", middle["id"])
        assert await seal_problems() == [f"shop {goods.shop_id}: the seal of ledger transaction 3 does not follow the "
                                         "one sealed before it (a seal was removed, added or moved)"]
        # sealed again, at the end of the chain: the break stays where it was
        assert await seal_pending() == 1
        assert await seal_problems() == [f"shop {goods.shop_id}: the seal of ledger transaction 3 does not follow the "
                                         "one sealed before it (a seal was removed, added or moved)"]
        await run(db, "DELETE FROM ledger_seal WHERE txn = 2")
        await run(db, "INSERT INTO ledger_seal (id, shop, txn, prev_hash, hash, sealed_at) "
                      "SELECT $1, $2, $3, $4, $5, sealed_at FROM ledger_seal WHERE id = $6", middle["id"],
                  middle["shop"], middle["txn"], middle["prev_hash"], middle["hash"], (await seals())[0]["id"])
    assert await seal_problems() == []


@pytest.mark.postgres_only  # on SQLite: SQLite's foreign keys hold on every connection the shop opens
async def test_a_sealed_transaction_gone_is_named_on_postgresql(goods, settings):
    """Only past its triggers and its foreign keys (PostgreSQL's replica mode) can a sealed transaction go."""
    db = LedgerSeal._meta.db
    await sell(goods, settings, "seal-000001")
    await seal_pending()

    class Undone(Exception):
        pass

    with pytest.raises(Undone):
        async with db.transaction():
            await run(db, "SET LOCAL session_replication_role = replica")
            await run(db, "DELETE FROM ledger_entry WHERE txn = 1")
            await run(db, "DELETE FROM ledger_txn WHERE id = 1")
            assert await seal_problems() == [f"shop {goods.shop_id}: ledger transaction 1 was sealed and is gone"]
            raise Undone
    assert await seal_problems() == []


@pytest.mark.postgres_only  # on SQLite: SQLite's one writer commits transactions in id order
async def test_a_transaction_that_commits_late_is_sealed_after_those_sealed_before(goods, settings):
    """PostgreSQL hands out an id before its transaction commits: a smaller id can commit after a larger one."""
    db = LedgerSeal._meta.db
    posted, go_on = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> int:
        async with writing(db):
            txn = await ledger.post(moved(goods.shop_id, 100, "late"), shop_id=goods.shop_id)
            posted.set()
            await go_on.wait()
        return txn

    late = asyncio.create_task(slow_writer(), context=contextvars.Context())
    await posted.wait()
    early = await ledger.post(moved(goods.shop_id, 200, "early"), shop_id=goods.shop_id)
    assert await seal_pending(everything=False) == 1
    go_on.set()
    late_id = await late
    assert late_id < early
    assert await seal_pending(everything=False) == 1
    assert [row["txn"] for row in await seals()] == [early, late_id]
    assert await seal_problems() == []


@pytest.mark.postgres_only  # on SQLite: SQLite has one writer: a sale and a seal take turns of milliseconds
async def test_a_sale_never_waits_for_the_sealer_on_postgresql(goods, settings):
    db = LedgerSeal._meta.db
    await sell(goods, settings, "seal-000001")
    sealing, done = asyncio.Event(), asyncio.Event()

    async def sealer_busy() -> None:  # another process's sealer, holding the shop's chain
        async with writing(db):
            await run(db, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"aixin:seal:shop:{goods.shop_id}")
            sealing.set()
            await done.wait()

    busy = asyncio.create_task(sealer_busy(), context=contextvars.Context())
    await sealing.wait()
    sale = await asyncio.wait_for(sell(goods, settings, "seal-000002"), timeout=5)
    assert sale.total_fen == 1250
    assert await asyncio.wait_for(seal_pending(), timeout=5) == 0  # the other sealer has this shop: left to it
    done.set()
    await busy
    assert await seal_pending() == 2


async def test_the_sealer_seals_while_the_server_runs_and_stops_when_told(goods, settings):
    sealer = Sealer(every=0.05)
    sealer.start()
    try:
        await sell(goods, settings, "seal-000001")
        for _ in range(100):
            if await unsealed() == (0, None):
                break
            await asyncio.sleep(0.05)
        assert await unsealed() == (0, None)
    finally:
        await sealer.stop()
    await sell(goods, settings, "seal-000002")
    await asyncio.sleep(0.2)
    assert (await unsealed())[0] == 1
    assert await seal_problems() == []
