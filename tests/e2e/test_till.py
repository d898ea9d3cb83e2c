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
    # when: Enter on the empty scan field goes to cash; the cashier types 100 and Enter
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.type("100")
    expect(page.locator("#change")).to_have_text("¥35.10")
    page.keyboard.press("Enter")
    # then the sale is complete, the change shown, the cart empty, the scan field focused again
    expect(page.locator("#message")).to_contain_text("收款完成")
    expect(page.locator("#last-change")).to_have_text("¥35.10")
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
