"""A station's goods over real HTTP (issue 19): priced, labelled and consigned at the station, the fed shop's.

A is the test shop (config.toml's, with its till T1 open and its categories); "north" is another shop; "east" is a
station feeding A, with an intake volunteer and a manager; "lone" is a station feeding no shop. East's manager sets
starting prices (A's categories), east's desk prints labels of A's goods at east's printer, and a maker registered at
east brings goods that become A's stock and sell at A's till, the maker's share owed in the ledger. `aixin shop set`
(change_shop) then makes east feed north: later intake goes to north, earlier goods stay at A. What is refused
changes nothing.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image as PILImage

from donations.makers import owed_to
from donations.tables import Consignment, Maker
from inventory.catalogue import add_category, add_item, categories_of
from inventory.tables import Item, StockMovement
from pos.tables import SaleLine
from printing.tables import PrintJob
from shop import ledger
from shop.errors import DomainError, ShopError
from shop.settings import load_settings
from shop.shops import ShopKind, add_shop, change_shop, list_shops
from shop.staff import Role, create_staff
from tests.printing.escpos_decode import Barcode, decode
from tests.printing.samples import scan
from tests.web.conftest import print_queued
from tests.web.test_district_shops import ROOT, aixin


@pytest.fixture
async def district(shop, goods, settings):
    north = await add_shop(code="north", name="北门店")
    north_clothes = await add_category(shop_id=north.id, code="clothes", name="衣物", source="donated")
    await add_item(shop_id=north.id, barcode="6901234567892", name="北店围巾", category_id=north_clothes,
                   price_fen=990, quantity=1)
    east = await add_shop(code="east", name="东社工站", kind=ShopKind.STATION, feeds=settings.shop.code)
    lone = await add_shop(code="lone", name="孤站", kind=ShopKind.STATION)
    await create_staff(shop_id=east.id, username="e-intake", password="e-intake-pw", role=Role.INTAKE)
    await create_staff(shop_id=east.id, username="e-manager", password="e-manager-pw", role=Role.MANAGER)
    await create_staff(shop_id=lone.id, username="l-manager", password="l-manager-pw", role=Role.MANAGER)
    return SimpleNamespace(
        north_id=north.id, east_id=east.id, lone_id=lone.id,
        east=await shop.logged_in("e-intake", "e-intake-pw"),
        east_manager=await shop.logged_in("e-manager", "e-manager-pw"),
        lone=await shop.logged_in("l-manager", "l-manager-pw"),
        a_cashier=await shop.logged_in("cashier", "cashier-pw"),
    )


def donation(*items, labels=True):
    return {"idempotency_key": uuid.uuid4().hex, "print_labels": labels, "items": list(items)}


def shirt(price_fen=1800):
    return {"category": "clothes", "description": "东站衬衫", "condition": "good", "price_fen": price_fen}


async def test_prices_set_and_labels_printed_at_a_station_are_the_fed_shops(district, goods, settings):
    d = district
    # when east's manager sets the starting price of clothes in good condition
    priced = await d.east_manager.put_json("/api/intake/categories/clothes/prices", {"good": 1800, "fair": 900})
    # then it is A's category that has it (north's and east's have none), and east's desk offers it
    assert priced.status_code == 200, priced.text
    assert priced.json()["default_prices"] == {"good": 1800, "fair": 900}
    prices = {c.code: c.default_prices for c in await categories_of(shop_id=goods.shop_id)}
    assert prices["clothes"] == {"good": 1800, "fair": 900}
    assert [c.default_prices for c in await categories_of(shop_id=d.north_id)] == [{}]
    assert await categories_of(shop_id=d.east_id) == []
    offered = {c["code"]: c for c in (await d.east.get("/api/intake/categories")).json()}
    assert offered["clothes"]["default_prices"] == {"good": 1800, "fair": 900}
    # when east's desk takes a shirt in without its label, then prints the label of it and of A's coat
    given = await d.east.post("/api/donations", json=donation(shirt(), labels=False))
    assert given.status_code == 201, given.text
    (code,) = [line["barcode"] for line in given.json()["donation"]["lines"]]
    printed = await d.east.post("/api/labels", json={"barcodes": [code, goods.coat], "ref": "east-batch"})
    # then the labels print as one job at east's desk, with A's codes, names and prices
    assert printed.status_code == 202, printed.text
    jobs = await PrintJob.select(PrintJob.shop_id, PrintJob.document).where(PrintJob.ref == "east-batch")
    assert [(j["shop_id"], j["document"]) for j in jobs] == [(d.east_id, "label")]
    await print_queued(d.east.app)
    (file,) = sorted(Path(settings.labels.path).glob("*label-east-batch*"))
    job = decode(file.read_bytes())
    assert [e.data for e in job.events if isinstance(e, Barcode)] == [code, goods.coat]
    text = "\n".join(job.texts)
    assert "东站衬衫" in text and "￥18.00" in text and "儿童羽绒服" in text
    # and the label's picture, read at east, scans as A's code
    png = await d.east.get(f"/api/labels/{code}/png")
    assert png.status_code == 200, png.text
    with PILImage.open(io.BytesIO(png.content)) as image:
        assert scan(image) == [("EAN13", code)]
    # and north's goods are not reachable from east, nor anything from a station feeding no shop
    assert (await d.east.get("/api/labels/6901234567892/png")).json()["code"] == "unknown-barcode"
    refused = [await d.lone.put_json("/api/intake/categories/clothes/prices", {"good": 1}),
               await d.lone.post("/api/labels", json={"barcodes": [goods.coat]}),
               await d.lone.get(f"/api/labels/{goods.coat}/svg")]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(409, "station-feeds-no-shop")] * 3
    assert {c.code: c.default_prices for c in await categories_of(shop_id=goods.shop_id)}["clothes"] == {
        "good": 1800, "fair": 900}
    assert await PrintJob.count().where(PrintJob.shop_id == d.lone_id) == 0


async def test_a_makers_goods_taken_in_at_a_station_are_the_fed_shops_stock_and_sell_there(district, goods,
                                                                                             settings):
    d = district
    # given a maker registered at east
    maker = await d.east.post("/api/makers", json={"name": "东站李师傅"})
    assert maker.status_code == 201, maker.text
    maker_id = maker.json()["id"]
    # when they bring two knotted ornaments to east's desk
    brought = await d.east.post(f"/api/makers/{maker_id}/goods", json={
        "category": "crafts", "name": "东站中国结", "price_fen": 2000, "quantity": 2})
    assert brought.status_code == 201, brought.text
    code = brought.json()["barcode"]
    # then the maker is east's, the goods A's: in A's catalogue, taken into A's stock, consigned by the maker
    assert (await Maker.select(Maker.shop).where(Maker.id == maker_id).first())["shop"] == d.east_id
    item = await Item.select(Item.id, Item.shop, Item.on_hand).where(Item.barcode == code).first()
    assert (item["shop"], item["on_hand"]) == (goods.shop_id, 2)
    assert (await Consignment.select(Consignment.maker).where(Consignment.item == item["id"]).first())["maker"] == \
        maker_id
    moves = await StockMovement.select(StockMovement.shop, StockMovement.quantity).where(
        StockMovement.item == item["id"])
    assert [(m["shop"], m["quantity"]) for m in moves] == [(goods.shop_id, 2)]
    assert await Item.count().where(Item.shop == d.east_id) == 0
    # and their labels print at east's desk, one a piece
    await print_queued(d.east.app)
    jobs = await PrintJob.select(PrintJob.shop_id).where(PrintJob.ref == f"maker:{maker_id}")
    assert [j["shop_id"] for j in jobs] == [d.east_id]
    (file,) = sorted(Path(settings.labels.path).glob(f"*label-maker_{maker_id}*"))
    assert [e.data for e in decode(file.read_bytes()).events if isinstance(e, Barcode)] == [code, code]
    # when A's till sells one
    sold = await d.a_cashier.post("/api/sales", json={"till": "T1", "idempotency_key": uuid.uuid4().hex,
                                                      "cash_given_fen": 2000, "lines": [{"barcode": code}]})
    assert sold.status_code == 201, sold.text
    # then the maker's share (80% of a handicraft) is owed to them in the ledger
    line = await SaleLine.select(SaleLine.maker_fen).where(SaleLine.barcode == code).first()
    assert line["maker_fen"] == 1600
    assert await owed_to(maker_id) == 1600 == -await ledger.balance(ledger.maker_payable(maker_id))
    # and A's own maker is not east's; a station feeding no shop takes no maker's goods in
    assert (await d.east.post(f"/api/makers/{goods.maker_id}/goods", json={
        "category": "crafts", "name": "x", "price_fen": 100})).json()["code"] == "unknown-maker"
    lone_maker = (await d.lone.post("/api/makers", json={"name": "孤站师傅"})).json()["id"]
    refused = await d.lone.post(f"/api/makers/{lone_maker}/goods", json={
        "category": "crafts", "name": "孤站草编", "price_fen": 800})
    assert (refused.status_code, refused.json()["code"]) == (409, "station-feeds-no-shop")
    assert refused.json()["detail"].startswith("lone 是服务站，但没有指定供货门店")
    assert await Item.count().where(Item.name == "孤站草编") == 0 and await Consignment.count() == 2
    # and the maker's page at east offers A's crafts categories and takes goods in the same way
    page = await d.east.get(f"/intake/makers/{maker_id}")
    assert page.status_code == 200 and '<option value="crafts">' in page.text
    by_page = await d.east.client.post(f"/intake/makers/{maker_id}/goods", follow_redirects=False, data={
        "category": "crafts", "name": "东站剪纸", "price": "15.00", "quantity": "1", "_csrf_token": d.east.csrf})
    assert by_page.status_code in (302, 303), by_page.text
    assert (await Item.select(Item.shop).where(Item.name == "东站剪纸").first())["shop"] == goods.shop_id


async def test_shop_set_changes_what_a_station_feeds_from_then_on_and_refuses_what_is_not_allowed(district, goods,
                                                                                                  settings):
    d = district
    # given a shirt taken in at east while it feeds A
    first = await d.east.post("/api/donations", json=donation(shirt(), labels=False))
    (first_code,) = [line["barcode"] for line in first.json()["donation"]["lines"]]
    # when east is set to feed north (and north gets an address)
    changed = await change_shop(code="east", feeds="north", config=settings.shop)
    assert (changed.kind, changed.feeds, changed.name) == (ShopKind.STATION, "north", "东社工站")
    moved = await change_shop(code="north", address="北街 2 号", config=settings.shop)
    assert (moved.name, moved.address) == ("北门店", "北街 2 号")
    # then a shirt taken in now is north's, and the first stays A's, as it was
    later = await d.east.post("/api/donations", json=donation(shirt(2000), labels=False))
    assert later.status_code == 201, later.text
    (later_code,) = [line["barcode"] for line in later.json()["donation"]["lines"]]
    items = await Item.select(Item.barcode, Item.shop, Item.on_hand).where(Item.name == "东站衬衫").order_by(Item.id)
    assert [(i["barcode"], i["shop"], i["on_hand"]) for i in items] == [(first_code, goods.shop_id, 1),
                                                                      (later_code, d.north_id, 1)]
    assert (await d.east.get("/api/intake/categories")).json()[0]["default_prices"] == {}  # north's clothes
    # and the first donation's labels, printed again at east, are still of A's shirt (north numbers codes alike)
    again = await d.east.post(f"/api/donations/{first.json()['donation']['number']}/labels")
    assert again.status_code == 202, again.text
    await print_queued(d.east.app)
    (file,) = sorted(Path(settings.labels.path).glob(f"*label-{first.json()['donation']['number']}*"))
    job = decode(file.read_bytes())
    assert [e.data for e in job.events if isinstance(e, Barcode)] == [first_code] and "￥18.00" in "\n".join(job.texts)
    # when what is not allowed is asked, then it is refused and nothing changes
    before = await list_shops()
    for wrong, code in ((dict(code="nowhere", name="x"), ShopError.UNKNOWN_SHOP),
                        (dict(code="east", feeds="nowhere"), ShopError.UNKNOWN_SHOP),
                        (dict(code="east", feeds="lone"), ShopError.FEEDS_NOT_A_SHOP),
                        (dict(code="east", feeds="east"), ShopError.FEEDS_NOT_A_SHOP),
                        (dict(code="north", feeds=settings.shop.code), ShopError.ONLY_STATIONS_FEED),
                        (dict(code="east", name=" ", feeds="north"), ShopError.BAD_SHOP_NAME),
                        (dict(code=settings.shop.code, name="改了名的店"), ShopError.SHOP_SET_IN_CONFIG),
                        (dict(code=settings.shop.code, address="别处"), ShopError.SHOP_SET_IN_CONFIG)):
        with pytest.raises(DomainError) as refused:
            await change_shop(config=settings.shop, **wrong)
        assert refused.value.code is code, wrong
    assert await list_shops() == before
    # config.toml's shop as config.toml names it is no change; a station may be told it feeds nothing
    same = await change_shop(code=settings.shop.code, name=settings.shop.name, config=settings.shop)
    assert same.name == settings.shop.name
    assert (await change_shop(code="east", feeds_nothing=True, config=settings.shop)).feeds is None
    stopped = await d.east.post("/api/donations", json=donation(shirt()))
    assert (stopped.status_code, stopped.json()["code"]) == (409, "station-feeds-no-shop")


async def test_aixin_shop_set_speaks_the_shops_language_done_or_refused(db, settings):
    # given a shop and a station feeding nothing, made from the command line (in Chinese, config.toml's locale)
    added = aixin(settings, "shop", "add", "st-1", "--name", "幸福社工站", "--station")
    assert added.returncode == 0 and added.stdout.strip() == "已添加服务站 st-1（幸福社工站）", added.stdout
    await add_shop(code="north", name="北门店")
    # when the station is set to feed north
    fed = aixin(settings, "shop", "set", "st-1", "--feeds", "north", "--address", "幸福路 3 号")
    # then it says so in Chinese, and the shop list shows it
    assert fed.returncode == 0 and fed.stdout.strip() == "已修改服务站 st-1（幸福社工站），供货给 north", fed.stderr
    assert {s.code: (s.feeds, s.address) for s in await list_shops()}["st-1"] == ("north", "幸福路 3 号")
    # and renaming config.toml's own shop is refused in Chinese, saying where its name is set
    home = load_settings(environ={"AIXIN_CONFIG": str(ROOT / "config.toml")}).shop
    renamed = aixin(settings, "shop", "set", home.code, "--name", "新名字")
    assert renamed.returncode == 1 and f"{home.code} 是 config.toml 所配置的门店" in renamed.stderr
    assert {s.code: s.name for s in await list_shops()}[home.code] == home.name
