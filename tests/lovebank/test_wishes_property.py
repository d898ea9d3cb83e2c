"""A property of the wish wall on both engines: whatever wishes are posted, claimed and fulfilled from stock, in any
order and with any goods (refused or not), the community fund's cash plus the value of the goods it paid for stays
what it was, stock moves only by what was given, and verify() finds nothing wrong."""

import pytest
from hypothesis import HealthCheck, example, given, settings as hypothesis_settings, strategies as st

from inventory.tables import Item
from lovebank.passbook import open_member
from lovebank.tables import Wish
from pos import wishes as fulfil
from pos.checkout import CartLine, commit_sale, source_rules
from pos.fund import fund_balance
from pos.verify import verify
from shop.database import run
from shop.errors import DomainError
from shop.staff import Role, create_staff
from tests.pos.till import till_rules

STEPS = st.lists(st.one_of(
    st.tuples(st.just("post"), st.sampled_from(["goods", "service"])),
    st.tuples(st.just("claim"), st.integers(0, 4)),
    st.tuples(st.just("fulfil"), st.integers(0, 4),
              st.lists(st.sampled_from(["coat", "book", "noodles", "coasters"]), min_size=1, max_size=4)),
), min_size=1, max_size=10)


@pytest.fixture
async def funded(goods, settings):
    """A coordinator, a member, ¥24.75 in the fund; the fund's cash and the pieces on hand before any wish."""
    goods.coordinator_id = (await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw",
                                               role=Role.COORDINATOR, display_name="刘老师")).id
    goods.member = await open_member(shop_id=goods.shop_id, name="李阿姨")
    await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                      lines=[CartLine(goods.book, 1), CartLine(goods.noodles, 30)], cash_given_fen=50000,
                      idempotency_key="key-wish-prop-01", rules=till_rules(settings))
    goods.rules = source_rules(settings.split)
    goods.fund_start = (await fund_balance(shop_id=goods.shop_id)).cash_fen
    goods.stock_start = sum(row["on_hand"] for row in await Item.select(Item.on_hand))
    return goods


@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=[("post", "goods"), ("claim", 0), ("fulfil", 0, ["book", "coasters", "coasters"])])  # one is given
async def test_the_fund_plus_the_goods_it_paid_for_is_constant_and_the_books_hold(funded, steps):
    shop = funded.shop_id
    wall = [row["id"] for row in await Wish.select(Wish.id).order_by(Wish.id)]
    # when any sequence of steps is tried (a refused one writes nothing)
    for step in steps:
        try:
            if step[0] == "post":
                wall.append((await fulfil.post_wish(shop_id=shop, household="H-2026-1", text="心愿", kind=step[1],
                                                    staff_id=funded.coordinator_id)).id)
            elif step[0] == "claim" and wall:
                await fulfil.claim_wish(shop_id=shop, wish_id=wall[step[1] % len(wall)],
                                        staff_id=funded.coordinator_id, member_code=funded.member.number)
            elif step[0] == "fulfil" and wall:
                await fulfil.fulfil_from_stock(shop_id=shop, wish_id=wall[step[1] % len(wall)],
                                               barcodes=[funded.codes[name] for name in step[2]],
                                               staff_id=funded.coordinator_id, source_rules=funded.rules)
        except DomainError:
            pass
    # then the fund's cash and the goods it paid for add up to what it held, stock fell by the pieces given
    given_fen = sum(row["value_fen"] for row in await Wish.select(Wish.value_fen))
    assert (await fund_balance(shop_id=shop)).cash_fen + given_fen == funded.fund_start
    pieces = (await run(Wish._meta.db, "SELECT COALESCE(SUM(quantity), 0) AS n FROM wish_goods"))[0]["n"]
    assert sum(row["on_hand"] for row in await Item.select(Item.on_hand)) == funded.stock_start - int(pieces)
    assert await verify() == []
