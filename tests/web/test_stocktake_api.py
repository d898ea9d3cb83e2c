"""Stock takes over real HTTP: a manager opens a count, scans, sees expected against counted and posts it;
a cashier may not; the pages show the numbers."""

import re

from inventory.tables import Item, StockMovement


async def on_hand(barcode: str) -> int:
    return (await Item.select(Item.on_hand).where(Item.barcode == barcode).first())["on_hand"]


def numbers_of_row(html: str, barcode: str) -> list[str]:
    """The numeric cells of an item's line on a page."""
    row = re.search(rf'<tr data-barcode="{barcode}"[^>]*>(.*?)</tr>', html, re.DOTALL)
    assert row, f"no line for {barcode}"
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', row.group(1))


async def test_a_manager_opens_a_count_scans_sees_the_difference_and_posts_it(manager, goods):
    # given a count of the books category
    opened = await manager.post("/api/stocktakes", json={"scope": "category", "scope_value": "books"})
    assert opened.status_code == 201, opened.text
    take = opened.json()
    assert (take["number"], take["status"], take["opened_by"]) == ("ST000001", "open", "陈姐")
    url = f"/api/stocktakes/{take['id']}"
    # when two dictionaries are scanned, then the whole count typed as 5
    for _ in range(2):
        scanned = await manager.post(f"{url}/counts", json={"barcode": goods.book})
        assert scanned.status_code == 200, scanned.text
    assert (scanned.json()["counted"], scanned.json()["expected"]) == (2, 3)
    typed = await manager.post(f"{url}/counts", json={"barcode": goods.book, "quantity": 5, "mode": "set"})
    assert (typed.json()["counted"], typed.json()["difference"]) == (5, 2)
    # then the view shows expected against counted
    view = (await manager.get(url)).json()
    assert [(l["barcode"], l["expected"], l["counted"], l["difference"]) for l in view["lines"]] == [
        (goods.book, 3, 5, 2)]
    assert view["uncounted"] == [] and view["stock_take"]["items_counted"] == 1
    # when it is posted
    posted = await manager.post(f"{url}/post", json={"zero_uncounted": False})
    assert posted.status_code == 200, posted.text
    assert posted.json()["stock_take"]["status"] == "posted" and posted.json()["lines"][0]["posted"] == 2
    # then the books hold the count, through one stock-take movement
    assert await on_hand(goods.book) == 5
    moves = await StockMovement.select(StockMovement.quantity, StockMovement.kind).where(
        StockMovement.ref == "ST000001")
    assert moves == [{"quantity": 2, "kind": "stock-take"}]
    assert [t["status"] for t in (await manager.get("/api/stocktakes")).json()] == ["posted"]
    # and a second post is refused
    again = await manager.post(f"{url}/post", json={"zero_uncounted": True})
    assert (again.status_code, again.json()["code"]) == (409, "stocktake-not-open")


async def test_mistakes_come_back_as_problems_with_their_codes_and_change_nothing(manager, goods):
    take = (await manager.post("/api/stocktakes", json={"scope": "category", "scope_value": "books"})).json()
    url = f"/api/stocktakes/{take['id']}"
    cases = [
        (f"{url}/counts", {"barcode": goods.noodles}, 409, "item-out-of-scope"),
        (f"{url}/counts", {"barcode": "6901234500028"}, 404, "unknown-barcode"),
        (f"{url}/counts", {"barcode": "12345"}, 400, "malformed-barcode"),
        (f"{url}/counts", {"barcode": goods.book, "quantity": 10_000, "mode": "set"}, 400, "bad-count"),
        (f"{url}/counts", {"barcode": goods.book, "shelf": "A1"}, 400, "malformed-request"),
        (f"{url}/post", {"zero_uncounted": True}, 400, "nothing-counted"),
        ("/api/stocktakes/99/counts", {"barcode": goods.book}, 404, "unknown-stocktake"),
        ("/api/stocktakes", {"scope": "shop"}, 409, "stocktake-already-open"),
        ("/api/stocktakes", {"scope": "aisle"}, 400, "bad-scope"),
    ]
    for path, body, status, code in cases:
        response = await manager.post(path, json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), (path, body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await manager.get(url)).json()["lines"] == []
    assert await StockMovement.count().where(StockMovement.kind == "stock-take") == 0


async def test_a_cashier_may_not_run_a_stock_take(cashier, goods):
    assert (await cashier.get("/api/stocktakes")).status_code == 403
    refused = await cashier.post("/api/stocktakes", json={"scope": "shop"})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert (await cashier.get("/manager/stocktakes")).status_code == 403


async def test_the_pages_open_a_count_show_expected_against_counted_and_post_it(manager, goods, settings):
    # the list page offers the categories
    listed = await manager.get("/manager/stocktakes")
    assert listed.status_code == 200 and 'value="books"' in listed.text and 'id="open-count"' in listed.text
    # opening a count of the clothes by the form goes to its count page
    opened = await manager.post("/manager/stocktakes", data={"scope": "category", "category": "clothes",
                                                             "location": ""}, follow_redirects=False)
    assert opened.status_code in (302, 303) and opened.headers["location"] == "/manager/stocktakes/1"
    # the coat is not counted yet; then two are found on the rail
    page = await manager.get("/manager/stocktakes/1")
    assert page.status_code == 200 and 'id="scan"' in page.text and "/static/stocktake.js" in page.text
    assert numbers_of_row(page.text.split('id="uncounted"')[1], goods.coat) == ["1"]
    await manager.post("/api/stocktakes/1/counts", json={"barcode": goods.coat, "quantity": 2, "mode": "set"})
    page = await manager.get("/manager/stocktakes/1")
    # expected 1, counted 2, difference +1, on the books 1
    assert numbers_of_row(page.text, goods.coat) == ["1", "2", "+1", "1"]
    assert 'class="differs"' in page.text
    # a second count while this one is open is refused with the reason on the page
    second = await manager.post("/manager/stocktakes", data={"scope": "shop"})
    assert second.status_code == 200 and "ST000001" in second.text and 'class="message error"' in second.text
    # posting by the form closes it; the page then shows what was posted
    posted = await manager.post("/manager/stocktakes/1/post", data={"zero_uncounted": "on"}, follow_redirects=False)
    assert posted.status_code in (302, 303)
    page = await manager.get("/manager/stocktakes/1")
    assert numbers_of_row(page.text, goods.coat) == ["1", "2", "+1", "2", "+1"]
    assert 'id="scan"' not in page.text and await on_hand(goods.coat) == 2
    listed = await manager.get("/manager/stocktakes")
    assert "ST000001" in listed.text and "陈姐" in listed.text


async def test_a_count_is_cancelled_from_its_page(manager, goods):
    await manager.post("/manager/stocktakes", data={"scope": "shop"})
    cancelled = await manager.post("/manager/stocktakes/1/cancel", follow_redirects=False)
    assert cancelled.status_code in (302, 303)
    assert (await manager.get("/api/stocktakes/1")).json()["stock_take"]["status"] == "cancelled"
    refused = await manager.post("/manager/stocktakes/1/post", data={})
    assert refused.status_code == 200 and "ST000001" in refused.text and 'class="message error"' in refused.text
