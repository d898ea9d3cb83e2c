"""The cashier switch (换人, issue 21) in a real browser: F9 locks the till over its cart, the next volunteer scans
their staff card (keystrokes + Enter, as a scanner types) and types their PIN, and carries on with the same cart."""

import re
import sqlite3
import time

import pytest
from playwright.sync_api import expect

from pos.numbers import sale_id_of
from web.demo import DEMO_PASSWORD, FOOD, food_code

pytestmark = pytest.mark.e2e
NOODLES = food_code(FOOD[0][0])  # 红烧牛肉面 5连包, ¥12.50
RICE = food_code(FOOD[1][0])  # 东北大米 5kg, ¥39.90


def log_in(page, shop, username, start):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(start + "$"))


def test_f9_locks_the_till_the_next_volunteer_scans_their_card_and_sells_the_same_cart_as_themselves(page, live_shop):
    # given the admin added 小李, gave her a till PIN and printed her staff card, on the staff page
    log_in(page, live_shop, "admin", "/manager")
    page.goto(live_shop["url"] + "/manager/staff")
    page.fill("#add input[name=username]", "xiaoli")
    page.fill("#add input[name=display_name]", "收银志愿者 小李")
    page.select_option("#add select[name=role]", "cashier")
    page.fill("#add input[name=password]", "xiaoli-pw-1")
    page.click("#add button[type=submit]")
    page.fill("#staff-xiaoli input[name=pin]", "2468")
    page.click("#staff-xiaoli form[action$='/pin'] button")
    page.click("#staff-xiaoli .print-card")
    expect(page.locator("#card-printing")).to_be_visible()
    with sqlite3.connect(live_shop["print"].parent / "shop.sqlite") as db:
        xiaoli, badge = db.execute("SELECT id, badge FROM staff WHERE username = 'xiaoli'").fetchone()
    page.click("form[action='/login/out'] button")
    # and the cashier scanned two items at T1
    log_in(page, live_shop, "cashier", "/till")
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)
    for code in (NOODLES, RICE):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("已加入")
    expect(page.locator("#lines tr")).to_have_count(2)

    # when the cashier presses F9: the till is locked, the cart hidden but for its count
    started = time.monotonic()
    page.keyboard.press("F9")
    expect(page.locator("#lock")).to_be_visible()
    expect(page.locator("#lock-count")).to_have_text("2")
    expect(page.locator("#till")).to_be_hidden()
    expect(page.locator("#lock-who")).to_be_focused()
    locking = time.monotonic() - started
    # and a wrong PIN after the scanned card leaves it locked, saying so in Chinese
    page.keyboard.type(badge)
    page.keyboard.press("Enter")
    expect(page.locator("#lock-pin")).to_be_focused()
    page.keyboard.type("1111")
    page.keyboard.press("Enter")
    expect(page.locator("#lock-message")).to_contain_text("PIN 码不对")
    expect(page.locator("#lock")).to_be_visible()
    # when 小李 types her PIN
    started = time.monotonic()
    page.keyboard.type("2468")
    page.keyboard.press("Enter")

    # then within 3 seconds the till is hers, the cart as it was
    expect(page.locator(".who")).to_have_text("收银志愿者 小李")
    expect(page.locator("#lock")).to_be_hidden()
    assert locking + (time.monotonic() - started) < 3  # the lock, and the switch (a wrong PIN's time aside)
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator("#total")).to_have_text("¥52.40")
    # when she completes the sale
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)
    page.locator("#scan").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.type("60")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("收款完成")
    # then the sale is recorded as hers
    number = page.locator("#last-number").inner_text()
    with sqlite3.connect(live_shop["print"].parent / "shop.sqlite") as db:
        (cashier,) = db.execute("SELECT cashier FROM sale WHERE id = ?", (sale_id_of(number),)).fetchone()
    assert cashier == xiaoli
