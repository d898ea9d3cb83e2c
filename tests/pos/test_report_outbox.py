"""The reports' summaries folded from their outbox after the sales (issue 22, pos/summaries.py), on both engines:
the tills of one shop sell at once (PostgreSQL), folders racing fold each outbox row exactly once, and a report is
exact whether the rows are folded or not."""

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from inventory.barcodes import in_store_code
from inventory.catalogue import add_item, category_by_code
from pos.checkout import CartLine, commit_sale
from pos.reports import Dimension, period_of, report
from pos.returns import ReturnRequestLine, commit_return, sale_for_return
from pos.sessions import open_session
from pos.summaries import fold, fold_all, pending
from pos.tables import Sale
from pos.tills import add_till
from shop.database import run, writing
from tests.pos.till import till_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIMENSIONS = (None, Dimension.CATEGORY, Dimension.SOURCE, Dimension.TILL, Dimension.CASHIER, Dimension.DAY)


def sell(goods, settings, till_id, cart, key):
    return commit_sale(shop_id=goods.shop_id, till_id=till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, quantity) for code, quantity in cart], cash_given_fen=100_000,
                       idempotency_key=key, rules=till_rules(settings))


async def tills(goods, n: int) -> list[int]:
    made = [goods.till_id]
    for k in range(2, n + 1):
        till_id = await add_till(shop_id=goods.shop_id, code=f"T{k}", name=f"{k} 号收银台")
        await open_session(shop_id=goods.shop_id, till_id=till_id, staff_id=goods.cashier_id, float_fen=0)
        made.append(till_id)
    return made


async def shelf(goods, n: int) -> list[str]:
    """n items of the three categories in turn, 40 pieces each, ¥1.00 to ¥n.00."""
    categories = [(await category_by_code(shop_id=goods.shop_id, code=code)).id
                  for code in ("books", "clothes", "food")]
    codes = []
    for k in range(n):
        made = await add_item(shop_id=goods.shop_id, name=f"货架 {k}", category_id=categories[k % 3],
                              price_fen=100 * (k + 1), barcode=in_store_code(200 + k), quantity=40)
        codes.append(made.barcode)
    return codes


async def figures(goods) -> dict:
    """Every breakdown of today's report from the summaries (and the outbox), and the same from the sale lines."""
    period = period_of("day", datetime.now(SHANGHAI).date())
    got = {}
    for dimension in DIMENSIONS:
        shown = dimension or Dimension.TILL
        summed = await report(shop_id=goods.shop_id, period=period, dimension=shown, zone=SHANGHAI)
        lined = await report(shop_id=goods.shop_id, period=period, dimension=shown, zone=SHANGHAI, from_lines=True)
        assert (summed.rows, summed.totals) == (lined.rows, lined.totals), shown
        got[shown] = summed
    return got


@pytest.mark.postgres_only  # SQLite has one writer at a time
async def test_a_sale_left_uncommitted_does_not_hold_up_another_tills_sale_of_the_same_shop(db, goods, settings):
    # given two tills of one shop, the first in the middle of a sale of noodles (its lines written, not committed)
    t1, t2 = await tills(goods, 2)
    written, finish = asyncio.Event(), asyncio.Event()

    async def held_open():
        async with writing(db):
            sale = await sell(goods, settings, t1, [(goods.noodles, 1)], "outbox-held-open")
            written.set()
            await finish.wait()
        return sale

    first = asyncio.create_task(held_open())
    await asyncio.wait_for(written.wait(), 10)
    # when the second till sells other goods of the same hour (same summary rows: by cashier, by source)
    second = await asyncio.wait_for(sell(goods, settings, t2, [(goods.book, 1), (goods.coasters, 2)],
                                         "outbox-not-held-up"), 10)
    # then it is sold at once, while the first is still open: nothing of the shop queues the two
    assert second.total_fen == 2200 and not first.done()
    finish.set()
    assert (await first).total_fen == 1250
    got = await figures(goods)
    assert (got[Dimension.TILL].totals.sales, got[Dimension.TILL].totals.gross_fen) == (2, 3450)


async def test_eight_tills_of_one_shop_selling_other_goods_at_once_all_sell_and_the_report_is_their_sum(
        db, goods, settings):
    # given eight tills and 24 items (every till its own three), each sale naming the categories in another order
    till_ids = await tills(goods, 8)
    codes = await shelf(goods, 24)
    carts = []
    for n in range(32):
        own = codes[3 * (n % 8):3 * (n % 8) + 3]
        carts.append([(code, 1 + n % 2) for code in (own if n % 2 else reversed(own))])
    # when 32 sales go in at once, four a till (PostgreSQL: each on its own connection of the pool)
    results = await asyncio.gather(*[sell(goods, settings, till_ids[n % 8], cart, f"outbox-eight-{n:02d}")
                                     for n, cart in enumerate(carts)], return_exceptions=True)
    # then every one is sold, none lost to a deadlock
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await Sale.count() == 32
    # and the report, folded or not, is their sum, by till as sold
    expected = sum(r.total_fen for r in results)
    assert await pending(shop_id=goods.shop_id) > 0
    got = await figures(goods)
    assert (got[Dimension.TILL].totals.sales, got[Dimension.TILL].totals.gross_fen) == (32, expected)
    assert {int(row.key): row.sales for row in got[Dimension.TILL].rows} == {t: 4 for t in till_ids}
    await fold_all()
    assert await pending() == 0
    assert (await figures(goods))[Dimension.TILL].totals == got[Dimension.TILL].totals


async def test_two_folders_racing_fold_each_outbox_row_exactly_once(db, goods, settings):
    # given 30 sales and a return of three tills in the outbox, not folded
    till_ids = await tills(goods, 3)
    codes = await shelf(goods, 9)
    for n in range(30):
        await sell(goods, settings, till_ids[n % 3], [(codes[n % 9], 1), (codes[(n + 4) % 9], 2)], f"outbox-race-{n}")
    sold = await sale_for_return(shop_id=goods.shop_id, number="S00000007")
    await commit_return(shop_id=goods.shop_id, till_id=till_ids[1], cashier_id=goods.cashier_id, sale=sold.number,
                        lines=[ReturnRequestLine(sold.lines[0].id, 1)], idempotency_key="outbox-race-return")
    before = await figures(goods)
    waiting = await pending()
    assert waiting > 60
    # when two folders (two connections on PostgreSQL) fold at once, a few rows a transaction, until none is left
    async def folder() -> int:
        total = 0
        while (folded := await fold(limit=7)) > 0:
            total += folded
        return total

    first, second = await asyncio.gather(folder(), folder())
    # then every row was folded once, by one of them, and the report is what it was: summaries alone, now
    assert first + second == waiting
    assert await pending() == 0
    after = await figures(goods)
    assert {d: (r.rows, r.totals) for d, r in after.items()} == {d: (r.rows, r.totals) for d, r in before.items()}
    assert after[Dimension.TILL].totals.refunds == 1 and after[Dimension.TILL].totals.sales == 30


async def test_the_report_is_exact_with_some_rows_folded_and_some_pending(db, goods, settings):
    # given sales in the summaries and more still in the outbox (one shop's rows folded, of part of them)
    t1, t2 = await tills(goods, 2)
    await sell(goods, settings, t1, [(goods.noodles, 2), (goods.book, 1)], "outbox-part-1")
    await fold()
    await sell(goods, settings, t2, [(goods.noodles, 1), (goods.coasters, 3)], "outbox-part-2")
    await fold(shop_id=goods.shop_id, limit=1)  # one row of each summary's outbox
    await sell(goods, settings, t1, [(goods.coat, 1)], "outbox-part-3")
    assert await pending(shop_id=goods.shop_id) > 0
    hour = datetime.now(UTC).strftime("%Y-%m-%d %H")
    folded = await run(db, "SELECT SUM(lines) AS n FROM report_sale_hour WHERE utc_hour = $1", hour)
    assert 0 < int(folded[0]["n"]) < 5  # some, not all, of the five lines are in the summaries themselves
    # then every breakdown equals the sale lines' (figures() checks), and the totals are the three sales
    got = await figures(goods)
    assert (got[Dimension.TILL].totals.sales, got[Dimension.TILL].totals.lines) == (3, 5)
    assert got[Dimension.TILL].totals.gross_fen == 2 * 1250 + 1200 + 1250 + 3 * 500 + 3500
    assert {row.key: row.sales for row in got[Dimension.CATEGORY].rows} == {
        "food": 2, "books": 1, "crafts": 1, "clothes": 1}
    # and an outbox row cannot be changed in place: it leaves only by being folded
    with pytest.raises(Exception, match="UPDATE refused"):
        await run(db, "UPDATE report_sale_outbox SET value = value + 1")


async def test_the_servers_folder_folds_while_it_runs_and_what_is_left_at_stop(db, goods, settings):
    from pos.summaries import Folder

    # a folder every 50 ms folds a sale's rows soon after it
    folder = Folder(every=0.05)
    folder.start()
    try:
        await sell(goods, settings, goods.till_id, [(goods.noodles, 1)], "outbox-folder-1")
        for _ in range(200):
            if await pending() == 0:
                break
            await asyncio.sleep(0.02)
        assert await pending() == 0
    finally:
        await folder.stop()
    # a folder asleep for a minute after its first pass folds the sale made meanwhile when the server stops
    folder = Folder(every=60.0)
    folder.start()
    try:
        await asyncio.sleep(0.3)
        await sell(goods, settings, goods.till_id, [(goods.book, 1)], "outbox-folder-2")
        assert await pending() > 0
    finally:
        await folder.stop()
    assert await pending() == 0
    assert (await figures(goods))[Dimension.TILL].totals.gross_fen == 2450
