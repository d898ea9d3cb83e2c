"""The till's API through real HTTP: scan, sell, repeat, refuse — with problem-details in the user's language."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from printing.printers import PrintError, send

from inventory.tables import StockMovement
from pos.tables import Sale
from shop.tables import LedgerTxn
from tests.printing.escpos_decode import decode
from tests.web.conftest import Till, all_printed, client_of, print_queued, running
from web.app import create_app
from web.shopfront import Shopfront


def sale_body(lines, cash, key=None, till="T1", **extra):
    return {"till": till, "idempotency_key": key or uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines], **extra}


async def test_a_scan_returns_the_item_as_the_till_shows_it(cashier, goods):
    response = await cashier.get(f"/api/till/items/{goods.noodles}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["price_fen"], body["on_hand"], body["source"]) == ("红烧牛肉面 5连包", 1250, 40, "purchased")


async def test_an_upc_typed_with_spaces_finds_the_item_and_bad_codes_say_why_in_chinese(cashier, goods):
    wrong = await cashier.get("/api/till/items/6901234500012")
    assert wrong.status_code == 400
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["code"] == "bad-check-digit"
    assert "校验位" in wrong.json()["detail"]
    unknown = await cashier.get("/api/till/items/6901234500028")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-barcode"
    assert "6901234500028" in unknown.json()["detail"]


async def test_the_language_cookie_switches_messages_to_english(cashier, goods):
    await cashier.get("/lang/en")
    response = await cashier.get("/api/till/items/123")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("“123” is not a barcode")


async def test_a_cash_sale_over_http_then_the_same_submit_again(cashier, goods, settings):
    # given
    body = sale_body([(goods.coat, 1), (goods.noodles, 2)], cash=10000, expected_total_fen=6000)
    # when
    first = await cashier.post("/api/sales", json=body)
    again = await cashier.post("/api/sales", json=body)
    # then
    assert first.status_code == 201, first.text
    sale = first.json()
    assert (sale["total_fen"], sale["change_fen"], sale["till"]) == (6000, 4000, "T1")
    assert sale["fund_fen"] == 2450 + 125
    assert again.status_code == 200 and again.json()["number"] == sale["number"] and again.json()["replayed"]
    assert await Sale.count() == 1 and await LedgerTxn.count().where(LedgerTxn.kind == "sale") == 1
    shown = await cashier.get(f"/api/sales/{sale['number']}")
    assert shown.status_code == 200 and shown.json()["total_fen"] == 6000


async def test_the_same_key_with_another_cart_is_a_409(cashier, goods):
    body = sale_body([(goods.book, 1)], cash=1200)
    assert (await cashier.post("/api/sales", json=body)).status_code == 201
    body["lines"][0]["quantity"] = 2
    body["cash_given_fen"] = 2400
    response = await cashier.post("/api/sales", json=body)
    assert response.status_code == 409 and response.json()["code"] == "idempotency-key-reused"
    assert await Sale.count() == 1


async def test_malformed_requests_are_400_problem_details_and_change_nothing(cashier, goods):
    movements = await StockMovement.count()
    for body in (
        {"till": "T1"},
        sale_body([(goods.book, 1)], cash="lots"),
        sale_body([(goods.book, 1)], cash=1200) | {"surprise": 1},
        sale_body([(goods.book, 1.5)], cash=1200),
    ):
        response = await cashier.post("/api/sales", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "malformed-request" and response.json()["detail"]
    not_json = await cashier.client.post("/api/sales", content=b"{not json", headers={
        "x-csrftoken": cashier.csrf, "content-type": "application/json"})
    assert not_json.status_code == 400
    for body, code in (
        (sale_body([(goods.book, 1)], cash=100), "not-enough-cash"),
        (sale_body([(goods.book, 100000)], cash=10**8), "bad-quantity"),
        (sale_body([(goods.book, 1)], cash=-5), "bad-amount"),
        (sale_body([], cash=0), "empty-cart"),
        (sale_body([(goods.book, 1)], cash=1200, till="T9"), "unknown-till"),
        (sale_body([(goods.book, 1)], cash=1200, key="short"), "bad-idempotency-key"),
    ):
        response = await cashier.post("/api/sales", json=body)
        assert response.status_code in (400, 404), response.text
        assert response.json()["code"] == code
    assert await Sale.count() == 0 and await StockMovement.count() == movements


async def test_no_login_no_csrf_no_role_no_sale(browser, goods):
    # not logged in
    response = await browser.get(f"/api/till/items/{goods.book}")
    assert response.status_code == 401 and response.json()["code"] == "not-logged-in"
    page = await browser.get("/till", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
    # logged in but no CSRF header
    await browser.login("cashier", "cashier-pw")
    response = await browser.client.post("/api/sales", json=sale_body([(goods.book, 1)], cash=1200))
    assert response.status_code == 403
    # a cashier may not see the manager's report
    response = await browser.get("/api/reports/sales")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert await Sale.count() == 0


async def test_a_wrong_password_shows_the_login_page_again_with_a_message(browser, goods):
    response = await browser.login("cashier", "wrong")
    assert response.status_code == 200 and "用户名或密码错误" in response.text
    assert (await browser.get("/api/till/items/" + goods.book)).status_code == 401


async def test_the_manager_sees_todays_sales_and_their_split_net_of_returns(browser, goods):
    from shop import ledger

    await browser.login("cashier", "cashier-pw")
    sales = []
    for key, lines in (("k-report-0001", [(goods.coat, 1)]), ("k-report-0002", [(goods.coasters, 2), (goods.noodles, 1)])):
        response = await browser.post("/api/sales", json=sale_body(lines, cash=5000, key=key))
        assert response.status_code == 201
        sales.append(response.json())
    # and one of the two coasters (¥5.00: fund ¥0.50, maker ¥4.00) comes back
    found = (await browser.get(f"/api/returns/sales/{sales[1]['number']}")).json()
    coasters = next(line for line in found["lines"] if line["name"] == "手工编织杯垫")
    back = await browser.post("/api/returns", json={"till": "T1", "sale": sales[1]["number"],
                                                    "idempotency_key": uuid.uuid4().hex, "reason": "不喜欢",
                                                    "lines": [{"line": coasters["id"], "quantity": 1}]})
    assert back.status_code == 201, back.text
    await browser.post("/login/out")
    await browser.login("manager", "manager-pw")
    report = (await browser.get("/api/reports/sales")).json()
    totals = report["totals"]
    assert (totals["sales"], totals["refunds"], totals["refund_fen"]) == (2, 1, 500)
    assert totals["net_fen"] == 3500 + 1000 + 1250 - 500
    assert totals["fund_fen"] == 2450 + 100 + 63 - 50  # 10% of 1000; 5% of 1250 = 62.5 -> 63
    assert totals["maker_fen"] == 800 - 400
    # the day's fund and makers' figures are the ledger's
    assert totals["fund_fen"] == -await ledger.balance(ledger.FUND)
    assert totals["maker_fen"] == -await ledger.balance(ledger.maker_payable(goods.maker_id))
    by_source = {row["key"]: row for row in report["by_source"]}
    assert by_source["handicraft"]["maker_fen"] == 400 and by_source["donated"]["fund_fen"] == 2450
    assert [(e["kind"], e["value_fen"]) for e in report["entries"]] == [
        ("return", -500), ("sale", 1000 + 1250), ("sale", 3500)]
    page = await browser.get("/manager")
    assert page.status_code == 200 and "¥52.50" in page.text and "¥25.63" in page.text
    assert back.json()["number"] in page.text


async def test_the_receipt_file_holds_the_sale_in_chinese(cashier, goods, settings, tmp_path):
    from tests.printing.escpos_decode import decode

    response = await cashier.post("/api/sales", json=sale_body([(goods.coat, 1), (goods.noodles, 1)], cash=5000))
    number = response.json()["number"]
    files = await cashier.printed(f"*{number}*")
    assert len(files) == 1
    printed = decode(files[0].read_bytes())
    text = "\n".join(line.text for line in printed.lines)
    assert "爱心超市·测试店" in text and "儿童羽绒服（九成新）" in text and "红烧牛肉面 5连包" in text
    assert "本次购物为社区慈善基金贡献 ￥25.13" in text.replace("\n", "")
    assert "￥47.50" in text and "￥2.50" in text and "小张" in text
    preview = await cashier.get(f"/sales/{number}/receipt")
    assert preview.status_code == 200 and "儿童羽绒服（九成新）" in preview.text


async def test_the_openapi_description_is_served(browser):
    response = await browser.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/sales" in paths and "/api/till/items/{barcode}" in paths


async def test_the_printer_being_off_never_holds_a_sale_and_the_till_is_told(cashier, goods, settings):
    # given a printer that refuses every job (the worker driven by hand, not in the background)
    front: Shopfront = cashier.app.state.shopfront
    await front.printing.stop()

    def refuse(config, job_name, data):
        raise PrintError("printer not found: Connection refused")

    front.printing.sender = refuse
    # when two sales are made
    for key in ("k-printer-off-1", "k-printer-off-2"):
        response = await cashier.post("/api/sales", json=sale_body([(goods.book, 1)], cash=1200, key=key))
        assert response.status_code == 201
    await front.printing.print_due()
    # then the till's banner says the printer fails and what waits
    health = (await cashier.get("/api/printing/health")).json()
    assert health["failing"] and health["waiting"] == 2 and "refused" in health["error"]
    # when the printer works again, both receipts print, once each
    front.printing.sender = send
    front.printing.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)  # past the back-off
    assert await front.printing.print_due() == 2
    assert len(await cashier.printed("*receipt-S*")) == 2
    assert not (await cashier.get("/api/printing/health")).json()["failing"]


async def test_the_cashier_reprints_a_receipt_and_the_manager_sees_the_queue(browser, goods):
    await browser.login("cashier", "cashier-pw")
    number = (await browser.post("/api/sales", json=sale_body([(goods.book, 1)], cash=1200))).json()["number"]
    await all_printed(browser.app, goods.shop_id, number)  # "print again" on a waiting receipt makes no second one
    again = await browser.post(f"/api/sales/{number}/reprint")
    assert again.status_code == 202 and again.json()["ref"] == number and again.json()["document"] == "receipt"
    files = await browser.printed(f"*{number}*")
    # the reprint says 重打 at its top and never kicks the drawer; the original (cash) did
    assert len(files) == 2 and decode(files[1].read_bytes()).texts[0].strip() == "** 重打 **"
    assert b"\x1bp" in files[0].read_bytes() and b"\x1bp" not in files[1].read_bytes()
    assert (await browser.get("/api/printing/jobs")).status_code == 403
    await browser.post("/login/out")
    await browser.login("manager", "manager-pw")
    jobs = (await browser.get("/api/printing/jobs")).json()
    assert [job["ref"] for job in jobs] == [number, number]
    page = await browser.get("/manager/printing")
    assert page.status_code == 200 and number in page.text and "已打印" in page.text
    # "print again" from the queue, on the original cash receipt: a copy again, 重打 and no drawer kick
    await all_printed(browser.app, goods.shop_id, number)
    again = await browser.post(f"/api/printing/jobs/{jobs[-1]['id']}/reprint")
    assert again.status_code == 202 and again.json()["ref"] == number
    files = await browser.printed(f"*{number}*")
    assert len(files) == 3 and decode(files[2].read_bytes()).texts[0].strip() == "** 重打 **"
    assert b"\x1bp" not in files[2].read_bytes()


async def test_labels_print_as_one_job_and_preview_as_pictures_that_scan(browser, goods, settings, tmp_path):
    from PIL import Image
    from pyzbar import pyzbar
    import io

    from tests.printing.escpos_decode import decode

    await browser.login("manager", "manager-pw")
    # a batch of labels is one job on the label printer
    job = await browser.post("/api/labels", json={"barcodes": [goods.coat, goods.noodles, goods.coasters], "ref": "D-1"})
    assert job.status_code == 202 and job.json()["document"] == "label" and job.json()["ref"] == "D-1"
    await print_queued(browser.app)
    files = list((tmp_path / "labels").glob("*label-D-1*"))
    assert len(files) == 1
    printed = decode(files[0].read_bytes())
    codes = [event.data for event in printed.events if type(event).__name__ == "Barcode"]
    assert codes == [goods.coat, goods.noodles, goods.coasters]
    text = "\n".join(line.text for line in printed.lines)
    assert "儿童羽绒服（九成新）" in text and "￥35.00" in text
    # the PNG preview scans as the item's code
    png = await browser.get(f"/api/labels/{goods.noodles}/png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    (found,) = pyzbar.decode(Image.open(io.BytesIO(png.content)))
    assert found.data.decode() == goods.noodles
    svg = await browser.get(f"/api/labels/{goods.coat}/svg")
    assert svg.status_code == 200 and svg.content.lstrip().startswith(b"<?xml")
    # a wrong code prints nothing
    bad = await browser.post("/api/labels", json={"barcodes": [goods.coat, "6901234500012"]})
    assert bad.status_code == 400 and bad.json()["code"] == "bad-check-digit"
    assert (await browser.get("/api/printing/jobs")).json()[0]["ref"] == "D-1"


async def test_every_document_previews_in_the_browser_at_both_widths(manager, goods):
    for width in (32, 48):
        page = await manager.get(f"/manager/printing/documents?width={width}")
        assert page.status_code == 200
        for name in ("小票", "商品标签", "捐赠回执", "存折对账单", "X 报表", "Z 报表"):
            assert name in page.text
        assert f'data-width="{width}"' in page.text


async def test_an_old_password_hash_is_upgraded_at_login_and_still_works(shop_argon2, browser, goods):
    from argon2 import PasswordHasher

    from shop.tables import Staff

    # given a hash made with other argon2 settings (argon2-cffi's defaults)
    await Staff.update({Staff.password_hash: PasswordHasher().hash("cashier-pw")}).where(Staff.username == "cashier")
    # when the cashier logs in
    assert (await browser.login("cashier", "cashier-pw")).status_code in (302, 303)
    # then the hash is the shop's setting now, and the password still works
    stored = (await Staff.select(Staff.password_hash).where(Staff.username == "cashier").first())["password_hash"]
    assert "m=19456,t=2,p=1" in stored
    await browser.post("/login/out")
    assert (await browser.login("cashier", "cashier-pw")).status_code in (302, 303)


async def test_the_running_server_seals_each_sale_into_the_shops_chain_and_verify_finds_it_whole(
        db, settings, goods):
    from pos.verify import verify_report
    from shop.tables import LedgerSeal

    app = create_app(settings, engine=db)
    app.state["sealer"].every = 0.05  # the server's quick pass runs every 5 s; the test need not wait that long
    async with running(app), client_of(app) as client:
        till = Till(app, client, settings.printer.path)
        await till.login("cashier", "cashier-pw")
        sale = (await till.post("/api/sales", json=sale_body([(goods.book, 1)], cash=1200))).json()
        txn = (await LedgerTxn.select(LedgerTxn.id).where(LedgerTxn.ref == sale["number"]).first())["id"]
        for _ in range(200):
            if await LedgerSeal.exists().where(LedgerSeal.txn == txn):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"the sale's ledger transaction {txn} was not sealed")
    report = await verify_report()
    assert not [problem for rule in report for problem in rule.problems]
    assert not [note for rule in report for note in rule.notes]  # nothing left unsealed
