"""A donor's impact on both engines: what they gave, what sold, and what it raised for the fund."""

from datetime import date

from donations.donors import register_donor
from donations.intake import GivenItem, register_donation
from inventory.catalogue import Condition
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from hypothesis import given, strategies as st

from pos.donor_impact import _first_in_first_out, donor_impact

TODAY = date(2026, 11, 23)


async def sell(goods, settings, *lines, key):
    return await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(code, quantity) for code, quantity in lines], cash_given_fen=100_000,
                             idempotency_key=key, rules=till_rules(settings))


async def test_what_a_donor_gave_sold_and_raised_and_nobody_elses(goods, settings):
    # given 李阿姨 gives a coat (own code) and 5 packs of noodles (a maker's barcode the shop already stocks: 40)
    li = await register_donor(shop_id=goods.shop_id, name="李阿姨")
    donation = await register_donation(
        shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=li.id, idempotency_key="donation-0001",
        today=TODAY, items=[
            GivenItem(category="clothes", description="呢子大衣", condition=Condition.GOOD, quantity=1, price_fen=6000),
            GivenItem(category="food", description="红烧牛肉面 5连包", condition=Condition.NEW, quantity=5,
                      price_fen=1250, barcode=goods.noodles),
            GivenItem(category="books", description="旧杂志", condition=Condition.FAIR, quantity=2,
                      refused_reason="发霉"),
        ])
    coat = donation.lines[0].barcode
    # and nothing of hers has sold yet
    impact = await donor_impact(shop_id=goods.shop_id, donor_id=li.id)
    assert (impact.donations, impact.pieces_given, impact.pieces_refused, impact.pieces_sold, impact.fund_fen) == (
        1, 6, 2, 0, 0)
    # when her coat sells (donated: 70% to the fund) and 42 packs of noodles (the 40 older ones first, then 2 of hers)
    await sell(goods, settings, (coat, 1), (goods.noodles, 42), key="sale-key-0001")
    impact = await donor_impact(shop_id=goods.shop_id, donor_id=li.id)
    # then the coat raised ¥42.00, and her 2 packs their share of the noodles' fund share (5% of ¥525.00 = 2625 fen
    # over 42 packs: 40 → 2500, 2 → 125)
    assert impact.pieces_sold == 3
    assert impact.fund_fen == 4200 + 125
    # and another donor's impact is their own
    other = await register_donor(shop_id=goods.shop_id, name="张先生")
    assert (await donor_impact(shop_id=goods.shop_id, donor_id=other.id)).pieces_sold == 0


async def test_a_piece_brought_back_is_not_sold_and_its_fund_share_is_given_back(goods, settings):
    from pos.returns import ReturnRequestLine, commit_return
    from pos.tables import ReturnLine, SaleLine
    from pos.tender import PointsIn
    from shop import ledger
    from shop.money import allocate
    from tests.pos.members import member_with_points

    # given 李阿姨 gives a coat and 5 packs of noodles (the shop has 40 older ones)
    li = await register_donor(shop_id=goods.shop_id, name="李阿姨")
    donation = await register_donation(
        shop_id=goods.shop_id, volunteer_id=goods.cashier_id, donor_id=li.id, idempotency_key="donation-0001",
        today=TODAY, items=[
            GivenItem(category="clothes", description="呢子大衣", condition=Condition.GOOD, quantity=1, price_fen=6000),
            GivenItem(category="food", description="红烧牛肉面 5连包", condition=Condition.NEW, quantity=5,
                      price_fen=1250, barcode=goods.noodles),
        ])
    coat = donation.lines[0].barcode
    # and a member pays part of her coat and 43 packs in points (a split tender)
    member = await member_with_points(goods, 25)
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(coat, 1), CartLine(goods.noodles, 43)], cash_given_fen=100_000,
                             idempotency_key="sale-key-0001", rules=till_rules(settings),
                             points=PointsIn(points=25, member_code=member.number))
    assert (await donor_impact(shop_id=goods.shop_id, donor_id=li.id)).pieces_sold == 1 + 3
    # when the coat and two packs come back
    ids = {row["barcode"]: row["id"] for row in await SaleLine.select(SaleLine.id, SaleLine.barcode).where(
        SaleLine.sale == sale.id)}
    back = await commit_return(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                               sale=sale.number, lines=[ReturnRequestLine(ids[coat], 1),
                                                        ReturnRequestLine(ids[goods.noodles], 2)],
                               idempotency_key="return-key-0001", reason="不合适")
    impact = await donor_impact(shop_id=goods.shop_id, donor_id=li.id)
    # then her coat is not sold, and of the 41 packs kept 40 are the older ones and 1 hers (first in, first out)
    assert impact.pieces_sold == 1
    # and she raised that pack's part of the noodles' fund share net of the return (5% of ¥537.50, less what the
    # two packs brought back gave back)
    returned = await ReturnLine.select(ReturnLine.fund_fen).where(ReturnLine.sale_line == ids[goods.noodles]).first()
    noodles_fund = 2688 - returned["fund_fen"]
    assert impact.fund_fen == allocate(noodles_fund, [40, 1])[1]
    # and the fund in the ledger holds what the sale gave it less what the return took back
    assert -await ledger.balance(ledger.FUND) == sale.fund_fen - back.fund_fen


def test_first_in_first_out_gives_each_batch_its_share_oldest_first():
    assert _first_in_first_out(0, [3, 2]) == [0, 0]
    assert _first_in_first_out(4, [3, 2]) == [3, 1]
    assert _first_in_first_out(7, [3, 2]) == [3, 4]  # sold past the books: the last batch takes the rest


@given(st.integers(0, 500), st.lists(st.integers(1, 100), min_size=1, max_size=10))
def test_first_in_first_out_always_accounts_for_every_piece_sold(sold, batches):
    shares = _first_in_first_out(sold, batches)
    assert sum(shares) == sold and all(s >= 0 for s in shares)
    assert all(share <= batch for share, batch in zip(shares[:-1], batches[:-1]))
