"""Discounts and price overrides: each with its reason, logged; past the limit only with a manager's PIN."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules
from pos.discounts import (
    Discount, LineOverride, LineToPrice, SaleDiscount, needs_manager, price_lines, spread_discount,
)
from pos.errors import SaleError
from pos.tables import Override, Sale, SaleLine, Tender
from shop import ledger
from shop.errors import DomainError, ShopError
from web.problems import status_of
from shop.staff import check_manager_pin, set_pin
from shop.tables import LedgerEntry, LedgerTxn


def sell(goods, settings, lines, cash, key="key-discount-01", **extra):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(*line) for line in lines], cash_given_fen=cash, idempotency_key=key,
                       rules=till_rules(settings), **extra)


async def counts():
    return {t.__name__: await t.count() for t in (Sale, SaleLine, Tender, Override, LedgerTxn, LedgerEntry)}


async def test_a_small_price_override_needs_no_pin_and_is_logged_with_its_reason(goods, settings):
    # given the limit is 10%; the coat is ¥35.00
    assert settings.till.override_limit_percent == 10
    # when the cashier charges ¥32.00 for a missing button (8.6% off)
    override = LineOverride(price_fen=3200, reason="  少一颗纽扣 ")
    sale = await sell(goods, settings, [(goods.coat, 1, override), (goods.book, 1)], cash=5000)
    # then the line sells at ¥32.00, and the split divides ¥32.00
    coat = next(l for l in sale.lines if l.barcode == goods.coat)
    assert (coat.unit_price_fen, coat.discount_fen, coat.value_fen, coat.fund_fen) == (3200, 0, 3200, 2240)
    assert sale.total_fen == 4400 and sale.change_fen == 600
    logged = await Override.select().where(Override.sale == sale.id)
    assert [(o["kind"], o["before_fen"], o["after_fen"], o["reason"], o["cashier"], o["approved_by"])
            for o in logged] == [("price", 3500, 3200, "少一颗纽扣", goods.cashier_id, None)]
    line_row = await SaleLine.select(SaleLine.barcode).where(SaleLine.id == logged[0]["line"]).first()
    assert line_row["barcode"] == goods.coat


async def test_a_big_discount_needs_a_managers_pin_and_records_the_manager(goods, settings):
    await set_pin(username="manager", pin="1234")
    half_off = LineOverride(discount=Discount(percent=50), reason="破损")
    before = await counts()
    # when no PIN, or a wrong one: refused, nothing written
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1, half_off)], cash=5000)
    assert caught.value.code is SaleError.MANAGER_PIN_NEEDED and status_of(caught.value) == 403
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1, half_off)], cash=5000, manager_pin="4321")
    assert caught.value.code is ShopError.BAD_PIN
    assert await counts() == before
    # when the manager types their PIN
    sale = await sell(goods, settings, [(goods.coat, 1, half_off)], cash=5000, manager_pin="1234")
    # then the line's discount is ¥17.50, its value ¥17.50 (the price charged stays ¥35.00)
    (line,) = sale.lines
    assert (line.unit_price_fen, line.discount_fen, line.value_fen) == (3500, 1750, 1750)
    stored = await SaleLine.select(SaleLine.discount_fen, SaleLine.value_fen).where(SaleLine.sale == sale.id).first()
    assert stored == {"discount_fen": 1750, "value_fen": 1750}
    logged = await Override.select().where(Override.sale == sale.id).first()
    assert (logged["kind"], logged["before_fen"], logged["after_fen"], logged["approved_by"]) == (
        "line-discount", 3500, 1750, goods.manager_id)
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 1750


async def test_a_whole_sale_discount_is_spread_over_the_lines_and_split_on_their_net_values(goods, settings):
    await set_pin(username="manager", pin="1234")
    # given coat ¥35.00, noodles 2 × ¥12.50, coasters 3 × ¥5.00: ¥75.00
    lines = [(goods.coat, 1), (goods.noodles, 2), (goods.coasters, 3)]
    # when 20% comes off the whole sale (a manager approves: past the 10% limit)
    sale = await sell(goods, settings, lines, cash=6000, manager_pin="1234",
                      sale_discount=SaleDiscount(Discount(percent=20), reason="社区活动日"))
    # then ¥15.00 is taken off, in proportion: 700 + 500 + 300
    assert sale.total_fen == 6000 and sale.discount_fen == 1500
    assert [(l.barcode, l.discount_fen, l.value_fen) for l in sale.lines] == [
        (goods.coat, 700, 2800), (goods.noodles, 500, 2000), (goods.coasters, 300, 1200)]
    coasters = sale.lines[2]
    assert (coasters.fund_fen, coasters.maker_fen, coasters.running_fen) == (120, 960, 120)
    assert await ledger.balance(ledger.maker_payable(goods.maker_id)) == -960
    logged = await Override.select().where(Override.sale == sale.id).first()
    assert (logged["kind"], logged["line"], logged["before_fen"], logged["after_fen"], logged["reason"]) == (
        "sale-discount", None, 7500, 6000, "社区活动日")


async def test_an_override_without_a_reason_is_refused(goods, settings):
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1, LineOverride(price_fen=3400, reason="  "))], cash=5000)
    assert caught.value.code is SaleError.REASON_NEEDED


@pytest.mark.parametrize("discount", [Discount(), Discount(percent=0), Discount(percent=101),
                                      Discount(amount_fen=3501), Discount(percent=5, amount_fen=5)])
async def test_an_impossible_discount_is_refused(goods, settings, discount):
    with pytest.raises(DomainError) as caught:
        await sell(goods, settings, [(goods.coat, 1, LineOverride(discount=discount, reason="x"))], cash=5000)
    assert caught.value.code is SaleError.BAD_DISCOUNT


async def test_a_manager_pin_is_checked_and_set_by_the_rules(goods, settings):
    # only the till's people have PINs (issue 21: cashiers too, for the cashier switch), of 4 to 12 digits, a
    # manager's their own
    from shop.staff import Role, StaffError, create_staff
    await create_staff(shop_id=goods.shop_id, username="intake2", password="intake-pw", role=Role.INTAKE)
    with pytest.raises(DomainError) as caught:
        await set_pin(username="intake2", pin="1234")
    assert caught.value.code is StaffError.NOT_AT_THE_TILL
    with pytest.raises(DomainError) as caught:
        await set_pin(username="manager", pin="12a4")
    assert caught.value.code is ShopError.PIN_FORMAT
    await set_pin(username="manager", pin="1234")
    assert await check_manager_pin(goods.shop_id, "1234") == goods.manager_id
    await create_staff(shop_id=goods.shop_id, username="manager2", password="manager-pw", role=Role.MANAGER)
    with pytest.raises(DomainError) as caught:
        await set_pin(username="manager2", pin="1234")
    assert caught.value.code is ShopError.PIN_TAKEN
    with pytest.raises(DomainError) as caught:  # a cashier's PIN would approve as the manager's
        await set_pin(username="cashier", pin="1234")
    assert caught.value.code is ShopError.PIN_TAKEN
    for wrong in ("", "0000", "12345678901"):
        with pytest.raises(DomainError) as caught:
            await check_manager_pin(goods.shop_id, wrong)
        assert caught.value.code is ShopError.BAD_PIN


def test_percent_discounts_round_to_the_nearest_fen_half_up():
    assert Discount(percent=10).off(5) == 1 and Discount(percent=10).off(4) == 0
    assert Discount(percent=15).off(1250) == 188  # 187.5 → 188
    assert Discount(percent=100).off(999) == 999
    assert Discount(amount_fen=300).off(300) == 300


def test_the_limit_is_more_than_the_percent_off_what_it_changes():
    priced, made = price_lines([LineToPrice(1000, 1, LineOverride(price_fen=900, reason="x")),
                                LineToPrice(1000, 1, LineOverride(price_fen=1200, reason="raised"))])
    assert [p.value_fen for p in priced] == [900, 1200]
    assert not needs_manager(made, 10)  # exactly 10% off, and a raise
    _, made = price_lines([LineToPrice(1000, 1, LineOverride(price_fen=899, reason="x"))])
    assert needs_manager(made, 10)


@given(values=st.lists(st.integers(0, 10**6), min_size=1, max_size=30), data=st.data())
def test_a_sale_discount_spreads_exactly_and_leaves_no_line_below_zero(values, data):
    discount = data.draw(st.integers(0, sum(values)))
    parts = spread_discount(discount, values)
    assert sum(parts) == discount
    assert all(0 <= part <= value for part, value in zip(parts, values))


@given(prices=st.lists(st.tuples(st.integers(1, 10**5), st.integers(1, 20)), min_size=1, max_size=10),
       percent=st.integers(1, 100))
def test_priced_lines_add_up_to_the_subtotal_less_the_sale_discount(prices, percent):
    lines = [LineToPrice(price, quantity) for price, quantity in prices]
    priced, made = price_lines(lines, SaleDiscount(Discount(percent=percent), reason="x"))
    subtotal = sum(price * quantity for price, quantity in prices)
    assert sum(p.value_fen for p in priced) == subtotal - Discount(percent=percent).off(subtotal)
    assert all(p.value_fen >= 0 and p.discount_fen == p.sale_discount_fen for p in priced)
    assert made[-1].before_fen == subtotal and made[-1].after_fen == sum(p.value_fen for p in priced)
