"""An intake volunteer's first donation in a real browser: register the donor, add items with the keyboard,
save once, and the labels print as one job whose barcodes are the donation's new in-store codes."""

import json
import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from inventory.barcodes import check_digit
from tests.printing.escpos_decode import decode
from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
NOODLES = food_code(FOOD[0][0])  # 红烧牛肉面 5连包, ¥12.50, a maker's barcode already in the catalogue


def log_in(page, shop, username="intake"):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    if username == "intake":
        expect(page).to_have_url(re.compile(r"/intake$"))
    else:
        page.goto(shop["url"] + "/intake")
    expect(page.locator("#donor-search")).to_be_focused()


def words(page) -> dict:
    """The page's own sentences, as translated for it (the test does not depend on the wording)."""
    return {**json.loads(page.locator("#words").text_content()), **json.loads(page.locator("#page-words").text_content())}


def chosen(page, kind, value):
    selector = f"button.category[data-code='{value}']" if kind == "category" else f"button.condition[data-condition='{value}']"
    expect(page.locator(selector)).to_have_attribute("aria-pressed", "true")


def test_a_volunteer_registers_a_donor_adds_items_by_keyboard_and_the_labels_print(page, live_shop):
    # given the intake volunteer at the desk
    log_in(page, live_shop)
    said = words(page)
    expect(page.locator("#selected-donor")).to_have_text(said["anonymous"])
    # when a new donor is registered, agreeing to be contacted
    page.fill("#donor-name", "测试捐赠人𠀀")  # a rare character the printers' GBK font lacks
    page.fill("#donor-phone", "13900001234")
    page.check("#donor-consent")
    page.click("#register-donor")
    # then they are chosen, their phone masked for the volunteer, and told the slip prints that character as □
    expect(page.locator("#selected-donor")).to_have_text("测试捐赠人𠀀 · 139****1234")
    expect(page.locator("#message")).to_contain_text("打印机打不出 𠀀")
    expect(page.locator("#description")).to_be_focused()

    # when: a coat, clothes, like new — the price starts at the category's default for the condition
    page.click("button.category[data-code='clothes']")
    page.click("button.condition[data-condition='like-new']")
    chosen(page, "category", "clothes")
    chosen(page, "condition", "like-new")
    expect(page.locator("#price")).to_have_value("20.00")
    expect(page.locator("#expires")).to_be_hidden()  # only food asks for a use-by date
    # it is new after all: the price follows
    page.click("button.condition[data-condition='new']")
    expect(page.locator("#price")).to_have_value("30.00")
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.type("男士棉外套😀")
    page.keyboard.press("Enter")
    # then it is listed; category and condition stay for the next item, the cursor is back in the description
    expect(page.locator("#items tr")).to_have_count(1)
    expect(page.locator("#description")).to_be_focused()
    expect(page.locator("#description")).to_have_value("")
    chosen(page, "category", "clothes")
    expect(page.locator("#price")).to_have_value("30.00")

    # when: two copies of a book in good condition, by keyboard (Tab to the quantity)
    page.click("button.category[data-code='books']")
    page.click("button.condition[data-condition='good']")
    expect(page.locator("#price")).to_have_value("5.00")
    page.keyboard.type("唐诗三百首")
    page.keyboard.press("Tab")
    expect(page.locator("#quantity")).to_be_focused()
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.locator("#items tr")).to_have_count(2)
    expect(page.locator("#description")).to_be_focused()

    # when: noodles with their maker's barcode, already known: name, category and price come from the catalogue
    page.fill("#barcode", NOODLES)
    page.press("#barcode", "Enter")
    expect(page.locator("#message")).to_contain_text("红烧牛肉面 5连包")
    expect(page.locator("#description")).to_have_value("红烧牛肉面 5连包")
    expect(page.locator("#price")).to_have_value("12.50")
    chosen(page, "category", "food")
    # food needs its use-by date
    expect(page.locator("#expires")).to_be_visible()
    expect(page.locator("#expires")).to_be_focused()
    page.fill("#expires", (date.today() + timedelta(days=60)).isoformat())
    page.press("#expires", "Enter")
    expect(page.locator("#items tr")).to_have_count(3)
    expect(page.locator("#pieces")).to_have_text("4")
    expect(page.locator("#items tr[data-description='唐诗三百首'] td.num").first).to_have_text("2")
    expect(page.locator("#items tr[data-description='男士棉外套😀']")).to_contain_text("¥30.00")

    # when the volunteer saves, once, by keyboard: Enter on the empty description goes to the save button
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#save")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/api/donations") and r.request.method == "POST") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 201
    reply = answer.value.json()
    number = reply["donation"]["number"]
    label_codes = reply["label_codes"]
    # then the donation is saved under its number, and a new empty donation begins, anonymous
    assert re.fullmatch(r"D\d{8}", number)
    expect(page.locator("#message")).to_contain_text(number)
    expect(page.locator("#message")).to_contain_text("打印机打不出 😀")  # the coat's label prints it as □
    expect(page.locator("#items tr")).to_have_count(0)
    expect(page.locator("#pieces")).to_have_text("0")
    expect(page.locator("#selected-donor")).to_have_text(said["anonymous"])
    # and the slip preview names the donor and the items
    slip = page.locator("#slip")
    for text in ("测试捐赠人", "男士棉外套", "唐诗三百首", "红烧牛肉面 5连包", number):
        expect(slip).to_contain_text(text)
    # one label per piece that got the shop's own code: the coat, the book twice (the noodles have theirs)
    assert len(label_codes) == 3 and label_codes[1] == label_codes[2] and len(set(label_codes)) == 2
    for code in label_codes:
        assert re.fullmatch(r"20\d{11}", code) and int(code[-1]) == check_digit(code[:12]), code
    # and the label printer received them as one job, the same codes in the same order
    for _ in range(200):
        if files := list(live_shop["labels"].glob(f"*-label-{number}.bin")):
            break
        time.sleep(0.05)
    assert len(files) == 1
    printed = decode(files[0].read_bytes())
    barcodes = [event.data for event in printed.events if type(event).__name__ == "Barcode"]
    assert [code if len(code) == 13 else code + str(check_digit(code)) for code in barcodes] == label_codes

    # when the donor wants their slip on paper
    page.click("#print-slip")
    expect(page.locator("#message")).to_have_text(said["slip_printing"])
    for _ in range(200):
        if slips := list(live_shop["labels"].glob(f"*-donation_slip-{number}.bin")):
            break
        time.sleep(0.05)
    assert len(slips) == 1
    assert "测试捐赠人" in "\n".join(line.text for line in decode(slips[0].read_bytes()).lines)

    # and the saved donation does not come back after a reload: the draft is empty
    page.reload()
    expect(page.locator("#items tr")).to_have_count(0)


def test_a_bad_price_or_an_empty_donation_is_refused_and_adds_nothing(page, live_shop):
    log_in(page, live_shop)
    said = words(page)
    # saving with no items says so
    page.click("#save")
    expect(page.locator("#message")).to_have_text(said["no_items"])
    expect(page.locator("#message")).to_have_class(re.compile(r"\berror\b"))
    # a price that is not an amount: said, nothing added, the price field ready to retype
    page.click("button.category[data-code='books']")
    page.click("button.condition[data-condition='fair']")
    expect(page.locator("#price")).to_have_value("2.00")
    page.keyboard.type("旧杂志")
    for bad in ("-5", "abc", "0"):
        page.fill("#price", bad)
        page.press("#price", "Enter")
        expect(page.locator("#message")).to_have_text(said["bad_price"])
        expect(page.locator("#price")).to_be_focused()
        expect(page.locator("#items tr")).to_have_count(0)
    # a price the volunteer typed stays when the condition changes
    page.fill("#price", "3.5")
    page.click("button.condition[data-condition='good']")
    expect(page.locator("#price")).to_have_value("3.5")
    # an empty description is refused too
    page.fill("#description", "")
    page.press("#price", "Enter")
    expect(page.locator("#message")).to_have_text(said["no_description"])
    expect(page.locator("#items tr")).to_have_count(0)
    # the item is kept in the draft across a reload, with its idempotency key
    page.fill("#description", "旧杂志")
    page.press("#description", "Enter")
    expect(page.locator("#items tr")).to_have_count(1)
    expect(page.locator("#items tr[data-description='旧杂志']")).to_contain_text("¥3.50")
    key = page.evaluate("JSON.parse(localStorage.getItem('aixin.intake')).key")
    page.reload()
    expect(page.locator("#items tr")).to_have_count(1)
    assert page.evaluate("JSON.parse(localStorage.getItem('aixin.intake')).key") == key
    page.click("#items tr button.remove")
    expect(page.locator("#items tr")).to_have_count(0)


def test_the_manager_may_use_the_intake_desk_too(page, live_shop):
    log_in(page, live_shop, username="manager")
    expect(page.locator("button.category")).to_have_count(5)  # no handicrafts: makers bring those
    expect(page.locator("button.condition")).to_have_count(4)
    expect(page.locator("#selected-donor")).to_have_text(words(page)["anonymous"])


# Twenty items as they come out of the bags: the category or the condition changes between most of them.
TWENTY = [("clothes", "like-new", "女式毛衣"), ("clothes", "like-new", "男式衬衫"), ("clothes", "good", "牛仔裤"),
          ("books", "good", "新华字典"), ("books", "fair", "旧画册"), ("toys", "new", "拼图 500片"),
          ("toys", "good", "积木"), ("household", "good", "电饭煲"), ("household", "like-new", "台灯"),
          ("clothes", "new", "儿童T恤 2件"), ("books", "new", "唐诗三百首"), ("books", "new", "成语词典"),
          ("household", "fair", "保温瓶"), ("toys", "fair", "毛绒熊"), ("toys", "like-new", "跳棋"),
          ("clothes", "fair", "围巾"), ("household", "new", "不锈钢锅"), ("books", "like-new", "英语课本"),
          ("clothes", "good", "运动外套"), ("toys", "good", "水彩笔 24色")]


def test_twenty_items_by_keyboard_alone_each_change_of_category_or_condition_costs_at_most_two_keys(page, live_shop):
    log_in(page, live_shop)
    # each button shows its key: F1… for the categories, Alt+1… for the conditions, in the order shown
    keys = {}
    for button in page.locator("button.category, button.condition").all():
        key = button.get_attribute("data-key")
        expect(button.locator("kbd")).to_have_text(key)
        keys[button.get_attribute("data-code") or button.get_attribute("data-condition")] = key
    assert keys["new"] == "Alt+1" and keys["fair"] == "Alt+4" and all(
        re.fullmatch(r"F[1-9]", keys[c]) for c in ("clothes", "books", "toys", "household"))
    description = page.locator("#description")
    category = condition = None
    changes = []
    for number, (code, grade, text) in enumerate(TWENTY, start=1):
        pressed = [keys[code]] * (code != category) + [keys[grade]] * (grade != condition)
        if number == 7:  # a change of mind mid-word: the key changes the condition, the words typed stay
            page.keyboard.type("积")
            text = text[1:]
        for key in pressed:  # F1 from the donor search too: the first key works from anywhere on the desk
            page.keyboard.press(key)
        changes.append(len(pressed))
        category, condition = code, grade
        chosen(page, "category", code)
        chosen(page, "condition", grade)
        expect(description).to_be_focused()
        expect(page.locator("#price")).not_to_have_value("")  # the category's starting price for the condition
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        expect(page.locator("#items tr")).to_have_count(number)
        expect(description).to_have_value("")
    # then every change took one key, two when both changed, and almost every item changed something
    assert max(changes) <= 2 and sum(1 for c in changes if c) >= 15, changes
    # and Enter still saves: Enter on the empty description goes to the save button, Enter saves the twenty
    page.keyboard.press("Enter")
    expect(page.locator("#save")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/api/donations") and r.request.method == "POST") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 201
    lines = answer.value.json()["donation"]["lines"]
    assert [(line["category"], line["condition"], line["description"]) for line in lines] == TWENTY
