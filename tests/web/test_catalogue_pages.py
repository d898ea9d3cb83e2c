"""The manager's catalogue over real HTTP: find, correct, reprice, adjust, write off, category rules, shelf lists."""

from datetime import UTC, datetime, timedelta

from inventory.tables import Category, Item, PriceChange, StockMovement


async def form(client, url, data):
    return await client.client.post(url, data={**data, "_csrf_token": client.csrf}, follow_redirects=False)


async def test_a_manager_finds_an_item_by_pinyin_and_changes_its_price_and_details(manager, goods):
    found = await manager.get("/manager/catalogue", params={"q": "xhzd"})  # 新华字典
    assert found.status_code == 200 and goods.book in found.text
    assert [i["name"] for i in (await manager.get("/api/catalogue/items", params={"q": "xinhua"})).json()] == ["新华字典"]
    url = f"/manager/catalogue/items/{goods.book}"
    bad = await form(manager, url + "/price", {"price": "abc"})
    assert bad.status_code == 200 and "价格须在" in bad.text and await PriceChange.count() == 0
    changed = await form(manager, url + "/price", {"price": "9.50", "reason": "旧版"})
    assert changed.status_code in (302, 303)
    page = await manager.get(url)
    assert "¥9.50" in page.text and "旧版" in page.text and "陈姐" in page.text
    change = await PriceChange.select().first()
    assert (change["old_price_fen"], change["new_price_fen"]) == (1200, 950)
    same = await manager.post(f"/api/catalogue/items/{goods.book}/price", json={"price_fen": 950})
    assert same.status_code == 400 and same.json()["code"] == "same-price"
    moved = await form(manager, url, {"name": "新华字典 第11版", "category": "books", "location": "A-3",
                                      "low_stock_at": "", "active": "on"})
    assert moved.status_code in (302, 303)
    item = await Item.select().where(Item.barcode == goods.book).first()
    assert (item["name"], item["location"], item["search_initials"]) == ("新华字典 第11版", "A-3", "xhzdd11b")


async def test_stock_is_corrected_and_written_off_only_through_movements_with_who_and_why(manager, goods):
    url = f"/manager/catalogue/items/{goods.book}"
    assert (await form(manager, url + "/adjustments", {"quantity": "+2", "reason": "找到两本"})).status_code in (302, 303)
    assert (await form(manager, url + "/write-offs", {"quantity": "1", "reason": "damaged", "note": "水渍"})).status_code in (302, 303)
    bad = await form(manager, url + "/adjustments", {"quantity": "0", "reason": "x"})
    assert bad.status_code == 200 and bad.text.count('class="message error"') == 1
    no_reason = await form(manager, url + "/adjustments", {"quantity": "3", "reason": " "})
    assert no_reason.status_code == 200
    moves = await StockMovement.select(StockMovement.kind, StockMovement.quantity, StockMovement.reason).where(
        StockMovement.item == (await Item.select(Item.id).where(Item.barcode == goods.book).first())["id"])
    assert [(m["kind"], m["quantity"], m["reason"]) for m in moves] == [
        ("intake", 3, ""), ("adjustment", 2, "找到两本"), ("write-off", -1, "damaged: 水渍")]
    detail = (await manager.get(f"/api/catalogue/items/{goods.book}")).json()
    assert detail["item"]["on_hand"] == 4 and [m["on_hand_after"] for m in detail["movements"]] == [4, 5, 3]
    # and the item's page says why in Chinese, with no English left in it
    page = await manager.get(url)
    assert "<th>操作人</th>" in page.text and "分类方式" not in page.text
    assert "损坏：水渍" in page.text and "找到两本" in page.text and "damaged" not in page.text.split('id="movements"')[1]


def test_why_stock_moved_reads_in_the_readers_words_with_the_documents_number_once():
    from web.catalogue import movement_why
    assert movement_why("zh_CN", "donation D000012", "D000012") == "捐赠 D000012"
    assert movement_why("zh_CN", "damaged: R000003", "R000003") == "损坏 R000003"
    assert movement_why("zh_CN", "expired: 过期两天", "") == "过期：过期两天"
    assert movement_why("zh_CN", "to north", "TR000001") == "调往 north TR000001"
    assert movement_why("zh_CN", "demo purchase", "") == "演示进货"
    assert movement_why("en", "donation D000012", "D000012") == "donation D000012"
    assert movement_why("zh_CN", "找到两本", "") == "找到两本"  # a manager's own words, as written


async def test_a_manager_sets_a_categorys_rules_and_a_bad_split_is_refused(manager, goods):
    ok = await form(manager, "/manager/catalogue/categories/food",
                    {"perishable": "on", "fund_percent": "10", "maker_percent": "0"})
    assert ok.status_code in (302, 303)
    food = await Category.select().where(Category.code == "food").first()
    assert (food["accepts_points"], food["perishable"], food["fund_percent"]) == (False, True, 10)
    bad = await manager.put_json("/api/catalogue/categories/food", {"accepts_points": True, "perishable": True,
                                                                   "fund_percent": 90, "maker_percent": 20})
    assert bad.status_code == 400 and bad.json()["code"] == "bad-split"


async def test_the_shelf_page_lists_expiring_food_low_stock_and_ageing_stock(manager, goods):
    today = datetime.now(UTC).date()
    await Item.update({Item.expires_on: today + timedelta(days=3)}).where(Item.barcode == goods.noodles)
    await Item.update({Item.low_stock_at: 50}).where(Item.barcode == goods.noodles)
    await Item.update({Item.created_at: datetime.now(UTC) - timedelta(weeks=13)}).where(Item.barcode == goods.coat)
    lists = (await manager.get("/api/shelf")).json()
    assert [i["barcode"] for i in lists["expiring"]] == [goods.noodles]
    assert [i["barcode"] for i in lists["low_stock"]] == [goods.noodles]
    assert [i["barcode"] for i in lists["ageing"]] == [goods.coat]
    page = await manager.get("/manager/shelf")
    assert page.status_code == 200 and "红烧牛肉面" in page.text and "儿童羽绒服" in page.text


async def test_only_managers_keep_the_catalogue(cashier, goods):
    assert (await cashier.get("/api/catalogue/items", params={"q": "x"})).status_code == 403
    assert (await cashier.post(f"/api/catalogue/items/{goods.book}/price", json={"price_fen": 1})).status_code == 403
    found = await cashier.get("/api/till/search", params={"q": "xhzd"})
    assert found.status_code == 200 and [i["barcode"] for i in found.json()] == [goods.book]


async def test_an_ageing_coat_scans_and_sells_marked_down_and_its_receipt_says_so(cashier, goods):
    from tests.printing.escpos_decode import decode

    await Item.update({Item.created_at: datetime.now(UTC) - timedelta(weeks=5)}).where(Item.barcode == goods.coat)
    scanned = (await cashier.get(f"/api/till/items/{goods.coat}")).json()
    assert (scanned["price_fen"], scanned["list_price_fen"], scanned["markdown_percent"]) == (2450, 3500, 30)
    sale = await cashier.post("/api/sales", json={"till": "T1", "idempotency_key": "sale-key-0001",
                                                  "cash_given_fen": 2500, "expected_total_fen": 2450,
                                                  "lines": [{"barcode": goods.coat}]})
    assert sale.status_code == 201 and sale.json()["total_fen"] == 2450 and sale.json()["change_fen"] == 50
    number = sale.json()["number"]
    files = await cashier.printed(f"*{number}*")
    text = "\n".join(decode(files[0].read_bytes()).texts)
    assert "降价 30%，原价 ￥35.00" in text and "￥24.50" in text
