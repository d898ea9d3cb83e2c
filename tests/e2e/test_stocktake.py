"""A manager counts the books in a real browser with a scanner, then posts the differences."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def log_in(page, shop, username):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")


def test_a_manager_counts_the_books_and_posts_the_differences(page, live_shop):
    from web.demo import DONATIONS
    from inventory.barcodes import in_store_code

    # the demo's books came in second, after 李阿姨's six pieces of clothing: codes 7 to 11
    books = [in_store_code(n) for n in range(7, 7 + len(DONATIONS[1][2]))]
    log_in(page, live_shop, "manager")
    page.goto(live_shop["url"] + "/manager/stocktakes")
    page.check("input[name=scope][value=category]")
    page.select_option("select[name=category]", "books")
    page.click("#open-count button[type=submit]")
    expect(page).to_have_url(re.compile(r"/manager/stocktakes/\d+$"))
    scan = page.locator("#scan")
    expect(scan).to_be_focused()
    # the scanner reads three of the five books; one is scanned twice (a second copy found behind it)
    for code in (books[0], books[1], books[1], books[2]):
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("实盘")
    expect(page.locator("#counted tbody tr")).to_have_count(3)
    # posting sets the two books not found to zero and the one found twice to 2
    page.check("#zero-uncounted")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#post-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("已过账")
    detail = page.request.get(live_shop["url"] + f"/api/catalogue/items/{books[1]}").json()
    assert detail["item"]["on_hand"] == 2 and detail["movements"][0]["kind"] == "stock-take"
    missing = page.request.get(live_shop["url"] + f"/api/catalogue/items/{books[4]}").json()
    assert missing["item"]["on_hand"] == 0
