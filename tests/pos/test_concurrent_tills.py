"""Two or more tills at the same moment (real commits, on SQLite and PostgreSQL): the last unit, one member's
points, and one submit sent many times."""

import asyncio

from lovebank.passbook import points_of
from inventory.stock import on_hand
from inventory.tables import Item
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.errors import SaleError
from pos.sessions import open_session
from pos.tables import Sale, SaleLine, Tender
from pos.tender import PointsIn
from pos.tills import add_till
from shop import ledger
from shop.errors import DomainError, ShopError
from web.problems import status_of
from tests.pos.members import member_with_points


def sell(goods, settings, till_id, lines, cash, key, points=None):
    return commit_sale(shop_id=goods.shop_id, till_id=till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, qty) for code, qty in lines], cash_given_fen=cash, idempotency_key=key,
                       rules=till_rules(settings), points=points)


async def second_till(goods) -> int:
    till_id = await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    await open_session(shop_id=goods.shop_id, till_id=till_id, staff_id=goods.cashier_id, float_fen=0)
    return till_id


async def test_two_tills_selling_the_last_coat_at_once_both_sell_and_one_is_flagged(goods, settings):
    # given one coat on hand and two tills
    t2 = await second_till(goods)
    # when both sell it at the same moment (the shelf is the truth: two customers had one each)
    first, second = await asyncio.gather(sell(goods, settings, goods.till_id, [(goods.coat, 1)], 3500, "key-till-one-coat"),
                                         sell(goods, settings, t2, [(goods.coat, 1)], 3500, "key-till-two-coat"))
    # then both sales are whole and recorded, the stock is -1, and exactly one line is flagged oversold
    assert {first.till_id, second.till_id} == {goods.till_id, t2}
    coat_id = (await Item.select(Item.id).where(Item.barcode == goods.coat).first())["id"]
    assert (await on_hand([coat_id]))[coat_id] == -1
    assert sorted([first.lines[0].oversold, second.lines[0].oversold]) == [False, True]
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 3500
    assert await ledger.balance(ledger.till_cash(t2)) == 3500


async def test_many_tills_spending_one_members_points_never_take_them_below_zero(goods, settings):
    # given a member with 30 points and five sales of 10 points each, all at once
    member = await member_with_points(goods, 30)
    t2 = await second_till(goods)
    tender = PointsIn(points=10, member_code=member.number)
    results = await asyncio.gather(*[
        sell(goods, settings, (goods.till_id, t2)[n % 2], [(goods.noodles, 1)], 250, f"key-points-race-{n}", tender)
        for n in range(5)], return_exceptions=True)
    # then three are sold, two are refused with a clear 409, and the member has 0 points, never less
    sold = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(sold) == 3 and len(refused) == 2, results
    assert all(status_of(r) == 409 and r.code in (SaleError.NOT_ENOUGH_POINTS, ShopError.BALANCE_BELOW_ZERO)
               for r in refused)
    assert await points_of(member.id) == 0
    assert sorted(s.points_left for s in sold) == [0, 10, 20]
    assert await Sale.count() == 3 and await Tender.count().where(Tender.kind == "points") == 3
    assert await SaleLine.count() == 3  # the refused sales wrote nothing


async def test_one_submit_sent_many_times_at_once_is_one_sale(goods, settings):
    member = await member_with_points(goods, 50)
    tender = PointsIn(points=10, member_code=member.number)
    results = await asyncio.gather(*[
        sell(goods, settings, goods.till_id, [(goods.book, 2)], 1400, "key-same-submit", tender) for _ in range(6)])
    assert len({r.number for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert all(r.points == 10 and r.change_fen == 0 for r in results)
    assert await Sale.count() == 1 and await points_of(member.id) == 40


async def test_tills_selling_other_goods_of_the_same_categories_in_opposite_orders_at_once_all_sell(goods, settings):
    # given two tills, and sixteen carts of other pieces each (no item in common) naming the same
    # categories in opposite orders: each sale locks the reports' summary rows of its categories,
    # till and cashier as its lines go in
    from inventory.barcodes import in_store_code
    from inventory.catalogue import add_item, category_by_code

    t2 = await second_till(goods)
    categories = [(await category_by_code(shop_id=goods.shop_id, code=code)).id for code in ("books", "clothes", "food")]
    carts = []
    for n in range(16):
        codes = []
        for k, category_id in enumerate(categories):
            made = await add_item(shop_id=goods.shop_id, name=f"并发测试{n}-{k}", category_id=category_id,
                                  price_fen=1000, barcode=in_store_code(100 + 3 * n + k))
            codes.append((made.barcode, 1))
        carts.append(codes if n % 2 else list(reversed(codes)))
    # when the sixteen sales go in at the same moment
    results = await asyncio.gather(*[
        sell(goods, settings, (goods.till_id, t2)[n % 2], cart, 10_000, f"key-opposite-orders-{n}")
        for n, cart in enumerate(carts)], return_exceptions=True)
    # then every one of them is sold (no deadlock reaches a cashier), each exactly once
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await Sale.count() == 16
    assert await SaleLine.count() == 48
