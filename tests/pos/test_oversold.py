"""Goods sold beyond stock, on SQLite and PostgreSQL: two tills sell the last coat, the oversold sale is listed
until a return, a stock correction or a stock take settles it."""

import asyncio

from inventory.catalogue import item_by_barcode, receive_stock
from inventory.stock import adjust_stock
from inventory.stocktake import CountMode, count_item, open_stock_take, post_stock_take
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.oversold import oversold
from pos.returns import ReturnRequestLine, commit_return, sale_for_return
from pos.sessions import open_session
from pos.tills import add_till


def sell(goods, settings, till_id, code, quantity, key):
    return commit_sale(shop_id=goods.shop_id, till_id=till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, quantity)], cash_given_fen=100_000, idempotency_key=key,
                       rules=till_rules(settings))


async def second_till(goods) -> int:
    till_id = await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    await open_session(shop_id=goods.shop_id, till_id=till_id, staff_id=goods.cashier_id, float_fen=0)
    return till_id


async def two_tills_sell_the_last_coat(goods, settings):
    """Both sales, the flagged one second."""
    t2 = await second_till(goods)
    first, second = await asyncio.gather(sell(goods, settings, goods.till_id, goods.coat, 1, "oversold-coat-t1"),
                                         sell(goods, settings, t2, goods.coat, 1, "oversold-coat-t2"))
    return (first, second) if second.lines[0].oversold else (second, first)


async def take_back(goods, sale, key):
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    return await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(found.lines[0].id, 1)],
                               idempotency_key=key)


async def test_two_tills_selling_the_last_coat_list_it_with_the_sale_that_sold_it_beyond_stock(goods, settings):
    # given nothing sold beyond stock
    assert await oversold(shop_id=goods.shop_id) == []
    # when two tills sell the one coat at the same moment
    fine, beyond = await two_tills_sell_the_last_coat(goods, settings)
    # then the coat is listed, its books at -1, with the one sale flagged: its number, time, till and pieces
    (coat,) = await oversold(shop_id=goods.shop_id)
    assert (coat.barcode, coat.name, coat.on_hand) == (goods.coat, "儿童羽绒服（九成新）", -1)
    (sale,) = coat.sales
    assert (sale.number, sale.at, sale.pieces) == (beyond.number, beyond.created_at, 1)
    assert sale.till_code == ("T1" if beyond.till_id == goods.till_id else "T2")
    assert fine.number not in [s.number for s in coat.sales]


async def test_returning_the_oversold_piece_takes_the_item_off_the_list(goods, settings):
    # given the coat sold twice, the second beyond stock
    fine, beyond = await two_tills_sell_the_last_coat(goods, settings)
    # when the other customer's coat comes back, the oversold sale is still unsettled
    await take_back(goods, fine, "oversold-return-fine")
    assert [s.number for i in await oversold(shop_id=goods.shop_id) for s in i.sales] == [beyond.number]
    # when the oversold coat comes back too
    await take_back(goods, beyond, "oversold-return-beyond")
    # then nothing is listed
    assert await oversold(shop_id=goods.shop_id) == []


async def test_a_partial_return_leaves_the_pieces_not_brought_back(goods, settings):
    # given 3 books on hand and a sale of 5 (the shelf had more than the books said)
    sale = await sell(goods, settings, goods.till_id, goods.book, 5, "oversold-books-5")
    assert sale.lines[0].oversold
    # when 2 come back
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=sale.number,
                        lines=[ReturnRequestLine(found.lines[0].id, 2)], idempotency_key="oversold-books-back")
    # then the sale is listed with the 3 pieces kept, and the books at 0
    (book,) = await oversold(shop_id=goods.shop_id)
    assert (book.barcode, book.on_hand) == (goods.book, 0)
    assert [(s.number, s.pieces) for s in book.sales] == [(sale.number, 3)]


async def test_a_stock_correction_settles_the_sales_before_it_not_those_after(goods, settings):
    # given the coat sold beyond stock
    await two_tills_sell_the_last_coat(goods, settings)
    # when a manager corrects the books (the shop had two coats: +1)
    await adjust_stock(shop_id=goods.shop_id, barcode=goods.coat, quantity=1, reason="两件同款，少登记一件",
                       staff_id=goods.manager_id)
    # then it is settled
    assert await oversold(shop_id=goods.shop_id) == []
    # and a sale beyond stock after the correction is listed alone
    again = await sell(goods, settings, goods.till_id, goods.coat, 1, "oversold-coat-again")
    assert again.lines[0].oversold
    (coat,) = await oversold(shop_id=goods.shop_id)
    assert [s.number for s in coat.sales] == [again.number] and coat.on_hand == -1


async def test_other_stock_movements_do_not_settle_it(goods, settings):
    # given the coat sold beyond stock
    _, beyond = await two_tills_sell_the_last_coat(goods, settings)
    # when the second coat's intake is recorded late
    coat = await item_by_barcode(shop_id=goods.shop_id, barcode=goods.coat)
    await receive_stock(shop_id=goods.shop_id, item=coat, quantity=1, staff_id=goods.manager_id, reason="补登",
                        ref="")
    # then it is still listed: only a count or a correction says the books are right
    (listed,) = await oversold(shop_id=goods.shop_id)
    assert listed.on_hand == 0 and [s.number for s in listed.sales] == [beyond.number]


async def test_a_posted_stock_take_settles_it(goods, settings):
    # given the coat sold beyond stock, and the books at -1
    await two_tills_sell_the_last_coat(goods, settings)
    # when a stock take counts no coat on the shelf, an open one settles nothing
    take = await open_stock_take(shop_id=goods.shop_id, scope="shop", scope_value="", staff_id=goods.manager_id)
    await count_item(shop_id=goods.shop_id, stock_take_id=take, barcode=goods.coat, quantity=0,
                     staff_id=goods.manager_id, mode=CountMode.SET)
    assert len(await oversold(shop_id=goods.shop_id)) == 1
    # and posted, it moves the books to 0 and settles it
    assert await post_stock_take(shop_id=goods.shop_id, stock_take_id=take, staff_id=goods.manager_id,
                                 zero_uncounted=False) == 1
    assert await oversold(shop_id=goods.shop_id) == []


async def test_a_stock_take_that_finds_the_books_right_settles_it_though_it_moves_nothing(goods, settings):
    # given the coat sold beyond stock, then the second coat's intake recorded late: the books say 0
    await two_tills_sell_the_last_coat(goods, settings)
    coat = await item_by_barcode(shop_id=goods.shop_id, barcode=goods.coat)
    await receive_stock(shop_id=goods.shop_id, item=coat, quantity=1, staff_id=goods.manager_id, reason="补登",
                        ref="")
    # when a stock take counts 0 coats and is posted (no difference: no movement)
    take = await open_stock_take(shop_id=goods.shop_id, scope="shop", scope_value="", staff_id=goods.manager_id)
    await count_item(shop_id=goods.shop_id, stock_take_id=take, barcode=goods.coat, quantity=0,
                     staff_id=goods.manager_id, mode=CountMode.SET)
    assert await post_stock_take(shop_id=goods.shop_id, stock_take_id=take, staff_id=goods.manager_id,
                                 zero_uncounted=False) == 0
    # then the count settles it
    assert await oversold(shop_id=goods.shop_id) == []


async def test_a_stock_take_counted_before_the_sale_does_not_settle_it(goods, settings):
    # given a count of the coat before the sales
    take = await open_stock_take(shop_id=goods.shop_id, scope="shop", scope_value="", staff_id=goods.manager_id)
    await count_item(shop_id=goods.shop_id, stock_take_id=take, barcode=goods.coat, quantity=1,
                     staff_id=goods.manager_id, mode=CountMode.SET)
    # when the coat is sold beyond stock, and the count is posted afterwards (no difference: nothing moves)
    _, beyond = await two_tills_sell_the_last_coat(goods, settings)
    await post_stock_take(shop_id=goods.shop_id, stock_take_id=take, staff_id=goods.manager_id, zero_uncounted=False)
    # then it is still listed
    assert [s.number for i in await oversold(shop_id=goods.shop_id) for s in i.sales] == [beyond.number]
