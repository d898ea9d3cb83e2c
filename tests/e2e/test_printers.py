"""A manager sets up a printer in a real browser: adds it, prints its test page, keeps the line that read right,
tries the drawer's pins, and gives it to till T1."""

import re

import pytest
from playwright.sync_api import expect

from printing.test_page import SAMPLE
from tests.printing.escpos_decode import Drawer, decode

pytestmark = pytest.mark.e2e


def log_in(page, shop, username):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")


def test_a_manager_sets_up_a_printer_from_its_test_page(page, live_shop):
    spool = live_shop["print"] / "new-printer"  # inside the print area: a printer set up here writes nowhere else
    log_in(page, live_shop, "manager")
    page.goto(live_shop["url"] + "/manager/printers")
    # add it: a folder stands in for the printer, so the test can read what it printed
    page.fill("#add-printer input[name=name]", "前台小票机")
    page.select_option("#add-printer select[name=kind]", "file")
    page.fill("#add-printer input[name=address]", str(spool))
    page.click("#add-printer button[type=submit]")
    card = page.locator("article.printer", has_text="前台小票机")
    expect(card).to_contain_text("还没测试")
    # print the test page: line 2 (GBK + FS &) reads the sample
    card.get_by_role("button", name="打印测试页").click()
    expect(page.locator("#message")).to_contain_text("已发送到打印机")
    (test_page,) = spool.glob("*test-page*")
    line_2 = next(line for line in decode(test_page.read_bytes()).lines if line.raw.startswith(b"2. "))
    assert line_2.raw.decode("gbk") == f"2. {SAMPLE}"
    # the volunteer picks line 2 and the 32-column ruler
    card.locator("input[name=line][value='2']").check()
    card.locator("input[name=ruler][value='32']").check()
    card.get_by_role("button", name="保存这些设置").click()
    card = page.locator("article.printer", has_text="前台小票机")
    expect(card.locator(".profile")).to_contain_text("gbk")
    expect(card.locator(".profile")).to_contain_text("58 mm")
    expect(card).to_contain_text("已测试")
    # pin 5 is tried
    card.get_by_role("button", name="打开钱箱（5 号接口）").click()
    expect(page.locator("#message")).to_contain_text("已发送到打印机")
    (kick,) = spool.glob("*drawer*")
    assert decode(kick.read_bytes()).events[1:] == [Drawer(pin=5, on_ms=100, off_ms=100)]
    # and it serves till T1
    page.locator("select.place[data-place='till:T1']").select_option(label="前台小票机")
    expect(page.locator("#message")).to_contain_text("已保存")
    expect(page.locator("article.printer", has_text="前台小票机").locator(".places")).to_contain_text(re.compile("T1"))
