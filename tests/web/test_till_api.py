"""The till's points, discounts and parked carts through real HTTP, with the receipt's bytes decoded."""

import uuid

from lovebank.passbook import points_of
from inventory.tables import Category
from pos.tables import Override, ParkedCart
from shop.staff import set_pin
from tests.pos.members import member_with_points
from tests.printing.escpos_decode import decode


def sale_body(lines, cash, key=None, till="T1", **extra):
    return {"till": till, "idempotency_key": key or uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} if isinstance(code, str) else code for code, qty in lines],
            **extra}


async def receipt_text(till, number: str) -> str:
    files = await till.printed(f"*{number}*")
    assert len(files) == 1
    return "\n".join(line.text for line in decode(files[0].read_bytes()).lines)


async def test_a_member_is_found_by_card_or_number_with_their_points(cashier, goods):
    member = await member_with_points(goods, 42, name="李奶奶")
    for code in (member.card_code, member.number, member.number.lstrip("M0")):
        response = await cashier.get(f"/api/till/members/{code}")
        assert response.status_code == 200, response.text
        assert response.json() == {"number": member.number, "name": "李奶奶", "points": 42}
    unknown = await cashier.get("/api/till/members/M999999")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-member"


async def test_split_tender_over_http_and_the_receipt_shows_the_points_used_and_left(cashier, goods):
    # given a member with 30 points; the cart: a coat ¥35.00 and noodles ¥12.50 (food refuses points)
    await Category.update({Category.accepts_points: False}).where(Category.code == "food")
    member = await member_with_points(goods, 30)
    quote = await cashier.post("/api/sales/quote", json={"lines": [{"barcode": goods.coat}, {"barcode": goods.noodles}]})
    assert quote.status_code == 200, quote.text
    assert (quote.json()["total_fen"], quote.json()["points_eligible_fen"], quote.json()["most_points"]) == (
        4750, 3500, 35)
    # when 30 points pay ¥30.00 and ¥20.00 cash pays the ¥17.50 left
    body = sale_body([(goods.coat, 1), (goods.noodles, 1)], cash=2000, expected_total_fen=4750,
                     points={"points": 30, "member": member.number})
    response = await cashier.post("/api/sales", json=body)
    # then
    assert response.status_code == 201, response.text
    sale = response.json()
    assert (sale["points"], sale["points_fen"], sale["cash_fen"], sale["change_fen"], sale["points_left"]) == (
        30, 3000, 1750, 250, 0)
    assert await points_of(member.id) == 0
    text = await receipt_text(cashier, sale["number"])
    assert "积分支付（30 分）" in text and "￥30.00" in text and "剩余积分" in text and member.number in text
    assert "￥20.00" in text and "￥2.50" in text


async def test_too_many_points_is_a_problem_in_chinese_and_nothing_is_sold(cashier, goods):
    member = await member_with_points(goods, 5)
    response = await cashier.post("/api/sales", json=sale_body(
        [(goods.book, 1)], cash=0, points={"points": 6, "member": member.number}))
    assert response.status_code == 409 and response.json()["code"] == "not-enough-points"
    assert "5" in response.json()["detail"] and "积分" in response.json()["detail"]


async def test_a_discount_past_the_limit_asks_for_the_pin_then_prints_on_the_receipt(cashier, goods):
    await set_pin(username="manager", pin="1234")
    line = {"barcode": goods.coat, "quantity": 1, "discount_percent": 20, "reason": "拉链坏了"}
    quote = await cashier.post("/api/sales/quote", json={"lines": [line]})
    assert quote.json()["needs_manager"] is True and quote.json()["total_fen"] == 2800
    refused = await cashier.post("/api/sales", json=sale_body([(line, 1)], cash=2800))
    assert refused.status_code == 403 and refused.json()["code"] == "manager-pin-needed"
    assert "店长" in refused.json()["detail"]
    wrong = await cashier.post("/api/sales", json=sale_body([(line, 1)], cash=2800, manager_pin="9999"))
    assert wrong.status_code == 403 and wrong.json()["code"] == "bad-pin"
    response = await cashier.post("/api/sales", json=sale_body([(line, 1)], cash=2800, manager_pin="1234",
                                                               expected_total_fen=2800))
    assert response.status_code == 201, response.text
    sale = response.json()
    assert (sale["total_fen"], sale["discount_fen"], sale["lines"][0]["discount_fen"]) == (2800, 700, 700)
    assert (await Override.select(Override.approved_by).first())["approved_by"] == goods.manager_id
    text = await receipt_text(cashier, sale["number"])
    assert "折扣" in text and "-￥7.00" in text and "￥35.00" in text and "￥28.00" in text


async def test_a_whole_sale_discount_over_http(cashier, goods):
    body = sale_body([(goods.book, 2)], cash=2280, sale_discount={"percent": 5, "reason": "老人优惠"})
    response = await cashier.post("/api/sales", json=body)
    assert response.status_code == 201, response.text
    assert (response.json()["total_fen"], response.json()["discount_fen"]) == (2280, 120)


async def test_park_serve_the_next_customer_and_resume(cashier, goods):
    cart = [{"barcode": goods.coat, "quantity": 1, "name": "儿童羽绒服", "price_fen": 3500}]
    parked = await cashier.post("/api/parked", json={"till": "T1", "lines": cart, "note": "取钱包"})
    assert parked.status_code == 201, parked.text
    parked_id = parked.json()["id"]
    # the next customer's sale goes through meanwhile
    assert (await cashier.post("/api/sales", json=sale_body([(goods.book, 1)], cash=1200))).status_code == 201
    waiting = await cashier.get("/api/parked")
    assert [(p["id"], p["note"], p["total_fen"]) for p in waiting.json()] == [(parked_id, "取钱包", 3500)]
    resumed = await cashier.post(f"/api/parked/{parked_id}/resume")
    assert resumed.status_code == 200 and resumed.json()["lines"][0]["barcode"] == goods.coat
    again = await cashier.post(f"/api/parked/{parked_id}/resume")
    assert again.status_code == 404 and again.json()["code"] == "parked-cart-gone"
    assert await ParkedCart.count() == 0


async def test_a_manager_sees_the_days_overrides_with_reasons_and_approvers(browser, goods):
    await set_pin(username="manager", pin="1234")
    await browser.login("cashier", "cashier-pw")
    line = {"barcode": goods.coat, "quantity": 1, "override_price_fen": 3300, "reason": "袖口起球"}
    sold = await browser.post("/api/sales", json=sale_body([(line, 1), (goods.book, 1)], cash=5000,
                                                           sale_discount={"percent": 50, "reason": "困难家庭"},
                                                           manager_pin="1234"))
    assert sold.status_code == 201, sold.text
    assert (await browser.get("/api/reports/overrides")).status_code == 403  # a cashier may not read the log
    await browser.login("manager", "manager-pw")
    response = await browser.get("/api/reports/overrides")
    assert response.status_code == 200, response.text
    assert [(o["sale"], o["kind"], o["line"], o["before_fen"], o["after_fen"], o["reason"], o["cashier"],
             o["approved_by"]) for o in response.json()] == [
        (sold.json()["number"], "price", "儿童羽绒服（九成新）", 3500, 3300, "袖口起球", "小张", "陈姐"),
        (sold.json()["number"], "sale-discount", "", 4500, 2250, "困难家庭", "小张", "陈姐")]


async def test_the_tills_service_worker_is_served_to_anyone_as_javascript_never_cached_stale(browser):
    # when a till's browser (not logged in yet: it registers the worker from the page it loaded) asks for it
    worker = await browser.get("/till-sw.js")
    # then it is the script, once typed as JavaScript (a service worker with another type is refused), and
    # checked again each time, so a new version of the till reaches every till
    assert worker.status_code == 200
    assert worker.headers["content-type"] == "text/javascript; charset=utf-8"
    assert worker.headers["cache-control"] == "no-cache"
    assert "addEventListener" in worker.text and "fetch" in worker.text
