"""Names the printers cannot print (issue 21): kept as typed, and the answer says what prints as □."""

import logging

import msgspec
import pytest

from shop.staff import Role, create_staff
from tests.web.conftest import running
from web.app import create_app


@pytest.fixture
async def desk(browser, goods):
    """The intake volunteer, logged in."""
    await create_staff(shop_id=goods.shop_id, username="intake", password="intake-pw", role=Role.INTAKE,
                       display_name="小李")
    await browser.login("intake", "intake-pw")
    return browser


async def test_a_name_with_characters_gbk_lacks_is_saved_with_a_warning_and_one_without_has_none(desk):
    # when: a donor and a maker whose names hold an emoji and U+20000, and goods named with them
    donor = (await desk.post("/api/donors", json={"name": "王😀𠀀"})).json()
    dotted = (await desk.post("/api/donors", json={"name": "阿依古丽·买买提"})).json()
    maker = (await desk.post("/api/makers", json={"name": "李师傅😀"})).json()
    goods = await desk.post(f"/api/makers/{maker['id']}/goods", json={"category": "crafts", "name": "𠀀字挂饰",
                                                                       "price_fen": 1500})

    # then: saved as typed, each answer naming what prints as the placeholder, in the shop's language
    assert donor["name"] == "王😀𠀀"
    assert donor["warnings"] == ["已保存。打印机打不出 😀 𠀀：小票和标签上每个都印成 □。"]
    assert dotted["warnings"] == []  # "·" is in GBK: it prints
    assert maker["name"] == "李师傅😀" and "😀" in maker["warnings"][0]
    assert goods.status_code == 201 and "𠀀" in goods.json()["warnings"][0]

    # and the maker's page says so, for their name and for the goods just brought in
    barcode = goods.json()["barcode"]
    page = await desk.get(f"/intake/makers/{maker['id']}?added={barcode}")
    assert page.status_code == 200 and "打印机打不出 😀 𠀀" in page.text


async def test_a_member_named_with_a_rare_character_is_told_their_card_prints_it_as_the_placeholder(browser, goods):
    # given: a love-bank coordinator
    await create_staff(shop_id=goods.shop_id, username="coord", password="coord-pw", role=Role.COORDINATOR,
                       display_name="刘老师")
    await browser.login("coord", "coord-pw")

    # when: a member opened under a name with U+20000, then corrected to one that prints
    opened = (await browser.post("/api/lovebank/members", json={"name": "𠀀阿姨"})).json()
    corrected = (await browser.put_json(f"/api/lovebank/members/{opened['id']}", {"name": "李·阿姨"})).json()

    # then
    assert opened["name"] == "𠀀阿姨" and "𠀀" in opened["warnings"][0]
    assert corrected["name"] == "李·阿姨" and corrected["warnings"] == []


async def test_a_shop_name_in_config_toml_the_printers_lack_is_logged_at_start(db, settings, goods):
    # given: the "aixin" log does not propagate to pytest's capture, so a handler of our own reads it
    named = msgspec.structs.replace(settings, shop=msgspec.structs.replace(settings.shop, name="爱心超市😀"))
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logging.getLogger("aixin").addHandler(handler)

    # when
    try:
        async with running(create_app(named, engine=db)):
            pass
    finally:
        logging.getLogger("aixin").removeHandler(handler)

    # then
    assert any("爱心超市😀" in record.getMessage() and "□: 😀" in record.getMessage() for record in records)
