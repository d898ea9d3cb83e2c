"""Handicraft makers and their consigned goods, on both engines: what the split needs to know."""

from donations.makers import consignments, set_maker_terms
from inventory.tables import Item


async def test_a_consigned_item_names_its_maker_and_terms_and_other_items_are_not_consigned(goods):
    coasters = (await Item.select(Item.id).where(Item.barcode == goods.coasters).first())["id"]
    coat = (await Item.select(Item.id).where(Item.barcode == goods.coat).first())["id"]
    found = await consignments([coasters, coat])
    assert set(found) == {coasters}
    assert (found[coasters].maker_id, found[coasters].fund_percent, found[coasters].maker_percent) == (
        goods.maker_id, None, None)
    assert await consignments([]) == {}


async def test_a_makers_terms_apply_to_all_their_goods_and_clear_back_to_the_categorys(goods):
    coasters = (await Item.select(Item.id).where(Item.barcode == goods.coasters).first())["id"]
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=5, maker_percent=90)
    terms = (await consignments([coasters]))[coasters]
    assert (terms.fund_percent, terms.maker_percent) == (5, 90)
    await set_maker_terms(shop_id=goods.shop_id, maker_id=goods.maker_id, fund_percent=None, maker_percent=None)
    terms = (await consignments([coasters]))[coasters]
    assert (terms.fund_percent, terms.maker_percent) == (None, None)
