"""The intake desk's pages over real HTTP: donations, a donor's impact, makers' goods, statements and payouts."""

import pytest

from donations.tables import Maker, MakerPayout
from inventory.tables import Item
from shop.staff import Role, create_staff


@pytest.fixture
async def desk(browser, goods):
    await create_staff(shop_id=goods.shop_id, username="intake", password="intake-pw", role=Role.INTAKE,
                       display_name="小李")
    await browser.login("intake", "intake-pw")
    return browser


async def form(client, url, data):
    return await client.client.post(url, data={**data, "_csrf_token": client.csrf}, follow_redirects=False)


async def test_a_donation_page_lists_its_items_and_previews_its_slip_and_the_donor_page_its_impact(desk, goods):
    donor = (await desk.post("/api/donors", json={"name": "李阿姨", "phone": "13812345678"})).json()
    saved = (await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "donor_id": donor["id"], "items": [
        {"category": "clothes", "description": "女士棉服", "condition": "like-new", "price_fen": 2500},
        {"category": "books", "description": "旧杂志", "condition": "fair", "refused_reason": "发霉"}]})).json()
    number = saved["donation"]["number"]
    listing = await desk.get("/intake/donations")
    assert listing.status_code == 200 and number in listing.text and "李阿姨" in listing.text
    page = await desk.get(f"/intake/donations/{number}")
    assert page.status_code == 200
    assert "女士棉服" in page.text and "九成新" in page.text and "拒收" in page.text and "发霉" in page.text
    assert "捐赠回执" in page.text and "感谢您的爱心捐赠" in page.text
    donor_page = await desk.get(f"/intake/donors/{donor['id']}")
    assert donor_page.status_code == 200 and "138****5678" in donor_page.text and "13812345678" not in donor_page.text
    assert (await desk.get("/intake/donations/D00000099")).status_code == 404


async def test_a_maker_is_registered_brings_goods_and_a_bad_form_shows_why_and_saves_nothing(desk, goods, settings):
    registered = await form(desk, "/intake/makers", {"name": "李师傅", "phone": "13900001234"})
    assert registered.status_code in (302, 303)
    maker_url = registered.headers["location"]
    bad = await form(desk, maker_url + "/goods", {"category": "crafts", "name": "中国结", "price": "-3", "quantity": "2"})
    assert bad.status_code == 200 and "价格须在" in bad.text
    bad = await form(desk, maker_url + "/goods", {"category": "clothes", "name": "中国结", "price": "15", "quantity": "2"})
    assert bad.status_code == 200 and "手工艺品类别" in bad.text
    assert await Item.count() == 4
    good = await form(desk, maker_url + "/goods", {"category": "crafts", "name": "中国结", "price": "15", "quantity": "2"})
    assert good.status_code in (302, 303)
    page = await desk.get(good.headers["location"])
    assert "标签正在打印" in page.text and "139****1234" in page.text
    assert (await Item.select().where(Item.name == "中国结").first())["on_hand"] == 2
    # the intake desk may not pay out
    assert (await form(desk, maker_url + "/payouts", {"amount": "1", "method": "cash"})).status_code == 403
    bad_name = await form(desk, "/intake/makers", {"name": "  "})
    assert bad_name.status_code == 200 and "手工艺人姓名" in bad_name.text and await Maker.count() == 2


async def test_a_manager_pays_a_maker_from_the_statement_page_and_sets_their_terms(browser, goods):
    await browser.login("cashier", "cashier-pw")
    await browser.post("/api/sales", json={"till": "T1", "idempotency_key": "sale-key-0001", "cash_given_fen": 2000,
                                           "lines": [{"barcode": goods.coasters, "quantity": 4}]})
    await browser.login("manager", "manager-pw")
    url = f"/intake/makers/{goods.maker_id}"
    page = await browser.get(url)
    assert page.status_code == 200 and "手工编织杯垫" in page.text and "¥16.00" in page.text  # 80% of ¥20.00
    too_much = await form(browser, url + "/payouts", {"amount": "20", "method": "cash"})
    assert too_much.status_code == 200 and "超过了这个数" in too_much.text and await MakerPayout.count() == 0
    paid = await form(browser, url + "/payouts", {"amount": "16", "method": "transfer", "note": "十一月"})
    assert paid.status_code in (302, 303)
    page = await browser.get(url)
    assert "十一月" in page.text and await MakerPayout.count() == 1
    assert (await form(browser, url + "/terms", {"fund_percent": "10", "maker_percent": "95"})).status_code == 200
    assert (await form(browser, url + "/terms", {"fund_percent": "10", "maker_percent": "85"})).status_code in (302, 303)
    assert (await Maker.select(Maker.maker_percent).where(Maker.id == goods.maker_id).first())["maker_percent"] == 85


async def test_a_manager_erases_a_donor_from_their_page_and_the_page_then_shows_them_anonymous(browser, goods):
    await browser.login("manager", "manager-pw")
    donor = (await browser.post("/api/donors", json={"name": "李阿姨", "phone": "13812345678"})).json()
    page = await browser.get(f"/intake/donors/{donor['id']}")
    assert "13812345678" in page.text and f"/api/donors/{donor['id']}/export" in page.text
    erased = await form(browser, f"/intake/donors/{donor['id']}/erase", {})
    assert erased.status_code in (302, 303)
    page = await browser.get(f"/intake/donors/{donor['id']}")
    assert "李阿姨" not in page.text and "13812345678" not in page.text and "匿名" in page.text
