"""Every figure a person reads agrees with the books, whatever the till does (Hypothesis, on both engines).

Random sales — cash, points, both; with and without a discount; donated, handicraft and purchased goods — then
random partial returns, voids and maker payouts. After each step: the report's totals (from the hourly
summaries and from the read model), the read model itself, every maker's statement and owed figure, the
donor's impact, the fund and the till's X report equal the ledger and what the steps themselves recorded; after each
return, its refund is checked against the tenders of its sale (whole points at their worth, never more than paid,
all square once the whole sale came back).

The database is the test's own and is not emptied between examples: every figure is checked as a running total.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings as hypothesis_settings, strategies as st

from donations.donors import register_donor
from donations.intake import GivenItem, register_donation
from donations.makers import record_payout
from donations.tables import MakerPayout
from inventory.catalogue import Condition
from pos.checkout import CartLine, commit_sale, quote_cart
from tests.pos.till import till_rules
from pos.discounts import Discount, SaleDiscount
from pos.donor_impact import donor_impact
from pos.maker_payouts import makers_owed
from pos.maker_statements import maker_statement
from pos.reports import period_of, report
from pos.returns import ReturnRequestLine, commit_return, void_sale
from pos.sessions import session_figures
from pos.sold import sold_totals
from pos.tables import SaleLine
from pos.tender import PointsIn
from shop import ledger
from tests.pos.members import member_with_points

sale_step = st.tuples(
    st.just("sell"),
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3)), min_size=1, max_size=3),  # (goods, pieces)
    st.sampled_from(["cash", "points", "both"]),
    st.sampled_from([None, 5, 10]),  # the sale's discount, percent
)
return_step = st.tuples(st.just("return"), st.integers(0, 50), st.lists(st.integers(0, 3), min_size=1, max_size=3))
void_step = st.tuples(st.just("void"), st.integers(0, 50))
payout_step = st.tuples(st.just("payout"), st.integers(1, 100))
steps = st.lists(st.one_of(sale_step, sale_step, return_step, return_step, void_step, payout_step),
                 min_size=1, max_size=6)


@dataclass
class Sold:
    number: str
    lines: dict[int, list[int]] = field(default_factory=dict)  # sale line id → [pieces sold, pieces returned]
    barcodes: dict[int, str] = field(default_factory=dict)
    paid: dict[str, list[int]] = field(default_factory=dict)  # tender kind → [fen, points] paid
    back: dict[str, list[int]] = field(default_factory=dict)  # tender kind → [fen, points] refunded so far


@dataclass
class Books:
    """What the steps recorded, added up as they went: the oracle the figures are checked against."""

    value: int = 0
    fund: int = 0
    maker: int = 0
    paid: int = 0
    gift_pieces: int = 0  # the donor's own-code goods, net of returns
    gift_fund: int = 0


def check_refund(record, sold: Sold, fen_per_point: int) -> None:
    """A return's refund: points at their worth, never more back on a tender than it paid, what is left owed
    under one point's worth, and everything square once the whole sale came back (pos/refunds.py)."""
    for refund in record.refunds:
        assert refund.amount_fen > 0
        if refund.kind == "points":
            assert refund.amount_fen == refund.points * fen_per_point
        sold.back[refund.kind][0] += refund.amount_fen
        sold.back[refund.kind][1] += refund.points
    for kind, (fen, points) in sold.back.items():
        assert fen <= sold.paid[kind][0] and points <= sold.paid[kind][1]
    returned = sum(pieces for _, (_, pieces) in sold.lines.items()) + sum(line.quantity for line in record.lines)
    owed = sum(paid for paid, _ in sold.paid.values()) - sum(fen for fen, _ in sold.back.values())
    if returned == sum(pieces for pieces, _ in sold.lines.values()):  # the whole sale is back: all square
        assert sold.back == {kind: list(paid) for kind, paid in sold.paid.items()} and owed == 0
    else:
        assert 0 <= record.owed_fen < max(fen_per_point, 1) or record.owed_fen <= 0


async def check(goods, settings, books: Books, donor_id: int, gift: str, first_day) -> None:
    zone = settings.zone
    account = ledger.maker_payable(goods.maker_id)
    # the read model, against the steps and the ledger
    net = await sold_totals(shop_id=goods.shop_id)
    owed = -await ledger.balance(account)
    assert (net.value_fen, net.fund_fen, net.maker_fen) == (books.value, books.fund, books.maker)
    assert net.fund_fen == -await ledger.balance(ledger.FUND)
    assert net.running_fen == -await ledger.balance(ledger.RUNNING_COSTS)
    assert owed == books.maker - books.paid
    # the X report of the till's open session (every example sells in it), against the steps and the ledger
    x = await session_figures(shop_id=goods.shop_id, session_id=goods.session_id)
    assert (x.net_fen, x.fund_fen, x.maker_fen) == (books.value, books.fund, books.maker)
    assert x.gross_fen - x.refunds_fen == x.net_fen == x.fund_fen + x.maker_fen + x.running_fen
    assert x.expected_cash_fen == await ledger.balance(ledger.till_cash(goods.till_id))
    assert x.expected_cash_fen == x.float_fen + x.cash_sales_fen - x.cash_refunds_fen
    assert x.points_fen - x.points_refunded_fen == await ledger.balance(ledger.POINTS_HONOURED)
    assert x.points_refunded_fen == x.points_refunded_pts * settings.points.fen_per_point
    # the report, from the summaries and from the read model
    period = period_of("custom", first_day - timedelta(days=1), first_day + timedelta(days=1))
    summed = await report(shop_id=goods.shop_id, period=period, dimension="source", zone=zone)
    counted = await report(shop_id=goods.shop_id, period=period, dimension="source", zone=zone, from_lines=True)
    assert summed == counted
    t = summed.totals
    assert (t.net_fen, t.fund_fen, t.maker_fen, t.running_fen, t.fund_points_fen) == (
        net.value_fen, net.fund_fen, net.maker_fen, net.running_fen, net.fund_points_fen)
    assert t.fund_cash_fen + t.fund_points_fen == t.fund_fen
    # the maker's statement and the makers' page
    start, end = period.bounds(zone)
    statement = await maker_statement(shop_id=goods.shop_id, maker_id=goods.maker_id, start=start, end=end)
    assert statement.closing_fen == statement.owed_now_fen == owed
    assert (statement.earned_fen, statement.paid_fen) == (books.maker, books.paid)
    (page,) = [m for m in await makers_owed(shop_id=goods.shop_id) if m.maker_id == goods.maker_id]
    assert (page.owed_fen, page.earned_fen, page.paid_fen) == (owed, books.maker, books.paid)
    # the donor's impact: their own-code goods, net of returns
    impact = await donor_impact(shop_id=goods.shop_id, donor_id=donor_id)
    assert (impact.pieces_sold, impact.fund_fen) == (books.gift_pieces, books.gift_fund)


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
async def test_every_figure_agrees_with_the_books_after_any_sales_returns_and_payouts(goods, settings, plan):
    # given the running totals so far (earlier examples' steps are in the same books)
    net = await sold_totals(shop_id=goods.shop_id)
    paid = sum(row["amount_fen"] for row in await MakerPayout.select(MakerPayout.amount_fen).where(
        MakerPayout.maker == goods.maker_id))
    books = Books(value=net.value_fen, fund=net.fund_fen, maker=net.maker_fen, paid=paid)
    first_day = datetime.now(settings.zone).date()
    example = uuid.uuid4().hex[:12]  # keys of their own: the examples share one database
    # and a donor who gives three pieces of their own (an in-store code) for this example
    donor = await register_donor(shop_id=goods.shop_id, name="李阿姨")
    donation = await register_donation(
        shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=donor.id, idempotency_key=f"gift-{example}",
        today=first_day, items=[GivenItem(category="books", description="连环画", condition=Condition.GOOD,
                                            quantity=3, price_fen=850)])
    gift = donation.lines[0].barcode
    codes = [goods.noodles, goods.coasters, goods.book, gift]
    member = await member_with_points(goods, 10_000)
    sales: list[Sold] = []
    for n, step in enumerate(plan):
        key = f"p{example}-{n:02d}"
        if step[0] == "sell":
            _, wanted, tender, percent = step
            cart = [CartLine(codes[i], pieces) for i, pieces in wanted]
            discount = SaleDiscount(Discount(percent=percent), reason="会员日") if percent else None
            quote = await quote_cart(shop_id=goods.shop_id, lines=cart, sale_discount=discount,
                                     rules=till_rules(settings))
            if quote.needs_manager:  # past the cashier's limit: sold without it
                discount = None
                quote = await quote_cart(shop_id=goods.shop_id, lines=cart, rules=till_rules(settings))
            points = None
            if tender != "cash" and quote.most_points:
                count = quote.most_points if tender == "points" else max(1, quote.most_points // 2)
                points = PointsIn(points=count, member_code=member.number)
            in_points = points.points * settings.points.fen_per_point if points else 0
            sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                                     lines=cart, cash_given_fen=quote.total_fen - in_points, idempotency_key=key,
                                     rules=till_rules(settings), sale_discount=discount, points=points)
            rows = await SaleLine.select(SaleLine.id, SaleLine.barcode, SaleLine.quantity).where(
                SaleLine.sale == sale.id).order_by(SaleLine.id)
            sold = Sold(sale.number, {r["id"]: [r["quantity"], 0] for r in rows}, {r["id"]: r["barcode"] for r in rows},
                        paid={"cash": [sale.total_fen - sale.points_fen, 0], "points": [sale.points_fen, sale.points]},
                        back={"cash": [0, 0], "points": [0, 0]})
            sales.append(sold)
            books.value += sale.total_fen
            books.fund += sale.fund_fen
            books.maker += sale.maker_fen
            for line in sale.lines:
                if line.barcode == gift:
                    books.gift_pieces += line.quantity
                    books.gift_fund += line.fund_fen
        elif step[0] in ("return", "void") and sales:
            sold = sales[step[1] % len(sales)]
            left = {line: pieces - back for line, (pieces, back) in sold.lines.items() if pieces > back}
            if not left:
                continue
            if step[0] == "void":
                if any(back for _, back in sold.lines.values()):
                    continue
                record = await void_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                                         manager_id=goods.manager_id, sale=sold.number, idempotency_key=key)
            else:
                wanted = [ReturnRequestLine(line, min(n, pieces))
                          for (line, pieces), n in zip(sorted(left.items()), step[2]) if min(n, pieces)]
                if not wanted:
                    continue
                record = await commit_return(shop_id=goods.shop_id, till_id=goods.till_id,
                                             cashier_id=goods.cashier_id, sale=sold.number, lines=wanted,
                                             idempotency_key=key, reason="不合适")
            check_refund(record, sold, settings.points.fen_per_point)
            books.value -= record.total_fen
            books.fund -= record.fund_fen
            books.maker -= record.maker_fen
            for line in record.lines:
                sold.lines[line.sale_line_id][1] += line.quantity
                if sold.barcodes[line.sale_line_id] == gift:
                    books.gift_pieces -= line.quantity
                    books.gift_fund -= line.fund_fen
        elif step[0] == "payout":
            owed = books.maker - books.paid
            if owed <= 0:
                continue
            amount = 1 + (step[1] * owed) // 101
            await record_payout(shop_id=goods.shop_id, maker_id=goods.maker_id, amount_fen=amount, method="cash",
                                staff_id=goods.manager_id)
            books.paid += amount
        else:
            continue
        event(f"checked after {step[0]}")
        # then every figure agrees
        await check(goods, settings, books, donor.id, gift, first_day)

