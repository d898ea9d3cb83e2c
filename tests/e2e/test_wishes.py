"""The wish wall in a real browser: a coordinator posts a household's wish, a member claims it, and their service
fulfils it (waiting for another coordinator's approval, as any service)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_lovebank import log_in

pytestmark = pytest.mark.e2e


def test_a_wish_is_posted_claimed_by_a_member_and_fulfilled_with_service(page, live_shop):
    # given the demo's coordinator on the wish wall
    log_in(page, live_shop, "coordinator")
    page.click("a[href='/wishes']")
    expect(page).to_have_url(re.compile(r"/wishes$"))

    # when they post a household's wish for service
    page.fill("#post-wish input[name=household_ref]", "h-2026-088")
    page.fill("#post-wish input[name=text]", "帮独居老人换灯泡")
    page.select_option("#post-wish select[name=kind]", "service")
    page.click("#post-wish button[type=submit]")

    # then it waits to be claimed, under its household's reference
    posted = page.locator("#wishes-posted tbody tr", has_text="帮独居老人换灯泡")
    expect(posted).to_contain_text("H-2026-088")

    # when a member claims it by their number
    posted.locator("input[name=member]").fill("M000001")
    posted.locator(".claim button").click()
    claimed = page.locator("#wishes-claimed tbody tr", has_text="帮独居老人换灯泡")
    expect(claimed).to_contain_text("M000001")

    # and their service fulfils it
    claimed.locator("input[name=place]").fill("幸福社区 2 号楼")
    claimed.locator("input[name=witness]").fill("楼长")
    claimed.locator("select[name=half_hours]").select_option("2")
    claimed.locator(".fulfil-service button").click()

    # then it is fulfilled with service, and the service waits for approval
    expect(page.locator("#wishes-fulfilled tbody tr", has_text="帮独居老人换灯泡")).to_contain_text("服务")
    page.goto(live_shop["url"] + "/lovebank/approvals")
    expect(page.locator("#approvals tbody tr", has_text="帮独居老人换灯泡")).to_have_count(1)
