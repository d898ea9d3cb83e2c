"""A coordinator's love bank in a real browser: open a member's account, record their service, and a second
coordinator approves it into points; the member card prints with the card code as its barcode."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.cli import run_cli
from tests.e2e.conftest import ROOT
from tests.printing.escpos_decode import Barcode, decode

pytestmark = pytest.mark.e2e


def log_in(page, shop, username, password="aixin-demo"):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/lovebank$"))


def add_second_coordinator(shop) -> None:
    """The demo has one coordinator: a second one, made the way a shop makes one (aixin create-user)."""
    folder = shop["print"].parent
    env = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
           "AIXIN_DATABASE_URL": f"sqlite:///{folder}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(folder / "var")}
    made = run_cli(["create-user", "coord2", "--role", "coordinator", "--name", "赵老师", "--password-stdin"], env,
                   "coord2-pw\n")  # in this process (tests/cli.py), as `aixin …` would run
    assert made.returncode == 0, made.stderr


def test_a_coordinator_records_service_another_approves_it_and_the_points_show(page, chromium, live_shop):
    # given the demo's coordinator
    log_in(page, live_shop, "coordinator")

    # when they open an account
    page.fill("#open-member input[name=name]", "测试储户")
    page.fill("#open-member input[name=phone]", "13900005678")
    page.click("#open-member button[type=submit]")

    # then the passbook shows, with no points yet
    expect(page).to_have_url(re.compile(r"/lovebank/members/\d+"))
    expect(page.locator("#points")).to_have_text("0")
    number = page.locator("#member-number").text_content()
    member_url = page.url.split("?")[0]

    # when they record 1.5 hours of elder care (10 points an hour)
    page.fill("#record-service input[name=place]", "幸福社区 3 号楼")
    page.fill("#record-service input[name=content]", "陪老人聊天")
    page.select_option("#record-service select[name=service_type]", "elder-care")
    page.select_option("#record-service select[name=half_hours]", "3")
    page.fill("#record-service input[name=witness]", "楼长")
    page.click("#record-service button[type=submit]")

    # then it waits for someone else's approval, and earns nothing yet
    row = page.locator("#service tbody tr").first
    expect(row.locator(".status")).to_have_text("待审核")
    expect(row.locator("button")).to_have_count(0)
    expect(page.locator("#points")).to_have_text("0")

    # when a second coordinator approves it
    add_second_coordinator(live_shop)
    other = chromium.new_context(locale="zh-CN").new_page()
    try:
        log_in(other, live_shop, "coord2", "coord2-pw")
        other.click("a[href='/lovebank/approvals']")
        pending = other.locator("#approvals tbody tr", has_text=number)
        expect(pending).to_have_count(1)
        pending.locator("button", has_text="审核通过").click()
        expect(other.locator("#approvals tbody tr", has_text=number)).to_have_count(0)
    finally:
        other.context.close()

    # then the member has 15 points and 1.5 hours
    page.goto(member_url)
    expect(page.locator("#points")).to_have_text("15")
    expect(page.locator("#hours")).to_have_text("1.5")
    expect(page.locator("#service tbody tr").first.locator(".status")).to_have_text("已通过")
    expect(page.locator("#closing")).to_have_text("15")

    # when the member card is printed
    page.click("#print-card button")
    expect(page.locator(".message.ok")).to_be_visible()
    card_code = page.locator("#card-code").text_content()
    files = []
    for _ in range(250):
        if files := sorted(live_shop["print"].glob(f"*member_card-{number}*")):
            break
        page.wait_for_timeout(20)
    # then its barcode is the card code
    assert [e.data for e in decode(files[0].read_bytes()).events if isinstance(e, Barcode)] == ["{B" + card_code]
