"""Stock takes on both engines: counts against what the books expected, sales made during the count,
posting the differences as stock-take movements, and a till that is never kept waiting."""

import asyncio

import pytest

from inventory.catalogue import add_item, categories_of, update_item
from inventory.stocktake import (
    cancel_stock_take, count_item, locations_in_use, open_stock_take, post_stock_take, stock_take_view,
    stock_takes_of,
)
from inventory.tables import Item, StockMovement, StockTake, StockTakeCount
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from shop.errors import DomainError
from web.problems import status_of


async def on_hand(barcode: str) -> int:
    return (await Item.select(Item.on_hand).where(Item.barcode == barcode).first())["on_hand"]


async def stock_take_moves(number: str) -> dict[str, int]:
    """barcode → quantity of the stock-take movements of this stock take."""
    rows = await StockMovement.select(StockMovement.item.barcode, StockMovement.quantity, StockMovement.kind).where(
        StockMovement.ref == number)
    assert all(row["kind"] == "stock-take" for row in rows)
    return {row["item.barcode"]: row["quantity"] for row in rows}


async def sell(goods, settings, barcode, quantity, key):
    return await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(barcode, quantity)], cash_given_fen=1_000_000, idempotency_key=key,
                             rules=till_rules(settings))


async def open_take(goods, scope, value=""):
    return await open_stock_take(shop_id=goods.shop_id, scope=scope, scope_value=value, staff_id=goods.manager_id)


async def count(goods, take, barcode, quantity=1, mode="add"):
    return await count_item(shop_id=goods.shop_id, stock_take_id=take, barcode=barcode, quantity=quantity,
                            staff_id=goods.manager_id, mode=mode)


async def post(goods, take, zero_uncounted=False):
    return await post_stock_take(shop_id=goods.shop_id, stock_take_id=take, staff_id=goods.manager_id,
                                 zero_uncounted=zero_uncounted)


async def view(goods, take):
    return await stock_take_view(shop_id=goods.shop_id, stock_take_id=take)


async def refused(code: str, work) -> DomainError:
    with pytest.raises(DomainError) as error:
        await work
    assert str(error.value.code) == code
    return error.value


async def test_a_category_count_adds_scans_sets_a_typed_count_and_posts_exactly_the_differences(goods):
    # given the books category: 3 dictionaries, and 2 atlases nobody will count
    books = next(c.id for c in await categories_of(shop_id=goods.shop_id) if c.code == "books")
    atlas = (await add_item(shop_id=goods.shop_id, name="中国地图册", category_id=books, price_fen=800, quantity=2)).barcode
    take = await open_take(goods, "category", "books")
    # when two dictionaries are scanned
    await count(goods, take, goods.book)
    line = await count(goods, take, goods.book)
    # then each scan added one, against the 3 the books expect
    assert (line.counted, line.expected, line.difference) == (2, 3, -1)
    # when the manager types the whole count: 4 (a scan adds, a typed count sets)
    line = await count(goods, take, goods.book, quantity=4, mode="set")
    assert (line.counted, line.expected, line.difference, line.on_hand) == (4, 3, 1, 3)
    shown = await view(goods, take)
    assert [(l.barcode, l.counted, l.expected, l.difference) for l in shown.lines] == [(goods.book, 4, 3, 1)]
    assert [(l.barcode, l.on_hand, l.counted) for l in shown.uncounted] == [(atlas, 2, None)]
    assert (shown.stock_take.status, shown.stock_take.items_counted, shown.stock_take.number) == ("open", 1, "ST000001")
    # when it is posted, leaving uncounted items as the books say
    assert await post(goods, take) == 1
    # then exactly the difference was written, as a stock-take movement, and on-hand is the count
    assert await stock_take_moves("ST000001") == {goods.book: 1}
    assert (await on_hand(goods.book), await on_hand(atlas)) == (4, 2)
    done = await view(goods, take)
    assert (done.stock_take.status, done.stock_take.closed_by, done.stock_take.closed_at is not None) == (
        "posted", "陈姐", True)
    assert [(l.barcode, l.posted) for l in done.lines] == [(goods.book, 1)] and done.uncounted == []


async def test_a_location_count_zeroes_what_nobody_found_and_leaves_other_shelves_alone(goods):
    # given noodles and coasters on shelf A1; the coat and the books elsewhere
    for barcode, name, category in ((goods.noodles, "红烧牛肉面 5连包", "food"), (goods.coasters, "手工编织杯垫", "crafts")):
        await update_item(shop_id=goods.shop_id, barcode=barcode, name=name, category=category, location="A1 货架",
                          low_stock_at=None, active=True)
    assert await locations_in_use(shop_id=goods.shop_id) == ["A1 货架"]
    take = await open_take(goods, "location", " A1  货架 ")
    # when 38 noodles are counted and the coasters are not found
    await count(goods, take, goods.noodles, quantity=38, mode="set")
    assert [(l.barcode, l.on_hand) for l in (await view(goods, take)).uncounted] == [(goods.coasters, 12)]
    # and the coat (another shelf) is refused
    await refused("item-out-of-scope", count(goods, take, goods.coat))
    await post(goods, take, zero_uncounted=True)
    # then two noodles are missing, the coasters are gone, the coat and books untouched
    assert await stock_take_moves("ST000001") == {goods.noodles: -2, goods.coasters: -12}
    assert [await on_hand(b) for b in (goods.noodles, goods.coasters, goods.coat, goods.book)] == [38, 0, 1, 3]


async def test_zero_uncounted_brings_an_oversold_item_back_to_zero(goods, settings):
    # given the one coat sold twice: the books say -1
    await sell(goods, settings, goods.coat, 2, key="sale-key-0001")
    take = await open_take(goods, "category", "clothes")
    clothes = next(c.id for c in await categories_of(shop_id=goods.shop_id) if c.code == "clothes")
    scarf = (await add_item(shop_id=goods.shop_id, name="围巾", category_id=clothes, price_fen=1000)).barcode
    await count(goods, take, scarf)
    await post(goods, take, zero_uncounted=True)
    assert await stock_take_moves("ST000001") == {goods.coat: 1}
    assert (await on_hand(goods.coat), await on_hand(scarf)) == (0, 1)


async def test_sales_during_the_count_are_not_counted_as_missing(goods, settings):
    # given a whole-shop count that found 39 noodles where the books said 40
    take = await open_take(goods, "shop")
    line = await count(goods, take, goods.noodles, quantity=39, mode="set")
    assert (line.expected, line.difference) == (40, -1)
    # when two packs are sold after they were counted
    await sell(goods, settings, goods.noodles, 2, key="sale-key-0001")
    shown = await view(goods, take)
    (noodles,) = [l for l in shown.lines if l.barcode == goods.noodles]
    assert (noodles.on_hand, noodles.expected, noodles.counted, noodles.difference) == (38, 40, 39, -1)
    await post(goods, take)
    # then only the one the count missed is posted: on-hand is what was counted less what was sold since
    assert await stock_take_moves("ST000001") == {goods.noodles: -1}
    assert await on_hand(goods.noodles) == 39 - 2


async def test_an_item_sold_before_it_was_counted_is_expected_without_that_sale(goods, settings):
    take = await open_take(goods, "shop")
    await sell(goods, settings, goods.book, 1, key="sale-key-0001")
    line = await count(goods, take, goods.book, quantity=2, mode="set")
    assert (line.expected, line.difference) == (2, 0)
    assert await post(goods, take) == 0
    assert await stock_take_moves("ST000001") == {} and await on_hand(goods.book) == 2


async def test_a_recount_expects_the_books_as_they_are_at_that_moment(goods, settings):
    take = await open_take(goods, "category", "food")
    await count(goods, take, goods.noodles, quantity=10, mode="set")
    await sell(goods, settings, goods.noodles, 5, key="sale-key-0001")
    line = await count(goods, take, goods.noodles, quantity=35, mode="set")
    assert (line.counted, line.expected, line.difference) == (35, 35, 0)


@pytest.mark.parametrize("barcode, quantity, mode, code", [
    ("noodles", 1, "add", "item-out-of-scope"),
    ("123", 1, "add", "malformed-barcode"),
    ("misread", 1, "add", "bad-check-digit"),
    ("6901234500028", 1, "add", "unknown-barcode"),  # a well-formed EAN-13 no item has
    ("book", 0, "add", "bad-count"),
    ("book", 10_000, "set", "bad-count"),
    ("book", -1, "set", "bad-count"),
    ("book", 1, "subtract", "bad-count"),
])
async def test_a_bad_count_is_refused_and_nothing_is_written(goods, barcode, quantity, mode, code):
    codes = {**goods.codes, "misread": goods.book[:-1] + str((int(goods.book[-1]) + 1) % 10)}
    take = await open_take(goods, "category", "books")
    await refused(code, count(goods, take, codes.get(barcode, barcode), quantity=quantity, mode=mode))
    assert await StockTakeCount.count() == 0


async def test_a_scan_past_the_largest_count_is_refused_and_the_count_kept(goods):
    take = await open_take(goods, "category", "books")
    await count(goods, take, goods.book, quantity=9_999, mode="set")
    await refused("bad-count", count(goods, take, goods.book))
    assert (await view(goods, take)).lines[0].counted == 9_999


async def test_a_stock_take_is_posted_once_and_closed_takes_take_no_more_counts(goods):
    take = await open_take(goods, "category", "books")
    await count(goods, take, goods.book, quantity=5, mode="set")
    await post(goods, take)
    error = await refused("stocktake-not-open", post(goods, take, zero_uncounted=True))
    assert status_of(error) == 409 and error.params["number"] == "ST000001"
    await refused("stocktake-not-open", count(goods, take, goods.book))
    await refused("stocktake-not-open", cancel_stock_take(shop_id=goods.shop_id, stock_take_id=take,
                                                          staff_id=goods.manager_id))
    assert await stock_take_moves("ST000001") == {goods.book: 2} and await on_hand(goods.book) == 5


async def test_a_cancelled_stock_take_posts_nothing_and_another_may_open(goods):
    take = await open_take(goods, "shop")
    await count(goods, take, goods.coat)
    # one stock take at a time: two counts of the same goods would post the same difference twice
    await refused("stocktake-already-open", open_take(goods, "category", "books"))
    await cancel_stock_take(shop_id=goods.shop_id, stock_take_id=take, staff_id=goods.manager_id)
    await refused("stocktake-not-open", post(goods, take))
    await refused("stocktake-not-open", count(goods, take, goods.coat))
    second = await open_take(goods, "category", "books")
    assert [(t.id, t.status) for t in await stock_takes_of(shop_id=goods.shop_id)] == [
        (second, "open"), (take, "cancelled")]
    assert await StockMovement.count().where(StockMovement.kind == "stock-take") == 0


async def test_posting_with_nothing_counted_is_refused_and_zeroes_nothing(goods):
    take = await open_take(goods, "category", "food")
    await refused("nothing-counted", post(goods, take, zero_uncounted=True))
    assert await on_hand(goods.noodles) == 40
    assert (await StockTake.select(StockTake.status).first())["status"] == "open"


@pytest.mark.parametrize("scope, value, code", [
    ("aisle", "A1", "bad-scope"),
    ("location", "   ", "bad-scope"),
    ("location", "x" * 33, "bad-scope"),
    ("location", "B9", "unknown-location"),
    ("category", "jewels", "unknown-category"),
])
async def test_a_count_of_nothing_one_can_count_is_not_opened(goods, scope, value, code):
    await refused(code, open_take(goods, scope, value))
    assert await StockTake.count() == 0


async def test_an_unknown_stock_take_is_not_found(goods):
    error = await refused("unknown-stocktake", view(goods, 99))
    assert status_of(error) == 404
    await refused("unknown-stocktake", count(goods, 99, goods.book))


async def test_the_till_is_never_kept_waiting_by_a_count_and_no_scan_is_lost(goods, settings):
    # given a whole-shop count going on
    take = await open_take(goods, "shop")
    # when twenty scans of the noodles and eight sales of them happen at once
    scans = [count(goods, take, goods.noodles) for _ in range(20)]
    sales = [sell(goods, settings, goods.noodles, 1, key=f"sale-key-{n:04d}") for n in range(8)]
    results = await asyncio.gather(*scans, *sales, return_exceptions=True)
    # then every sale committed and every scan counted
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert {r.number for r in results[20:]} == {f"S{n:08d}" for n in range(1, 9)}
    assert await on_hand(goods.noodles) == 32
    (noodles,) = (await view(goods, take)).lines
    assert noodles.counted == 20
    # and the count expected the books as they were at its last scan
    assert 32 <= noodles.expected <= 40
    await post(goods, take)
    assert await on_hand(goods.noodles) == 32 + 20 - noodles.expected


async def test_a_sale_commits_while_a_count_of_the_same_item_is_being_saved(goods, settings):
    take = await open_take(goods, "category", "books")
    counted, sale = await asyncio.gather(count(goods, take, goods.book, quantity=3, mode="set"),
                                         sell(goods, settings, goods.book, 1, key="sale-key-0001"))
    assert counted.counted == 3 and sale.number == "S00000001"
    assert await on_hand(goods.book) == 2
