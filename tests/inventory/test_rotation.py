"""Rotation of ageing donated stock: the pure rule, then the till's scan and sale on both engines."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from inventory.catalogue import find_for_till
from inventory.rotation import Rotation, Step, marked_down, markdown_percent
from inventory.tables import Item
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules

STEPS = (Step(4, 30), Step(8, 50))
ROTATION = Rotation(steps=STEPS, remove_after_weeks=12, sources=frozenset({"donated"}))
TODAY = datetime.now(UTC).date()


def test_the_latest_step_reached_applies():
    assert [markdown_percent(days, STEPS) for days in (0, 27, 28, 55, 56, 400)] == [0, 0, 30, 30, 50, 50]
    assert markdown_percent(100, ()) == 0


def test_a_markdown_rounds_down_to_the_whole_fen():
    assert marked_down(3500, 30) == 2450 and marked_down(999, 30) == 699 and marked_down(1, 50) == 0


@given(st.integers(0, 10_000_000), st.integers(0, 100))
def test_a_marked_down_price_is_never_more_than_the_step_says_nor_a_fen_less(price, percent):
    after = marked_down(price, percent)
    assert after * 100 <= price * (100 - percent) < (after + 1) * 100


@given(st.integers(0, 3650), st.integers(0, 3650))
def test_older_stock_is_never_dearer(younger, older):
    younger, older = sorted((younger, older))
    assert markdown_percent(younger, STEPS) <= markdown_percent(older, STEPS)


async def age(barcode: str, days: int) -> None:
    await Item.update({Item.created_at: datetime.now(UTC) - timedelta(days=days)}).where(Item.barcode == barcode)


async def test_a_coat_unsold_five_weeks_scans_and_sells_at_30_percent_off(goods, settings):
    await age(goods.coat, 36)
    scanned = await find_for_till(shop_id=goods.shop_id, barcode=goods.coat, rotation=ROTATION, today=TODAY)
    assert (scanned.list_price_fen, scanned.markdown_percent, scanned.price_fen) == (3500, 30, 2450)
    assert not scanned.removal_due
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.coat, 1)], cash_given_fen=2450, idempotency_key="sale-key-0001",
                             rules=till_rules(settings, rotation=ROTATION), expected_total_fen=2450)
    line = sale.lines[0]
    assert (line.unit_price_fen, line.list_price_fen, line.markdown_percent, line.value_fen) == (2450, 3500, 30, 2450)
    assert line.fund_fen + line.maker_fen + line.running_fen == 2450  # the split divides what was paid


async def test_stock_past_the_removal_age_is_flagged_and_purchased_or_perishable_goods_never_age(goods):
    await age(goods.book, 90)
    await age(goods.noodles, 90)
    book = await find_for_till(shop_id=goods.shop_id, barcode=goods.book, rotation=ROTATION, today=TODAY)
    assert book.markdown_percent == 50 and book.removal_due
    noodles = await find_for_till(shop_id=goods.shop_id, barcode=goods.noodles, rotation=ROTATION, today=TODAY)
    assert (noodles.markdown_percent, noodles.price_fen, noodles.removal_due) == (0, 1250, False)


async def test_an_expired_item_scans_with_a_warning_and_still_sells(goods, settings):
    await Item.update({Item.expires_on: TODAY - timedelta(days=1)}).where(Item.barcode == goods.noodles)
    noodles = await find_for_till(shop_id=goods.shop_id, barcode=goods.noodles, rotation=ROTATION, today=TODAY)
    assert noodles.expired and noodles.expires_on == TODAY - timedelta(days=1)
    fresh = await find_for_till(shop_id=goods.shop_id, barcode=goods.noodles, rotation=ROTATION,
                                today=TODAY - timedelta(days=2))
    assert not fresh.expired
    sale = await commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                             lines=[CartLine(goods.noodles, 1)], cash_given_fen=1250, idempotency_key="sale-key-0001",
                             rules=till_rules(settings, rotation=ROTATION))
    assert sale.total_fen == 1250
