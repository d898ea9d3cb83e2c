"""commit_sale on SQLite and PostgreSQL: whole or nothing, idempotent, split stored, ledger balanced."""

import asyncio

import pytest

from inventory.catalogue import update_item
from inventory.errors import InventoryError
from inventory.stock import on_hand
from inventory.tables import Item, StockMovement
from pos import checkout
from pos.checkout import CartLine, commit_sale, quote_cart
from tests.pos.till import till_rules
from pos.errors import SaleError
from pos.tables import Sale, SaleLine, Tender
from shop import ledger
from shop.errors import DomainError
from web.problems import status_of
from shop.tables import LedgerEntry, LedgerTxn


def sell(goods, settings, lines, cash, key="key-00000001", **extra):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, qty) for code, qty in lines], cash_given_fen=cash,
                       idempotency_key=key, rules=till_rules(settings), **extra)


async def counts():
    return {table.__name__: await table.count() for table in (Sale, SaleLine, Tender, StockMovement, LedgerTxn, LedgerEntry)}


async def test_a_cash_sale_writes_lines_tender_stock_and_a_balanced_ledger_transaction(goods, settings):
    # given
    lines = [(goods.coat, 1), (goods.noodles, 2), (goods.coasters, 3), (goods.book, 1)]
    # when
    sale = await sell(goods, settings, lines, cash=10000)
    # then: 3500 + 2500 + 1500 + 1200
    assert sale.total_fen == 8700 and sale.change_fen == 1300 and not sale.replayed
    assert sale.number == f"S{sale.id:08d}"
    by_code = {line.barcode: line for line in sale.lines}
    # donated coat 70/0/30; book's category overrides to 50%; food 5%; consigned coasters 10/80/10
    assert (by_code[goods.coat].fund_fen, by_code[goods.coat].running_fen) == (2450, 1050)
    assert (by_code[goods.book].rule_fund, by_code[goods.book].fund_fen) == (50, 600)
    assert (by_code[goods.noodles].fund_fen, by_code[goods.noodles].running_fen) == (125, 2375)
    assert (by_code[goods.coasters].fund_fen, by_code[goods.coasters].maker_fen,
            by_code[goods.coasters].running_fen) == (150, 1200, 150)
    assert sale.fund_fen == 2450 + 600 + 125 + 150 and sale.maker_fen == 1200
    assert sale.fund_fen + sale.maker_fen + sale.running_fen == sale.total_fen
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 8700
    assert await ledger.balance(ledger.FUND) == -sale.fund_fen
    assert await ledger.balance(ledger.maker_payable(goods.maker_id)) == -1200
    assert await ledger.balance(ledger.RUNNING_COSTS) == -sale.running_fen
    stock = await on_hand([row["id"] for row in await Item.select(Item.id).where(Item.barcode.is_in([goods.coat, goods.noodles]))])
    assert sorted(stock.values()) == [0, 38]
    stored = await SaleLine.select().where(SaleLine.sale == sale.id)
    assert {row["barcode"]: (row["name"], row["unit_price_fen"], row["rule_fund"], row["rule_maker"]) for row in stored}[
        goods.coasters] == ("手工编织杯垫", 500, 10, 80)
    tender = await Tender.select().where(Tender.sale == sale.id).first()
    assert (tender["amount_fen"], tender["given_fen"], tender["change_fen"]) == (8700, 10000, 1300)


async def test_the_same_code_twice_is_one_line_and_a_past_sale_keeps_its_price(goods, settings):
    sale = await sell(goods, settings, [(goods.noodles, 1), (goods.noodles, 2)], cash=3750)
    assert [(l.barcode, l.quantity, l.value_fen) for l in sale.lines] == [(goods.noodles, 3, 3750)]
    # when the price changes later
    await Item.update({Item.price_fen: 9999}).where(Item.barcode == goods.noodles)
    # then the sale as stored is unchanged
    again = await checkout.load_sale(sale.id, shop_id=goods.shop_id)
    assert again.lines[0].unit_price_fen == 1250 and again.total_fen == 3750


async def test_a_repeated_submit_returns_the_first_sale_and_writes_nothing(goods, settings):
    first = await sell(goods, settings, [(goods.book, 2)], cash=5000)
    before = await counts()
    # when
    second = await sell(goods, settings, [(goods.book, 2)], cash=5000)
    # then
    assert second.replayed and second.number == first.number and second.change_fen == 2600
    assert await counts() == before


async def test_the_same_key_with_another_cart_is_refused_and_writes_nothing(goods, settings):
    await sell(goods, settings, [(goods.book, 1)], cash=1200)
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 2)], cash=2400)
    assert caught.value.code is SaleError.IDEMPOTENCY_KEY_REUSED and status_of(caught.value) == 409
    assert await counts() == before


@pytest.mark.parametrize("lines, cash, code", [
    ([("6901234500028", 1)], 5000, InventoryError.UNKNOWN_BARCODE),
    ([("6901234500012", 1)], 5000, InventoryError.BAD_CHECK_DIGIT),
    ([("not-a-code", 1)], 5000, InventoryError.MALFORMED_BARCODE),
    ([("coat", 1)], 100, SaleError.NOT_ENOUGH_CASH),
    ([("coat", 0)], 5000, InventoryError.BAD_QUANTITY),
    ([("coat", 10_000)], 10**8, InventoryError.BAD_QUANTITY),
    ([("coat", 1)], -1, SaleError.BAD_AMOUNT),
    ([], 100, SaleError.EMPTY_CART),
])
async def test_bad_input_is_refused_with_its_code_and_changes_nothing(goods, settings, lines, cash, code):
    lines = [(goods.codes.get(c, c), q) for c, q in lines]
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, lines, cash=cash)
    assert caught.value.code is code
    assert await counts() == before


async def test_a_price_changed_since_the_scan_is_refused(goods, settings):
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1)], cash=5000, expected_total_fen=3000)
    assert caught.value.code is SaleError.PRICE_CHANGED and caught.value.params["total"] == 3500


async def test_a_failure_half_way_leaves_nothing_behind(goods, settings, monkeypatch):
    # given a ledger that fails after the sale, lines, tender and stock were written
    real_post = ledger.post

    async def post_then_fail(txn, **kwargs):
        await real_post(txn, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(checkout.ledger, "post", post_then_fail)
    before = await counts()
    # when
    with pytest.raises(RuntimeError):
        await sell(goods, settings, [(goods.coat, 1), (goods.noodles, 1)], cash=5000)
    # then
    assert await counts() == before
    monkeypatch.setattr(checkout.ledger, "post", real_post)
    sale = await sell(goods, settings, [(goods.coat, 1), (goods.noodles, 1)], cash=5000)
    assert sale.total_fen == 4750


async def test_selling_what_the_books_say_is_gone_is_allowed_and_flagged(goods, settings):
    first = await sell(goods, settings, [(goods.coat, 1)], cash=3500, key="key-first-coat")
    second = await sell(goods, settings, [(goods.coat, 1)], cash=3500, key="key-second-coat")
    assert not first.lines[0].oversold and second.lines[0].oversold


async def test_many_submits_of_one_sale_at_once_make_one_sale(goods, settings):
    results = await asyncio.gather(*[sell(goods, settings, [(goods.noodles, 2)], cash=2500, key="key-same-sale")
                                     for _ in range(10)])
    assert len({r.number for r in results}) == 1
    assert await Sale.count() == 1 and sum(not r.replayed for r in results) == 1


async def test_many_tills_selling_at_once_all_commit(goods, settings):
    results = await asyncio.gather(*[sell(goods, settings, [(goods.noodles, 1), (goods.book, 1)], cash=2450,
                                          key=f"key-concurrent-{i:03d}") for i in range(20)])
    assert len({r.number for r in results}) == 20
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 20 * 2450
    assert sum(1 for r in results if r.lines[1].oversold) == 17  # 3 books on hand


async def test_the_ledger_and_sale_lines_refuse_update_and_delete(goods, settings):
    await sell(goods, settings, [(goods.book, 1)], cash=1200)
    for statement in ("UPDATE ledger_entry SET amount = 0", "DELETE FROM ledger_txn",
                      "UPDATE sale_line SET value_fen = 1", "DELETE FROM stock_movement"):
        with pytest.raises(Exception, match="append-only"):
            await LedgerEntry.raw(statement)
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 1200


async def test_what_is_printed_with_the_sale_commits_with_it_or_not_at_all(goods, settings):
    from printing.queue import enqueue, recent_jobs

    class Receipts:
        """A paper (pos/checkout.py: SalePaper) that queues the sale's receipt, and then, if told to, fails."""

        def __init__(self, *, fails: bool = False) -> None:
            self.fails = fails

        async def print_sale(self, sale):
            await enqueue(shop_id=goods.shop_id, printer="receipt", document="receipt", ref=sale.number, data=b"r")
            if self.fails:
                raise RuntimeError("the receipt could not be laid out")

    with pytest.raises(RuntimeError):
        await sell(goods, settings, [(goods.book, 1)], cash=1200, key="key-with-sale-1", paper=Receipts(fails=True))
    assert await Sale.count() == 0 and await recent_jobs(shop_id=goods.shop_id) == []
    sale = await sell(goods, settings, [(goods.book, 1)], cash=1200, key="key-with-sale-2", paper=Receipts())
    assert [job.ref for job in await recent_jobs(shop_id=goods.shop_id)] == [sale.number]
    # a repeated submit does not queue a second receipt
    await sell(goods, settings, [(goods.book, 1)], cash=1200, key="key-with-sale-2", paper=Receipts())
    assert len(await recent_jobs(shop_id=goods.shop_id)) == 1


async def test_quoting_a_withdrawn_item_is_refused_as_selling_it_is(goods, settings):
    # given: the book taken off sale by a manager
    await update_item(shop_id=goods.shop_id, barcode=goods.book, name="新华字典", category="books", location="",
                      low_stock_at=None, active=False)
    cart = [CartLine(goods.noodles, 1), CartLine(goods.book, 1)]
    # when: the till asks for a quote, then tries to sell the cart
    with pytest.raises(DomainError) as quoted:
        await quote_cart(shop_id=goods.shop_id, lines=cart, rules=till_rules(settings))
    with pytest.raises(DomainError) as sold:
        await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, lines=cart,
                          cash_given_fen=5000, idempotency_key="withdrawn-01", rules=till_rules(settings))
    # then: both say the same, and nothing was sold
    assert quoted.value.code is sold.value.code is InventoryError.ITEM_WITHDRAWN
    assert (status_of(quoted.value), quoted.value.params) == (status_of(sold.value), sold.value.params) == (
        409, {"barcode": goods.book, "name": "新华字典"})
    assert await Sale.count() == 0


async def test_a_sale_made_at_a_given_time_is_recorded_then(goods, settings):
    # given: a moment the till was open, before now
    from datetime import UTC

    from pos.sessions import current_session
    at = (await current_session(shop_id=goods.shop_id, till_id=goods.till_id)).opened_at.astimezone(UTC)
    # when
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.book, 1)], cash_given_fen=1200, idempotency_key="at-a-time-1",
                             rules=till_rules(settings), now=at)
    # then: the sale and its stock movement carry that time
    row = await Sale.select(Sale.created_at).where(Sale.id == sale.id).first()
    assert sale.created_at == at and row["created_at"].astimezone(UTC) == at
    moved = await StockMovement.select(StockMovement.created_at).where(StockMovement.ref == sale.number).first()
    assert moved["created_at"].astimezone(UTC) == at
