"""The fund's public notice in a real browser: the manager pays out of the fund with a long reason (the form says it is
public), then anyone — not logged in — opens the A4 page for the notice board, printed by Chromium: at A4's width
(210 mm ≈ 794 px) nothing runs off the side, and the page says its figures agree with the ledger."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

A4_PX = 794  # 210 mm at 96 px an inch


def test_the_a4_notice_prints_without_running_off_the_page(chromium, live_shop):
    # given: a sale, then a disbursement of ¥0.01 whose reason has no space to break at (the manager's fund page)
    manager = chromium.new_context(locale="zh-CN")
    page = manager.new_page()
    page.goto(live_shop["url"] + "/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    csrf = next(c["value"] for c in manager.cookies() if c["name"] == "csrftoken")
    sold = page.request.post(live_shop["url"] + "/api/sales", headers={"x-csrftoken": csrf}, data={
        "till": "T1", "idempotency_key": "notice-e2e-1", "lines": [{"barcode": "6901234500011", "quantity": 4}],
        "cash_given_fen": 5000})  # noodles: the fund's share of them is what it pays out of
    assert sold.status == 201, sold.text()
    page.goto(live_shop["url"] + "/manager/fund")
    expect(page.locator("#reason-public")).to_contain_text("公示")
    page.fill("#disburse input[name=amount]", "0.01")
    page.fill("#disburse input[name=reason]", "冬衣H-2026-017" + "W" * 50)
    page.click("#disburse button[type=submit]")
    expect(page).to_have_url(re.compile(r"done=1"))
    manager.close()
    # when: a visitor opens the notice board's page, as printed, on A4's width
    visitor = chromium.new_context(locale="zh-CN", viewport={"width": A4_PX, "height": 1123})
    page = visitor.new_page()
    page.emulate_media(media="print")
    page.goto(live_shop["url"] + "/notice/print")
    # then: the month's notice, agreeing with the ledger, the disbursement on it; nothing wider than the page
    expect(page.locator("#notice-title")).to_contain_text("社区慈善基金公示")
    expect(page.locator("#notice-check")).to_have_text("以上数字与本店账本一致。")
    expect(page.locator("#notice-disbursements")).to_contain_text("冬衣H-2026-017")
    widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))})""")
    assert widths["page"] <= A4_PX and widths["widest"] <= A4_PX, widths
    pdf = page.pdf(format="A4")  # Chromium lays it out on A4 paper too
    assert pdf.startswith(b"%PDF")
    visitor.close()
