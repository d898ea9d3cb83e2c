"""Intake at a station over real HTTP (issue 19): the donation is the station's, its goods the shop's it feeds.

North is a shop with a till; "east" is a station feeding north, with an intake volunteer, a cashier and a manager of
its own; "lone" is a station feeding no shop. East's volunteer registers a donor and a donation: the donation, its
donor and its slip are east's; the items, their intake movements and their codes are north's, so north's till scans
and sells them, and the donor's impact read at east counts that sale. A station feeding no shop refuses intake, and a
station's staff are refused the till and the stock pages, each with a sentence in their language. From the command
line, `aixin staff list` names each person's shop and `aixin printer set|list --shop` sets up a station's printers.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from donations.tables import Donation
from inventory.catalogue import add_category
from inventory.tables import Item, StockMovement
from pos.sessions import open_session
from pos.tables import SaleLine
from pos.tills import add_till
from printing.tables import PrinterPlace, PrintJob
from shop.shops import ShopKind, add_shop, shop_of_code
from shop.staff import Role, create_staff
from shop.settings import load_settings
from tests.web.test_district_shops import ROOT, aixin


@pytest.fixture
async def stations(shop, goods):
    north = await add_shop(code="north", name="北门店")
    await add_category(shop_id=north.id, code="clothes", name="衣物", source="donated")
    north_cashier = await create_staff(shop_id=north.id, username="n-cashier", password="n-cashier-pw",
                                       role=Role.CASHIER)
    await create_staff(shop_id=north.id, username="n-manager", password="n-manager-pw", role=Role.MANAGER)
    till = await add_till(shop_id=north.id, code="T1", name="北一号")
    await open_session(shop_id=north.id, till_id=till, staff_id=north_cashier.id, float_fen=0)
    east = await add_shop(code="east", name="东社工站", kind=ShopKind.STATION, feeds="north")
    lone = await add_shop(code="lone", name="孤站", kind=ShopKind.STATION)
    for username, role in (("e-intake", Role.INTAKE), ("e-cashier", Role.CASHIER), ("e-manager", Role.MANAGER)):
        await create_staff(shop_id=east.id, username=username, password=f"{username}-pw", role=role,
                           display_name="东站志愿者" if role is Role.INTAKE else "")
    await create_staff(shop_id=lone.id, username="l-intake", password="l-intake-pw", role=Role.INTAKE)
    return SimpleNamespace(
        north_id=north.id, east_id=east.id, lone_id=lone.id,
        east=await shop.logged_in("e-intake", "e-intake-pw"),
        east_cashier=await shop.logged_in("e-cashier", "e-cashier-pw"),
        east_manager=await shop.logged_in("e-manager", "e-manager-pw"),
        lone=await shop.logged_in("l-intake", "l-intake-pw"),
        north=await shop.logged_in("n-manager", "n-manager-pw"),
        north_cashier=await shop.logged_in("n-cashier", "n-cashier-pw"),
    )


def donation(donor_id, *items):
    return {"idempotency_key": uuid.uuid4().hex, "donor_id": donor_id, "print_slip": True, "items": list(items)}


JACKETS = {"category": "clothes", "description": "东站男士夹克", "condition": "good", "price_fen": 3000, "quantity": 2}
TORN = {"category": "clothes", "description": "破旧毛衣", "condition": "fair", "refused_reason": "破损"}


async def test_a_stations_donation_is_its_own_and_its_goods_sell_at_the_shop_it_feeds(stations, goods):
    s = stations
    # the desk at east offers north's categories (east has none of its own)
    categories = await s.east.get("/api/intake/categories")
    assert categories.status_code == 200 and [c["code"] for c in categories.json()] == ["clothes"]
    assert "衣物" in (await s.east.get("/intake")).text
    # when east's volunteer registers a donor and their donation: two jackets and a sweater refused
    donor = await s.east.post("/api/donors", json={"name": "东站捐赠人"})
    assert donor.status_code == 201, donor.text
    donor_id = donor.json()["id"]
    given = await s.east.post("/api/donations", json=donation(donor_id, JACKETS, TORN))
    assert given.status_code == 201, given.text
    number, codes = given.json()["donation"]["number"], given.json()["label_codes"]
    assert len(codes) == 2 and given.json()["donation"]["volunteer"] == "东站志愿者"
    # then the donation is east's, listed at east's desk and not at north's
    assert (await Donation.select(Donation.shop).first())["shop"] == s.east_id
    assert [d["number"] for d in (await s.east.get("/api/donations")).json()] == [number]
    assert number in (await s.east.get("/intake/donations")).text
    assert (await s.north.get("/api/donations")).json() == []
    assert (await s.north.get(f"/api/donations/{number}")).status_code == 404
    # and its goods are north's: in north's catalogue, taken in by an intake movement of north naming the donation
    jacket = codes[0]
    assert codes == [jacket, jacket]  # one in-store code of north's, a label for each piece
    items = await Item.select(Item.shop, Item.on_hand).where((Item.barcode == jacket) & (Item.shop != goods.shop_id))
    assert [(i["shop"], i["on_hand"]) for i in items] == [(s.north_id, 2)]  # (A numbers its own codes alike)
    moves = await StockMovement.select(StockMovement.shop, StockMovement.kind, StockMovement.quantity).where(
        StockMovement.ref == number)
    assert [(m["shop"], m["kind"], m["quantity"]) for m in moves] == [(s.north_id, "intake", 2)]
    assert await Item.count().where(Item.shop == s.east_id) == 0
    # and the labels (north's codes) and the slip print at east's intake desk, where the goods are in hand
    jobs = await PrintJob.select(PrintJob.shop_id, PrintJob.document).where(PrintJob.ref == number)
    assert sorted((j["shop_id"], j["document"]) for j in jobs) == [(s.east_id, "donation slip"), (s.east_id, "label")]
    again = await s.east.post(f"/api/donations/{number}/labels")
    assert again.status_code == 202, again.text
    # when north's till scans a jacket and sells it
    scanned = await s.north_cashier.get(f"/api/till/items/{jacket}")
    assert scanned.status_code == 200, scanned.text
    assert (scanned.json()["name"], scanned.json()["price_fen"], scanned.json()["on_hand"]) == ("东站男士夹克", 3000, 2)
    sold = await s.north_cashier.post("/api/sales", json={
        "till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 3000,
        "lines": [{"barcode": jacket, "quantity": 1}]})
    assert sold.status_code == 201, sold.text
    # then the donor's impact, read at east, counts that sale and the fund's share it raised at north
    fund = (await SaleLine.select(SaleLine.fund_fen).where(SaleLine.barcode == jacket).first())["fund_fen"]
    page = (await s.east.get(f"/api/donors/{donor_id}")).json()
    assert page["impact"] == {"donations": 1, "pieces_given": 2, "pieces_refused": 1, "pieces_sold": 1,
                              "fund_fen": fund}
    assert [d["number"] for d in page["donations"]] == [number]
    # and the donor's slip, printed at east, says what their gifts have done
    slip = await s.east.get(f"/api/donations/{number}/slip")
    text = "".join(line.strip() for line in slip.json())
    assert slip.status_code == 200 and "东社工站" in text and "已售出1件" in text.replace(" ", ""), text
    # and east's desk looks a maker's barcode up in north's catalogue: A's noodles are not north's
    known = await s.east.get(f"/api/intake/items/{goods.noodles}")
    assert known.status_code == 404


async def test_a_known_barcode_taken_in_at_a_station_adds_to_the_fed_shops_item(stations, goods):
    s = stations
    first = await s.east.post("/api/donations", json=donation(None, {
        "category": "clothes", "description": "东站围巾", "condition": "new", "price_fen": 1500,
        "barcode": "6901234567892", "quantity": 1}))
    assert first.status_code == 201, first.text
    known = await s.east.get("/api/intake/items/6901234567892")
    assert known.status_code == 200 and (known.json()["name"], known.json()["on_hand"]) == ("东站围巾", 1)
    more = await s.east.post("/api/donations", json=donation(None, {
        "category": "clothes", "description": "东站围巾", "condition": "new", "price_fen": 1500,
        "barcode": "6901234567892", "quantity": 2}))
    assert more.status_code == 201, more.text
    row = await Item.select(Item.shop, Item.on_hand).where(Item.barcode == "6901234567892").first()
    assert (row["shop"], row["on_hand"]) == (s.north_id, 3) and await Item.count().where(
        Item.barcode == "6901234567892") == 1


async def test_a_station_feeding_no_shop_refuses_intake_in_the_persons_language(stations):
    s = stations
    refused = await s.lone.post("/api/donations", json=donation(None, JACKETS))
    assert (refused.status_code, refused.json()["code"]) == (409, "station-feeds-no-shop")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"].startswith("lone 是服务站，但没有指定供货门店")
    for path in ("/api/intake/categories", "/intake"):
        got = await s.lone.get(path)
        assert (got.status_code, got.json()["code"]) == (409, "station-feeds-no-shop"), path
    await s.lone.get("/lang/en")
    english = await s.lone.post("/api/donations", json=donation(None, JACKETS))
    assert english.json()["detail"].startswith("lone is a station that feeds no shop")
    assert await Donation.count() == 0 and await Item.count().where(Item.shop == s.lone_id) == 0


async def test_a_stations_staff_are_refused_the_till_and_the_stock_pages(stations, goods):
    s = stations
    till_refusals = [(s.east_cashier, "GET", "/till"), (s.east_cashier, "GET", f"/api/till/items/{goods.coat}"),
                     (s.east_cashier, "GET", "/api/till/catalogue"), (s.east_cashier, "GET", "/api/tills/T1/session"),
                     (s.east_cashier, "POST", "/api/sales"), (s.east_cashier, "POST", "/api/returns"),
                     (s.east_cashier, "GET", "/api/parked")]
    stock_refusals = [(s.east_manager, "GET", "/manager/catalogue"), (s.east_manager, "GET", "/manager/shelf"),
                      (s.east_manager, "GET", "/api/shelf/"), (s.east_manager, "GET", "/manager/stocktakes"),
                      (s.east_manager, "POST", "/api/stocktakes"),
                      (s.east_manager, "GET", f"/api/catalogue/items/{goods.coat}")]
    for client, method, path in till_refusals + stock_refusals:
        response = await (client.post(path, json={}) if method == "POST" else client.get(path))
        code = "station-has-no-tills" if (client, method, path) in till_refusals else "station-holds-no-stock"
        assert (response.status_code, response.json()["code"]) == (409, code), (path, response.text[:300])
        assert response.json()["detail"].startswith("east 是服务站"), path
    await s.east_manager.get("/lang/en")
    english = await s.east_manager.get("/manager/shelf")
    assert english.json()["detail"] == ("east is a station: a station holds no stock (the goods taken in there go "
                                        "to the shop it feeds).")
    # what a station does is still open to them: the intake desk, its donations, the manager's page
    for client, path in ((s.east, "/intake"), (s.east_manager, "/intake/donations"), (s.east_manager, "/manager")):
        assert (await client.get(path)).status_code == 200, path
    # and a shop's staff are not refused
    assert (await s.north_cashier.get("/till")).status_code == 200


@pytest.mark.postgres_only  # the CLI's wiring, on a district's database: each step is tested on both engines above
async def test_the_cli_lists_each_persons_shop_and_sets_up_a_stations_printers(db, settings):
    # given a shop and a station feeding it, each with a member of staff, made from the command line
    assert aixin(settings, "shop", "add", "north", "--name", "北门店").returncode == 0
    assert aixin(settings, "shop", "add", "st-1", "--name", "幸福社工站", "--station", "--feeds", "north").returncode == 0
    for username, shop in (("bei", "north"), ("zhan", "st-1"), ("home", "")):
        made = aixin(settings, "create-user", username, "--role", "intake", "--password-stdin",
                     *(("--shop", shop) if shop else ()), stdin=f"{username}-password\n")
        assert made.returncode == 0, made.stderr
    # then the staff list names each person's shop, and --shop lists one shop's
    listed = aixin(settings, "staff", "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines() if line.strip()}
    home_code = load_settings(environ={"AIXIN_CONFIG": str(ROOT / "config.toml")}).shop.code  # the CLI's config
    assert {name: rows[name][4] for name in ("bei", "zhan", "home")} == {"bei": "north", "zhan": "st-1",
                                                                          "home": home_code}
    of_station = aixin(settings, "staff", "list", "--shop", "st-1")
    assert [line.split()[0] for line in of_station.stdout.splitlines() if line.strip()] == ["zhan"]
    # when the station's intake printer is set up from the command line
    stored = aixin(settings, "printer", "set", "站标签机", "--shop", "st-1", "--to", "usb:0416:5011", "--line", "2",
                   "--ruler", "32", "--place", "intake")
    assert stored.returncode == 0, stored.stderr
    # then it is the station's, listed with --shop st-1 and not among config.toml's shop's printers
    station = await shop_of_code("st-1")
    places = await PrinterPlace.select(PrinterPlace.shop_id, PrinterPlace.place)
    assert [(p["shop_id"], p["place"]) for p in places] == [(station.id, "intake")]
    assert "站标签机" in aixin(settings, "printer", "list", "--shop", "st-1").stdout
    home = aixin(settings, "printer", "list")
    assert home.returncode == 0 and "站标签机" not in home.stdout
    # and an unknown shop is refused with a sentence, nothing stored
    unknown = aixin(settings, "printer", "set", "x", "--shop", "nowhere", "--to", "usb:0416:5011", "--line", "1",
                    "--ruler", "48")
    assert unknown.returncode == 1 and "没有代码为 nowhere 的门店或服务站" in unknown.stderr
    nobody = aixin(settings, "staff", "list", "--shop", "nowhere")
    assert nobody.returncode == 1 and "nowhere" in nobody.stderr
    assert await PrinterPlace.count() == 1
