"""Paying in love-bank points at the till: points first, only for goods that take points, cash for the rest."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lovebank.passbook import fund_points, points_of
from inventory.tables import Category
from pos.checkout import CartLine, commit_sale, load_sale
from tests.pos.till import till_rules
from pos.errors import SaleError
from pos.tables import Override, Sale, SaleLine, Tender
from pos.tender import PointsIn, household_ref, most_points, points_payment
from shop import ledger
from shop.errors import DomainError, ShopError
from web.problems import status_of
from shop.staff import set_pin
from shop.tables import LedgerEntry, LedgerTxn
from tests.pos.members import fund_with_points, member_with_points


def sell(goods, settings, lines, cash, key="key-points-0001", **extra):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, qty) for code, qty in lines], cash_given_fen=cash,
                       idempotency_key=key, rules=till_rules(settings), **extra)


async def counts():
    return {t.__name__: await t.count() for t in (Sale, SaleLine, Tender, Override, LedgerTxn, LedgerEntry)}


async def test_a_member_pays_part_in_points_and_the_rest_in_cash(goods, settings):
    # given a member with 30 points (100 fen each) and a coat (¥35.00) and a book (¥12.00)
    member = await member_with_points(goods, 30)
    # when they pay 30 points and the cashier takes ¥20 for the rest
    sale = await sell(goods, settings, [(goods.coat, 1), (goods.book, 1)], cash=2000,
                      points=PointsIn(points=30, member_code=member.number))
    # then points paid ¥30.00, cash ¥17.00 with ¥3.00 change, and the member has none left
    assert (sale.total_fen, sale.points, sale.points_fen, sale.cash_fen, sale.change_fen) == (4700, 30, 3000, 1700, 300)
    assert sale.points_left == 0 and sale.member_number == member.number
    assert await points_of(member.id) == 0
    tenders = {t["kind"]: t for t in await Tender.select().where(Tender.sale == sale.id)}
    assert (tenders["points"]["points"], tenders["points"]["amount_fen"], tenders["points"]["member"]) == (
        30, 3000, member.id)
    assert (tenders["cash"]["amount_fen"], tenders["cash"]["given_fen"], tenders["cash"]["change_fen"]) == (
        1700, 2000, 300)
    # one ledger transaction: the drawer has the cash part, points honoured the rest, the split is unchanged
    assert await LedgerTxn.count().where(LedgerTxn.kind == "sale") == 1
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 1700
    assert await ledger.balance(ledger.POINTS_HONOURED) == 3000
    assert await ledger.balance(ledger.POINTS_REDEEMED, ledger.Currency.PTS) == -30
    assert await ledger.balance(ledger.FUND) == -sale.fund_fen == -(2450 + 600)
    # and the stored sale reads back the same
    again = await load_sale(sale.id, shop_id=goods.shop_id)
    assert (again.points, again.points_fen, again.member_number, again.points_left, again.cash_given_fen) == (
        30, 3000, member.number, 0, 2000)


async def test_a_card_scan_identifies_the_member_and_points_can_pay_everything(goods, settings):
    member = await member_with_points(goods, 50)
    # when the whole ¥12.00 book is paid with 12 points, scanning the card
    sale = await sell(goods, settings, [(goods.book, 1)], cash=0,
                      points=PointsIn(points=12, member_code=member.card_code))
    # then no cash changes hands and no cash tender is written
    assert (sale.cash_fen, sale.change_fen, sale.points_left) == (0, 0, 38)
    assert [t["kind"] for t in await Tender.select(Tender.kind).where(Tender.sale == sale.id)] == ["points"]
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 0


async def test_goods_whose_category_refuses_points_are_left_for_cash(goods, settings):
    # given food refuses points; the cart: noodles ¥12.50 (food) and a book ¥12.00
    await Category.update({Category.accepts_points: False}).where(Category.code == "food")
    member = await member_with_points(goods, 100)
    before = await counts()
    # when: more points than the book is worth are refused, with what the goods can take
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.noodles, 1), (goods.book, 1)], cash=0,
                   points=PointsIn(points=13, member_code=member.number))
    assert caught.value.code is SaleError.TOO_MANY_POINTS and status_of(caught.value) == 409
    assert caught.value.params["most"] == 12 and caught.value.params["eligible"] == 1200
    assert await counts() == before
    # when: 12 points pay the book, cash pays the noodles
    sale = await sell(goods, settings, [(goods.noodles, 1), (goods.book, 1)], cash=1250,
                      points=PointsIn(points=12, member_code=member.number))
    assert (sale.points_fen, sale.cash_fen, sale.change_fen) == (1200, 1250, 0)


async def test_a_cart_of_goods_that_all_refuse_points_says_so(goods, settings):
    await Category.update({Category.accepts_points: False}).where(Category.code == "food")
    member = await member_with_points(goods, 100)
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.noodles, 1)], cash=0, points=PointsIn(points=1, member_code=member.number))
    assert caught.value.code is SaleError.NO_POINTS_GOODS


async def test_points_pay_whole_points_only_and_cash_pays_the_fen_left(goods, settings):
    # ¥12.50 of noodles take at most 12 points; the ¥0.50 left is cash
    member = await member_with_points(goods, 100)
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.noodles, 1)], cash=0, points=PointsIn(points=13, member_code=member.number))
    assert caught.value.code is SaleError.TOO_MANY_POINTS
    sale = await sell(goods, settings, [(goods.noodles, 1)], cash=50, points=PointsIn(points=12, member_code=member.number))
    assert (sale.points_fen, sale.cash_fen, sale.points_left) == (1200, 50, 88)


async def test_more_points_than_the_member_holds_are_refused_and_nothing_is_written(goods, settings):
    member = await member_with_points(goods, 5)
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 1)], cash=600, points=PointsIn(points=6, member_code=member.number))
    assert caught.value.code is SaleError.NOT_ENOUGH_POINTS and status_of(caught.value) == 409
    assert caught.value.params == {"points": 5, "asked": 6}
    assert await counts() == before and await points_of(member.id) == 5


@pytest.mark.parametrize("tender, code", [
    (PointsIn(points=1, member_code="M999999"), "unknown-member"),
    (PointsIn(points=0, member_code="{member}"), SaleError.BAD_POINTS),
    (PointsIn(points=1), SaleError.POINTS_PAYER),
    (PointsIn(points=1, member_code="{member}", household_ref="H-2026-001"), SaleError.POINTS_PAYER),
    (PointsIn(points=1, household_ref="王阿姨家"), SaleError.BAD_HOUSEHOLD_REF),
])
async def test_a_wrong_points_tender_is_refused_with_its_code(goods, settings, tender, code):
    member = await member_with_points(goods, 10)
    if tender.member_code:
        tender = PointsIn(points=tender.points, member_code=tender.member_code.format(member=member.number),
                          household_ref=tender.household_ref)
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 1)], cash=1200, points=tender)
    assert str(caught.value.code) == str(code)
    assert await counts() == before


async def test_a_closed_members_card_is_refused(goods, settings):
    from lovebank.passbook import close_member

    member = await member_with_points(goods, 0)
    await close_member(shop_id=goods.shop_id, member_id=member.id, staff_id=goods.manager_id)
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 1)], cash=0, points=PointsIn(points=1, member_code=member.number))
    assert str(caught.value.code) == "member-closed"


async def test_a_repeated_submit_spends_the_points_once(goods, settings):
    member = await member_with_points(goods, 20)
    tender = PointsIn(points=10, member_code=member.number)
    first = await sell(goods, settings, [(goods.book, 1)], cash=200, points=tender)
    second = await sell(goods, settings, [(goods.book, 1)], cash=200, points=tender)
    assert second.replayed and second.number == first.number and second.points == 10
    assert await points_of(member.id) == 10
    # the same key with another tender is another sale: refused
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 1)], cash=300, points=PointsIn(points=9, member_code=member.number))
    assert caught.value.code is SaleError.IDEMPOTENCY_KEY_REUSED


async def test_a_manager_spends_the_funds_points_for_a_household_with_a_reference_and_their_pin(goods, settings):
    # given the fund holds 100 points, and the manager has a PIN
    await fund_with_points(goods, 100)
    await set_pin(username="manager", pin="2468")
    tender = PointsIn(points=35, household_ref="h-2026-017")
    # when the cashier alone tries, a manager's PIN is asked for
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1)], cash=0, points=tender)
    assert caught.value.code is SaleError.MANAGER_PIN_NEEDED and status_of(caught.value) == 403
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1)], cash=0, points=tender, manager_pin="1111")
    assert caught.value.code is ShopError.BAD_PIN
    # when the manager types their PIN
    sale = await sell(goods, settings, [(goods.coat, 1)], cash=0, points=tender, manager_pin="2468")
    # then the fund's points paid, under the household's reference (no name), logged with the manager
    assert (sale.points, sale.household_ref, sale.member_number, sale.points_left) == (35, "H-2026-017", "", 65)
    assert await fund_points(goods.shop_id) == 65
    tender_row = await Tender.select().where((Tender.sale == sale.id) & (Tender.kind == "points")).first()
    assert (tender_row["member"], tender_row["household_ref"]) == (None, "H-2026-017")
    logged = await Override.select().where(Override.sale == sale.id).first()
    assert (logged["kind"], logged["reason"], logged["approved_by"], logged["cashier"]) == (
        "fund-points", "H-2026-017", goods.manager_id, goods.cashier_id)
    # the split of the coat's value is the same as for cash: 70% to the community fund
    assert sale.fund_fen == 2450 and await ledger.balance(ledger.FUND) == -2450


@given(eligible=st.integers(0, 10**7), fen_per_point=st.integers(1, 1000), balance=st.integers(0, 10**6),
       wanted=st.integers(1, 10**6))
def test_points_never_pay_more_than_the_goods_that_take_them(eligible, fen_per_point, balance, wanted):
    most = most_points(eligible, fen_per_point)
    assert most * fen_per_point <= eligible < (most + 1) * fen_per_point
    try:
        paid = points_payment(points=wanted, eligible_fen=eligible, balance=balance, fen_per_point=fen_per_point)
    except DomainError as refused:
        assert refused.code in (SaleError.NO_POINTS_GOODS, SaleError.TOO_MANY_POINTS, SaleError.NOT_ENOUGH_POINTS)
        assert eligible == 0 or wanted > most or wanted > balance
        return
    assert paid.points == wanted <= min(balance, most)
    assert paid.fen == wanted * fen_per_point <= eligible


@pytest.mark.parametrize("text, ref", [("H-2026-017", "H-2026-017"), (" h-2026-5 ", "H-2026-5")])
def test_a_household_reference_is_a_short_code(text, ref):
    assert household_ref(text) == ref


@pytest.mark.parametrize("text", ["", "H-26-1", "13812345678", "李家", "H-2026-123456", "H-2026-01a"])
def test_anything_else_is_not_a_household_reference(text):
    with pytest.raises(DomainError) as caught:
        household_ref(text)
    assert caught.value.code is SaleError.BAD_HOUSEHOLD_REF


async def test_points_pay_for_what_the_goods_sell_for_after_their_discounts(goods, settings):
    from pos.discounts import Discount, LineOverride

    # given the book (¥12.00) at half price, a manager approving
    await set_pin(username="manager", pin="1357")
    member = await member_with_points(goods, 100)
    half = LineOverride(discount=Discount(percent=50), reason="书角破损")
    lines = [CartLine(goods.book, 1, half)]

    def sell_half(points, key):
        return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, lines=lines,
                           cash_given_fen=0, idempotency_key=key, rules=till_rules(settings), manager_pin="1357",
                           points=PointsIn(points=points, member_code=member.number))

    # then 7 points (¥7.00) are more than the ¥6.00 it sells for; 6 points pay it all
    with pytest.raises(DomainError) as caught:
        await sell_half(7, "key-half-book-1")
    assert caught.value.code is SaleError.TOO_MANY_POINTS and caught.value.params["eligible"] == 600
    sale = await sell_half(6, "key-half-book-2")
    assert (sale.total_fen, sale.points_fen, sale.cash_fen, sale.lines[0].discount_fen) == (600, 600, 0, 600)
