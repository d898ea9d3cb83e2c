"""The till's copy of the catalogue: a walk gives every sellable item once, an increment gives exactly what changed
(triggers stamp the version in the writer's transaction), a change made during a walk is never missed, and a day's
markdown moves are found in SQL. Prices are the scanner's."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from inventory.catalogue import add_category, add_item, change_price, find_for_till, set_category_rules, update_item
from inventory.catalogue_feed import MAX_DAYS_BEHIND, MAX_PAGE, catalogue_page
from inventory.rotation import Rotation, Step
from inventory.stock import adjust_stock
from inventory.tables import CatalogueCounter, Category, Item
from shop.database import run, writing
from shop.errors import DomainError

ZONE = ZoneInfo("Asia/Shanghai")
ROTATION = Rotation(steps=(Step(4, 30), Step(8, 50)), remove_after_weeks=12, sources=frozenset({"donated"}),
                    zone=ZONE)


def today() -> date:
    return datetime.now(ZONE).date()


async def page(goods, **given):
    return await catalogue_page(shop_id=goods.shop_id, rotation=ROTATION, **given)


async def walk(goods, limit: int = 2, since: int = 0, **given):
    """Every page of a walk: (the first page's version, the items by code in walk order, the removed codes)."""
    first = await page(goods, since=since, limit=limit, **given)
    items, removed, current = list(first.items), list(first.removed), first
    while current.next_after is not None:
        current = await page(goods, since=since, after=current.next_after, limit=limit, **given)
        items += current.items
        removed += current.removed
    return first.version, items, removed


async def withdraw(goods, barcode: str) -> None:
    item = await Item.select(Item.name, Item.category.code.as_alias("category")).where(
        Item.barcode == barcode).first()
    await update_item(shop_id=goods.shop_id, barcode=barcode, name=item["name"], category=item["category"],
                      location="", low_stock_at=None, active=False)


async def test_a_walk_gives_every_sellable_item_once_and_no_withdrawn_one(goods):
    # given the test shop's four items, one of them withdrawn, and one more
    await withdraw(goods, goods.coat)
    books = (await Category.select(Category.id).where(Category.code == "books").first())["id"]
    extra = await add_item(shop_id=goods.shop_id, name="英汉词典", category_id=books, price_fen=900, quantity=2)
    # when the whole catalogue is walked two items a page
    version, items, removed = await walk(goods, limit=2)
    # then each sellable item comes once, in id order, none withdrawn, and the version is the shop's counter
    assert [item.barcode for item in items] == [goods.book, goods.noodles, goods.coasters, extra.barcode]
    assert removed == []
    counter = await CatalogueCounter.select(CatalogueCounter.version).where(
        CatalogueCounter.shop == goods.shop_id).first()
    assert version == counter["version"] > 0
    book = items[0]
    assert (book.name, book.price_fen, book.category, book.category_name, book.accepts_points, book.on_hand) == (
        "新华字典", 1200, "books", "图书", True, 3)


async def test_after_a_price_change_and_a_new_item_the_increment_is_exactly_those_two(goods):
    # given a till's copy at version V
    version, _, _ = await walk(goods, limit=MAX_PAGE)
    # when a price changes and an item comes in
    await change_price(shop_id=goods.shop_id, barcode=goods.book, price_fen=1000, staff_id=goods.manager_id)
    food = (await Category.select(Category.id).where(Category.code == "food").first())["id"]
    new = await add_item(shop_id=goods.shop_id, barcode="6901234500028", name="挂面 1kg", category_id=food,
                         price_fen=650, quantity=5)
    # then since=V gives exactly those two, with what they are now
    later, items, removed = await walk(goods, since=version)
    assert {item.barcode: item.price_fen for item in items} == {goods.book: 1000, new.barcode: 650}
    assert removed == [] and later > version
    # and nothing after the new version
    assert (await walk(goods, since=later))[1:] == ([], [])


async def test_a_withdrawn_item_comes_in_removed_and_back_in_items_when_put_back(goods):
    version, _, _ = await walk(goods)
    await withdraw(goods, goods.noodles)
    later, items, removed = await walk(goods, since=version)
    assert (items, removed) == ([], [goods.noodles])
    await run(Item._meta.db, "UPDATE item SET active = $2 WHERE barcode = $1", goods.noodles, True)  # any writer
    _, items, removed = await walk(goods, since=later)
    assert ([item.barcode for item in items], removed) == ([goods.noodles], [])


async def test_stock_moving_does_not_change_the_version_but_a_category_rule_changes_its_items(goods):
    version, _, _ = await walk(goods)
    # when stock moves (a count's correction) / then no increment: on_hand is a hint in the till's copy
    await adjust_stock(shop_id=goods.shop_id, barcode=goods.noodles, quantity=-2, reason="破损", staff_id=goods.manager_id)
    assert (await walk(goods, since=version))[1:] == ([], [])
    # when a category stops taking points / then each of its items comes again, with the new rule
    await set_category_rules(shop_id=goods.shop_id, code="food", accepts_points=False, perishable=False,
                             fund_percent=None, maker_percent=None)
    _, items, _ = await walk(goods, since=version)
    assert [(item.barcode, item.accepts_points, item.on_hand) for item in items] == [(goods.noodles, False, 38)]


async def test_a_change_committed_during_a_walk_comes_in_the_next_increment(goods):
    # given a walk whose first page has been read (one item a page)
    first = await page(goods, limit=1)
    # when, before its last page, an item already passed is repriced
    await change_price(shop_id=goods.shop_id, barcode=goods.coat, price_fen=3000, staff_id=goods.manager_id)
    current = first
    while current.next_after is not None:
        current = await page(goods, after=current.next_after, limit=1)
    # then the increment since the first page's version has it
    _, items, _ = await walk(goods, since=first.version)
    assert [(item.barcode, item.price_fen) for item in items] == [(goods.coat, 3000)]


async def test_a_change_still_uncommitted_when_the_first_page_is_read_gets_a_later_version(goods):
    db = Item._meta.db
    changed, read = asyncio.Event(), asyncio.Event()

    async def manager() -> None:
        async with writing(db):
            await run(db, "UPDATE item SET price_fen = 990 WHERE barcode = $1", goods.book)
            changed.set()
            await read.wait()  # committed only after the till has read its first page

    async def till():
        await changed.wait()
        try:
            return await page(goods, limit=1)
        finally:
            read.set()

    # when a till reads its first page while a change is written but not committed
    _, first = await asyncio.gather(manager(), till())
    # then the till's version is below the change's: the next increment brings it
    _, items, _ = await walk(goods, since=first.version)
    assert [(item.barcode, item.price_fen) for item in items] == [(goods.book, 990)]


async def _aged(goods, ages_days: dict[str, float]) -> dict[str, datetime]:
    """Set items' intake times to these ages (days before now); returns the times."""
    now = datetime.now(UTC)
    came_in = {}
    for barcode, days in ages_days.items():
        came_in[barcode] = now - timedelta(days=days)
        await Item.update({Item.created_at: came_in[barcode]}).where(Item.barcode == barcode)
    return came_in


async def test_a_day_a_week_ago_gives_exactly_the_items_whose_markdown_step_moved(goods):
    # given donated pieces of many ages, a perishable one, a handicraft and a withdrawn piece, all aged
    clothes = (await Category.select(Category.id).where(Category.code == "clothes").first())["id"]
    ages = [3, 10, 22, 27.9, 28.1, 30, 34, 35.5, 40, 50, 55, 56.5, 58, 62.9, 64, 80, 200]
    pieces = [(await add_item(shop_id=goods.shop_id, name=f"衬衫 {age} 天", category_id=clothes, price_fen=1001,
                              one_off=True)).barcode for age in ages]
    fresh = await add_category(shop_id=goods.shop_id, code="bread", name="面包", source="donated", perishable=True)
    bread = (await add_item(shop_id=goods.shop_id, name="面包", category_id=fresh, price_fen=500)).barcode
    came_in = await _aged(goods, {**dict(zip(pieces, ages)), bread: 30, goods.coasters: 30, goods.coat: 30})
    await withdraw(goods, goods.coat)
    version, _, _ = await walk(goods, limit=MAX_PAGE)
    # when a till whose prices are for a week ago asks for what changed
    now = datetime.now(UTC)
    week_ago = today() - timedelta(days=7)
    _, items, removed = await walk(goods, since=version, day=week_ago, limit=3)
    # then it gets exactly the pieces whose step at the start of that day is not the step now
    start = datetime.combine(week_ago, time.min, tzinfo=ZONE)
    moved = [code for code in pieces if ROTATION.markdown_percent(came_in=came_in[code], now=start)
             != ROTATION.markdown_percent(came_in=came_in[code], now=now)]
    assert [item.barcode for item in items] == moved and removed == []
    assert len(moved) >= 6  # a real mix: some crossed 4 weeks, some 8
    # and each at the price the scanner gives now
    for item in items:
        scanned = await find_for_till(shop_id=goods.shop_id, barcode=item.barcode, rotation=ROTATION, today=today())
        assert (item.price_fen, item.markdown_percent) == (scanned.price_fen, scanned.markdown_percent)
    # and a till whose prices are today's gets none of them
    assert (await walk(goods, since=version, day=today()))[1:] == ([], [])


async def test_the_walk_and_the_scanner_agree_on_every_item_of_every_age(goods):
    clothes = (await Category.select(Category.id).where(Category.code == "clothes").first())["id"]
    ages = {(await add_item(shop_id=goods.shop_id, name=f"外套 {age}", category_id=clothes, price_fen=999,
                            one_off=True)).barcode: age for age in (0, 27.99, 28.01, 55.99, 56.01, 120)}
    await _aged(goods, {**ages, goods.book: 29, goods.noodles: 60, goods.coasters: 60})
    _, items, _ = await walk(goods, limit=3)
    assert len(items) == 4 + len(ages)
    assert {item.markdown_percent for item in items} == {0, 30, 50}
    for item in items:
        scanned = await find_for_till(shop_id=goods.shop_id, barcode=item.barcode, rotation=ROTATION, today=today())
        assert (item.price_fen, item.list_price_fen, item.markdown_percent, item.category_name, item.accepts_points,
                item.on_hand, item.expires_on) == (
            scanned.price_fen, scanned.list_price_fen, scanned.markdown_percent, scanned.category,
            scanned.accepts_points, scanned.on_hand, scanned.expires_on)


async def test_a_copy_too_old_or_from_another_database_is_walked_again(goods):
    version, _, _ = await walk(goods)
    too_old = await page(goods, since=version, day=today() - timedelta(days=MAX_DAYS_BEHIND + 1))
    ahead = await page(goods, since=version + 1000)
    tomorrow = await page(goods, since=version, day=today() + timedelta(days=1))
    assert too_old.full and ahead.full and tomorrow.full
    assert not (await page(goods, since=version, day=today() - timedelta(days=MAX_DAYS_BEHIND))).full


@pytest.mark.parametrize("given", [{"since": -1}, {"after": -1}, {"limit": 0}, {"limit": MAX_PAGE + 1},
                                   {"after": 2**31}, {"since": True}])
async def test_numbers_out_of_bounds_are_refused_and_change_nothing(goods, given):
    before = await CatalogueCounter.select().where(CatalogueCounter.shop == goods.shop_id)
    with pytest.raises(DomainError) as refused:
        await page(goods, **given)
    assert refused.value.code == "bad-catalogue-page" and refused.value.params["field"] in given
    assert await CatalogueCounter.select().where(CatalogueCounter.shop == goods.shop_id) == before


async def test_price_changes_and_category_rule_changes_at_once_never_deadlock(goods):
    # given: a manager changing one book's price again and again while another changes its category's rules
    # (the category change takes the catalogue version, then the category's items; the price change locks the
    # item, then takes the version — unless it takes the version first)
    async def prices():
        for n in range(12):
            await change_price(shop_id=goods.shop_id, barcode=goods.book, price_fen=1300 + n, staff_id=goods.manager_id)

    async def rules():
        for n in range(12):
            await set_category_rules(shop_id=goods.shop_id, code="books", accepts_points=n % 2 == 0, perishable=False,
                                     fund_percent=None, maker_percent=None)

    # when both run at once: then neither is chosen as a deadlock's victim (a 500 for a manager)
    await asyncio.gather(prices(), rules())
    _, items, _ = await walk(goods, limit=MAX_PAGE)
    assert [(item.barcode, item.list_price_fen) for item in items if item.barcode == goods.book] == [(goods.book, 1311)]
