"""The intake desk over real HTTP: donors, a donation with its labels and slip, makers and payouts."""

import io
from pathlib import Path

import msgspec
import pytest
from PIL import Image as PILImage

from donations.tables import DonatedItem, Donation, Donor, MakerPayout
from inventory.barcodes import is_in_store
from inventory.tables import Item
from shop.staff import Role, create_staff
from tests.printing.escpos_decode import Barcode, Image, decode
from tests.printing.samples import picture, scan
from tests.web.conftest import Till, client_of, print_queued, running
from web.app import create_app


@pytest.fixture
async def desk(browser, goods):
    """The intake volunteer, logged in."""
    await create_staff(shop_id=goods.shop_id, username="intake", password="intake-pw", role=Role.INTAKE,
                       display_name="小李")
    response = await browser.login("intake", "intake-pw")
    assert response.status_code in (302, 303) and response.headers["location"] == "/intake"
    return browser


async def printed(desk: Till, folder: Path, pattern: str) -> list[Path]:
    """The files in `folder` matching `pattern`, once the print worker has printed every due job."""
    await print_queued(desk.app)
    return sorted(folder.glob(pattern))


THREE_ITEMS = [
    {"category": "clothes", "description": "女士棉服", "condition": "like-new", "price_fen": 2500},
    {"category": "books", "description": "儿童绘本", "condition": "good", "quantity": 2, "price_fen": 500},
    {"category": "clothes", "description": "旧毛衣", "condition": "fair", "refused_reason": "有破洞"},
]


async def test_a_donor_is_registered_and_found_with_the_phone_masked_except_for_a_manager(desk, goods):
    created = await desk.post("/api/donors", json={"name": "李阿姨", "phone": "138 1234 5678", "may_contact": True})
    assert created.status_code == 201
    assert created.json()["phone"] == "138****5678" and created.json()["may_contact"] is True
    found = (await desk.get("/api/donors", params={"q": "5678"})).json()
    assert [(d["name"], d["phone"]) for d in found] == [("李阿姨", "138****5678")]
    await desk.login("manager", "manager-pw")
    assert (await desk.get(f"/api/donors/{created.json()['id']}")).json()["donor"]["phone"] == "13812345678"


async def test_a_donation_with_three_items_prints_one_label_per_piece_as_one_job_that_scans(desk, goods, settings):
    donor = (await desk.post("/api/donors", json={"name": "李阿姨"})).json()
    # when the desk saves the donation
    response = await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "donor_id": donor["id"],
                                                       "items": THREE_ITEMS})
    assert response.status_code == 201, response.text
    body = response.json()
    lines = body["donation"]["lines"]
    coat, book = lines[0]["barcode"], lines[1]["barcode"]
    assert is_in_store(coat) and is_in_store(book) and lines[2]["barcode"] == ""
    assert body["label_codes"] == [coat, book, book] and body["labels_job"] is not None
    # then the label printer gets one job with those three codes, in order
    files = await printed(desk, Path(settings.labels.path), f"*label-{body['donation']['number']}*")
    assert len(files) == 1
    job = decode(files[0].read_bytes())
    assert [e.data for e in job.events if isinstance(e, Barcode)] == [coat, book, book]
    text = "\n".join(job.texts)
    assert "女士棉服" in text and "衣物 · 九成新" in text and "￥25.00" in text and "儿童绘本" in text
    # and each label's picture scans as its stored code
    for code in (coat, book):
        png = await desk.get(f"/api/labels/{code}/png")
        with PILImage.open(io.BytesIO(png.content)) as image:
            assert scan(image) == [("EAN13", code)]
    # and the same submit again (a lost reply) records nothing more and prints nothing more
    again = await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "donor_id": donor["id"],
                                                    "items": THREE_ITEMS})
    assert again.status_code == 200 and again.json()["replayed"] is True and again.json()["labels_job"] is None
    assert await Donation.count() == 1 and await DonatedItem.count() == 3
    assert len(await printed(desk, Path(settings.labels.path), "*label-*")) == 1


async def test_labels_printed_as_raster_images_scan_as_the_stored_codes(goods, settings, db):
    # given the intake desk's printer draws barcodes as images
    raster = msgspec.structs.replace(settings, labels=msgspec.structs.replace(settings.labels, barcode="raster"))
    async with running(create_app(raster, engine=db)) as app, client_of(app) as client:
        desk = Till(app, client, Path(settings.printer.path))
        await desk.login("manager", "manager-pw")
        body = (await desk.post("/api/donations", json={"idempotency_key": "desk-key-0002",
                                                        "items": THREE_ITEMS[:2]})).json()
        files = await printed(desk, Path(settings.labels.path), f"*label-{body['donation']['number']}*")
    images = [e for e in decode(files[0].read_bytes()).events if isinstance(e, Image)]
    assert [scan(picture(image)) for image in images] == [[("EAN13", code)] for code in body["label_codes"]]


async def test_the_slip_previews_and_prints_in_chinese_and_tells_a_donor_what_their_gifts_raised(desk, goods, settings):
    donor = (await desk.post("/api/donors", json={"name": "李阿姨"})).json()
    first = (await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "donor_id": donor["id"],
                                                     "items": THREE_ITEMS})).json()
    # when her coat sells (donated goods: 70% to the fund, ¥17.50)
    await desk.login("cashier", "cashier-pw")
    sale = await desk.post("/api/sales", json={"till": "T1", "idempotency_key": "sale-key-0001", "cash_given_fen": 2500,
                                               "lines": [{"barcode": first["donation"]["lines"][0]["barcode"]}]})
    assert sale.status_code == 201
    await desk.login("intake", "intake-pw")
    # then her next donation's slip says so, and lists what was accepted, not what was refused
    second = (await desk.post("/api/donations", json={
        "idempotency_key": "desk-key-0002", "donor_id": donor["id"], "print_slip": True,
        "items": [{"category": "books", "description": "唐诗三百首", "condition": "good", "price_fen": 600}]})).json()
    number = second["donation"]["number"]
    preview = "\n".join((await desk.get(f"/api/donations/{number}/slip")).json())
    assert "捐赠回执" in preview and number in preview and "李阿姨" in preview and "唐诗三百首" in preview
    assert "您捐赠的物品已售出1件，为社区慈善基金筹得￥17.50" in "".join(preview.split())
    assert settings.donations.thank_you[:6] in preview
    files = await printed(desk, Path(settings.labels.path), f"*slip-{number}*")
    assert len(files) == 1
    slip = decode(files[0].read_bytes())
    assert "李阿姨" in "\n".join(slip.texts) and [e.data.removeprefix("{B") for e in slip.events if isinstance(e, Barcode)] == [number]
    first_slip = "\n".join((await desk.get(f"/api/donations/{first['donation']['number']}/slip")).json())
    assert "旧毛衣" not in first_slip and "女士棉服" in first_slip
    # and printing it again is one more job
    again = await desk.post(f"/api/donations/{number}/slip")
    assert again.status_code == 202 and again.json()["document"] == "donation slip"


@pytest.mark.parametrize("items, code", [
    ([{**THREE_ITEMS[0], "price_fen": -100}], "bad-price"),
    ([{**THREE_ITEMS[0], "quantity": 0}], "bad-quantity"),
    ([{**THREE_ITEMS[0], "category": "jewels"}], "unknown-category"),
    ([{**THREE_ITEMS[0], "barcode": "6901234500012"}], "bad-check-digit"),
    ([{**THREE_ITEMS[0], "price_fen": 25.5}], "malformed-request"),
    ([{**THREE_ITEMS[0], "price_fen": "abc"}], "malformed-request"),
    ([{**THREE_ITEMS[0], "colour": "red"}], "malformed-request"),
    ([], "empty-donation"),
])
async def test_bad_input_is_a_problem_in_chinese_and_saves_nothing(desk, goods, items, code):
    response = await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "items": items})
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    assert await Donation.count() == 0 and await Item.count() == 4


async def test_a_slip_for_a_donation_that_does_not_exist_is_a_404(desk, goods):
    for number in ("D00000099", "X1"):
        response = await desk.get(f"/api/donations/{number}/slip")
        assert response.status_code == 404 and response.json()["code"] == "unknown-donation"
    response = await desk.post("/api/donations/D00000099/slip")
    assert response.status_code == 404


async def test_only_the_intake_desk_and_managers_record_donations(browser, goods):
    await browser.login("cashier", "cashier-pw")
    response = await browser.post("/api/donations", json={"idempotency_key": "desk-key-0001", "items": THREE_ITEMS})
    assert response.status_code == 403 and await Donation.count() == 0
    assert (await browser.post("/api/donors", json={"name": "x"})).status_code == 403 and await Donor.count() == 0


async def test_a_known_makers_barcode_is_looked_up_for_the_desk(desk, goods):
    found = await desk.get(f"/api/intake/items/{goods.noodles}")
    assert found.status_code == 200 and found.json()["name"] == "红烧牛肉面 5连包" and found.json()["price_fen"] == 1250
    assert (await desk.get("/api/intake/items/6901234500028")).json()["code"] == "unknown-barcode"
    assert (await desk.get(f"/api/intake/items/{goods.coat}")).json()["code"] == "in-store-code-given"


async def test_a_manager_sets_a_categorys_starting_prices_and_the_desk_sees_them(desk, goods):
    assert (await desk.put_json("/api/intake/categories/clothes/prices", {"new": 3000})).status_code == 403
    await desk.login("manager", "manager-pw")
    response = await desk.put_json("/api/intake/categories/clothes/prices", {"new": 3000, "like-new": 2000, "fair": 500})
    assert response.status_code == 200 and response.json()["default_prices"] == {"new": 3000, "like-new": 2000, "fair": 500}
    bad = await desk.put_json("/api/intake/categories/clothes/prices", {"new": -1})
    assert bad.status_code == 400 and bad.json()["code"] == "bad-price"
    clothes = next(c for c in (await desk.get("/api/intake/categories")).json() if c["code"] == "clothes")
    assert clothes["default_prices"] == {"new": 3000, "like-new": 2000, "fair": 500}


async def test_a_maker_brings_goods_sells_and_is_paid_by_a_manager(desk, goods, settings):
    maker = (await desk.post("/api/makers", json={"name": "李师傅", "phone": "13900001234"})).json()
    assert maker["phone"] == "139****1234"
    goods_in = await desk.post(f"/api/makers/{maker['id']}/goods", json={"category": "crafts", "name": "中国结挂饰",
                                                                         "price_fen": 1500, "quantity": 2})
    assert goods_in.status_code == 201 and goods_in.json()["labels_job"] is not None
    code = goods_in.json()["barcode"]
    files = await printed(desk, Path(settings.labels.path), f"*label-maker_{maker['id']}*")
    assert [e.data for e in decode(files[0].read_bytes()).events if isinstance(e, Barcode)] == [code, code]
    await desk.login("cashier", "cashier-pw")
    await desk.post("/api/sales", json={"till": "T1", "idempotency_key": "sale-key-0001", "cash_given_fen": 1500,
                                        "lines": [{"barcode": code}]})
    await desk.login("intake", "intake-pw")
    statement = (await desk.get(f"/api/makers/{maker['id']}/statement")).json()
    assert [(e["kind"], e["owed_fen"]) for e in statement["entries"]] == [("sale", 1200)]
    assert statement["owed_now_fen"] == 1200
    # the intake desk may not pay out; a manager may, never more than is owed
    payout = {"amount_fen": 1000, "method": "cash", "note": "十一月"}
    assert (await desk.post(f"/api/makers/{maker['id']}/payouts", json=payout)).status_code == 403
    await desk.login("manager", "manager-pw")
    paid = await desk.post(f"/api/makers/{maker['id']}/payouts", json=payout)
    assert paid.status_code == 201 and paid.json()["owed_fen"] == 200
    too_much = await desk.post(f"/api/makers/{maker['id']}/payouts", json=payout)
    assert too_much.status_code == 409 and too_much.json()["detail"] == "本店欠这位手工艺人 ¥2.00；结算 ¥10.00 超过了这个数。"
    assert await MakerPayout.count() == 1
    terms = await desk.put_json(f"/api/makers/{maker['id']}/terms", {"fund_percent": 10, "maker_percent": 85})
    assert terms.status_code == 200 and terms.json()["maker_percent"] == 85


async def test_a_manager_exports_a_donors_data_then_erases_it_and_their_gifts_stay_in_the_books(desk, goods):
    donor = (await desk.post("/api/donors", json={"name": "李阿姨", "phone": "13812345678", "may_contact": True})).json()
    gift = (await desk.post("/api/donations", json={"idempotency_key": "desk-key-0001", "donor_id": donor["id"],
                                                    "items": THREE_ITEMS})).json()["donation"]
    assert (await desk.post(f"/api/donations/{gift['number']}/slip")).status_code in (200, 201, 202)
    assert (await desk.get(f"/api/donors/{donor['id']}/export")).status_code == 403
    assert (await desk.post(f"/api/donors/{donor['id']}/erase")).status_code == 403
    await desk.login("manager", "manager-pw")
    export = (await desk.get(f"/api/donors/{donor['id']}/export")).json()
    assert export["donor"]["phone"] == "13812345678"
    assert [line["description"] for line in export["donations"][0]["lines"]] == ["女士棉服", "儿童绘本", "旧毛衣"]
    erased = await desk.post(f"/api/donors/{donor['id']}/erase")
    assert erased.status_code == 200
    assert (erased.json()["name"], erased.json()["phone"], erased.json()["anonymous"], erased.json()["may_contact"]) == (
        "", "", True, False)
    assert (await desk.get("/api/donors", params={"q": "李阿姨"})).json() == []
    assert (await desk.get("/api/donors", params={"q": "5678"})).json() == []
    page = (await desk.get(f"/api/donors/{donor['id']}")).json()
    assert page["impact"]["pieces_given"] == 3 and len(page["donations"]) == 1
    # and the print queue keeps no slip with their name: redacted, and it cannot be printed again
    from printing.tables import PrintJob

    slips = await PrintJob.select(PrintJob.id, PrintJob.data, PrintJob.status).where(
        (PrintJob.ref == gift["number"]) & (PrintJob.document == "donation slip"))  # the labels name no donor
    assert slips and all(s["status"] == "redacted" and "李阿姨".encode("gb18030") not in bytes(s["data"])
                         for s in slips)
    assert (await desk.post(f"/api/printing/jobs/{slips[0]['id']}/reprint")).status_code == 404


async def test_no_full_phone_leaves_the_api_or_a_page_for_the_intake_desk(desk, goods):
    # given: a donor and a maker with phones
    donor = (await desk.post("/api/donors", json={"name": "王阿姨", "phone": "13800001234"})).json()
    maker = (await desk.post("/api/makers", json={"name": "刘师傅", "phone": "13900005678"})).json()
    # when: the desk reads them every way it can
    seen = [
        await desk.get("/api/donors", params={"q": "1234"}), await desk.get("/api/donors", params={"q": "王"}),
        await desk.get(f"/api/donors/{donor['id']}"), await desk.get("/api/makers"),
        await desk.get(f"/api/makers/{maker['id']}"), await desk.get(f"/intake/donors/{donor['id']}"),
        await desk.get("/intake/makers"), await desk.get(f"/intake/makers/{maker['id']}"),
    ]
    # then: masked everywhere, and the exports are a manager's
    for response in seen:
        assert response.status_code == 200, response.url
        assert "13800001234" not in response.text and "13900005678" not in response.text, response.url
    assert "138****1234" in seen[0].text and "139****5678" in seen[3].text
    assert (await desk.get(f"/api/donors/{donor['id']}/export")).status_code == 403
    # and a search for digits inside the phone, or for %, finds nobody
    for q in ("0000", "3800", "%", "_"):
        assert (await desk.get("/api/donors", params={"q": q})).json() == [], q
