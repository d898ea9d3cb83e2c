"""Handicraft makers and their consigned goods, on both engines: what the split needs to know."""

import sqlite3

import asyncpg
import pytest

from donations.makers import consign, consignments, register_maker
from inventory.tables import Item


async def test_a_consigned_item_names_its_maker_and_terms_and_other_items_are_not_consigned(goods):
    coasters = (await Item.select(Item.id).where(Item.barcode == goods.coasters).first())["id"]
    coat = (await Item.select(Item.id).where(Item.barcode == goods.coat).first())["id"]
    found = await consignments([coasters, coat])
    assert set(found) == {coasters}
    assert (found[coasters].maker_id, found[coasters].fund_percent, found[coasters].maker_percent) == (
        goods.maker_id, None, None)
    assert await consignments([]) == {}


async def test_an_item_is_consigned_to_one_maker_only(goods):
    coasters = (await Item.select(Item.id).where(Item.barcode == goods.coasters).first())["id"]
    other = await register_maker(shop_id=goods.shop_id, name="李师傅")
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await consign(item_id=coasters, maker_id=other, fund_percent=5, maker_percent=90)
    assert (await consignments([coasters]))[coasters].maker_id == goods.maker_id
