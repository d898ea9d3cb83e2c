"""The fund's public notice (pos/notice.py) on both engines: for a month with sales, a partial return of a split
tender, a handicraft, the fund's points for a household, a disbursement, service, points given to the fund, a voucher,
a donation and a wish, every figure equals the manager's report, the fund's page and the ledger, and the fund's cash
at the month's end is the ledger's: start + in − out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytest

from pos.errors import SaleError
from pos.notice import district_notice, hours, masked, month_notice, month_of
from shop.errors import DomainError

# Every name and phone of the scenario: none may appear on the notice (tests/web/test_notice.py searches the page,
# the JSON and the printout for each one too).
PERSONAL = ("王阿姨", "小张", "陈姐", "刘老师", "赵老师", "李阿姨", "13812345678", "赵大妈", "13900001111", "周师傅",
            "幸福社区 3 号楼", "楼长 陈师傅", "孩子上学用的字典", "cashier", "manager", "coord")


async def notice_month(goods, settings) -> date:
    """A month of the shop's life, made now (the ledger dates its transactions when they are written): returns the
    month's first day in the shop's zone. See the module's docstring for what happens."""
    from donations.intake import GivenItem, register_donation
    from lovebank import vouchers
    from lovebank.passbook import approve_service, donate_points, open_member, record_service
    from pos import wishes as fulfil
    from pos.checkout import CartLine, commit_sale, source_rules
    from pos.fund import disburse_cash
    from pos.returns import ReturnRequestLine, commit_return
    from pos.tables import SaleLine
    from pos.tender import PointsIn
    from shop.staff import Role, create_staff, set_pin
    from tests.pos.till import till_rules

    today = datetime.now(settings.zone).date()
    coordinator = (await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw",
                                      role=Role.COORDINATOR, display_name="刘老师")).id
    second = (await create_staff(shop_id=goods.shop_id, username="coord2", password="coord2-pw",
                                 role=Role.COORDINATOR, display_name="赵老师")).id
    await set_pin(username="manager", pin="8642")
    # service: 李阿姨 serves 4.5 hours, approved by another coordinator; she gives 30 of her points to the fund
    li = await open_member(shop_id=goods.shop_id, name="李阿姨", phone="13812345678")
    types = settings.lovebank.service_types
    entered = await record_service(shop_id=goods.shop_id, member_id=li.id, served_on=today, start_time="9:00",
                                   place="幸福社区 3 号楼", content="陪独居老人聊天", service_type=types[0].code,
                                   half_hours=9, witness="楼长 陈师傅", staff_id=coordinator, today=today,
                                   types=types, max_hours=12)
    approved = await approve_service(shop_id=goods.shop_id, record_id=entered.id, staff_id=second, types=types)
    assert approved.points >= 40, "the scenario needs 40 points"
    await donate_points(shop_id=goods.shop_id, from_member_id=li.id, to_member_id=None, points=30,
                        staff_id=coordinator)
    # a voucher for a service of 10 points, delivered by a partner
    offer = await vouchers.add_offer(shop_id=goods.shop_id, name="理发", points=10, staff_id=coordinator,
                                     partner="周师傅理发店")
    held = await vouchers.redeem(shop_id=goods.shop_id, offer_id=offer.id, member=li.number,
                                 idempotency_key="notice-voucher", staff_id=coordinator)
    await vouchers.deliver(shop_id=goods.shop_id, number=held.number, staff_id=coordinator)
    # sales: the coat (donated) and three coasters (王阿姨's), one coaster brought back
    rules = till_rules(settings)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.coasters, 3)], cash_given_fen=5000,
                             idempotency_key="notice-sale-1", rules=rules)
    coasters = await SaleLine.select(SaleLine.id).where(
        (SaleLine.sale == sale.id) & (SaleLine.barcode == goods.coasters)).first()
    await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=sale.number,
                        lines=[ReturnRequestLine(coasters["id"], 1)], idempotency_key="notice-return-1", reason="不喜欢")
    # two packs of noodles (purchased) for household H-2026-017: 20 of the fund's points, the rest in cash; one back
    split = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                              lines=[CartLine(goods.noodles, 2)], cash_given_fen=500, idempotency_key="notice-sale-2",
                              rules=rules, points=PointsIn(points=20, household_ref="H-2026-017"), manager_pin="8642",
                              expected_total_fen=2500)
    noodles = await SaleLine.select(SaleLine.id).where(SaleLine.sale == split.id).first()
    await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=split.number,
                        lines=[ReturnRequestLine(noodles["id"], 1)], idempotency_key="notice-return-2",
                        reason="买多了")
    # a wish of household H-2026-018, claimed by 李阿姨, fulfilled with a dictionary from stock (¥12.00, the fund pays)
    wish = await fulfil.post_wish(shop_id=goods.shop_id, household="H-2026-018", text="孩子上学用的字典",
                                  kind="goods", staff_id=coordinator)
    await fulfil.claim_wish(shop_id=goods.shop_id, wish_id=wish.id, staff_id=coordinator, member_code=li.number)
    await fulfil.fulfil_from_stock(shop_id=goods.shop_id, wish_id=wish.id, barcodes=[goods.book], staff_id=coordinator,
                                   source_rules=source_rules(settings.split))
    # the manager gives ¥5.00 of the fund's cash, with a reason that names no one
    await disburse_cash(shop_id=goods.shop_id, amount_fen=500, method="cash", reason="冬衣 H-2026-017",
                        staff_id=goods.manager_id)
    # a donation from 赵大妈: two sweaters taken, a broken shoe refused
    from donations.donors import register_donor
    donor = await register_donor(shop_id=goods.shop_id, name="赵大妈", phone="13900001111")
    await register_donation(shop_id=goods.shop_id, volunteer_id=goods.cashier_id, idempotency_key="notice-gift",
                            received_on=today, donor_id=donor.id, today=today, items=[
                                GivenItem(category="clothes", description="毛衣", condition="good", quantity=2,
                                          price_fen=1500),
                                GivenItem(category="clothes", description="破鞋", condition="fair", quantity=1,
                                          refused_reason="破损")])
    return today.replace(day=1)


async def test_the_notice_equals_the_reports_the_fund_page_and_the_ledger(goods, settings):
    from pos.district import district_lovebank
    from pos.fund import disbursements, fund_balance, fund_movements, household_spending
    from pos.reports import Dimension, period_of, report

    # given
    month = await notice_month(goods, settings)
    zone = settings.zone
    # when
    notice = await month_notice(shop_id=goods.shop_id, month=month, zone=zone)
    # then: the figures are the manager's report's
    period = period_of("month", month)
    start, end = period.bounds(zone)
    by_source = await report(shop_id=goods.shop_id, period=period, dimension=Dimension.SOURCE, zone=zone)
    f = notice.month_figures
    assert (f.net_sales_fen, f.fund_fen, f.maker_fen, f.running_fen) == (
        by_source.totals.net_fen, by_source.totals.fund_fen, by_source.totals.maker_fen, by_source.totals.running_fen)
    assert {s.source: (s.fund_fen, s.fund_cash_fen, s.fund_points_fen) for s in f.by_source if s.fund_fen} == {
        r.key: (r.fund_fen, r.fund_cash_fen, r.fund_points_fen) for r in by_source.rows}
    assert [s.source for s in f.by_source] == ["donated", "handicraft", "purchased"]
    assert f.fund_fen == sum(s.fund_fen for s in f.by_source) > 0
    assert by_source.totals.refunds == 2  # the partial returns, one of a split tender, are in it
    assert f.points_on_goods == by_source.totals.points_redeemed == 20
    assert (f.donations, f.pieces, f.wishes, f.wish_goods_fen) == (
        by_source.donations.donations, by_source.donations.pieces, by_source.wishes.wishes,
        by_source.wishes.from_stock_fen) == (1, 2, 1, 1200)
    assert [(c.code, c.pieces) for c in f.by_category] == [("clothes", 2)]
    # the fund page's
    assert f.disbursed_fen == sum(d.amount_fen for d in await disbursements(shop_id=goods.shop_id)) == 500
    spent = await household_spending(shop_id=goods.shop_id, start=start, end=end)
    assert f.points_for_households == sum(h.points for h in spent) == 20
    moved = {(m.kind, m.currency): m for m in await fund_movements(shop_id=goods.shop_id, start=start, end=end)}
    assert f.points_donated == moved[("points-gift", "PTS")].received == 30
    assert f.given_fen == 0 and f.money_in_fen == f.fund_fen
    assert f.money_out_fen == 500 + 1200
    # the love bank's (the district's page reads the same)
    (place,) = [r for r in (await district_lovebank(period=period, zone=zone)).rows if r.shop == settings.shop.code]
    assert f.points_issued == place.points_earned > 0 and f.service_half_hours == 9 and hours(9) == "4.5"
    assert f.points_on_services == 10
    # and the ledger's: the month's end is the fund's balance now; it started at nothing
    balance = await fund_balance(shop_id=goods.shop_id)
    assert (f.balance_start_fen, f.balance_end_fen, f.fund_points_start, f.fund_points_end) == (
        0, balance.cash_fen, 0, balance.points)
    assert f.expected_end_fen == f.balance_start_fen + f.money_in_fen - f.money_out_fen == f.balance_end_fen
    assert f.agrees
    # the month's lists: the disbursement with its reason, the household's goods by its reference alone
    assert [(d.amount_fen, d.method, d.reason) for d in notice.disbursements] == [(500, "cash", "冬衣 H-2026-017")]
    assert sorted((h.how, h.household_ref, h.wish[:1], h.value_fen, h.points) for h in notice.households) == [
        ("points", "H-2026-017", "", 2000, 20), ("wish-stock", "H-2026-018", "W", 1200, 0)]
    # the year so far holds the month (nothing happened before it)
    assert notice.year_figures.first == date(month.year, 1, 1) and notice.year_figures.last == period.last
    assert notice.year_figures.money_in_fen == f.money_in_fen and notice.year_figures.agrees
    # nothing personal, anywhere in it
    text = repr(asdict(notice))
    assert [word for word in PERSONAL if word in text] == []


async def test_the_districts_roll_up_is_the_sum_of_its_places(goods, settings):
    from shop.shops import ShopKind, add_shop

    # given: the month at the shop, and a station where nothing happened
    month = await notice_month(goods, settings)
    await add_shop(code="ST1", name="幸福站", kind=ShopKind.STATION)
    # when
    shop = await month_notice(shop_id=goods.shop_id, month=month, zone=settings.zone)
    district = await district_notice(month=month, zone=settings.zone)
    # then
    assert set(district.shops) == {settings.shop.code, "ST1"} and district.shop == ""
    assert district.month_figures == shop.month_figures  # the station adds nothing
    assert district.year_figures == shop.year_figures
    assert (district.disbursements, district.households) == (shop.disbursements, shop.households)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "12-2026", "1999-12", "2101-01", "2026/12", "abc", "2026-1-1"])
def test_a_bad_month_is_refused(text):
    with pytest.raises(DomainError) as refused:
        month_of(text, today=date(2026, 12, 7))
    assert refused.value.code == SaleError.BAD_MONTH


def test_a_month_is_its_first_day_and_none_is_this_month():
    assert month_of("2026-02", today=date(2026, 12, 7)) == date(2026, 2, 1)
    assert month_of("", today=date(2026, 12, 7)) == month_of(None, today=date(2026, 12, 7)) == date(2026, 12, 1)


def test_a_phone_number_typed_into_a_reason_is_masked():
    assert masked("给 13812345678 的冬衣 H-2026-017") == "给 *********** 的冬衣 H-2026-017"
    assert masked("2026 年冬衣") == "2026 年冬衣"
