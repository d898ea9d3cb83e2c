"""A district's shops on one database (issue 19): the shop of every request is the logged-in person's.

Two shops, A (the test shop of `goods`, config.toml's) and B ("north", added as `aixin shop add` adds it), each with
a manager, a cashier and an admin, a till T1 each (the same code) and goods of its own. A's staff make a sale, a
donation, a member, a printer, a parked cart, a stock take, a held offline sale and a failed login; B's staff then
try a representative route of every controller family against them, and nothing of A's is seen or changed. The
CLI's shop, till and create-user commands are tried on both databases too.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inventory.catalogue import add_category, add_item
from inventory.tables import Item
from pos.sessions import open_session
from pos.tables import Sale, Till
from pos.tills import add_till
from shop.errors import DomainError, ShopError
from shop.settings import load_settings
from shop.shops import ShopKind, add_shop, list_shops, shop_of_code
from shop.staff import Role, create_staff
from shop.tables import Shop, Staff
from tests.cli import run_cli
from tests.web.conftest import print_queued

ROOT = Path(__file__).resolve().parents[2]
B_NOODLES_PRICE = 990  # B sells the same noodles (the maker's EAN-13) at its own price
A_MARKS = ("儿童羽绒服", "新华字典", "甲店捐赠人", "甲店打印机", "陈姐", "小张", "a-admin")
# The love bank is the district's (issue 19): A's member, and their passbook with what was recorded at A, are found at
# every shop; only the account's own life (closing, erasing, export) stays with A. tests/web/test_district_lovebank.py
DISTRICT_WIDE = "{member_id:int}"


class District:
    def __init__(self, shop, goods) -> None:
        self.shop, self.goods = shop, goods
        self.a: dict = {}  # what A's staff made: its numbers and ids


def _sale(lines, cash, till="T1"):
    return {"till": till, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines]}


@pytest.fixture
async def district(shop, goods) -> District:
    d = District(shop, goods)
    # shop B, added as the CLI adds it, with its staff, its own till T1 (open), and goods of its own
    north = await add_shop(code="north", name="北门店", address="北街 1 号")
    d.b_id = north.id
    await create_staff(shop_id=north.id, username="b-manager", password="b-manager-pw", role=Role.MANAGER,
                       display_name="北店长")
    b_cashier = await create_staff(shop_id=north.id, username="b-cashier", password="b-cashier-pw",
                                   role=Role.CASHIER, display_name="北收银")
    await create_staff(shop_id=north.id, username="b-admin", password="b-admin-pw", role=Role.ADMIN)
    await create_staff(shop_id=goods.shop_id, username="a-admin", password="a-admin-pw", role=Role.ADMIN)
    b_till = await add_till(shop_id=north.id, code="T1", name="北一号")
    await open_session(shop_id=north.id, till_id=b_till, staff_id=b_cashier.id, float_fen=0)
    food = await add_category(shop_id=north.id, code="food", name="食品", source="purchased")
    await add_item(shop_id=north.id, barcode=goods.noodles, name="北店方便面", category_id=food,
                   price_fen=B_NOODLES_PRICE, quantity=10)

    # A's staff at work: a sale, a parked cart, a donation, a member, a printer, a stock take, an offline sale held
    a_cashier = await shop.logged_in("cashier", "cashier-pw")
    sold = await a_cashier.post("/api/sales", json=_sale([(goods.coat, 1), (goods.book, 1)], cash=5000))
    assert sold.status_code == 201, sold.text
    d.a["sale"] = sold.json()["number"]
    parked = await a_cashier.post("/api/parked", json={"till": "T1", "lines": [{"barcode": goods.noodles}],
                                                       "note": "甲店挂单"})
    assert parked.status_code == 201, parked.text
    d.a["parked"] = parked.json()["id"]
    held = await a_cashier.post("/api/till/offline-sales", json={
        "till": "T1", "offline_number": "T1-0000001", "made_at": datetime.now(UTC).isoformat(),
        "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 800,
        "lines": [{"barcode": "6901234500028", "quantity": 1, "unit_price_fen": 800}]})
    assert held.status_code == 202, held.text
    a_manager = await shop.logged_in("manager", "manager-pw")
    donor = await a_manager.post("/api/donors", json={"name": "甲店捐赠人", "phone": "13812345678"})
    assert donor.status_code == 201, donor.text
    d.a["donor"] = donor.json()["id"]
    donation = await a_manager.post("/api/donations", json={
        "idempotency_key": uuid.uuid4().hex, "donor_id": d.a["donor"],
        "items": [{"category": "clothes", "description": "甲店棉服", "condition": "like-new", "price_fen": 2500}]})
    assert donation.status_code == 201, donation.text
    d.a["donation"] = donation.json()["donation"]["number"]
    member = await a_manager.post("/api/lovebank/members", json={"name": "甲店会员", "phone": "13900001111"})
    assert member.status_code == 201, member.text
    d.a["member"], d.a["member_number"] = member.json()["id"], member.json()["number"]
    printer = await a_manager.post("/api/printers/", json={"name": "甲店打印机", "connection": "tcp://127.0.0.1:9100"})
    assert printer.status_code == 201, printer.text
    d.a["printer"] = printer.json()["id"]
    take = await a_manager.post("/api/stocktakes", json={"scope": "category", "scope_value": "books"})
    assert take.status_code == 201, take.text
    d.a["stocktake"] = take.json()["id"]
    maker = await a_manager.get("/api/makers")
    d.a["maker"] = maker.json()[0]["id"]
    jobs = await a_manager.get("/api/printing/jobs")
    d.a["job"] = jobs.json()[0]["id"]
    to_settle = await a_manager.get("/api/offline/to-settle")
    d.a["offline"] = to_settle.json()[0]["id"]
    failed = await (await shop.browser()).login("cashier", "a-wrong-password")  # a failed login at A
    assert failed.status_code == 200
    await print_queued(shop.app)
    d.a_figures = (await a_manager.get("/api/reports/figures", params={"period": "day"})).json()
    d.b_manager = await shop.logged_in("b-manager", "b-manager-pw")
    d.b_cashier = await shop.logged_in("b-cashier", "b-cashier-pw")
    d.b_admin = await shop.logged_in("b-admin", "b-admin-pw")
    d.a_manager = a_manager
    return d


def _nothing_of_a(response) -> None:
    for mark in A_MARKS:
        assert mark not in response.text, (mark, response.request.url, response.text[:500])


async def test_b_sees_its_own_shop_in_the_till_and_its_own_price_for_a_code_both_shops_sell(district, settings):
    b, goods = district.b_cashier, district.goods
    # the page names B, and lists B's till T1 (not A's T1, which has the same code)
    page = await b.get("/till")
    assert page.status_code == 200 and "北门店" in page.text and "北一号" in page.text
    assert settings.shop.name not in page.text and "一号收银台" not in page.text
    assert settings.shop.name in (await district.a_manager.get("/manager")).text
    tills = (await b.get("/api/till/tills")).json()
    assert [(t["code"], t["name"]) for t in tills] == [("T1", "北一号")]
    assert (await Till.select(Till.shop).where(Till.id == tills[0]["id"]).first())["shop"] == district.b_id
    session = (await b.get("/api/tills/T1/session")).json()
    a_session = (await district.a_manager.get("/api/tills/T1/session")).json()
    assert session["is_open"] and (session["session"]["till_name"], session["session"]["opened_by"]) == ("北一号", "北收银")
    assert a_session["session"]["number"] != session["session"]["number"]
    # the noodles both shops sell: B's item, at B's price
    scanned = (await b.get(f"/api/till/items/{goods.noodles}")).json()
    assert (scanned["name"], scanned["price_fen"], scanned["on_hand"]) == ("北店方便面", B_NOODLES_PRICE, 10)
    # A's own goods are unknown at B's till, by code and by name
    assert (await b.get(f"/api/till/items/{goods.coat}")).status_code == 404
    found = await b.get("/api/till/search", params={"q": "字典"})
    assert found.status_code == 200 and found.json() == []
    feed = await b.get("/api/till/catalogue", params={"since": 0})
    assert feed.status_code == 200, feed.text
    _nothing_of_a(feed)
    assert "北店方便面" in feed.text


async def test_b_sells_at_its_till_and_cannot_sell_or_take_back_a_goods_and_sales(district):
    b, goods = district.b_cashier, district.goods
    book_before = (await Item.select(Item.on_hand).where(
        (Item.shop == goods.shop_id) & (Item.barcode == goods.book)).first())["on_hand"]
    # A's book at B's till: unknown, and A's stock untouched
    refused = await b.post("/api/sales", json=_sale([(goods.book, 1)], cash=5000))
    assert refused.status_code == 404 and refused.json()["code"] == "unknown-barcode"
    # B's own sale: at B's T1, in B's books
    sold = await b.post("/api/sales", json=_sale([(goods.noodles, 2)], cash=2000))
    assert sold.status_code == 201, sold.text
    row = await Sale.select(Sale.shop, Sale.till.shop.as_alias("till_shop")).where(
        Sale.id == int(sold.json()["number"][1:])).first()
    assert (row["shop"], row["till_shop"]) == (district.b_id, district.b_id)
    a_noodles = await Item.select(Item.on_hand).where((Item.shop == goods.shop_id) & (Item.barcode == goods.noodles))
    assert a_noodles[0]["on_hand"] == 40
    after = await Item.select(Item.on_hand).where((Item.shop == goods.shop_id) & (Item.barcode == goods.book))
    assert after[0]["on_hand"] == book_before
    # A's sale: not found by number, not reprinted, not taken back
    a_sale = district.a["sale"]
    assert (await b.get(f"/api/sales/{a_sale}")).status_code == 404
    assert (await b.post(f"/api/sales/{a_sale}/reprint")).status_code == 404
    assert (await b.get(f"/api/returns/sales/{a_sale}")).status_code == 404
    a_line = (await district.a_manager.get(f"/api/returns/sales/{a_sale}")).json()["lines"][0]["id"]
    taken_back = await b.post("/api/returns", json={"sale": a_sale, "till": "T1", "idempotency_key": uuid.uuid4().hex,
                                                    "lines": [{"line": a_line, "quantity": 1}]})
    assert taken_back.status_code == 404 and taken_back.json()["code"] == "unknown-sale", taken_back.text
    # A's parked cart: not listed, not resumed
    assert (await b.get("/api/parked")).json() == []
    assert (await b.post(f"/api/parked/{district.a['parked']}/resume")).status_code == 404
    # and A's figures are as they were: B's sale is not in them
    a_now = (await district.a_manager.get("/api/reports/figures", params={"period": "day"})).json()
    assert a_now["totals"] == district.a_figures["totals"]


async def test_b_manager_sees_only_b_in_catalogue_reports_exports_and_fund(district):
    b, goods = district.b_manager, district.goods
    # catalogue: A's items neither listed, shown nor changed
    listed = await b.get("/api/catalogue/items", params={"q": ""})
    assert listed.status_code == 200
    _nothing_of_a(listed)
    assert (await b.get(f"/api/catalogue/items/{goods.coat}")).status_code == 404
    repriced = await b.post(f"/api/catalogue/items/{goods.book}/price", json={"price_fen": 1, "reason": "x"})
    assert repriced.status_code == 404, repriced.text
    corrected = await b.post(f"/api/catalogue/items/{goods.book}/adjustments", json={"quantity": -3, "reason": "x"})
    assert corrected.status_code == 404, corrected.text
    book = await Item.select(Item.price_fen, Item.on_hand).where(
        (Item.shop == goods.shop_id) & (Item.barcode == goods.book)).first()
    assert book["price_fen"] == 1200
    categories = (await b.get("/api/catalogue/categories")).json()
    assert [c["code"] for c in categories] == ["food"]
    exported = await b.get("/api/catalogue/export.csv")
    assert exported.status_code == 200 and "北店方便面" in exported.text
    _nothing_of_a(exported)
    assert (await b.get("/manager/catalogue")).status_code == 200
    shelf = await b.get("/api/shelf")
    assert shelf.status_code == 200
    _nothing_of_a(shelf)
    # reports: nothing sold at B, whatever A sold
    figures = (await b.get("/api/reports/figures", params={"period": "day"})).json()
    assert district.a_figures["totals"]["net_fen"] > 0
    assert figures["totals"]["net_fen"] == 0 and figures["rows"] == []
    for csv in ("/api/reports/figures.csv", "/api/reports/journal.csv"):
        got = await b.get(csv, params={"period": "day"})
        assert got.status_code == 200
        _nothing_of_a(got)
        assert district.a["sale"] not in got.text
    day = (await b.get("/api/reports/sales")).json()
    assert district.a["sale"] not in str(day)
    assert (await b.get("/api/reports/makers")).json() == []
    fund = await b.get("/api/fund/")
    assert fund.status_code == 200 and fund.json()["balance"]["cash_fen"] == 0, fund.text


async def test_b_sees_none_of_a_intake_makers_members_printers_jobs_stock_takes_offline_or_staff(district):
    b, a = district.b_manager, district.a
    # intake: donors, donations, makers
    assert (await b.get("/api/donors", params={"q": "甲店"})).json() == []
    assert (await b.get(f"/api/donors/{a['donor']}")).status_code == 404
    assert (await b.get(f"/api/donors/{a['donor']}/export")).status_code == 404
    donations = await b.get("/api/donations")
    assert donations.status_code == 200 and a["donation"] not in donations.text
    assert (await b.get(f"/api/donations/{a['donation']}")).status_code == 404
    assert (await b.post(f"/api/donations/{a['donation']}/slip")).status_code == 404
    assert (await b.get("/api/makers")).json() == []
    assert (await b.get(f"/api/makers/{a['maker']}")).status_code == 404
    assert (await b.get(f"/api/makers/{a['maker']}/statement")).status_code == 404
    assert (await b.get("/api/intake/categories")).status_code == 200
    # the love bank is the district's: B finds A's member, and cannot close, erase or export their account
    assert [m["number"] for m in (await b.get("/api/lovebank/members", params={"q": "甲店"})).json()] == [
        a["member_number"]]
    assert (await b.get(f"/api/lovebank/members/{a['member']}")).json()["opened_where"] != "北门店"
    assert (await b.get(f"/api/till/members/{a['member_number']}")).status_code == 200
    refused = await b.post(f"/api/lovebank/members/{a['member']}/close", json={})
    assert (refused.status_code, refused.json()["code"]) == (403, "member-of-another-shop"), refused.text
    assert (await b.post(f"/api/lovebank/members/{a['member']}/erase")).status_code == 403
    assert (await b.get(f"/api/lovebank/members/{a['member']}/export")).status_code == 403
    # printers and the print queue
    printers = await b.get("/api/printers/")
    assert printers.status_code == 200 and printers.json() == []
    assert (await b.get(f"/api/printers/{a['printer']}")).status_code == 404
    assert (await b.put_json(f"/api/printers/{a['printer']}", {"name": "乙"})).status_code == 404
    assert (await b.client.delete(f"/api/printers/{a['printer']}",
                                  headers={"x-csrftoken": b.csrf})).status_code == 404
    places = await b.get("/api/printers/places")
    assert places.status_code == 200
    assert [p["place"] for p in places.json()] == ["till:T1", "intake"]
    jobs = await b.get("/api/printing/jobs")
    assert jobs.status_code == 200 and jobs.json() == []
    assert (await b.post(f"/api/printing/jobs/{a['job']}/reprint")).status_code == 404
    # stock takes
    assert (await b.get("/api/stocktakes")).json() == []
    assert (await b.get(f"/api/stocktakes/{a['stocktake']}")).status_code == 404
    assert (await b.post(f"/api/stocktakes/{a['stocktake']}/cancel")).status_code == 404
    # the offline manager's API
    assert (await b.get("/api/offline/to-settle")).json() == []
    assert (await b.post(f"/api/offline/held/{a['offline']}/settle")).status_code == 404
    offline_page = await b.get("/manager/offline")
    assert offline_page.status_code == 200
    _nothing_of_a(offline_page)
    # staff and security, seen by B's admin
    staff_page = await district.b_admin.get("/manager/staff")
    assert staff_page.status_code == 200 and "b-cashier" in staff_page.text
    _nothing_of_a(staff_page)
    assert "manager-pw" not in staff_page.text
    role = await district.b_admin.client.post("/manager/staff/cashier/role", data={"role": "manager"},
                                              headers={"x-csrftoken": district.b_admin.csrf})
    assert role.status_code in (200, 404)
    assert (await Staff.select(Staff.role).where(Staff.username == "cashier").first())["role"] == "cashier"
    failures = await district.b_admin.get("/api/security/failures")
    assert failures.status_code == 200 and failures.json() == []
    # A's manager still sees all of it
    assert len((await district.a_manager.get("/api/stocktakes")).json()) == 1
    assert len((await district.a_manager.get("/api/printers/")).json()) == 1


async def test_a_sees_nothing_of_b_either(district, settings):
    b, a_manager = district.b_cashier, district.a_manager
    sold = await b.post("/api/sales", json=_sale([(district.goods.noodles, 1)], cash=1000))
    assert sold.status_code == 201, sold.text
    number = sold.json()["number"]
    # B's receipt carries B's name and address, A's carries A's
    receipt = await b.get(f"/sales/{number}/receipt")
    assert receipt.status_code == 200 and "北门店" in receipt.text and "北街 1 号" in receipt.text
    assert settings.shop.name not in receipt.text
    a_receipt = await a_manager.get(f"/sales/{district.a['sale']}/receipt")
    assert settings.shop.name in a_receipt.text and "北门店" not in a_receipt.text
    assert (await a_manager.get(f"/sales/{number}/receipt")).status_code == 404
    assert (await a_manager.get(f"/api/sales/{number}")).status_code == 404
    listed = await a_manager.get("/api/catalogue/items", params={"q": "北店"})
    assert listed.status_code == 200 and listed.json() == []
    b_figures = (await district.b_manager.get("/api/reports/figures", params={"period": "day"})).json()
    assert b_figures["totals"]["net_fen"] == B_NOODLES_PRICE


# -- the CLI: shops, stations, tills and staff of a shop, on both databases -----------------------------------

def aixin(settings, *args, stdin=""):
    environ = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"), "AIXIN_DATABASE_URL": settings.database.url,
               "AIXIN_SERVER_DATA_DIR": settings.server.data_dir, "AIXIN_PRINTER_PATH": settings.printer.path}
    return run_cli(list(args), environ, stdin)  # in this process (tests/cli.py), as `aixin …` would run


async def test_shop_add_list_till_add_and_create_user_of_a_shop(db, settings):
    # given the district's first shop (config.toml's, made by the first command)
    # when an admin adds a shop, a station feeding it, a till and a cashier of the new shop
    assert aixin(settings, "shop", "add", "north", "--name", "北门店", "--address", "北街 1 号").returncode == 0
    station = aixin(settings, "shop", "add", "st-1", "--name", "幸福社工站", "--station", "--feeds", "north")
    assert station.returncode == 0, station.stderr
    till = aixin(settings, "till", "add", "t2", "--shop", "north", "--name", "北二号")
    assert till.returncode == 0, till.stderr
    user = aixin(settings, "create-user", "bei", "--role", "cashier", "--shop", "north", "--password-stdin",
                 stdin="bei-password\n")
    assert user.returncode == 0, user.stderr
    home = aixin(settings, "create-user", "nan", "--role", "manager", "--password-stdin", stdin="nan-password\n")
    assert home.returncode == 0, home.stderr
    # then
    shops = {s.code: s for s in await list_shops()}
    home_code = load_settings(environ={"AIXIN_CONFIG": str(ROOT / "config.toml")}).shop.code
    assert set(shops) == {home_code, "north", "st-1"}
    assert (shops["north"].kind, shops["north"].name, shops["north"].address) == (ShopKind.SHOP, "北门店", "北街 1 号")
    assert (shops["st-1"].kind, shops["st-1"].feeds) == (ShopKind.STATION, "north")
    assert await Till.select(Till.code, Till.name).where(Till.shop == shops["north"].id) == [
        {"code": "T2", "name": "北二号"}]
    staff = {r["username"]: r["shop"] for r in await Staff.select(Staff.username, Staff.shop)}
    assert staff == {"bei": shops["north"].id, "nan": shops[home_code].id}
    listed = aixin(settings, "shop", "list")
    assert listed.returncode == 0
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "服务站" in lines["st-1"] and "供货给：north" in lines["st-1"] and "收银台：T2" in lines["north"]


async def test_the_cli_refuses_an_unknown_shop_a_taken_code_and_a_till_at_a_station_in_chinese(db, settings):
    assert aixin(settings, "shop", "add", "st-1", "--name", "社工站", "--station").returncode == 0
    taken = aixin(settings, "shop", "add", "st-1", "--name", "又一个")
    assert taken.returncode == 1 and "代码 st-1 已被其他门店或服务站使用" in taken.stderr
    at_station = aixin(settings, "till", "add", "T1", "--shop", "st-1", "--name", "一号")
    assert at_station.returncode == 1 and "st-1 是服务站" in at_station.stderr
    unknown = aixin(settings, "till", "add", "T1", "--shop", "nowhere", "--name", "一号")
    assert unknown.returncode == 1 and "没有代码为 nowhere 的门店或服务站" in unknown.stderr
    nobody = aixin(settings, "create-user", "x", "--role", "cashier", "--shop", "nowhere", "--password-stdin",
                   stdin="x-password\n")
    assert nobody.returncode == 1 and "nowhere" in nobody.stderr
    feeds_station = aixin(settings, "shop", "add", "st-2", "--name", "二站", "--station", "--feeds", "st-1")
    assert feeds_station.returncode == 1 and "st-1 是服务站" in feeds_station.stderr
    assert await Till.count() == 0 and await Staff.count() == 0
    assert {s.code for s in await list_shops()} >= {"st-1"} and await Shop.count() == 2


async def test_shops_and_tills_refuse_what_the_district_does_not_allow(db, settings):
    north = await add_shop(code="north", name="北门店")
    station = await add_shop(code="st", name="站", kind=ShopKind.STATION, feeds="north")
    assert (await shop_of_code("st")).feeds == "north" and station.kind is ShopKind.STATION
    for wrong, code in ((dict(code="bad code", name="x"), ShopError.BAD_SHOP_CODE),
                        (dict(code="ok", name=" "), ShopError.BAD_SHOP_NAME),
                        (dict(code="north", name="again"), ShopError.SHOP_CODE_TAKEN),
                        (dict(code="ok", name="x", feeds="north"), ShopError.ONLY_STATIONS_FEED),
                        (dict(code="ok", name="x", kind=ShopKind.STATION, feeds="st"), ShopError.FEEDS_NOT_A_SHOP),
                        (dict(code="ok", name="x", kind=ShopKind.STATION, feeds="nowhere"), ShopError.UNKNOWN_SHOP)):
        with pytest.raises(DomainError) as refused:
            await add_shop(**wrong)
        assert refused.value.code is code
    await add_till(shop_id=north.id, code="t1", name="一号")
    with pytest.raises(DomainError) as twice:
        await add_till(shop_id=north.id, code="T1", name="again")
    assert twice.value.code == "till-code-taken"
    with pytest.raises(DomainError) as at_station:
        await add_till(shop_id=station.id, code="T1", name="一号")
    assert at_station.value.code is ShopError.STATION_HAS_NO_TILLS
    assert await Till.count() == 1


# -- the district's role: every shop's figures, read only ------------------------------------------------------

async def test_district_figures_are_each_shops_own_report_and_the_total_their_sum(district, settings):
    shop, goods, a_manager = district.shop, district.goods, district.a_manager
    await add_shop(code="st", name="北社工站", kind=ShopKind.STATION, feeds="north")  # no tills: no row
    # given sales at both shops, a partial return at each, and a district user (of the street office)
    b_sale = await district.b_cashier.post("/api/sales", json=_sale([(goods.noodles, 3)], cash=5000))
    assert b_sale.status_code == 201, b_sale.text
    for till, manager, number in ((district.b_cashier, district.b_manager, b_sale.json()["number"]),
                                  (await shop.logged_in("cashier", "cashier-pw"), a_manager, district.a["sale"])):
        line = (await manager.get(f"/api/returns/sales/{number}")).json()["lines"][-1]
        back = await till.post("/api/returns", json={"sale": number, "till": "T1", "idempotency_key": uuid.uuid4().hex,
                                                     "lines": [{"line": line["id"], "quantity": 1}]})
        assert back.status_code == 201, back.text
    await create_staff(shop_id=goods.shop_id, username="street", password="street-pw", role=Role.DISTRICT)
    street = await shop.logged_in("street", "street-pw")
    # when the district's figures of the day and of the month are read
    for period in ("day", "month"):
        got = await street.get("/api/district/figures", params={"period": period, "by": "shop"})
        assert got.status_code == 200, got.text
        body = got.json()
        # then each row is the shop's own report, by its code, and the total is their sum
        own = {settings.shop.code: a_manager, "north": district.b_manager}
        assert [row["shop"] for row in body["rows"]] == sorted(own)
        for row in body["rows"]:
            report = (await own[row["shop"]].get("/api/reports/figures", params={"period": period})).json()
            assert row["figures"] == report["totals"] and row["donations"] == report["donations"]
        totals = body["totals"]
        for name, value in totals.items():
            if name not in ("key", "label"):
                assert value == sum(row["figures"][name] or 0 for row in body["rows"]), name
        assert totals["refunds"] == 2 and totals["net_fen"] == sum(r["figures"]["net_fen"] for r in body["rows"]) > 0
        assert body["donations"]["donations"] == 1


async def test_the_district_only_reads_and_no_shop_reads_the_district(district, settings):
    await create_staff(shop_id=district.goods.shop_id, username="street", password="street-pw", role=Role.DISTRICT)
    street = await district.shop.logged_in("street", "street-pw")
    assert (await street.get("/api/district/figures", params={"by": "category"})).status_code == 400
    # the district changes nothing in a shop, and does not work in one
    for method, url in (("POST", "/api/sales"), ("POST", "/api/stocktakes"), ("GET", "/api/reports/figures"),
                        ("GET", "/api/catalogue/items"), ("POST", "/manager/staff/"), ("GET", "/api/till/tills")):
        response = await street.client.request(method, url, json={} if method == "POST" else None,
                                               headers={"x-csrftoken": street.csrf})
        assert response.status_code == 403, (method, url, response.status_code)
    # and no shop's manager or admin reads every shop's figures
    for other in (district.b_manager, district.b_admin, district.a_manager):
        assert (await other.get("/api/district/figures")).status_code == 403
    # a shop's admin cannot make someone the district's
    made = await district.b_admin.client.post("/manager/staff/", data={
        "username": "spy", "password": "spy-password", "role": "district", "display_name": "spy"},
        headers={"x-csrftoken": district.b_admin.csrf})
    assert "spy" not in {r["username"] for r in await Staff.select(Staff.username)}, made.text[:300]
    cashier = await district.b_admin.client.post("/manager/staff/", data={
        "username": "newbie", "password": "newbie-password", "role": "cashier", "display_name": "新人"},
        headers={"x-csrftoken": district.b_admin.csrf})
    assert cashier.status_code in (200, 302, 303), cashier.text[:300]
    assert (await Staff.select(Staff.shop).where(Staff.username == "newbie").first())["shop"] == district.b_id


# -- every route of the app, by B's admin, against A's records ----------------------------------------------------

EMPTY = ("[]", "{}")  # a list filtered by the shop (a member's gifts): nothing of A's in it
SAMPLES = {"/manager/printing/documents"}  # every document with sample data (a coat, 小张, S00000001): nobody's

async def test_every_route_tried_by_b_admin_against_a_records_shows_and_changes_nothing_of_a(district):
    from tests.web.test_role_matrix import PUBLIC, routes, rule_of

    a, goods, a_manager = district.a, district.goods, district.a_manager
    # A's records of every kind a path names: a return and a service record too
    line = (await a_manager.get(f"/api/returns/sales/{a['sale']}")).json()["lines"][0]["id"]
    back = await (await district.shop.logged_in("cashier", "cashier-pw")).post("/api/returns", json={
        "sale": a["sale"], "till": "T1", "idempotency_key": uuid.uuid4().hex, "lines": [{"line": line, "quantity": 1}]})
    assert back.status_code == 201, back.text
    service = await a_manager.post("/api/lovebank/service", json={
        "member_id": a["member"], "served_on": datetime.now(UTC).date().isoformat(), "start_time": "09:00",
        "place": "甲店社区", "content": "甲店服务", "service_type": "elder-care", "half_hours": 2, "witness": "甲店证人"})
    assert service.status_code == 201, service.text
    a_values = {"barcode": goods.book, "donor_id": a["donor"], "maker_id": a["maker"], "member_id": a["member"],
                "printer_id": a["printer"], "take_id": a["stocktake"], "job_id": a["job"], "offline_id": a["offline"],
                "parked_id": a["parked"], "record_id": service.json()["id"], "username": "cashier"}
    numbers = {"/api/returns/": back.json()["number"], "/api/donations/": a["donation"], "/intake/donations/":
               a["donation"]}
    marks = (*A_MARKS, a["sale"], a["donation"], back.json()["number"], "甲店服务")

    def concrete(path: str) -> tuple[str, bool]:
        """The path with A's records in it, and whether it names one of them."""
        names_a = False

        def value(match) -> str:
            nonlocal names_a
            name, kind = match.group(1), match.group(2)
            if name == "number":
                names_a = True
                return next((n for prefix, n in numbers.items() if path.startswith(prefix)), a["sale"])
            if name == "code":
                if "/tills/" in path:
                    return "T1"  # B has a T1 of its own
                names_a = True
                return "books"  # A's category: B has only food
            if name == "locale":
                return "en"
            names_a = True
            return str(a_values.get(name, 1))
        return re.sub(r"\{(\w+):(\w+)\}", value, path), names_a

    b = district.b_admin
    tried, problems = 0, []
    for method, path in routes(district.shop.app):
        if rule_of(method, path) == PUBLIC or path.startswith("/api/district"):
            continue
        url, names_a = concrete(path)
        district_wide = DISTRICT_WIDE in path  # A's member: found, their passbook shown; never closed nor erased
        response = await b.client.request(method, url, headers={"x-csrftoken": b.csrf},
                                          json={} if method in ("POST", "PUT", "DELETE") else None,
                                          follow_redirects=False)
        tried += 1
        # a page's form answers with the page and what was wrong (200): what it would change is checked below
        form = method != "GET" and not url.startswith("/api/")
        if names_a and response.status_code < 300 and response.text not in EMPTY and not form and not district_wide:
            problems.append((method, url, response.status_code, response.text[:300]))
        if path in SAMPLES or district_wide and method == "GET":
            continue
        for mark in (marks if response.status_code < 400 else (*A_MARKS, "甲店服务")) if not district_wide else A_MARKS:
            if mark in response.text:
                problems.append((method, url, mark, response.text[:300]))
    assert problems == [], "\n".join(" ".join(str(part) for part in problem[:3]) for problem in problems)
    assert tried > 100
    # and A's records are all there, as they were
    assert len((await a_manager.get("/api/stocktakes")).json()) == 1
    member = (await a_manager.get(f"/api/lovebank/members/{a['member']}")).json()
    assert (member["name"], member["status"]) == ("甲店会员", "open")  # B found them, and neither erased nor closed them
    assert (await a_manager.get(f"/api/printers/{a['printer']}")).status_code == 200
    book = await Item.select(Item.price_fen, Item.active).where(
        (Item.shop == goods.shop_id) & (Item.barcode == goods.book)).first()
    assert (book["price_fen"], book["active"]) == (1200, True)
    cashier = await Staff.select(Staff.role, Staff.active, Staff.pin_hash).where(Staff.username == "cashier").first()
    assert (cashier["role"], cashier["active"], cashier["pin_hash"]) == ("cashier", True, None)
    assert await district.shop.logged_in("cashier", "cashier-pw")  # the same password
    books = (await a_manager.get("/api/catalogue/categories")).json()
    assert [(c["code"], c["fund_percent"]) for c in books if c["code"] == "books"] == [("books", 50)]
