"""The README's screenshots, made from the demo shop so they stay true: the till with two items scanned and cash
typed, the intake desk with a donor and two items, at a till's 1366×768. With AIXIN_WRITE_SCREENS=1 they are
written to docs/screens/ (commit them); otherwise to the test's tmp folder. Either way, every button and key the
README's first shifts name is checked on the page and in the README, so the steps cannot drift from the screens."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
NOODLES = food_code(FOOD[0][0])  # 红烧牛肉面 5连包, ¥12.50
RICE = food_code(FOOD[1][0])  # 东北大米 5kg, ¥39.90
# What the cashier's and the intake volunteer's first shifts tell them to press, as the pages show it in Chinese.
TILL_WORDS = ("积分支付（F2）", "挂单（F4）", "换人（F9）", "完成收款（回车）", "清空清单", "整单折扣", "X 报表",
              "结班：清点钱箱", "实收现金", "找零")
INTAKE_WORDS = ("匿名捐赠", "登记并选择这位捐赠人", "全新", "九成新", "良好", "一般", "F1–F9", "Alt+1–4",
                "添加物品（回车）", "保存并打印标签", "清空物品", "开始我的班次")


def screens_folder(tmp_path: Path) -> Path:
    folder = ROOT / "docs" / "screens" if os.environ.get("AIXIN_WRITE_SCREENS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, shop, username, lands_on):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(lands_on + "$"))


def shows(page, names, readme):
    for name in names:
        expect(page.locator("main")).to_contain_text(name)
        assert name in readme, f"the README's first shift no longer names {name}"


def test_the_readme_screens_show_the_till_and_the_intake_desk_as_the_first_shifts_say(chromium, live_shop, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    folder = screens_folder(tmp_path)
    expect.set_options(timeout=15_000)
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        # the till: the noodles and the rice scanned, Enter on the empty scan field, ¥100 typed as the cash given
        log_in(page, live_shop, "cashier", "/till")
        expect(page.locator("#till[data-ready=true]")).to_have_count(1)
        expect(page.locator("#scan")).to_be_focused()
        for code in (NOODLES, RICE):
            page.keyboard.type(code)
            page.keyboard.press("Enter")
            expect(page.locator(f"#lines tr[data-barcode='{code}']")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.locator("#cash")).to_be_focused()
        page.keyboard.type("100")
        expect(page.locator("#total")).to_have_text("¥52.40")
        expect(page.locator("#change")).to_have_text("¥47.60")
        shows(page, TILL_WORDS, readme)
        page.screenshot(path=folder / "till.png", full_page=True)

        # the intake desk: a known donor found by name, a coat and two books entered by the keyboard's Enter
        context.clear_cookies()  # another person at another desk
        log_in(page, live_shop, "intake", "/intake")
        expect(page.locator("#donor-search")).to_be_focused()
        page.keyboard.type("李阿姨")
        page.keyboard.press("Enter")  # one donor found: chosen, the cursor in the description
        expect(page.locator("#selected-donor")).to_have_text("李阿姨 · 138****5678")
        page.click("button.category[data-code='clothes']")
        page.click("button.condition[data-condition='like-new']")
        page.keyboard.type("男士棉外套")
        page.keyboard.press("Enter")
        page.click("button.category[data-code='books']")
        page.click("button.condition[data-condition='good']")
        page.keyboard.type("唐诗三百首")
        page.keyboard.press("Tab")
        page.keyboard.type("2")
        page.keyboard.press("Enter")
        expect(page.locator("#items tr")).to_have_count(2)
        expect(page.locator("#pieces")).to_have_text("3")
        shows(page, INTAKE_WORDS, readme)
        page.screenshot(path=folder / "intake.png", full_page=True)
    finally:
        context.close()
    for name in ("till.png", "intake.png"):
        assert (folder / name).read_bytes().startswith(b"\x89PNG")
        assert f"](docs/screens/{name})" in readme, f"the README no longer shows docs/screens/{name}"
