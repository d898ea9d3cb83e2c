"""Finding an item without its label, on both engines: by name, part of its code, pinyin initials or full pinyin."""

import pytest

from inventory.catalogue import add_item, categories_of, find_items
from inventory.search import pinyin_keys, search_terms
from inventory.stock import write_off
from inventory.tables import Item


@pytest.mark.parametrize("name, keys", [
    ("爱心杯", ("axb", "aixinbei")),
    ("红烧牛肉面 5连包", ("hsnrm5lb", "hongshaoniuroumian5lianbao")),
    ("长城 重庆", ("cccq", "changchengchongqing")),  # phrase-aware: 重庆 is chongqing
    ("Nike T恤 XL", ("niketxxl", "niketxuxl")),
    ("", ("", "")),
])
def test_pinyin_keys(name, keys):
    assert pinyin_keys(name) == keys


def test_what_a_person_types_is_tidied():
    assert search_terms("  Ai  Xin ") == ("Ai Xin", "aixin")


async def cup(goods, name="爱心杯"):
    clothes = (await categories_of(shop_id=goods.shop_id))[0].id
    return await add_item(shop_id=goods.shop_id, name=name, category_id=clothes, price_fen=1500, quantity=2)


@pytest.mark.parametrize("typed", ["axb", "AXB", "aixin", "ai xin bei", "爱心", "心杯"])
async def test_a_cashier_finds_the_cup_by_initials_full_pinyin_or_part_of_its_name(goods, typed):
    await cup(goods)
    found = await find_items(shop_id=goods.shop_id, text=typed)
    assert [item.name for item in found] == ["爱心杯"]


async def test_part_of_a_code_finds_its_item_and_nothing_is_found_for_nothing(goods):
    new = await cup(goods)
    assert [i.barcode for i in await find_items(shop_id=goods.shop_id, text=new.barcode[-5:])] == [new.barcode]
    assert await find_items(shop_id=goods.shop_id, text="   ") == []
    assert await find_items(shop_id=goods.shop_id, text="%") == []
    assert await find_items(shop_id=goods.shop_id, text="zzzz") == []


async def test_items_in_stock_come_first_and_withdrawn_items_are_left_out(goods):
    red = await cup(goods, "爱心杯 红")
    await cup(goods, "爱心杯 蓝")
    await cup(goods, "爱心杯 白")
    await write_off(shop_id=goods.shop_id, barcode=red.barcode, quantity=2, reason="damaged", staff_id=goods.manager_id)
    await Item.update({Item.active: False}).where(Item.name == "爱心杯 蓝")
    assert [i.name for i in await find_items(shop_id=goods.shop_id, text="axb")] == ["爱心杯 白", "爱心杯 红"]
    assert len(await find_items(shop_id=goods.shop_id, text="axb", include_withdrawn=True)) == 3
