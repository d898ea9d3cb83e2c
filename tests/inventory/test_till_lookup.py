"""The scanner's lookup when tills scan at the same moment: on PostgreSQL they may go together in one statement
(shop.database.fetch_by_key), and each till must get what it would have got alone."""

import asyncio
from datetime import UTC, datetime

from inventory.barcodes import in_store_code
from inventory.catalogue import add_category, add_item, find_for_till
from inventory.rotation import Rotation, Step
from inventory.tables import Item
from shop.errors import DomainError
from shop.tables import Shop

ROTATION = Rotation(steps=(Step(4, 30),), remove_after_weeks=12, sources=frozenset({"donated"}))
TODAY = datetime.now(UTC).date()


async def scan(shop_id: int, code: str):
    try:
        return await find_for_till(shop_id=shop_id, barcode=code, rotation=ROTATION, today=TODAY)
    except DomainError as refused:
        return refused.code, refused.params


async def test_tills_of_two_shops_scanning_at_once_each_get_their_own_shops_item(goods):
    # given a second shop of the district selling the same noodles at its own price, and a withdrawn coat
    other = (await Shop.insert(Shop(code="S2", name="东区慈善超市")).returning(Shop.id))[0]["id"]
    food = await add_category(shop_id=other, code="food", name="食品", source="purchased")
    await add_item(shop_id=other, barcode=goods.noodles, name="红烧牛肉面 单包", category_id=food, price_fen=300,
                   quantity=5)
    await Item.update({Item.active: False}).where(Item.barcode == goods.coat)
    scans = [(goods.shop_id, code) for code in goods.codes.values()] + [
        (other, goods.noodles), (other, goods.book), (goods.shop_id, in_store_code(999)), (goods.shop_id, "12345"),
        (goods.shop_id, goods.noodles), (other, goods.noodles)]
    # when every till scans at the same moment
    together = await asyncio.gather(*[scan(*one) for one in scans])
    # then each gets what it gets alone: its own shop's item, or the same refusal
    alone = [await scan(*one) for one in scans]
    assert together == alone
    assert [answer.price_fen for answer in together if not isinstance(answer, tuple)] == [1200, 1250, 500, 300, 1250,
                                                                                          300]
    assert [answer[0] for answer in together if isinstance(answer, tuple)] == [
        "item-withdrawn", "unknown-barcode", "unknown-barcode", "malformed-barcode"]
