"""The catalogue as CSV over real HTTP: a manager exports it, uploads a file and follows the import to its end;
a bad file comes back with every bad row; a cashier may do none of it; the page shows the form."""

import asyncio
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from inventory.barcodes import check_digit
from inventory.tables import Item, PriceChange, StockMovement

HEADER = "barcode,name,category,price,quantity,condition,location,low_stock_at,expires_on,active"


def csv_file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def ean13(number: int) -> str:
    body = f"6931{number:08d}"
    return body + str(check_digit(body))


async def upload(browser, data: bytes, name: str = "catalogue.csv"):
    return await browser.client.post("/api/catalogue/imports", files={"file": (name, data, "text/csv")},
                                     headers={"x-csrftoken": browser.csrf})


async def finished(browser, import_id: int, timeout: float = 30.0) -> dict:
    """Poll the import as the page does, until it is no longer running; every answer's progress in order."""
    seen = []
    for _ in range(int(timeout / 0.05)):
        answer = await browser.get(f"/api/catalogue/imports/{import_id}")
        assert answer.status_code == 200, answer.text
        state = answer.json()
        seen.append(state["done"])
        if state["status"] != "running":
            assert seen == sorted(seen), seen
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"import {import_id} still running after {timeout}s")


async def test_a_manager_uploads_a_file_and_follows_the_import_to_its_end(manager, goods):
    # given a file that adds 1,200 items, reprices the book and brings in more noodles
    data = csv_file(f"{goods.book},新华字典,books,13.00,,,,,,",
                    f"{goods.noodles},红烧牛肉面 5连包,food,12.50,20,,,,,",
                    *(f"{ean13(i) if i % 3 else ''},爱心商品{i},food,2.00,1,,,,," for i in range(1_200)))
    # when the manager uploads it
    started = await upload(manager, data)
    # then it is accepted for the background, and its progress can be followed to the end
    assert started.status_code == 202, started.text
    assert started.json()["total"] == 1_202
    state = await finished(manager, started.json()["id"])
    assert (state["status"], state["done"], state["total"], state["error"]) == ("done", 1_202, 1_202, None)
    assert state["summary"] == {"rows": 1_202, "created": 1_200, "updated": 1, "unchanged": 1, "price_changes": 1,
                                "pieces_in": 1_220, "in_store_codes": 400}
    # and the books hold it
    assert await Item.count().where(Item.name.like("爱心商品%")) == 1_200
    assert (await Item.select(Item.on_hand).where(Item.barcode == goods.noodles).first())["on_hand"] == 60
    assert await PriceChange.count() == 1
    # and the finished import is still there to look at, an unknown one is not
    assert (await manager.get(f"/api/catalogue/imports/{started.json()['id']}")).json()["status"] == "done"
    unknown = await manager.get("/api/catalogue/imports/999")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "csv-unknown-import")


async def test_a_bad_file_comes_back_with_every_bad_row_and_nothing_is_imported(manager, goods):
    before = (await Item.count(), await StockMovement.count())
    bad = csv_file(",挂面,food,4.50,3,,,,,",
                   f"{ean13(1)[:-1]}0,面,food,abc,,,,,,",
                   ",面,toys,1.00,,,,,,")
    answer = await upload(manager, bad)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert (problem["code"], problem["count"]) == ("csv-bad-rows", 3)
    assert [(p["line"], p["column"], p["code"]) for p in problem["problems"]] == [
        (3, "barcode", "bad-check-digit"), (3, "price", "csv-bad-price"), (4, "category", "csv-unknown-category")]
    assert all(p["detail"] and "{" not in p["detail"] for p in problem["problems"])
    assert "abc" in problem["problems"][1]["detail"] and "toys" in problem["problems"][2]["detail"]
    assert problem["detail"] and "{" not in problem["detail"]
    assert (await Item.count(), await StockMovement.count()) == before
    # and a file Excel saved in GBK, a header with an unknown column, or no file at all are refused too
    gbk = await upload(manager, (HEADER + "\r\n,挂面,food,4.50,,,,,,\r\n").encode("gbk"))
    assert (gbk.status_code, gbk.json()["code"]) == (400, "csv-not-utf8")
    assert "UTF-8" in gbk.json()["detail"]
    header = await upload(manager, b"barcode,name,category,price,colour\r\n,a,food,1,red\r\n")
    assert (header.status_code, header.json()["code"]) == (400, "csv-bad-header")
    assert [(p["line"], p["column"], p["code"]) for p in header.json()["problems"]] == [
        (1, "colour", "csv-unknown-column")]
    nothing = await manager.client.post("/api/catalogue/imports", files={"note": (None, "no file")},
                                        headers={"x-csrftoken": manager.csrf})
    assert (nothing.status_code, nothing.json()["code"]) == (400, "csv-no-file")


async def test_a_second_import_waits_for_the_first(manager, goods):
    first = await upload(manager, csv_file(*(f",商品{i},food,1.00,1,,,,," for i in range(2_000))))
    assert first.status_code == 202, first.text
    second = await upload(manager, csv_file(",挂面,food,4.50,,,,,,"))
    assert (second.status_code, second.json()["code"]) == (409, "csv-import-running")
    assert (await finished(manager, first.json()["id"]))["status"] == "done"
    third = await upload(manager, csv_file(",挂面,food,4.50,,,,,,"))
    assert third.status_code == 202, third.text
    assert (await finished(manager, third.json()["id"]))["summary"]["created"] == 1


async def test_the_export_is_a_csv_file_for_excel_and_imports_back_unchanged(manager, goods):
    answer = await manager.get("/api/catalogue/export.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert answer.headers["content-disposition"] == f'attachment; filename="catalogue-{today}.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbf")
    lines = answer.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "barcode,name,category,price,on_hand,condition,location,low_stock_at,expires_on,active"
    assert any("新华字典" in line for line in lines)
    before = (await Item.count(), await StockMovement.count(), await PriceChange.count())
    started = await upload(manager, answer.content)
    assert started.status_code == 202, started.text
    state = await finished(manager, started.json()["id"])
    assert (state["summary"]["created"], state["summary"]["updated"], state["summary"]["unchanged"]) == (0, 0, 4)
    assert (await Item.count(), await StockMovement.count(), await PriceChange.count()) == before


async def test_a_cashier_may_not_export_import_or_see_the_page(cashier, goods):
    before = await Item.count()
    assert (await cashier.get("/api/catalogue/export.csv")).status_code == 403
    refused = await upload(cashier, csv_file(",挂面,food,4.50,1,,,,,"))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert (await cashier.get("/api/catalogue/imports/1")).status_code == 403
    assert (await cashier.get("/manager/catalogue/import")).status_code == 403
    assert await Item.count() == before


async def test_an_upload_without_the_csrf_token_is_refused(manager, goods):
    answer = await manager.client.post("/api/catalogue/imports",
                                       files={"file": ("c.csv", csv_file(",挂面,food,4.50,1,,,,,"), "text/csv")})
    assert answer.status_code == 403
    assert await Item.count().where(Item.name == "挂面") == 0


async def test_the_page_has_the_form_the_export_link_and_the_columns(manager, goods):
    page = await manager.get("/manager/catalogue/import")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'id="catalogue-import" data-csrf="[^"]+"', html)
    assert 'href="/api/catalogue/export.csv"' in html and 'type="file"' in html and 'name="file"' in html
    assert "/static/catalogue_import.js" in html
    for column in ("barcode", "price", "quantity", "low_stock_at", "条码", "到期日"):
        assert column in html
    assert "<code>books</code>" in html  # the category codes a file may use
    script = await manager.get("/static/catalogue_import.js")
    assert script.status_code == 200 and "FormData" in script.text
