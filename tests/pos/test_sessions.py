"""Till sessions on SQLite and PostgreSQL: open with a float, sell, X report, close with a count; the Z report
agrees with the ledger to the fen; one open session per till, whatever the concurrency."""

import asyncio

import pytest

from pos.checkout import CartLine, PointsIn, commit_sale
from tests.pos.till import till_rules
from pos.errors import TillSessionError
from pos.returns import ReturnRequestLine, commit_return, sale_for_return
from pos.sessions import close_session, current_session, open_session, session_figures, session_number
from pos.tables import Sale, TillSession
from pos.tills import add_till
from shop import ledger
from shop.errors import DomainError
from web.problems import status_of
from shop.tables import LedgerEntry, LedgerTxn
from tests.pos.members import member_with_points


def sell(goods, settings, lines, cash, key, till_id=None):
    return commit_sale(shop_id=goods.shop_id, till_id=till_id or goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(code, qty) for code, qty in lines], cash_given_fen=cash,
                       idempotency_key=key, rules=till_rules(settings))


async def ledger_sum(account: str, after_txn: int) -> int:
    rows = await LedgerEntry.raw(
        "SELECT COALESCE(SUM(amount), 0) AS total FROM ledger_entry WHERE account = {} AND txn > {} "
        "AND currency = 'CNY'", account, after_txn)
    return int(rows[0]["total"])


async def test_a_till_session_whose_z_report_agrees_with_the_ledger_to_the_fen(goods, settings):
    # given a second till, opened with a float of ¥200.00 counted from the safe
    till = await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    safe_before = await ledger.balance(ledger.SAFE)
    session = await open_session(shop_id=goods.shop_id, till_id=till, staff_id=goods.cashier_id, float_fen=20000)
    assert session.is_open and session.float_fen == 20000 and session.number == session_number(session.id)
    assert await ledger.balance(ledger.till_cash(till)) == 20000
    assert await ledger.balance(ledger.SAFE) == safe_before - 20000
    # when it sells three times and takes one piece back
    first = await sell(goods, settings, [(goods.coat, 1), (goods.coasters, 3)], 10000, "sess-0001", till)
    second = await sell(goods, settings, [(goods.noodles, 3)], 4000, "sess-0002", till)
    await sell(goods, settings, [(goods.book, 1)], 1200, "sess-0003", till)
    sale = await sale_for_return(shop_id=goods.shop_id, number=second.number)
    back = await commit_return(shop_id=goods.shop_id, till_id=till, cashier_id=goods.cashier_id,
                               sale=second.number, lines=[ReturnRequestLine(sale.lines[0].id, 1)],
                               idempotency_key="sess-ret-1")
    assert back.cash_fen == 1250
    # then the X report shows where it stands, from the ledger
    x = await session_figures(shop_id=goods.shop_id, session_id=session.id)
    gross = first.total_fen + second.total_fen + 1200
    assert (x.sales_count, x.gross_fen, x.returns_count, x.refunds_fen) == (3, gross, 1, 1250)
    assert x.net_fen == gross - 1250 and x.cash_sales_fen == gross and x.cash_refunds_fen == 1250
    assert x.expected_cash_fen == 20000 + gross - 1250 == await ledger.balance(ledger.till_cash(till))
    assert x.counted_fen is None and x.over_short_fen is None
    # when the drawer is counted ¥0.50 short and the till closed
    z = await close_session(shop_id=goods.shop_id, till_id=till, staff_id=goods.manager_id,
                            counted_fen=x.expected_cash_fen - 50)
    # then the Z report agrees with the ledger to the fen
    assert z.expected_cash_fen == x.expected_cash_fen and z.over_short_fen == -50
    assert z.counted_fen == x.expected_cash_fen - 50 and not z.session.is_open
    mark = (await TillSession.select(TillSession.ledger_mark).where(TillSession.id == session.id).first())["ledger_mark"]
    assert z.float_fen + z.cash_sales_fen - z.cash_refunds_fen == z.expected_cash_fen
    assert await ledger_sum(ledger.CASH_OVER_SHORT, mark) == 50  # a shortage is a debit of the expense
    assert await ledger.balance(ledger.till_cash(till)) == 0  # the drawer went to the safe
    assert await ledger.balance(ledger.SAFE) == safe_before - 20000 + z.counted_fen
    assert z.fund_fen == -await ledger_sum(ledger.FUND, mark)
    assert z.maker_fen == -await ledger_sum(ledger.maker_payable(goods.maker_id), mark)
    assert z.running_fen == -await ledger_sum(ledger.RUNNING_COSTS, mark)
    assert z.fund_fen + z.maker_fen + z.running_fen == z.net_fen
    # and the till is closed: no sale, and the next session starts from its own float
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.book, 1)], 1200, "sess-0004", till)
    assert caught.value.code is TillSessionError.TILL_CLOSED and status_of(caught.value) == 409
    assert await current_session(shop_id=goods.shop_id, till_id=till) is None
    again = await open_session(shop_id=goods.shop_id, till_id=till, staff_id=goods.cashier_id, float_fen=10000)
    fresh = await session_figures(shop_id=goods.shop_id, session_id=again.id)
    assert (fresh.sales_count, fresh.expected_cash_fen) == (0, 10000)


async def test_cash_over_is_booked_as_a_credit_and_a_count_of_what_was_expected_books_nothing(goods, settings):
    await sell(goods, settings, [(goods.book, 1)], 1200, "over-0001")
    txns = await LedgerTxn.count()
    z = await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id,
                            counted_fen=1200)
    assert (z.expected_cash_fen, z.over_short_fen) == (1200, 0)
    assert await LedgerTxn.count() == txns + 1  # only the drawer to the safe
    await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=500)
    z = await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id,
                            counted_fen=530)
    assert z.over_short_fen == 30
    assert await ledger.balance(ledger.CASH_OVER_SHORT) == -30


async def test_a_till_opens_once_and_bad_counts_change_nothing(goods):
    before = await TillSession.count()
    with pytest.raises(DomainError) as caught:
        await open_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id, float_fen=100)
    assert caught.value.code is TillSessionError.TILL_ALREADY_OPEN and status_of(caught.value) == 409
    for bad in (-1, 10**9, 1.5, True):
        with pytest.raises(DomainError) as caught:
            await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id,
                                counted_fen=bad)
        assert caught.value.code is TillSessionError.BAD_COUNT
    assert await TillSession.count() == before
    assert (await current_session(shop_id=goods.shop_id, till_id=goods.till_id)).id == goods.session_id


async def test_two_screens_opening_one_till_at_once_open_it_once(goods):
    till = await add_till(shop_id=goods.shop_id, code="T3", name="三号收银台")

    async def open_it(staff):
        try:
            return await open_session(shop_id=goods.shop_id, till_id=till, staff_id=staff, float_fen=10000)
        except DomainError as error:
            return error.code

    results = await asyncio.gather(*(open_it(s) for s in (goods.cashier_id, goods.manager_id) * 3))
    assert sum(1 for r in results if r is TillSessionError.TILL_ALREADY_OPEN) == 5
    assert await TillSession.count().where(TillSession.till == till) == 1
    assert await ledger.balance(ledger.till_cash(till)) == 10000


async def test_the_database_refuses_a_second_open_session_of_a_till(goods):
    with pytest.raises(Exception):
        await TillSession.insert(TillSession(shop=goods.shop_id, till=goods.till_id, opened_by=goods.cashier_id,
                                             float_fen=0))
    assert await TillSession.count() == 1


async def test_sales_racing_a_close_are_in_the_session_or_refused(goods, settings):
    # given sales submitted while the till is being closed
    async def sale(n):
        try:
            return await sell(goods, settings, [(goods.noodles, 1)], 1250, f"race-{n:05d}")
        except DomainError as error:
            return error.code

    async def close():
        await asyncio.sleep(0)
        return await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.cashier_id,
                                   counted_fen=0)

    *sales, z = await asyncio.gather(*(sale(n) for n in range(8)), close())
    # then every sale made is in the closed session and its cash is in the expected cash
    made = [s for s in sales if not isinstance(s, TillSessionError)]
    assert all(s is TillSessionError.TILL_CLOSED for s in sales if isinstance(s, TillSessionError))
    assert await Sale.count().where(Sale.session == goods.session_id) == len(made) == z.sales_count
    assert z.expected_cash_fen == 1250 * len(made) and z.over_short_fen == -1250 * len(made)
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 0


async def test_the_figures_show_refunds_by_tender_after_a_split_tender_partial_return(goods, settings):
    # given a member's sale of a coat ¥35.00 and a book ¥12.00: 30 points (¥30.00) and ¥20.00 cash for the ¥17.00 left
    member = await member_with_points(goods, 30)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1), CartLine(goods.book, 1)], cash_given_fen=2000,
                             idempotency_key="sess-split-1", rules=till_rules(settings),
                             points=PointsIn(points=30, member_code=member.number))
    assert (sale.points, sale.points_fen, sale.change_fen) == (30, 3000, 300)
    # when the coat comes back: both tenders get their share
    returnable = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    coat = next(line for line in returnable.lines if line.barcode == goods.coat)
    back = await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(coat.id, 1)], idempotency_key="sess-split-r")
    given = {refund.kind: refund for refund in back.refunds}
    assert set(given) == {"cash", "points"} and given["points"].points > 0
    # then the X figures show the refunds by tender: the cash from the drawer, the points with their worth
    x = await session_figures(shop_id=goods.shop_id, session_id=goods.session_id)
    assert x.cash_refunds_fen == given["cash"].amount_fen == back.cash_fen
    assert (x.points_refunded_pts, x.points_refunded_fen) == (given["points"].points, given["points"].amount_fen)
    assert x.refunds_fen == back.total_fen == 3500
    assert (x.points_pts, x.points_fen, x.cash_sales_fen) == (30, 3000, 1700)
    # and the drawer expects the cash taken less the cash given back
    assert x.expected_cash_fen == 1700 - back.cash_fen == await ledger.balance(ledger.till_cash(goods.till_id))
    z = await close_session(shop_id=goods.shop_id, till_id=goods.till_id, staff_id=goods.manager_id,
                            counted_fen=x.expected_cash_fen)
    assert (z.over_short_fen, z.points_refunded_pts, z.points_refunded_fen) == (
        0, x.points_refunded_pts, x.points_refunded_fen)
