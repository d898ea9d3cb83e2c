"""The shelf page's list of goods sold beyond stock, over real HTTP: the item, the sale, the way to settle it;
for managers only."""

from inventory.stock import adjust_stock
from pos.checkout import CartLine, commit_sale
from tests.pos.till import till_rules


def sell_the_coat(goods, settings, key):
    return commit_sale(shop_id=goods.shop_id, till_id=goods.till_id, cashier_id=goods.cashier_id,
                       lines=[CartLine(goods.coat, 1)], cash_given_fen=3500, idempotency_key=key,
                       rules=till_rules(settings))


async def test_the_shelf_page_lists_the_coat_sold_beyond_stock_until_its_stock_is_corrected(manager, goods, settings):
    # given nothing sold beyond stock
    empty = await manager.get("/manager/shelf")
    assert empty.status_code == 200 and "超卖待盘点" in empty.text and "没有超卖待盘点的商品。" in empty.text
    # when the one coat is sold twice (a second coat was never registered)
    await sell_the_coat(goods, settings, "shelf-oversold-1")
    beyond = await sell_the_coat(goods, settings, "shelf-oversold-2")
    assert beyond.lines[0].oversold
    # then the page names the coat and the sale that sold it beyond stock, and how to settle it
    page = await manager.get("/manager/shelf")
    listed = page.text[page.text.index('id="oversold"'):]
    assert "儿童羽绒服（九成新）" in listed and beyond.number in listed and "一号收银台" in listed
    assert f"/manager/catalogue/items/{goods.coat}#adjust" in listed and "/manager/stocktakes" in page.text
    assert "没有超卖待盘点的商品。" not in page.text
    # and the JSON beside it says the same
    (coat,) = (await manager.get("/api/shelf")).json()["oversold"]
    assert (coat["barcode"], coat["on_hand"]) == (goods.coat, -1)
    assert [(s["number"], s["till_code"], s["pieces"]) for s in coat["sales"]] == [(beyond.number, "T1", 1)]
    # and in English
    await manager.get("/lang/en?next=/manager/shelf")
    english = await manager.get("/manager/shelf")
    assert "Sold beyond stock" in english.text and beyond.number in english.text
    # when the manager corrects the stock, it leaves the list
    await adjust_stock(shop_id=goods.shop_id, barcode=goods.coat, quantity=1, reason="少登记一件",
                       staff_id=goods.manager_id)
    settled = await manager.get("/manager/shelf")
    assert beyond.number not in settled.text and "Nothing has been sold beyond stock." in settled.text
    assert (await manager.get("/api/shelf")).json()["oversold"] == []


async def test_a_cashier_cannot_see_the_shelf_lists(cashier, goods, settings):
    await sell_the_coat(goods, settings, "shelf-oversold-3")
    await sell_the_coat(goods, settings, "shelf-oversold-4")
    assert (await cashier.get("/manager/shelf")).status_code == 403
    assert (await cashier.get("/api/shelf")).status_code == 403
