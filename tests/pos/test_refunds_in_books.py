"""Refunds on split tenders in the database: whole points and cash for exactly what comes back, what cannot be
paid back yet owed in the ledger and paid by the sale's last return; and verify()'s rules for refunds, each
broken on purpose to see its sentence."""

from __future__ import annotations

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.returns import ReturnRequestLine, commit_return, sale_for_return
from pos.tender import PointsIn
from pos.verify import verify
from shop import ledger
from shop.database import run
from tests.pos.members import member_with_points
from tests.web.test_verify_cli import triggers_off


async def split_sale(goods, settings, *, worth: int, points: int, lines, key: str):
    member = await member_with_points(goods, points)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=lines, cash_given_fen=100_000, idempotency_key=key,
                             rules=till_rules(settings, fen_per_point=worth),
                             points=PointsIn(points=points, member_code=member.number))
    return member, sale


def take_back(goods, number, lines, key):
    return commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id, sale=number,
                         lines=lines, idempotency_key=key)


async def test_a_piece_no_whole_point_can_pay_back_leaves_the_rest_owed_until_the_last_return(goods, settings):
    from lovebank.passbook import points_of

    # given a ¥62.00 sale (coat, book, 3 coasters) paid 6 points worth ¥10.00 each and ¥2.00 in cash
    member, sale = await split_sale(goods, settings, worth=1000, points=6, key="owed-sale-01", lines=[
        CartLine(goods.coat, 1), CartLine(goods.book, 1), CartLine(goods.coasters, 3)])
    assert (sale.points_fen, sale.cash_fen) == (6000, 200)
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    line = {l.barcode: l.id for l in found.lines}
    drawer = await ledger.balance(ledger.till_cash(goods.till_id))
    # when one ¥5.00 coaster comes back: no whole point (¥10.00) fits, and the cash paid was ¥2.00
    first = await take_back(goods, sale.number, [ReturnRequestLine(line[goods.coasters], 1)], "owed-ret-01")
    # then ¥2.00 goes back in cash and ¥3.00 stays owed to the customer, in the ledger too
    assert [(r.kind, r.amount_fen, r.points) for r in first.refunds] == [("cash", 200, 0)]
    assert first.owed_fen == 300
    assert await ledger.balance(ledger.REFUNDS_OWED) == -300
    assert await verify() == []
    # when everything else comes back, the 6 points go back and the ¥3.00 owed is paid with them
    rest = [ReturnRequestLine(line[goods.coat], 1), ReturnRequestLine(line[goods.book], 1),
            ReturnRequestLine(line[goods.coasters], 2)]
    last = await take_back(goods, sale.number, rest, "owed-ret-02")
    assert [(r.kind, r.amount_fen, r.points) for r in last.refunds] == [("points", 6000, 6)]
    assert last.total_fen == 5700 and last.owed_fen == -300
    assert await ledger.balance(ledger.REFUNDS_OWED) == 0
    assert await points_of(member.id) == 6
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == drawer - 200
    assert await ledger.balance(ledger.POINTS_HONOURED) == 0


async def test_the_issues_split_tender_part_return_is_refunded_to_the_fen(goods, settings):
    # given a ¥60.00 sale (coat ¥35.00, book ¥12.00, noodles ¥12.50 → ¥59.50) paid 56 points and ¥3.50
    member, sale = await split_sale(goods, settings, worth=100, points=56, key="split-sale-01", lines=[
        CartLine(goods.coat, 1), CartLine(goods.book, 1), CartLine(goods.noodles, 1)])
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    coat = next(l.id for l in found.lines if l.barcode == goods.coat)
    # when the ¥35.00 coat comes back
    back = await take_back(goods, sale.number, [ReturnRequestLine(coat, 1)], "split-ret-01")
    # then exactly ¥35.00 is refunded, the points at ¥1.00 each
    points = next(r for r in back.refunds if r.kind == "points")
    assert sum(r.amount_fen for r in back.refunds) == 3500 and back.owed_fen == 0
    assert points.amount_fen == points.points * 100 and points.points == 33  # 56 × 35.00 / 59.50 = 32.9


async def problems_after(db, statement: str, undo: str, *args, tables=("refund",)) -> list[str]:
    async with triggers_off(db, *tables):
        await run(db, statement, *args)
        try:
            return await verify()
        finally:
            await run(db, undo, *args)


async def test_verify_finds_a_points_refund_not_worth_its_points(db, goods, settings):
    _, sale = await split_sale(goods, settings, worth=100, points=40, key="bad-pts-01", lines=[
        CartLine(goods.coat, 1), CartLine(goods.book, 1)])
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    await take_back(goods, sale.number, [ReturnRequestLine(found.lines[0].id, 1)], "bad-pts-r1")
    problems = await problems_after(db, "UPDATE refund SET points = points - 1 WHERE kind = 'points'",
                                    "UPDATE refund SET points = points + 1 WHERE kind = 'points'")
    assert any(p.startswith(f"a points refund of sale {sale.number} is ") and "where the sale's points tender "
               "took 40 points for ¥40.00" in p for p in problems), problems


async def test_verify_finds_a_tender_given_back_more_than_it_paid(db, goods, settings):
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.book, 2)], cash_given_fen=2400, idempotency_key="bad-cash-01",
                             rules=till_rules(settings))
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    await take_back(goods, sale.number, [ReturnRequestLine(found.lines[0].id, 1)], "bad-cash-r1")
    problems = await problems_after(db, "UPDATE refund SET amount_fen = amount_fen + 5000 WHERE kind = 'cash'",
                                    "UPDATE refund SET amount_fen = amount_fen - 5000 WHERE kind = 'cash'")
    assert f"the cash tender of sale {sale.number} paid ¥24.00 (0 points) and got back ¥62.00 (0 points)" in problems
    assert any(p.startswith("return R") and "of ¥12.00 refunded ¥62.00 and left ¥0.00 owed" in p for p in problems), problems


async def test_verify_finds_owed_refunds_the_ledger_does_not_hold(db, goods, settings):
    _, sale = await split_sale(goods, settings, worth=1000, points=6, key="bad-owed-01", lines=[
        CartLine(goods.coat, 1), CartLine(goods.book, 1), CartLine(goods.coasters, 3)])
    found = await sale_for_return(shop_id=goods.shop_id, number=sale.number)
    coasters = next(l.id for l in found.lines if l.barcode == goods.coasters)
    await take_back(goods, sale.number, [ReturnRequestLine(coasters, 1)], "bad-owed-r1")
    owed = f"'{ledger.REFUNDS_OWED}'"
    problems = await problems_after(
        db, f"UPDATE ledger_entry SET amount = amount - 1 WHERE account = {owed}",
        f"UPDATE ledger_entry SET amount = amount + 1 WHERE account = {owed}", tables=("ledger_entry",))
    assert f"the returns of sale {sale.number} owe the customer ¥3.00, and the ledger holds ¥3.01 owed" in problems
