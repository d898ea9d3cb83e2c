"""A cashier's first sale in a real browser: log in, scan two items as a scanner does (digits + Enter), pay cash."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.printing.escpos_decode import decode
from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
NOODLES = food_code(FOOD[0][0])  # 红烧牛肉面 5连包, ¥12.50
RICE = food_code(FOOD[1][0])  # 东北大米 5kg, ¥39.90


def log_in(page, shop, username="cashier"):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/till$"))
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)  # till.js listens (autofocus may come first)
    expect(page.locator("#scan")).to_be_focused()


def test_a_cashier_scans_two_items_pays_cash_and_the_receipt_prints(page, live_shop):
    # given
    log_in(page, live_shop)
    scan = page.locator("#scan")
    # when: the scanner types digits and Enter, twice the noodles, once the rice
    for code in (NOODLES, RICE, NOODLES):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("已加入")
    # then the cart holds two lines, the noodles twice, and the scan field still has focus
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator(f"#lines tr[data-barcode='{NOODLES}'] .qty-input")).to_have_value("2")
    expect(page.locator("#total")).to_have_text("¥64.90")
    expect(scan).to_be_focused()
    # when: Enter on the empty scan field goes to cash; letters typed there are not an amount (not "not enough")
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("“abc”不是金额")
    expect(page.locator("#lines tr")).to_have_count(2)
    # the cashier types 100 over it and Enter
    page.keyboard.type("100")
    expect(page.locator("#change")).to_have_text("¥35.10")
    page.keyboard.press("Enter")
    # then the sale is complete, the change shown, the cart empty, the scan field focused again
    expect(page.locator("#message")).to_contain_text("收款完成")
    expect(page.locator("#last-change")).to_have_text("¥35.10")
    expect(page.locator("#change")).to_have_text("¥35.10")  # the big figure stays, to count the change out
    expect(page.locator("#lines tr")).to_have_count(0)
    expect(scan).to_be_focused()
    number = page.locator("#last-number").inner_text()
    # and the printer received the receipt, in Chinese (the print queue sends it a moment later)
    for _ in range(100):
        if receipts := list(live_shop["print"].glob(f"*{number}*")):
            break
        time.sleep(0.05)
    assert len(receipts) == 1
    text = "\n".join(line.text for line in decode(receipts[0].read_bytes()).lines)
    assert "红烧牛肉面 5连包" in text and "东北大米 5kg" in text and "￥64.90" in text and "￥35.10" in text
    # and the next scan starts the next customer's change at nothing
    page.keyboard.type(NOODLES)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    expect(page.locator("#change")).to_have_text("¥0.00")


def test_a_wrong_code_says_so_in_chinese_and_changes_nothing(page, live_shop):
    log_in(page, live_shop)
    page.keyboard.type("6901234500012")  # a misread check digit
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("校验位")
    expect(page.locator("#lines tr")).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()


def test_without_a_label_the_cashier_finds_an_item_by_its_pinyin(page, live_shop):
    log_in(page, live_shop)
    # one match goes straight into the cart
    page.keyboard.type("hsnrm")  # 红烧牛肉面
    page.keyboard.press("Enter")
    expect(page.locator(f"#lines tr[data-barcode='{NOODLES}']")).to_have_count(1)
    # several matches are listed; the arrow keys and Enter choose one
    page.keyboard.type("shougong")  # 手工编织杯垫, 手工绣花鞋垫
    page.keyboard.press("Enter")
    expect(page.locator("#found button")).to_have_count(2)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator("#found")).to_be_hidden()
    expect(page.locator("#scan")).to_be_focused()


def receipt_of(shop, number: str) -> str:
    for _ in range(100):
        if receipts := list(shop["print"].glob(f"*{number}*")):
            break
        time.sleep(0.05)
    assert len(receipts) == 1
    return "\n".join(line.text for line in decode(receipts[0].read_bytes()).lines)


def test_the_shortest_path_a_scan_then_enter_enter_completes_an_exact_cash_sale(page, live_shop):
    # given
    log_in(page, live_shop)
    # when: the scanner types the code and Enter; then the cashier presses Enter twice, nothing else
    page.keyboard.type(NOODLES)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    page.keyboard.press("Enter")  # the empty scan field: the cash field gets the exact total
    expect(page.locator("#cash")).to_have_value("12.50")
    page.keyboard.press("Enter")  # exact cash: complete
    # then the sale is done with no change, and the till is ready for the next scan
    expect(page.locator("#message")).to_contain_text("收款完成")
    expect(page.locator("#last-change")).to_have_text("¥0.00")
    expect(page.locator("#lines tr")).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()
    assert "￥12.50" in receipt_of(live_shop, page.locator("#last-number").inner_text())


def test_a_member_pays_part_in_points_and_the_rest_in_cash_with_the_keyboard(page, live_shop):
    # given a demo member with points (王阿姨, M000001), and rice (¥39.90) in the cart
    log_in(page, live_shop)
    before = page.request.get(live_shop["url"] + "/api/till/members/M000001").json()["points"]
    assert before >= 20
    page.keyboard.type(RICE)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    # when: F2, the member's number and Enter: their name and points show, the points field is ready
    page.keyboard.press("F2")
    expect(page.locator("#member")).to_be_focused()
    page.keyboard.type("M999999")  # a number nobody has: the till says what it can do (it cannot search by name)
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("爱心银行服务台")
    expect(page.locator("#message")).not_to_contain_text("姓名")
    page.keyboard.type("M000001")
    page.keyboard.press("Enter")
    expect(page.locator("#member-info")).to_contain_text("王阿姨")
    expect(page.locator("#points")).to_be_focused()
    expect(page.locator("#points")).to_have_value(str(min(before, 39)))
    # more points than the member has are refused at once, and nothing shows as paid
    page.keyboard.type(str(before + 1))
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text(f"只有 {before} 积分")
    expect(page.locator("#points-paid")).to_have_text("")
    expect(page.locator("#points")).to_be_focused()
    # they use 20 points (¥20.00): the cash field shows the rest, ¥19.90; the customer gives ¥20
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    expect(page.locator("#cash")).to_have_value("19.90")
    expect(page.locator("#due")).to_have_text("¥19.90")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    # then
    expect(page.locator("#message")).to_contain_text("收款完成")
    expect(page.locator("#message")).to_contain_text(f"剩余 {before - 20} 积分")
    expect(page.locator("#last-change")).to_have_text("¥0.10")
    after = page.request.get(live_shop["url"] + "/api/till/members/M000001").json()["points"]
    assert after == before - 20
    # and the receipt shows the points used, their worth, the cash, and the points left
    text = receipt_of(live_shop, page.locator("#last-number").inner_text())
    assert "积分支付（20 分）" in text and "￥20.00" in text and "￥39.90" in text and "￥0.10" in text
    assert "M000001" in text and "剩余积分" in text and str(before - 20) in text


def test_a_discount_past_the_limit_takes_a_reason_and_the_managers_pin(page, live_shop):
    # given noodles (¥12.50) in the cart
    log_in(page, live_shop)
    page.keyboard.type(NOODLES)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    # when the cashier gives 20% off with a reason (the limit is 10%)
    page.click(f"#lines tr[data-barcode='{NOODLES}'] button.discount")
    expect(page.locator("#discount-dialog")).to_be_visible()
    page.fill("#discount-percent", "20")
    page.fill("#discount-reason", "包装破损")
    page.press("#discount-reason", "Enter")
    # then the server prices the cart, ¥10.00, and asks for a manager's PIN
    expect(page.locator("#total")).to_have_text("¥10.00")
    expect(page.locator("#lines tr .discount-note")).to_contain_text("−¥2.50")
    expect(page.locator("#pin-row")).to_be_visible()
    # when the manager types their PIN (the demo's: 1234) and Enter, then Enter on the exact cash
    page.click("#pin")
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_have_value("10.00")
    page.keyboard.press("Enter")
    # then the sale is made at the discounted price, and the receipt shows the discount
    expect(page.locator("#message")).to_contain_text("收款完成")
    text = receipt_of(live_shop, page.locator("#last-number").inner_text())
    assert "折扣" in text and "-￥2.50" in text and "￥10.00" in text


def test_park_a_cart_serve_the_next_customer_and_resume_it(page, live_shop):
    log_in(page, live_shop)
    page.keyboard.type(RICE)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    # when the cashier parks it with a note
    page.once("dialog", lambda dialog: dialog.accept("回家取钱包"))
    page.keyboard.press("F4")
    expect(page.locator("#lines tr")).to_have_count(0)
    expect(page.locator("#parked button.resume")).to_have_count(1)
    expect(page.locator("#parked button.resume")).to_contain_text("回家取钱包")
    # the next customer: a scan, Enter, Enter
    page.locator("#scan").focus()
    page.keyboard.type(NOODLES)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("收款完成")
    # when the first customer is back, the cart is resumed, and no longer parked
    page.click("#parked button.resume")
    expect(page.locator(f"#lines tr[data-barcode='{RICE}']")).to_have_count(1)
    expect(page.locator("#total")).to_have_text("¥39.90")
    expect(page.locator("#parked-box")).to_be_hidden()
