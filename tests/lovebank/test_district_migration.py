"""The love bank's migration to the district's one love bank (issue 19), on both engines: member numbers unique in
the whole database, and the points of the fund's one account of old moved to each shop's own."""

from __future__ import annotations

import importlib

import pytest

from lovebank.passbook import fund_points, open_member
from lovebank.tables import Member
from shop import ledger
from shop.shops import add_shop

MIGRATION = importlib.import_module("lovebank.piccolo_migrations.lovebank_2026_12_07t07_00_00_000000")


async def _old_fund_entry(shop_id: int, points: int) -> None:
    """Points given to (points > 0) or spent from (points < 0) the fund's one account, as before issue 19."""
    await ledger.post(ledger.Txn(kind="opening-points", ref="before-19", entries=(
        ledger.Entry(ledger.POINTS_ISSUED, ledger.Currency.PTS, points),
        ledger.Entry(ledger.FUND_POINTS_SHARED, ledger.Currency.PTS, -points),
    )), shop_id=shop_id)


async def test_a_single_shops_fund_points_move_unchanged_to_its_own_account(goods, db):
    # given a shop whose fund was given 12 points and spent 5, in the one account of old
    await _old_fund_entry(goods.shop_id, 12)
    await _old_fund_entry(goods.shop_id, -5)
    assert await fund_points(goods.shop_id) == 0
    # when the migration moves them
    await MIGRATION._move(db)
    # then the shop's fund holds its 7 points, the old account none, and a second run moves nothing
    assert await fund_points(goods.shop_id) == 7
    assert await ledger.balance(ledger.FUND_POINTS_SHARED, ledger.Currency.PTS) == 0
    await MIGRATION._move(db)
    assert await fund_points(goods.shop_id) == 7


async def test_a_shop_that_spent_more_of_the_shared_fund_than_it_was_given_there_gets_none(goods, db):
    # given: 10 points given at A, 3 spent at B (the account held 7 for all)
    north = await add_shop(code="north", name="北门店")
    await _old_fund_entry(goods.shop_id, 10)
    await _old_fund_entry(north.id, -3)
    # when the migration moves them: A gets what is left, B none, none below zero
    await MIGRATION._move(db)
    assert (await fund_points(goods.shop_id), await fund_points(north.id)) == (7, 0)
    assert await ledger.balance(ledger.FUND_POINTS_SHARED, ledger.Currency.PTS) == 0


async def test_member_numbers_are_unique_in_the_district(goods, db):
    north = await add_shop(code="north", name="北门店")
    member = await open_member(shop_id=goods.shop_id, name="李阿姨")
    with pytest.raises(Exception):
        await Member.insert(Member(shop=north.id, number=member.number, name="另一位", card_code="LB000000000001"))
    assert await Member.count() == 1
