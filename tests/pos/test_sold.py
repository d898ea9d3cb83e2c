"""The read model of what was sold, net of returns (pos/sold.py), on both engines: a split tender (points and
cash), partial returns of donated, purchased and handicraft goods; every figure read from it — the report, the
manager's day page, the maker's statement and the makers' page — against the ledger; and the two rules of
verify() that hold it to the ledger, each broken on purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from donations.makers import record_payout
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.maker_payouts import makers_owed
from pos.maker_statements import maker_statement
from pos.reports import day_report, period_of, report
from pos.returns import ReturnRequestLine, commit_return
from pos.sold import sold_lines, sold_totals
from pos.tables import Sale, SaleLine
from pos.tender import PointsIn
from pos.verify import verify
from shop import ledger
from shop.database import writing
from shop.money import format_yuan
from tests.pos.members import member_with_points


async def sell(goods, settings, lines, *, key, cash=100_000, points=None):
    return await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(code, quantity) for code, quantity in lines], cash_given_fen=cash,
                             idempotency_key=key, rules=till_rules(settings), points=points)


async def bring_back(goods, sale, wanted, *, key):
    ids = {row["barcode"]: row["id"] for row in await SaleLine.select(SaleLine.id, SaleLine.barcode).where(
        SaleLine.sale == sale.id)}
    return await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(ids[code], n) for code, n in wanted],
                               idempotency_key=key, reason="不合适")


@pytest.fixture
async def shop_day(goods, settings):
    """A member pays part in points: a coat (¥35.00, 70% to the fund), three coasters (¥15.00, the maker's 80%)
    and two packs of noodles (¥25.00, 5%); a coaster and a pack come back. Another sale of two coasters in
    cash, one of which comes back too."""
    member = await member_with_points(goods, 20)
    first = await sell(goods, settings, [(goods.coat, 1), (goods.coasters, 3), (goods.noodles, 2)], key="sold-0001",
                       points=PointsIn(points=20, member_code=member.number))
    back1 = await bring_back(goods, first, [(goods.coasters, 1), (goods.noodles, 1)], key="sold-back-1")
    second = await sell(goods, settings, [(goods.coasters, 2)], key="sold-0002")
    back2 = await bring_back(goods, second, [(goods.coasters, 1)], key="sold-back-2")
    return first, back1, second, back2


async def test_the_read_model_nets_returns_and_agrees_with_the_ledger(goods, settings, shop_day):
    first, back1, second, back2 = shop_day
    start, end = first.created_at - timedelta(minutes=1), back2.created_at + timedelta(minutes=1)
    # when
    rows = await sold_lines(shop_id=goods.shop_id, start=start, end=end)
    net = await sold_totals(shop_id=goods.shop_id)
    # then: every sold line and every returned line, a return's figures negative
    assert [(r.kind, r.name, r.pieces) for r in rows if r.kind == "return"] == [
        ("return", "手工编织杯垫", -1), ("return", "红烧牛肉面 5连包", -1), ("return", "手工编织杯垫", -1)]
    assert sum(r.pieces for r in rows) == 1 + 3 + 2 + 2 - 3
    # the value kept: the coat, two of the first sale's coasters, one pack, and the second sale's other coaster
    assert net.value_fen == 3500 + 1000 + 1250 + 500
    assert net.value_fen == first.total_fen + second.total_fen - back1.total_fen - back2.total_fen
    # and each part is the ledger's
    assert net.fund_fen == -await ledger.balance(ledger.FUND)
    assert net.maker_fen == -await ledger.balance(ledger.maker_payable(goods.maker_id)) == 3 * 400
    assert net.running_fen == -await ledger.balance(ledger.RUNNING_COSTS)
    assert net.fund_fen + net.maker_fen + net.running_fen == net.value_fen
    # and the fund's points part is the first sale's points share of its fund, less the returned lines' share
    assert 0 < net.fund_points_fen < net.fund_fen


async def test_the_report_and_the_day_page_read_the_same_net_figures(goods, settings, shop_day):
    first, *_ = shop_day
    zone = settings.zone
    day = first.created_at.astimezone(zone).date()
    net = await sold_totals(shop_id=goods.shop_id)
    # when
    summed = await report(shop_id=goods.shop_id, period=period_of("day", day), dimension="source", zone=zone)
    counted = await report(shop_id=goods.shop_id, period=period_of("day", day), dimension="source", zone=zone,
                           from_lines=True)
    page = await day_report(shop_id=goods.shop_id, day=day, zone=zone)
    # then
    assert summed == counted
    t = page.totals
    assert t == summed.totals
    assert (t.sales, t.refunds, t.net_fen, t.fund_fen, t.maker_fen, t.running_fen, t.fund_points_fen) == (
        2, 2, net.value_fen, net.fund_fen, net.maker_fen, net.running_fen, net.fund_points_fen)
    assert t.fund_fen == -await ledger.balance(ledger.FUND)
    handicraft = next(r for r in page.by_source if r.key == "handicraft")
    assert (handicraft.net_fen, handicraft.maker_fen) == (1500, 1200)
    (cashier,) = page.by_cashier
    assert (cashier.label, cashier.net_fen) == ("小张", net.value_fen)
    # and every sale and return of the day is listed, newest first, a return negative
    assert [(e.kind, e.sale_number) for e in page.entries] == [
        ("return", shop_day[2].number), ("sale", shop_day[2].number), ("return", first.number), ("sale", first.number)]
    assert sum(e.value_fen for e in page.entries) == net.value_fen
    assert sum(e.fund_fen for e in page.entries) == net.fund_fen


async def test_the_makers_statement_and_page_are_net_of_returns_and_close_at_the_ledgers_balance(
        goods, settings, shop_day):
    first, back1, second, back2 = shop_day
    account = ledger.maker_payable(goods.maker_id)
    start, end = first.created_at - timedelta(minutes=1), back2.created_at + timedelta(minutes=1)
    # when
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    (page,) = await makers_owed(shop_id=goods.shop_id)
    # then
    assert [(e.kind, e.ref, e.quantity, e.value_fen, e.owed_fen, e.balance_fen) for e in statement.entries] == [
        ("sale", first.number, 3, 1500, 1200, 1200), ("return", back1.number, -1, -500, -400, 800),
        ("sale", second.number, 2, 1000, 800, 1600), ("return", back2.number, -1, -500, -400, 1200)]
    assert (statement.sold_pieces, statement.sold_value_fen, statement.earned_fen, statement.paid_fen) == (
        3, 1500, 1200, 0)
    assert statement.closing_fen == -await ledger.balance(account) == 1200
    assert (page.owed_fen, page.earned_fen, page.paid_fen) == (1200, 1200, 0)
    # when ¥7.00 is paid out
    await record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=700, method="cash",
                        staff_id=goods.manager_id)
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start,
                                      end=end + timedelta(minutes=5))
    (page,) = await makers_owed(shop_id=goods.shop_id)
    assert (statement.earned_fen, statement.paid_fen, statement.closing_fen) == (1200, 700, 500)
    assert statement.closing_fen == -await ledger.balance(account)
    assert (page.owed_fen, page.earned_fen, page.paid_fen) == (500, 1200, 700)


# --- the rules of verify() over the read model: broken on purpose inside a transaction that is rolled back ----


class Undo(Exception):
    pass


async def problems_with(txn: ledger.Txn, shop_id: int) -> list[str]:
    """verify()'s problems while `txn` is in the ledger; the transaction is then rolled back."""
    with pytest.raises(Undo):
        async with writing(Sale._meta.db):
            await ledger.post(txn, shop_id=shop_id)
            problems = await verify()
            raise Undo
    return problems


async def test_verify_names_a_maker_whose_ledger_balance_is_not_their_net_earnings_less_payouts(goods, settings,
                                                                                              shop_day):
    # given a forged ¥1.00 owed to the maker that no sale earned
    forged = ledger.Txn(kind="forged", ref="test", entries=(
        ledger.Entry(ledger.maker_payable(goods.maker_id), ledger.Currency.CNY, -100),
        ledger.Entry("asset:shop:cash", ledger.Currency.CNY, 100)))
    # then
    assert await problems_with(forged, goods.shop_id) == [
        f"maker {goods.maker_id} earned ¥12.00 from their goods sold, net of returns, and was paid ¥0.00, but the "
        "ledger owes them ¥13.00"]
    assert await verify() == []


async def test_verify_names_a_shop_whose_fund_in_the_ledger_is_not_the_read_models(goods, settings, shop_day):
    net = await sold_totals(shop_id=goods.shop_id)
    # given a sale's ledger transaction with ¥1.00 more for the fund than any sale line gave it
    forged = ledger.Txn(kind="sale", ref="S99999999", entries=(
        ledger.Entry(ledger.FUND, ledger.Currency.CNY, -100),
        ledger.Entry("asset:shop:cash", ledger.Currency.CNY, 100)))
    # then
    assert await problems_with(forged, goods.shop_id) == [
        f"shop {goods.shop_id} sold {format_yuan(net.fund_fen)} for the community fund, net of returns, but the "
        f"ledger's sales and returns credited it {format_yuan(net.fund_fen + 100)}"]
