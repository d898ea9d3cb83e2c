"""Returns and voids on SQLite and PostgreSQL: partial returns refunded to the tenders, the split reversed
exactly, stock back or written off, never more than was sold (under concurrency too), idempotent; and the
pure rule of what a partial return reverses (Hypothesis)."""

import asyncio

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from inventory.errors import InventoryError
from inventory.tables import Item, StockMovement
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.errors import ReturnError, SaleError, TillSessionError
from pos.refunds import Parts, parts_after, returned_parts
from pos.returns import ReturnRequestLine, commit_return, load_return, sale_for_return, void_sale
from pos.sessions import close_session, open_session
from pos.split import SplitRule, split_value
from pos.tables import Refund, ReturnLine, SaleReturn
from pos.tills import add_till
from shop import ledger
from shop.errors import DomainError
from web.problems import status_of
from shop.tables import LedgerTxn

# -- the rule, pure ------------------------------------------------------------------------------


@st.composite
def sold_lines(draw):
    quantity = draw(st.integers(1, 40))
    unit = draw(st.integers(0, 50_000))
    discount = draw(st.integers(0, unit * quantity))
    fund = draw(st.integers(0, 100))
    maker = draw(st.integers(0, 100 - fund))
    value = unit * quantity - discount
    parts = split_value(value, SplitRule(fund, maker))
    return Parts(value, parts.fund_fen, parts.maker_fen, parts.running_fen), quantity


@given(sold_lines(), st.data())
@hypothesis_settings(max_examples=150, deadline=None)
def test_returning_a_line_piece_by_piece_reverses_its_split_exactly(line, data):
    parts, quantity = line
    # given the pieces brought back in any number of returns
    left, before, total = quantity, 0, Parts(0, 0, 0, 0)
    while left:
        now = data.draw(st.integers(1, left))
        back = returned_parts(parts, quantity, before=before, now=now)
        # then each return's parts are whole fen, never negative, adding up to its value
        assert min(back.value_fen, back.fund_fen, back.maker_fen, back.running_fen) >= 0
        assert back.fund_fen + back.maker_fen + back.running_fen == back.value_fen
        total = Parts(total.value_fen + back.value_fen, total.fund_fen + back.fund_fen,
                      total.maker_fen + back.maker_fen, total.running_fen + back.running_fen)
        before, left = before + now, left - now
    # and together they reverse the line's value and parts to the fen
    assert total == parts


@given(sold_lines(), st.integers(0, 40))
@hypothesis_settings(max_examples=100, deadline=None)
def test_a_partial_return_is_its_pieces_share_of_the_value_rounded_half_up(line, pieces):
    parts, quantity = line
    pieces = min(pieces, quantity)
    after = parts_after(parts, quantity, pieces)
    exact = parts.value_fen * pieces / quantity
    assert abs(after.value_fen - exact) <= 0.5
    if parts.value_fen:
        assert abs(after.fund_fen - after.value_fen * parts.fund_fen / parts.value_fen) <= 0.5


def test_a_piece_of_a_line_sold_at_a_round_price_gives_back_its_price():
    # 3 books at ¥12.00, 50% to the fund: one back is ¥12.00, ¥6.00 of it the fund's
    assert returned_parts(Parts(3600, 1800, 0, 1800), 3, before=0, now=1) == Parts(1200, 600, 0, 600)


# -- returns in the database ---------------------------------------------------------------------------


def sell(goods, settings, lines, cash, key, till_id=None):
    return commit_sale(shop_id=goods.shop_id, till_id=till_id or goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, qty) for code, qty in lines], cash_given_fen=cash,
                       idempotency_key=key, rules=till_rules(settings))


def take_back(goods, number, lines, key, till_id=None, reason=""):
    return commit_return(shop_id=goods.shop_id, till_id=till_id or goods.till_id, cashier_id=goods.cashier_id,
                         sale=number, lines=lines, idempotency_key=key, reason=reason)


async def stock(barcode):
    return (await Item.select(Item.on_hand).where(Item.barcode == barcode).first())["on_hand"]


async def counts():
    return {t.__name__: await t.count() for t in (SaleReturn, ReturnLine, Refund, StockMovement, LedgerTxn)}


async def test_a_partial_return_refunds_cash_restocks_and_reverses_the_split(goods, settings):
    # given a cash sale of coasters (a maker's, 10/80/10) and noodles
    sale = await sell(goods, settings, [(goods.coasters, 3), (goods.noodles, 2)], 5000, "ret-sale-01")
    till_cash = await ledger.balance(ledger.till_cash(goods.till_id))
    fund, maker = await ledger.balance(ledger.FUND), await ledger.balance(ledger.maker_payable(goods.maker_id))
    # when the receipt's number is scanned and one coaster is brought back
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number.lower())
    coasters = next(l for l in found.lines if l.barcode == goods.coasters)
    assert (coasters.quantity, coasters.returned, coasters.returnable) == (3, 0, 3)
    back = await take_back(goods, sale.number, [ReturnRequestLine(coasters.id, 1)], "ret-key-001",
                           reason="颜色不喜欢")
    # then ¥5.00 comes back in cash from the drawer, the split of one coaster reversed
    assert back.number == f"R{back.id:08d}" and back.total_fen == 500 and back.cash_fen == 500
    assert (back.fund_fen, back.maker_fen, back.running_fen) == (50, 400, 50)
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == till_cash - 500
    assert await ledger.balance(ledger.FUND) == fund + 50
    assert await ledger.balance(ledger.maker_payable(goods.maker_id)) == maker + 400  # the maker is owed less
    assert await stock(goods.coasters) == 12 - 3 + 1
    txn = await LedgerTxn.select().where(LedgerTxn.ref == back.number)
    assert [t["kind"] for t in txn] == ["return"]
    # and the sale now shows what is left to return
    again = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    assert next(l for l in again.lines if l.barcode == goods.coasters).returnable == 2
    assert again.returned_fen == 500


async def test_returning_every_piece_one_by_one_reverses_the_line_to_the_fen(goods, settings):
    # given 7 packs of noodles at ¥12.50 (5% to the fund: ¥4.375 of ¥87.50)
    sale = await sell(goods, settings, [(goods.noodles, 7)], 8750, "ret-sale-02")
    line = sale.lines[0]
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    # when they come back in returns of 1, 2, 1 and 3
    for n, quantity in enumerate((1, 2, 1, 3)):
        await take_back(goods, sale.number, [ReturnRequestLine(found.lines[0].id, quantity)], f"ret-pieces-{n}")
    # then the returns together reverse the line exactly, and the fund is where it was
    rows = await ReturnLine.select().where(ReturnLine.sale_line == found.lines[0].id)
    assert sum(r["value_fen"] for r in rows) == line.value_fen
    assert sum(r["fund_fen"] for r in rows) == line.fund_fen
    assert sum(r["running_fen"] for r in rows) == line.running_fen
    assert await ledger.balance(ledger.FUND) == 0 and await ledger.balance(ledger.RUNNING_COSTS) == 0
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 0
    # and nothing more can come back
    with pytest.raises(DomainError) as caught:
        await take_back(goods, sale.number, [ReturnRequestLine(found.lines[0].id, 1)], "ret-pieces-x")
    assert caught.value.code is ReturnError.MORE_THAN_SOLD and caught.value.params["returnable"] == 0


async def test_a_written_off_piece_comes_back_and_goes_out_again_with_its_reason(goods, settings):
    sale = await sell(goods, settings, [(goods.book, 2)], 2400, "ret-sale-03")
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    back = await take_back(goods, sale.number, [ReturnRequestLine(found.lines[0].id, 1, restock=False,
                                                                   write_off_reason="damaged")], "ret-key-003")
    assert back.cash_fen == 1200 and await stock(goods.book) == 1
    moves = await StockMovement.select(StockMovement.kind, StockMovement.quantity, StockMovement.reason).where(
        StockMovement.ref == back.number).order_by(StockMovement.id)
    assert [(m["kind"], m["quantity"]) for m in moves] == [("return", 1), ("write-off", -1)]
    assert moves[1]["reason"].startswith("damaged")


@pytest.mark.parametrize("make, code", [
    (lambda line: [ReturnRequestLine(line, 3)], ReturnError.MORE_THAN_SOLD),
    (lambda line: [ReturnRequestLine(line, 1), ReturnRequestLine(line, 2)], ReturnError.MORE_THAN_SOLD),
    (lambda line: [ReturnRequestLine(line + 999, 1)], ReturnError.UNKNOWN_SALE_LINE),
    (lambda line: [ReturnRequestLine(line, 0)], InventoryError.BAD_QUANTITY),
    (lambda line: [], ReturnError.NOTHING_TO_RETURN),
    (lambda line: [ReturnRequestLine(line, 1, restock=False, write_off_reason="lost")], ReturnError.BAD_RETURN_REASON),
])
async def test_bad_returns_are_refused_and_change_nothing(goods, settings, make, code):
    sale = await sell(goods, settings, [(goods.book, 2)], 2400, "ret-sale-04")
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0].id
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await take_back(goods, sale.number, make(line), "ret-bad-0001")
    assert caught.value.code is code
    assert await counts() == before


async def test_an_unknown_receipt_number_and_a_closed_till_are_refused(goods, settings):
    with pytest.raises(DomainError) as caught:
        await sale_for_return(shop_id=goods.shop_id, number="S00009999")
    assert caught.value.code is SaleError.UNKNOWN_SALE and status_of(caught.value) == 404
    with pytest.raises(DomainError) as caught:
        await sale_for_return(shop_id=goods.shop_id, number="not a number")
    assert caught.value.code is SaleError.UNKNOWN_SALE
    sale = await sell(goods, settings, [(goods.book, 1)], 1200, "ret-sale-05")
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0].id
    await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, counted_fen=1200)
    with pytest.raises(DomainError) as caught:
        await take_back(goods, sale.number, [ReturnRequestLine(line, 1)], "ret-closed-1")
    assert caught.value.code is TillSessionError.TILL_CLOSED


async def test_a_repeated_submit_returns_the_first_return_and_another_request_with_its_key_is_refused(goods, settings):
    sale = await sell(goods, settings, [(goods.noodles, 3)], 3750, "ret-sale-06")
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0].id
    first = await take_back(goods, sale.number, [ReturnRequestLine(line, 1)], "ret-same-01")
    before = await counts()
    again = await take_back(goods, sale.number, [ReturnRequestLine(line, 1)], "ret-same-01")
    assert again.replayed and again.number == first.number and again.cash_fen == first.cash_fen
    assert await counts() == before
    with pytest.raises(DomainError) as caught:
        await take_back(goods, sale.number, [ReturnRequestLine(line, 2)], "ret-same-01")
    assert caught.value.code is ReturnError.RETURN_KEY_REUSED and status_of(caught.value) == 409
    assert await counts() == before


async def test_a_return_at_another_till_refunds_from_that_tills_drawer(goods, settings):
    sale = await sell(goods, settings, [(goods.book, 1)], 1200, "ret-sale-07")
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0].id
    t2 = await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    await open_session(shop_id=goods.shop_id, till_id=t2, staff_id=goods.cashier_id, float_fen=5000)
    await take_back(goods, sale.number, [ReturnRequestLine(line, 1)], "ret-other-1", till_id=t2)
    assert await ledger.balance(ledger.till_cash(t2)) == 5000 - 1200
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 1200


async def test_two_tills_returning_the_last_piece_at_once_one_is_refused(goods, settings):
    # given the last book of a sale, and two tills open
    sale = await sell(goods, settings, [(goods.book, 1)], 1200, "ret-sale-08")
    line = (await sale_for_return(shop_id=goods.shop_id, number=sale.number)).lines[0].id
    t2 = await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    await open_session(shop_id=goods.shop_id, till_id=t2, staff_id=goods.cashier_id, float_fen=5000)

    async def attempt(till, key):
        try:
            return await take_back(goods, sale.number, [ReturnRequestLine(line, 1)], key, till_id=till)
        except DomainError as error:
            return error.code

    # when both take it back at the same moment
    results = await asyncio.gather(*(attempt(till, f"ret-race-{n:03d}")
                                     for n, till in enumerate([goods.till_id, t2] * 3)))
    # then one return is made and the others refused
    assert sum(1 for r in results if r is ReturnError.MORE_THAN_SOLD) == 5
    assert await SaleReturn.count() == 1
    assert await stock(goods.book) == 3
    cash = await ledger.balance(ledger.till_cash(goods.till_id)) + await ledger.balance(ledger.till_cash(t2))
    assert cash == 1200 + 5000 - 1200


async def test_a_manager_voids_a_sale_of_the_open_session(goods, settings):
    sale = await sell(goods, settings, [(goods.coat, 1), (goods.coasters, 2)], 5000, "void-sale-1")
    v = await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                        manager_id=goods.manager_id, sale=sale.number, idempotency_key="void-key-01")
    assert v.reason == "void" and v.approved_by == goods.manager_id and v.total_fen == sale.total_fen
    assert v.cash_fen == sale.total_fen and await stock(goods.coat) == 1
    for account in (ledger.FUND, ledger.RUNNING_COSTS, ledger.maker_payable(goods.maker_id),
                    ledger.till_cash(goods.till_id)):
        assert await ledger.balance(account) == 0
    stored = await load_return(v.id, shop_id=goods.shop_id)
    assert stored.approved_by == goods.manager_id and len(stored.lines) == 2
    # a void cannot happen twice
    with pytest.raises(DomainError) as caught:
        await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                        manager_id=goods.manager_id, sale=sale.number, idempotency_key="void-key-02")
    assert caught.value.code is ReturnError.ALREADY_RETURNED


async def test_a_sale_of_an_earlier_session_is_returned_not_voided(goods, settings):
    sale = await sell(goods, settings, [(goods.book, 1)], 1200, "void-sale-2")
    await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, counted_fen=1200)
    await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=2000)
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                        manager_id=goods.manager_id, sale=sale.number, idempotency_key="void-key-03")
    assert caught.value.code is ReturnError.VOID_NOT_THIS_SESSION
    assert await counts() == before


async def test_a_void_without_a_manager_to_allow_it_is_refused_and_changes_nothing(goods, settings):
    sale = await sell(goods, settings, [(goods.book, 1)], 1200, "void-sale-4")
    before = await counts()
    with pytest.raises(DomainError) as caught:
        await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                        manager_id=None, sale=sale.number, idempotency_key="void-key-04")
    assert caught.value.code is ReturnError.VOID_NEEDS_MANAGER and status_of(caught.value) == 403
    assert await counts() == before


# -- points tenders -----------------------------------------------------------------------------------


async def test_a_return_of_a_sale_paid_in_points_and_cash_refunds_each_its_share(goods, settings):
    from lovebank.passbook import points_of
    from pos.tender import PointsIn
    from tests.pos.members import member_with_points

    # given a member who paid ¥30.00 of a ¥47.00 sale with 30 points, and ¥17.00 in cash
    member = await member_with_points(goods, 30)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.book, 1)], cash_given_fen=2000,
                             idempotency_key="ret-points-1", rules=till_rules(settings),
                             points=PointsIn(points=30, member_code=member.number))
    assert (sale.points_fen, sale.cash_fen) == (3000, 1700)
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    assert [(t.kind, t.amount_fen, t.points) for t in found.tenders] == [("points", 3000, 30), ("cash", 1700, 0)]
    book = next(l for l in found.lines if l.barcode == goods.book)
    coat = next(l for l in found.lines if l.barcode == goods.coat)
    drawer = await ledger.balance(ledger.till_cash(goods.till_id))
    # when the book (¥12.00) comes back
    back = await take_back(goods, sale.number, [ReturnRequestLine(book.id, 1)], "ret-points-r1")
    # then exactly its ¥12.00 is refunded as the sale was paid: the points' share (30/47 of ¥12.00 = ¥7.66)
    # to the nearest whole point, 8 points worth ¥8.00, and ¥4.00 in cash
    by_kind = {r.kind: r for r in back.refunds}
    assert (by_kind["points"].points, by_kind["points"].amount_fen, by_kind["cash"].amount_fen) == (8, 800, 400)
    assert back.owed_fen == 0
    assert by_kind["points"].member_number == member.number
    assert await points_of(member.id) == by_kind["points"].points
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == drawer - by_kind["cash"].amount_fen
    # when the coat comes back too, everything the sale took is given back: 30 points and ¥17.00
    await take_back(goods, sale.number, [ReturnRequestLine(coat.id, 1)], "ret-points-r2")
    assert await points_of(member.id) == 30
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == drawer - 1700
    assert await ledger.balance(ledger.POINTS_HONOURED) == 0
    refunded = await Refund.select().where(Refund.kind == "points")
    assert sum(r["points"] for r in refunded) == 30 and sum(r["amount_fen"] for r in refunded) == 3000


async def test_a_household_purchase_paid_with_the_funds_points_gives_them_back_to_the_fund(goods, settings):
    from lovebank.passbook import fund_points
    from pos.tender import PointsIn
    from shop.staff import set_pin
    from tests.pos.members import fund_with_points

    await fund_with_points(goods, 100)
    await set_pin(username="manager", pin="2468")
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.book, 2)], cash_given_fen=0, idempotency_key="ret-fund-01",
                             rules=till_rules(settings),
                             points=PointsIn(points=24, household_ref="H-2026-017"), manager_pin="2468")
    assert await fund_points(goods.shop_id) == 76
    void = await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                           manager_id=goods.manager_id, sale=sale.number, idempotency_key="ret-fund-v1")
    assert [(r.kind, r.points, r.amount_fen) for r in void.refunds] == [("points", 24, 2400)]
    assert void.cash_fen == 0 and await fund_points(goods.shop_id) == 100
