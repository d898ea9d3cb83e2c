"""A till's shift in a real browser: open the till with a counted float, sell, scan the receipt's sale number to
take a line back and see the refund, then close the till with the drawer counted and see over/short."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.printing.escpos_decode import decode
from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
NOODLES = food_code(FOOD[0][0])  # 红烧牛肉面 5连包, ¥12.50
RICE = food_code(FOOD[1][0])  # 东北大米 5kg, ¥39.90


def printed(folder, pattern):
    for _ in range(100):
        if files := sorted(folder.glob(pattern)):
            return files
        time.sleep(0.05)
    return []


def test_open_sell_return_a_line_by_scanning_the_receipt_then_close_with_a_count(page, live_shop):
    # given a cashier at till T2, which is closed: the till asks for its float
    page.goto(live_shop["url"] + "/login")
    page.fill("input[name=username]", "cashier")
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/till$"))
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)  # till.js listens: keys before it are lost
    page.select_option("#till-code", "T2")
    expect(page.locator("#open-dialog")).to_be_visible()
    expect(page.locator("#open-title")).to_have_text("开班：清点备用金")
    expect(page.locator("#float")).to_be_focused()
    # when the float is counted and typed
    page.keyboard.type("200")
    page.keyboard.press("Enter")
    # then the till is open and the scan field has the focus
    expect(page.locator("#open-dialog")).to_be_hidden()
    expect(page.locator("#session-state")).to_contain_text("¥200.00")
    expect(page.locator("#scan")).to_be_focused()

    # when the scanner sells noodles and rice, paid with exact cash (Enter, Enter)
    for code in (NOODLES, RICE):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("已加入")
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("收款完成")
    number = page.locator("#last-number").inner_text()
    assert re.fullmatch(r"S\d{8}", number)

    # when the receipt's barcode is scanned into the scan field
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    # then the return screen shows the sale's lines, the first one's pieces ready to type
    dialog = page.locator("#return-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#return-title")).to_contain_text(number)
    expect(page.locator("#return-lines tr")).to_have_count(2)
    expect(page.locator(f"#return-lines tr[data-barcode='{NOODLES}'] .back-now")).to_be_focused()
    # when one pack of noodles comes back
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    # then the refund is shown: ¥12.50 in cash from the drawer
    expect(page.locator("#return-message")).to_contain_text("退还现金 ¥12.50")
    page.click("#return-close")
    expect(dialog).to_be_hidden()
    expect(page.locator("#message")).to_contain_text("¥12.50")
    # and scanning the receipt again shows only the rice left to take back in full
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(page.locator(f"#return-lines tr[data-barcode='{NOODLES}'] td:nth-child(3)")).to_have_text("0")
    page.click("#return-close")

    # when the till is closed with the drawer counted ¥0.90 short (expected ¥200 + ¥52.40 − ¥12.50 = ¥239.90)
    page.click("#close-till")
    expect(page.locator("#counted")).to_be_focused()
    page.keyboard.type("239.00")
    page.keyboard.press("Enter")
    # then expected, counted and over/short are shown, and the Z report prints
    expect(page.locator("#z-expected")).to_have_text("¥239.90")
    expect(page.locator("#z-counted")).to_have_text("¥239.00")
    expect(page.locator("#z-over-short")).to_contain_text("-¥0.90")
    expect(page.locator("#z-over-short")).to_contain_text("短款")
    expect(page.locator("#z-report")).to_contain_text("Z 报表")
    reports = printed(live_shop["print"], "*TS*")
    assert reports, "the Z report was not printed"
    text = "\n".join(line.text for line in decode(reports[-1].read_bytes()).lines)
    assert "-￥0.90" in text and "￥239.00" in text
    # and once done, the till asks for a float again
    page.click("#close-done")
    expect(page.locator("#open-dialog")).to_be_visible()
    expect(page.locator("#session-state")).to_have_text("收银台已结班")



def test_a_cash_refund_past_the_limit_asks_for_a_managers_pin_at_the_till(page, live_shop):
    # given a cashier at T1 (open in the demo) who sold ten packs of noodles for ¥125.00 in cash
    page.goto(live_shop["url"] + "/login")
    page.fill("input[name=username]", "cashier")
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/till$"))
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)  # till.js listens: keys before it are lost
    for _ in range(10):  # the same code again raises the quantity
        page.keyboard.type(NOODLES)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("已加入")
    expect(page.locator(".qty-input")).to_have_value("10")
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("收款完成")
    number = page.locator("#last-number").inner_text()
    # when the receipt is scanned and nine packs (¥112.50, past the ¥100.00 limit) come back
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    expect(page.locator("#return-dialog")).to_be_visible()
    expect(page.locator("#return-rule")).to_be_hidden()  # paid in cash alone: no word about points
    page.locator("#return-lines .back-now").fill("9")
    page.keyboard.press("Enter")
    # then the till says a manager is needed and waits in the PIN field; the manager's PIN and Enter refund it
    expect(page.locator("#return-message")).to_have_text("现金退款 ¥112.50 超过了 ¥100.00：请输入店长的 PIN，或请店长登录。")
    expect(page.locator("#void-pin")).to_be_focused()
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.locator("#return-message")).to_contain_text("¥112.50")
    expect(page.locator("#return-message")).to_contain_text("退货单 R")
