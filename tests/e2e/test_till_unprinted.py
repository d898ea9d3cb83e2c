"""A receipt that did not print shows on its till, and one button prints it again, marked 重打, in a real browser."""

import sqlite3
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.test_till import NOODLES, log_in
from tests.printing.escpos_decode import decode

pytestmark = pytest.mark.e2e


def receipts_of(shop, number: str, count: int) -> list[bytes]:
    for _ in range(200):
        if len(files := sorted(shop["print"].glob(f"*{number}*"))) >= count:
            return [f.read_bytes() for f in files]
        time.sleep(0.05)
    raise AssertionError(f"{count} receipt(s) of {number} were not printed")


def test_a_receipt_that_did_not_print_shows_on_the_till_and_prints_again_with_one_button(page, live_shop):
    # given a cash sale at the till, its receipt printed
    log_in(page, live_shop)
    page.keyboard.type(NOODLES)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("收款完成")
    number = page.locator("#last-number").inner_text()
    receipts_of(live_shop, number, 1)
    # when its print job turns out to have failed (the server stopped while sending it: nothing came out)
    with sqlite3.connect(live_shop["print"].parent / "shop.sqlite", timeout=10) as db:
        db.execute("UPDATE print_job SET status = 'failed', attempts = 1, last_error = 'cover open' WHERE ref = ?",
                   (number,))
    # then the till lists it, without a reload, with the printer's words
    unprinted = page.locator("#unprinted")
    expect(unprinted).to_be_visible()
    expect(page.locator(f"#unprinted-list li[data-number='{number}']")).to_contain_text("cover open")
    expect(page.locator("#unprinted-list li")).to_contain_text(f"小票 {number}")
    # when the volunteer presses "print them again"
    page.click("#print-unprinted")
    # then a copy is queued and prints, marked 重打, without opening the drawer; the list clears
    expect(page.locator("#message")).to_contain_text("正在重新打印：1 张补打")
    original, copy = receipts_of(live_shop, number, 2)
    assert decode(copy).texts[0].strip() == "** 重打 **" and b"\x1bp" not in copy
    expect(unprinted).to_be_hidden()
    with sqlite3.connect(live_shop["print"].parent / "shop.sqlite", timeout=10) as db:
        jobs = db.execute("SELECT status, till FROM print_job WHERE ref = ? ORDER BY id", (number,)).fetchall()
    assert jobs == [("failed", "T1"), ("printed", "T1")]
