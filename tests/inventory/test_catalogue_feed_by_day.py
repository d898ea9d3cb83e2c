"""The till's copy and markdowns by shop day: steps move at the shop's midnight, so a page for day D brings exactly the
items whose step on D is not the step today, and nothing moves during a day (a copy of today is exact until
midnight). Each item that ages carries the shop day it came in, for a till offline past midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from inventory.catalogue import add_category, add_item, find_for_till
from inventory.catalogue_feed import MAX_DAYS_BEHIND, MAX_PAGE, catalogue_page
from inventory.rotation import Rotation, Step
from inventory.tables import Category, Item

ZONE = ZoneInfo("Asia/Shanghai")
ROTATION = Rotation(steps=(Step(1, 10), Step(4, 30), Step(8, 50)), remove_after_weeks=12,
                    sources=frozenset({"donated"}), zone=ZONE)


async def walk(goods, *, now: datetime, since: int = 0, day: date | None = None):
    """(version, items by code) of a whole walk at `now`."""
    first = current = await catalogue_page(shop_id=goods.shop_id, since=since, day=day, rotation=ROTATION, now=now,
                                           limit=MAX_PAGE)
    items = {item.barcode: item for item in first.items}
    while current.next_after is not None:
        current = await catalogue_page(shop_id=goods.shop_id, since=since, day=day, rotation=ROTATION, now=now,
                                       limit=MAX_PAGE, after=current.next_after)
        items |= {item.barcode: item for item in current.items}
    return first.version, items


async def pieces_at_the_edges_of_days(goods, today: date) -> dict[str, datetime]:
    """Donated pieces that came in at the first and the last instant of each shop day of the last 10 weeks, and one
    at noon; a perishable donated piece and a purchased one of each age too (they never age). Their intake times."""
    clothes = (await Category.select(Category.id).where(Category.code == "clothes").first())["id"]
    bread = await add_category(shop_id=goods.shop_id, code="bread", name="面包", source="donated", perishable=True)
    food = (await Category.select(Category.id).where(Category.code == "food").first())["id"]
    came_in = {}
    for days_ago in range(0, 71):
        day = today - timedelta(days=days_ago)
        first, next_day = ROTATION.day_start(day), ROTATION.day_start(day + timedelta(days=1))
        moments = [first, next_day - timedelta(microseconds=1)] + ([first + timedelta(hours=12)] if days_ago % 7 == 0
                                                                   else [])
        for n, moment in enumerate(moments):
            for category in (clothes, bread, food) if n == 0 else (clothes,):
                code = (await add_item(shop_id=goods.shop_id, name=f"第{days_ago}天 {n}", category_id=category,
                                       price_fen=1001, one_off=True)).barcode
                await Item.update({Item.created_at: moment}).where(Item.barcode == code)
                came_in[code] = moment
    return came_in


async def test_a_page_for_day_d_has_exactly_the_items_whose_step_moved_between_d_and_today(goods):
    # given pieces that came in at the edges of every shop day of 10 weeks, and a till's copy of them
    now = datetime.now(UTC)
    today = ROTATION.day_of(now)
    came_in = await pieces_at_the_edges_of_days(goods, today)
    version, walked = await walk(goods, now=now)
    ageing = {code for code, item in walked.items() if item.came_in_day is not None}
    assert {code for code in ageing if code in came_in} == {
        code for code in came_in if walked[code].category == "clothes"}  # not perishable, not purchased
    assert all(walked[code].came_in_day == ROTATION.day_of(came_in[code]) for code in ageing if code in came_in)
    # when a till whose prices are for day D (each of the last 30 days) asks what changed
    for days_behind in range(1, MAX_DAYS_BEHIND + 1):
        day = today - timedelta(days=days_behind)
        _, changed = await walk(goods, now=now, since=version, day=day)
        # then it gets exactly the pieces whose step on D is not today's, at today's price
        moved = {code for code in ageing
                 if ROTATION.markdown_on(came_in_day=walked[code].came_in_day, day=day)
                 != ROTATION.markdown_on(came_in_day=walked[code].came_in_day, day=today)}
        assert set(changed) == moved, day
        assert moved or days_behind < 7
        for code in moved:
            percent = ROTATION.markdown_on(came_in_day=walked[code].came_in_day, day=today)
            assert (changed[code].markdown_percent, changed[code].price_fen) == (percent, 1001 * (100 - percent) // 100)
    # and a day behind, exactly what came in 7, 28 and 56 shop days ago, at both edges of the day
    _, changed = await walk(goods, now=now, since=version, day=today - timedelta(days=1))
    assert sorted({(today - walked[code].came_in_day).days for code in changed}) == [7, 28, 56]
    assert len(changed) == 3 * 3  # the first, the last instant and noon of each of those days


async def test_nothing_moves_during_a_shop_day(goods):
    # given the same pieces
    today = datetime.now(ZONE).date()
    await pieces_at_the_edges_of_days(goods, today)
    start = ROTATION.day_start(today)
    moments = [start, start + timedelta(seconds=1), start + timedelta(hours=10, minutes=37),
               ROTATION.day_start(today + timedelta(days=1)) - timedelta(microseconds=1)]
    # when the catalogue is walked at midnight, at 10:37 and at the last instant of the day
    walks = [await walk(goods, now=moment) for moment in moments]
    # then every price is the same all day, and the scanner says so too
    prices = [{code: (item.price_fen, item.markdown_percent) for code, item in items.items()} for _, items in walks]
    assert all(p == prices[0] for p in prices[1:])
    assert {percent for _, percent in prices[0].values()} == {0, 10, 30, 50}
    for code, (price, percent) in list(prices[0].items())[::9]:
        for moment in moments:
            scanned = await find_for_till(shop_id=goods.shop_id, barcode=code, rotation=ROTATION, today=today,
                                          now=moment)
            assert (scanned.price_fen, scanned.markdown_percent) == (price, percent)
    # and a copy of today, asked again at any moment of the day, is told of no move
    version = walks[0][0]
    for moment in moments:
        assert (await walk(goods, now=moment, since=version, day=today))[1] == {}
    # and just after midnight, a copy of yesterday is told of the day's moves
    tomorrow = ROTATION.day_start(today + timedelta(days=1))
    _, moved = await walk(goods, now=tomorrow, since=version, day=today)
    assert moved and all(item.markdown_percent != prices[0][code][1] for code, item in moved.items())
