"""Reports for any period, by category, goods source, till, cashier and day, on both engines: each figure
against a hand computation, periods cut at the shop's local midnight, the fund's cash/points rule."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from pos.checkout import CartLine, commit_sale
from pos.errors import SaleError
from pos.reports import Dimension, fund_in_points, period_of, report
from pos.sold import points_part_sql
from pos.tender import PointsIn
from shop.database import run
from shop.errors import DomainError
from shop.money import allocate
from tests.pos.till import till_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def sell_at(g, settings, *, at: datetime, lines, points_fen: int = 0, points: int = 0, till: int | None = None,
                  cashier: int | None = None, household_ref: str = "H-2026-1") -> int:
    """A sale through the till (commit_sale) made at `at`; returns its id.

    lines: (category, source, unit_price_fen, quantity, discount_fen, fund_percent, maker_percent). Each sells an
    item of the test shop's category at that price (made on first use; a handicraft consigned by g's maker), with
    its discount as the cashier gives one; the source and percents are what the category's rule gives, checked.
    Points are the fund's, spent for `household_ref` with the manager's PIN (given to the fund first).
    """
    from inventory.catalogue import add_item, categories_of
    from donations.makers import consign_goods
    from pos.discounts import Discount, LineOverride
    from shop.staff import set_pin
    from tests.pos.members import fund_with_points

    if not hasattr(g, "priced"):
        g.priced, g.sold = {}, 0
        await set_pin(username="manager", pin="8642")
    categories = {c.code: c for c in await categories_of(shop_id=g.shop_id)}
    cart = []
    for category, _, unit, quantity, discount, _, _ in lines:
        if (category, unit) not in g.priced:
            if categories[category].source == "handicraft":
                made = await consign_goods(shop_id=g.shop_id, maker_id=g.maker_id, category_code=category,
                                           name=f"{category} {unit}", price_fen=unit, quantity=1000, staff_id=None)
            else:
                made = await add_item(shop_id=g.shop_id, name=f"{category} {unit}",
                                      category_id=categories[category].id, price_fen=unit, quantity=1000)
            g.priced[category, unit] = made.barcode
        override = LineOverride(discount=Discount(amount_fen=discount), reason="会员日") if discount else None
        cart.append(CartLine(g.priced[category, unit], quantity, override))
    till, cashier = till or g.till_id, cashier or g.cashier_id
    await open_back_then(g, till=till, staff_id=cashier, at=at)
    if points_fen:
        await fund_with_points(g, points)
    total = sum(unit * quantity - discount for _, _, unit, quantity, discount, _, _ in lines)
    g.sold += 1
    sale = await commit_sale(shop_id=g.shop_id, till_id=till, cashier_id=cashier, lines=cart,
                             cash_given_fen=total - points_fen, idempotency_key=f"sold-at-{g.sold:04d}",
                             rules=till_rules(settings), expected_total_fen=total, now=at,
                             points=PointsIn(points=points, household_ref=household_ref) if points_fen else None,
                             manager_pin="8642" if points_fen else None)
    assert sale.points_fen == points_fen
    assert [(source, fund, maker) for _, source, _, _, _, fund, maker in lines] == [
        (categories[c].source, line.rule_fund, line.rule_maker) for (c, *_), line in zip(lines, sale.lines)]
    return sale.id


async def open_back_then(g, *, till: int, staff_id: int, at: datetime) -> None:
    """The till open at `at`: a sale is made in a session that had opened by then, so a back-dated sale needs
    its till opened back then too (a year before; the session open now, if it opened later, is closed first)."""
    from pos import sessions

    session = await sessions.current_session(shop_id=g.shop_id, till_id=till)
    if session is not None and session.opened_at <= at:
        return
    if session is not None:
        await sessions.close_session(shop_id=g.shop_id, till_id=till, staff_id=staff_id, counted_fen=0)
    await sessions.open_session(shop_id=g.shop_id, till_id=till, staff_id=staff_id, float_fen=0,
                                now=at - timedelta(days=366))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# --- periods --------------------------------------------------------------------------------


def test_a_week_runs_monday_to_sunday_and_a_month_to_its_last_day():
    assert period_of("week", date(2026, 12, 3)).first == date(2026, 11, 30)
    assert period_of("week", date(2026, 12, 3)).last == date(2026, 12, 6)
    assert (period_of("month", date(2024, 2, 10)).first, period_of("month", date(2024, 2, 10)).last) == (
        date(2024, 2, 1), date(2024, 2, 29))
    assert period_of("month", date(2026, 12, 31)).last == date(2026, 12, 31)
    assert period_of("custom", date(2026, 1, 1), date(2026, 3, 1)).days == 60


def test_a_period_is_the_shops_local_days_in_utc():
    start, end = period_of("day", date(2026, 12, 1)).bounds(SHANGHAI)
    assert (start, end) == (datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 1, 16, tzinfo=UTC))


@pytest.mark.parametrize("kind, first, last", [("year", date(2026, 1, 1), None), ("custom", date(2026, 2, 1), None),
                                               ("custom", date(2026, 2, 1), date(2026, 1, 1)),
                                               ("custom", date(2020, 1, 1), date(2026, 1, 1))])
def test_a_bad_period_is_refused(kind, first, last):
    with pytest.raises(DomainError) as caught:
        period_of(kind, first, last)
    assert caught.value.code is SaleError.BAD_PERIOD


# --- the fund's share in cash and in points -------------------------------------------------


@given(fund=st.integers(min_value=-10**8, max_value=10**8), total=st.integers(min_value=1, max_value=10**8),
       share=st.integers(min_value=0, max_value=10**8))
def test_the_funds_cash_and_points_parts_add_up_and_follow_allocate(fund, total, share):
    points_fen = share % (total + 1)
    points_part = fund_in_points(fund, total, points_fen)
    cash_part = fund - points_part
    assert cash_part + points_part == fund
    if points_fen:
        assert [cash_part, points_part] == allocate(fund, [total - points_fen, points_fen])
    else:
        assert points_part == 0


@hypothesis_settings(max_examples=300)
@given(fund=st.integers(min_value=-10**8, max_value=10**8), total=st.integers(min_value=1, max_value=10**8),
       share=st.integers(min_value=0, max_value=10**8))
def test_the_reports_sql_computes_the_same_points_part(fund, total, share):
    points_fen = share % (total + 1)
    sql = "SELECT " + points_part_sql("?1", "?2", "?3", "INTEGER")
    with sqlite3.connect(":memory:") as connection:
        (got,) = connection.execute(sql, (fund, total, points_fen)).fetchone()
    assert got == fund_in_points(fund, total, points_fen)


async def test_the_points_part_in_postgresqls_sql_too(db):
    big = "BIGINT" if db.engine_type == "postgres" else "INTEGER"
    cases = [(3, 3, 1), (1, 2, 1), (99, 7, 3), (-99, 7, 3), (7_000_000, 10_000_000, 3_333_333), (5, 10, 0)]
    for fund, total, points_fen in cases:
        rows = await run(db, "SELECT " + points_part_sql("CAST($1 AS INTEGER)", "CAST($2 AS INTEGER)",
                                                          "CAST($3 AS INTEGER)", big) + " AS part",
                         fund, total, points_fen)
        assert rows[0]["part"] == fund_in_points(fund, total, points_fen), (fund, total, points_fen)


# --- the figures ----------------------------------------------------------------------------


async def test_each_figure_by_category_against_a_hand_computation(goods, settings):
    # given: two sales on 1 December (shop time), one paid partly in points, one with a discount
    day = date(2026, 12, 1)
    await sell_at(goods, settings, at=local(2026, 12, 1, 10), lines=[
        ("clothes", "donated", 3500, 1, 0, 70, 0),  # fund 2450, running 1050
        ("food", "purchased", 1250, 2, 100, 5, 0),  # value 2400: fund 120, running 2280
    ])
    await sell_at(goods, settings, at=local(2026, 12, 1, 15), lines=[
        ("clothes", "donated", 1000, 3, 0, 70, 0),  # value 3000: fund 2100, running 900
        ("crafts", "handicraft", 500, 1, 0, 10, 80),  # fund 50, maker 400, running 50
    ], points_fen=1000, points=10)  # of 3500: points pay 2/7
    # when
    got = await report(shop_id=goods.shop_id, period=period_of("day", day), dimension="category", zone=SHANGHAI)
    # then
    rows = {row.key: row for row in got.rows}
    assert set(rows) == {"clothes", "food", "crafts"}
    clothes = rows["clothes"]
    assert (clothes.sales, clothes.lines, clothes.pieces) == (2, 2, 4)
    assert (clothes.gross_fen, clothes.discount_fen, clothes.refund_fen, clothes.net_fen) == (6500, 0, 0, 6500)
    assert (clothes.fund_fen, clothes.maker_fen, clothes.running_fen) == (4550, 0, 1950)
    # 2100 of the second sale's fund: allocate(2100, [2500, 1000]) = [1500, 600]
    assert (clothes.fund_cash_fen, clothes.fund_points_fen) == (2450 + 1500, 600)
    assert clothes.points_redeemed is None  # a category cannot say which goods the points paid for
    food = rows["food"]
    assert (food.gross_fen, food.discount_fen, food.net_fen, food.fund_fen, food.running_fen) == (2500, 100, 2400, 120, 2280)
    crafts = rows["crafts"]
    assert (crafts.fund_fen, crafts.maker_fen, crafts.fund_points_fen) == (50, 400, allocate(50, [2500, 1000])[1])
    totals = got.totals
    assert (totals.sales, totals.lines, totals.gross_fen, totals.discount_fen, totals.net_fen) == (2, 4, 9500, 100, 9400)
    assert totals.fund_fen == 2450 + 120 + 2100 + 50 and totals.maker_fen == 400
    assert totals.fund_fen + totals.maker_fen + totals.running_fen == totals.net_fen
    assert totals.fund_cash_fen + totals.fund_points_fen == totals.fund_fen
    assert totals.fund_points_fen == 600 + 14
    assert totals.points_redeemed == 10
    assert [r.net_fen for r in got.rows] == sorted((r.net_fen for r in got.rows), reverse=True)


async def test_by_source_till_and_cashier(goods, settings):
    from pos.tills import add_till
    till2 = await add_till(shop_id=goods.shop_id, code="T2", name="二号台")
    await sell_at(goods, settings, at=local(2026, 12, 2, 9), lines=[("clothes", "donated", 1000, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=local(2026, 12, 2, 9, 30), lines=[("food", "purchased", 2000, 1, 0, 5, 0)],
                   till=till2, cashier=goods.manager_id, points_fen=2000, points=20)
    period = period_of("day", date(2026, 12, 2))
    by_source = await report(shop_id=goods.shop_id, period=period, dimension=Dimension.SOURCE, zone=SHANGHAI)
    assert {r.key: (r.net_fen, r.fund_fen) for r in by_source.rows} == {"donated": (1000, 700), "purchased": (2000, 100)}
    by_till = await report(shop_id=goods.shop_id, period=period, dimension="till", zone=SHANGHAI)
    assert {r.label: (r.sales, r.net_fen, r.fund_cash_fen, r.fund_points_fen, r.points_redeemed) for r in by_till.rows} == {
        "T1 一号收银台": (1, 1000, 700, 0, 0), "T2 二号台": (1, 2000, 0, 100, 20)}
    by_cashier = await report(shop_id=goods.shop_id, period=period, dimension="cashier", zone=SHANGHAI)
    assert {r.label: r.net_fen for r in by_cashier.rows} == {"小张": 1000, "陈姐": 2000}
    with pytest.raises(DomainError) as caught:
        await report(shop_id=goods.shop_id, period=period, dimension="colour", zone=SHANGHAI)
    assert caught.value.code is SaleError.BAD_DIMENSION


async def test_a_period_cuts_at_the_shops_local_midnight(goods, settings):
    # given: sales at 23:59:59 on 30 November and 00:00 on 1 December, shop time (15:59:59 and 16:00 UTC)
    await sell_at(goods, settings, at=local(2026, 11, 30, 23, 59, 59), lines=[("clothes", "donated", 100, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=local(2026, 12, 1, 0, 0, 0), lines=[("clothes", "donated", 200, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=local(2026, 12, 31, 23, 59, 59, 999999),
                  lines=[("clothes", "donated", 400, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=local(2027, 1, 1), lines=[("clothes", "donated", 800, 1, 0, 70, 0)])
    # when / then
    november = await report(shop_id=goods.shop_id, period=period_of("month", date(2026, 11, 5)), dimension="day",
                            zone=SHANGHAI)
    assert november.totals.net_fen == 100
    december = await report(shop_id=goods.shop_id, period=period_of("month", date(2026, 12, 5)), dimension="day",
                            zone=SHANGHAI)
    assert december.totals.net_fen == 600
    days = {row.key: row.net_fen for row in december.rows}
    assert len(days) == 31 and days["2026-12-01"] == 200 and days["2026-12-31"] == 400 and days["2026-12-15"] == 0
    assert sum(days.values()) == december.totals.net_fen
    # the same sales seen from a shop in London: other days
    london = await report(shop_id=goods.shop_id, period=period_of("day", date(2026, 11, 30)), dimension="day",
                          zone=ZoneInfo("Europe/London"))
    assert london.totals.net_fen == 300


async def test_a_day_that_changes_the_clocks_has_23_hours(goods, settings):
    # given a shop in Berlin: 29 March 2026 has 23 hours; a sale at 23:30 local is still that day
    berlin = ZoneInfo("Europe/Berlin")
    await sell_at(goods, settings, at=datetime(2026, 3, 29, 23, 30, tzinfo=berlin),
                  lines=[("clothes", "donated", 100, 1, 0, 70, 0)])
    await sell_at(goods, settings, at=datetime(2026, 3, 30, 0, 30, tzinfo=berlin),
                  lines=[("clothes", "donated", 200, 1, 0, 70, 0)])
    week = await report(shop_id=goods.shop_id, period=period_of("week", date(2026, 3, 29)), dimension="day", zone=berlin)
    assert {r.key: r.net_fen for r in week.rows if r.net_fen} == {"2026-03-29": 100}


async def test_days_across_both_changes_of_the_clocks_read_the_same_from_the_summaries(goods, settings):
    # given a shop in Berlin selling either side of each change of 2026 (29 March 02:00 → 03:00, 25 October
    # 03:00 → 02:00, the hour 02:xx twice), and either side of those days' midnights
    berlin = ZoneInfo("Europe/Berlin")
    sold = [(datetime(2026, 3, 28, 23, 30, tzinfo=berlin), 1), (datetime(2026, 3, 29, 1, 30, tzinfo=berlin), 2),
            (datetime(2026, 3, 29, 3, 30, tzinfo=berlin), 4), (datetime(2026, 3, 30, 0, 30, tzinfo=berlin), 8),
            (datetime(2026, 10, 24, 23, 30, tzinfo=berlin), 16), (datetime(2026, 10, 25, 2, 30, tzinfo=berlin), 32),
            (datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin), 64),
            (datetime(2026, 10, 25, 23, 30, tzinfo=berlin), 128), (datetime(2026, 10, 26, 0, 30, tzinfo=berlin), 256)]
    for at, fen in sold:
        await sell_at(goods, settings, at=at, lines=[("clothes", "donated", fen * 100, 1, 0, 70, 0)])
    # when the days from March to October are read from the hourly summaries (the hour shifted by the offset then)
    period = period_of("custom", date(2026, 3, 28), date(2026, 10, 26))
    by_day = await report(shop_id=goods.shop_id, period=period, dimension="day", zone=berlin)
    # then each sale is on its local day, as summed from the lines
    assert {r.key: r.net_fen // 100 for r in by_day.rows if r.net_fen} == {
        "2026-03-28": 1, "2026-03-29": 2 + 4, "2026-03-30": 8, "2026-10-24": 16, "2026-10-25": 32 + 64 + 128,
        "2026-10-26": 256}
    assert by_day == await report(shop_id=goods.shop_id, period=period, dimension="day", zone=berlin, from_lines=True)


async def test_a_real_sale_through_the_till_is_in_the_report(goods, settings):
    from pos.sessions import current_session, open_session
    if await current_session(shop_id=goods.shop_id, till_id=goods.till_id) is None:
        await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=0)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.coasters, 2)], cash_given_fen=5000,
                             idempotency_key="report-00001", rules=till_rules(settings))
    today = sale.created_at.astimezone(SHANGHAI).date()
    got = await report(shop_id=goods.shop_id, period=period_of("day", today), dimension="source", zone=SHANGHAI)
    assert got.totals.net_fen == sale.total_fen == 4500
    assert got.totals.fund_fen == sale.fund_fen and got.totals.fund_cash_fen == sale.fund_fen
    assert {r.key: r.maker_fen for r in got.rows} == {"donated": 0, "handicraft": 800}


async def test_donations_received_in_the_period(goods, settings):
    from donations.intake import GivenItem, register_donation
    await register_donation(shop_id=goods.shop_id, volunteer_id=goods.cashier_id, idempotency_key="donation-0001",
                            received_on=date(2026, 12, 1), items=[
                                GivenItem(category="clothes", description="毛衣", condition="good", quantity=2,
                                          price_fen=1500),
                                GivenItem(category="clothes", description="破鞋", condition="fair", quantity=1,
                                          refused_reason="破损")],
                            donor_id=None, today=date(2026, 12, 1))
    got = await report(shop_id=goods.shop_id, period=period_of("week", date(2026, 12, 1)), dimension="category",
                       zone=SHANGHAI)
    assert (got.donations.donations, got.donations.pieces, got.donations.refused_pieces) == (1, 2, 1)
    later = await report(shop_id=goods.shop_id, period=period_of("day", date(2026, 12, 2)), dimension="category",
                         zone=SHANGHAI)
    assert later.donations.donations == 0


async def test_a_refund_lowers_net_and_each_share_on_the_day_it_is_made(goods, settings):
    from pos.returns import ReturnRequestLine, commit_return
    from pos.sessions import current_session, open_session
    from pos.tables import SaleLine
    if await current_session(shop_id=goods.shop_id, till_id=goods.till_id) is None:
        await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=0)
    # given: a sale of the coat (¥35.00) and three coasters (¥15.00), then one coaster brought back
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.coasters, 3)], cash_given_fen=5000,
                             idempotency_key="report-refund1", rules=till_rules(settings))
    coasters = await SaleLine.select(SaleLine.id).where(
        (SaleLine.sale == sale.id) & (SaleLine.barcode == goods.coasters)).first()
    await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=sale.number,
                        lines=[ReturnRequestLine(coasters["id"], 1)], idempotency_key="report-return1",
                        reason="不喜欢")
    today = sale.created_at.astimezone(SHANGHAI).date()
    # when
    got = await report(shop_id=goods.shop_id, period=period_of("day", today), dimension="category", zone=SHANGHAI)
    # then: a coaster is ¥5.00: fund ¥0.50, maker ¥4.00, running ¥0.50 taken back
    crafts = next(r for r in got.rows if r.key == "crafts")
    assert (crafts.gross_fen, crafts.refunds, crafts.refund_fen, crafts.net_fen) == (1500, 1, 500, 1000)
    assert (crafts.fund_fen, crafts.maker_fen, crafts.running_fen) == (100, 800, 100)
    assert (got.totals.refunds, got.totals.refund_fen, got.totals.net_fen) == (1, 500, 4500)
    assert got.totals.fund_fen + got.totals.maker_fen + got.totals.running_fen == got.totals.net_fen
    by_till = await report(shop_id=goods.shop_id, period=period_of("day", today), dimension="till", zone=SHANGHAI)
    assert [(r.sales, r.refunds, r.net_fen) for r in by_till.rows] == [(1, 1, 4500)]
    # and the lines give the same as the summaries
    assert await report(shop_id=goods.shop_id, period=period_of("day", today), dimension="category", zone=SHANGHAI,
                        from_lines=True) == got


async def test_the_hourly_summaries_give_the_same_figures_as_the_lines(goods, settings):
    """Every report read from the summaries (kept by triggers as lines, points tenders and returns are written)
    equals the same report summed from the lines, for every breakdown."""
    from pos.returns import ReturnRequestLine, commit_return
    from pos.sessions import current_session, open_session
    from pos.tables import SaleLine
    from pos.tills import add_till
    till2 = await add_till(shop_id=goods.shop_id, code="T2", name="二号台")
    # given: sales over three days, two tills, two cashiers, points on some, several lines of one category
    for n in range(12):
        at = local(2026, 12, 1 + n % 3, 8 + n, 15 * (n % 4))
        lines = [("clothes", "donated", 1000 + 7 * n, 1 + n % 2, n % 3, 70, 0),
                 ("clothes", "donated", 333, 1, 0, 70, 0),
                 ("crafts", "handicraft", 500 + n, 2, 0, 10, 80)]
        if n % 2:
            lines.append(("food", "purchased", 1250, 1, 50, 5, 0))
        total = sum(unit * qty - discount for _, _, unit, qty, discount, _, _ in lines)
        await sell_at(goods, settings, at=at, lines=lines, till=till2 if n % 3 == 0 else goods.till_id,
                       cashier=goods.manager_id if n % 4 == 0 else goods.cashier_id,
                       points_fen=100 * max(1, total // 300) if n % 3 == 1 else 0, points=max(1, total // 300))
    # and a real sale with a return (the till's own operations), today
    if await current_session(shop_id=goods.shop_id, till_id=goods.till_id) is None:
        await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=0)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.coasters, 3), CartLine(goods.book, 2)],
                             cash_given_fen=10000, idempotency_key="summary-0001", rules=till_rules(settings))
    lines = await SaleLine.select(SaleLine.id, SaleLine.barcode).where(SaleLine.sale == sale.id)
    ids = {row["barcode"]: row["id"] for row in lines}
    await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=sale.number,
                        lines=[ReturnRequestLine(ids[goods.coasters], 2), ReturnRequestLine(ids[goods.book], 1)],
                        idempotency_key="summary-ret1", reason="换货")
    today = sale.created_at.astimezone(SHANGHAI).date()
    periods = [period_of("week", date(2026, 12, 2)), period_of("day", date(2026, 12, 2)),
               period_of("custom", date(2026, 11, 1), max(today, date(2026, 12, 31))), period_of("day", today)]
    for period in periods:
        for dimension in Dimension:
            summed = await report(shop_id=goods.shop_id, period=period, dimension=dimension, zone=SHANGHAI)
            counted = await report(shop_id=goods.shop_id, period=period, dimension=dimension, zone=SHANGHAI,
                                   from_lines=True)
            assert summed == counted, (period, dimension)
    assert summed.totals.refunds == 1 and summed.totals.refund_fen == 1000 + 1200
    whole = await report(shop_id=goods.shop_id, period=periods[2], dimension="category", zone=SHANGHAI)
    assert whole.totals.sales == 13 and whole.totals.fund_points_fen > 0
    # and the district's reading of every shop at once (pos.reports.totals_by_shop) gives the shop's own totals,
    # from the summaries and, in a zone whose days start on the half hour, from the lines
    from pos.reports import totals_by_shop
    for zone in (SHANGHAI, ZoneInfo("Asia/Kolkata")):
        for period in periods:
            own = await report(shop_id=goods.shop_id, period=period, dimension="till", zone=zone)
            assert (await totals_by_shop(period=period, zone=zone)).get(goods.shop_id) == (own.totals, own.donations)


def test_a_zone_whose_days_start_on_the_half_hour_is_summed_from_the_lines():
    from pos.reports import summarised
    assert summarised(period_of("month", date(2026, 12, 1)), SHANGHAI)
    assert summarised(period_of("month", date(2026, 3, 1)), ZoneInfo("Europe/Berlin"))  # DST: still whole hours
    assert not summarised(period_of("day", date(2026, 12, 1)), ZoneInfo("Asia/Kolkata"))
    assert not summarised(period_of("day", date(2026, 12, 1)), ZoneInfo("Asia/Kathmandu"))
