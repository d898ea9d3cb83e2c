"""The district's page /district (issue 19), through real HTTP on both databases.

Shop A (the test shop of `goods`), shop B ("north", its own till) and a station ("sunny", no tills: service is
recorded there) share one database. A sells a donated coat, a maker's coasters and a book, and takes the book back;
B sells noodles and takes one back, sells a towel half in points and refunds it, then sells it again in points. A
member of A earns points for service recorded and approved at the station and gives some to A's fund; a donation
comes in at A. Then the street office's user reads /district: each shop's row is that shop's own report
(pos.reports.report), the total their sum, the love bank's table agrees with the ledger, and the CSV with both.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from inventory.catalogue import add_category, add_item
from pos.reports import Dimension, period_of, report
from pos.sessions import open_session
from pos.tills import add_till
from shop import ledger
from shop.shops import ShopKind, add_shop
from shop.staff import Role, create_staff
from web.reports import COLUMNS

B_NAME = "=北门店"  # a name a spreadsheet would run as a formula: the CSV writes it as text
S_NAME = "阳光社工站"
TOWEL = "6900000000991"  # ¥9.90 at B: 9 points (¥9.00) and ¥0.90 in cash


def _sale(lines, cash, points=None):
    sale = {"till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines]}
    if points:
        sale["points"] = points
    return sale


async def _sold(till, sale) -> str:
    sold = await till.post("/api/sales", json=sale)
    assert sold.status_code == 201, sold.text
    return sold.json()["number"]


async def _take_back(till, manager, number: str, line: int, quantity: int) -> None:
    lines = (await manager.get(f"/api/returns/sales/{number}")).json()["lines"]
    back = await till.post("/api/returns", json={"sale": number, "till": "T1", "idempotency_key": uuid.uuid4().hex,
                                                 "lines": [{"line": lines[line]["id"], "quantity": quantity}]})
    assert back.status_code == 201, back.text


@pytest.fixture
async def district(shop, goods, settings):
    north = await add_shop(code="north", name=B_NAME, address="北街 1 号")
    sunny = await add_shop(code="sunny", name=S_NAME, kind=ShopKind.STATION, feeds="north")
    await create_staff(shop_id=north.id, username="b-manager", password="b-manager-pw", role=Role.MANAGER)
    await create_staff(shop_id=north.id, username="b-admin", password="b-admin-pw", role=Role.ADMIN)
    b_cashier = await create_staff(shop_id=north.id, username="b-cashier", password="b-cashier-pw", role=Role.CASHIER)
    for n in (1, 2):
        await create_staff(shop_id=sunny.id, username=f"s-coord{n}", password=f"s-coord{n}-pw", role=Role.COORDINATOR)
    await create_staff(shop_id=goods.shop_id, username="street", password="street-pw", role=Role.DISTRICT)
    till = await add_till(shop_id=north.id, code="T1", name="北一号")
    await open_session(shop_id=north.id, till_id=till, staff_id=b_cashier.id, float_fen=0)
    food = await add_category(shop_id=north.id, code="food", name="食品", source="purchased")
    await add_item(shop_id=north.id, barcode=goods.noodles, name="北店方便面", category_id=food, price_fen=990,
                   quantity=10)
    await add_item(shop_id=north.id, barcode=TOWEL, name="北店毛巾", category_id=food, price_fen=990, quantity=5)
    d = {"ids": {settings.shop.code: goods.shop_id, "north": north.id, "sunny": sunny.id},
         "a_cashier": await shop.logged_in("cashier", "cashier-pw"),
         "a_manager": await shop.logged_in("manager", "manager-pw"),
         "b_cashier": await shop.logged_in("b-cashier", "b-cashier-pw"),
         "b_manager": await shop.logged_in("b-manager", "b-manager-pw"),
         "b_admin": await shop.logged_in("b-admin", "b-admin-pw")}
    a_cashier, a_manager, b_cashier, b_manager = d["a_cashier"], d["a_manager"], d["b_cashier"], d["b_manager"]

    # a member of A serves at the station (20 points, approved there by another coordinator) and gives 2 to A's fund
    member = (await a_manager.post("/api/lovebank/members", json={"name": "区会员王阿姨"})).json()
    s1, s2 = await shop.logged_in("s-coord1", "s-coord1-pw"), await shop.logged_in("s-coord2", "s-coord2-pw")
    recorded = await s1.post("/api/lovebank/service", json={
        "member_id": member["id"], "served_on": datetime.now(UTC).date().isoformat(), "start_time": "09:00",
        "place": "阳光社区", "content": "陪独居老人", "service_type": "elder-care", "half_hours": 4, "witness": "李站长"})
    assert recorded.status_code == 201, recorded.text
    approved = await s2.post(f"/api/lovebank/service/{recorded.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["points"] == 20, approved.text
    given = await a_manager.post("/api/lovebank/donations", json={"from_member_id": member["id"], "points": 2})
    assert given.status_code == 201, given.text

    # A: a donated coat, a maker's coasters and a book; the book comes back
    a_sale = await _sold(a_cashier, _sale([(goods.coat, 1), (goods.coasters, 2), (goods.book, 1)], cash=6000))
    await _take_back(a_cashier, a_manager, a_sale, -1, 1)
    # and a donation comes in at A's desk
    donation = await a_manager.post("/api/donations", json={
        "idempotency_key": uuid.uuid4().hex,
        "items": [{"category": "clothes", "description": "棉服", "condition": "like-new", "price_fen": 2500}]})
    assert donation.status_code == 201, donation.text
    # B: three noodles, one back; a towel paid half in points, refunded; then a towel in points again
    b_sale = await _sold(b_cashier, _sale([(goods.noodles, 3)], cash=5000))
    await _take_back(b_cashier, b_manager, b_sale, 0, 1)
    points = {"points": 9, "member": member["number"]}
    split = await _sold(b_cashier, _sale([(TOWEL, 1)], cash=100, points=points))
    await _take_back(b_cashier, b_manager, split, 0, 1)
    await _sold(b_cashier, _sale([(TOWEL, 1)], cash=100, points=points))
    d["member"] = member
    d["street"] = await shop.logged_in("street", "street-pw")
    return d


def _table(html: str, table_id: str) -> dict[str, dict[str, int]]:
    """The figures of a table of the page by its rows' keys (the total's key: "")."""
    body = re.search(rf'<table class="report" id="{table_id}">(.*?)</table>', html, re.S).group(1)

    def cells(row: str) -> dict[str, int]:
        return {name: int(value) for name, value in re.findall(r'data-figure="(\w+)" data-fen="(-?\d+)"', row)}
    rows = {key: cells(row) for key, row in re.findall(r'<tr data-key="([^"]+)"[^>]*>(.*?)</tr>', body, re.S)}
    rows[""] = cells(re.search(r'<tr class="sum">(.*?)</tr>', body, re.S).group(1))
    return rows


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


async def test_the_district_page_is_each_shops_own_report_its_love_bank_the_ledgers_and_its_csv_the_same(
        district, settings):
    street, ids, zone = district["street"], district["ids"], settings.zone
    today = datetime.now(zone).date()
    period = period_of("day", today)
    # given: the district user logs in and lands on the district's page
    landed = await street.get("/district", params={"period": "day", "day": today.isoformat()})
    assert landed.status_code == 200, landed.text
    page = landed.text
    assert S_NAME in page and "=北门店" in page and "<svg" in page and 'id="shops-chart"' in page

    # then: a row per shop (not the station), each that shop's own report, and the total their sum
    figures = _table(page, "figures")
    assert sorted(figures) == sorted(["", settings.shop.code, "north"])
    own = {code: await report(shop_id=ids[code], period=period, dimension=Dimension.CATEGORY, zone=zone)
           for code in (settings.shop.code, "north")}
    for code, got in own.items():
        assert figures[code] == {**{name: getattr(got.totals, name) for name, _, _ in COLUMNS},
                                 "donations": got.donations.donations}, code
    for name in figures[""]:
        assert figures[""][name] == sum(figures[code][name] for code in own), name
    totals = figures[""]
    assert totals["sales"] == 4 and sum(got.totals.refunds for got in own.values()) == 3
    assert totals["refund_fen"] > 0 and totals["maker_fen"] > 0 and totals["fund_points_fen"] > 0
    assert figures["north"]["points_redeemed"] == 18 and totals["donations"] == 1
    assert totals["net_fen"] == totals["fund_fen"] + totals["maker_fen"] + totals["running_fen"]
    # the API says the same
    api = (await street.get("/api/district/figures", params={"period": "day"})).json()
    assert {name: api["totals"][name] for name, _, _ in COLUMNS} == {name: totals[name] for name, _, _ in COLUMNS}

    # the love bank: every shop and the station, their funds as the ledger holds them, the station's service
    lovebank = _table(page, "lovebank")
    assert sorted(lovebank) == sorted(["", settings.shop.code, "north", "sunny"])
    for code, shop_id in ids.items():
        assert lovebank[code]["fund_points"] == -await ledger.balance(ledger.fund_points(shop_id), ledger.Currency.PTS)
    assert lovebank[""]["fund_cash_fen"] == -await ledger.balance(ledger.FUND) > 0
    assert lovebank[settings.shop.code]["fund_points"] == 2
    assert [lovebank[code]["points_earned"] for code in (settings.shop.code, "north", "sunny")] == [0, 0, 20]
    assert [lovebank[code]["points_spent"] for code in (settings.shop.code, "north", "sunny")] == [0, 9, 0]
    assert [lovebank[code]["members"] for code in (settings.shop.code, "north", "sunny")] == [1, 0, 0]
    member_points = -await ledger.balance(ledger.member_points(district["member"]["id"]), ledger.Currency.PTS)
    assert member_points == 20 - 2 - 9
    # earned less spent is what the members and the funds hold
    assert lovebank[""]["points_earned"] - lovebank[""]["points_spent"] == member_points + lovebank[""]["fund_points"]
    for name in lovebank[""]:
        assert lovebank[""][name] == sum(row[name] for code, row in lovebank.items() if code), name
    api = (await street.get("/api/district/lovebank", params={"period": "day"})).json()
    assert sorted((row["shop"], row["kind"], row["points_earned"]) for row in api["rows"]) == sorted([
        (settings.shop.code, "shop", 0), ("north", "shop", 0), ("sunny", "station", 20)])

    # and the CSV: a BOM, the same columns, a line per shop with the same numbers, and the total
    got = await street.get("/api/district/figures.csv", params={"period": "day", "day": today.isoformat()})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["门店代码", "门店"] and lines[0][2] == "笔数" and lines[0][-1] == "收到的捐赠"
    assert len(lines[0]) == len(COLUMNS) + 3
    by_code = {line[0]: line for line in lines[1:-1]}
    assert by_code["north"][1] == "'=北门店"  # shown as text, never run
    for code, line in [*by_code.items(), ("", lines[-1])]:
        numbers = {name: _fen(cell) if money else int(cell)
                   for (name, _, money), cell in zip(COLUMNS, line[2:2 + len(COLUMNS)])}
        assert numbers == {name: figures[code][name] for name, _, _ in COLUMNS}, code
        assert int(line[-1]) == figures[code]["donations"]
    assert lines[-1][0] == "合计"


async def test_only_the_district_reads_the_page_and_it_changes_nothing(district, shop):
    from tests.web.test_role_matrix import routes

    # the district user's home is the district's page
    street = await shop.browser()
    logged_in = await street.login("street", "street-pw")
    assert logged_in.headers["location"] == "/district"
    page = await street.get("/district")
    assert page.status_code == 200 and 'href="/district"' in page.text and "街道汇总" in page.text
    await street.client.get("/lang/en")
    english = await street.get("/district")
    assert "District figures" in english.text and "Points earned by service" in english.text
    # a shop's manager or admin reads neither the page, its CSV nor the love bank's figures
    for other in (district["a_manager"], district["b_manager"], district["b_admin"]):
        for url in ("/district", "/api/district/figures.csv", "/api/district/lovebank"):
            assert (await other.get(url)).status_code == 403, url
    # a bad period on the page: said, and the month shown
    wrong = await street.get("/district", params={"period": "year"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text
    # the district cannot write anything, anywhere
    refused = []
    for method, path in routes(shop.app):
        if method == "GET" or path.startswith(("/login", "/lang")):
            continue
        url = re.sub(r"\{(\w+):int\}", "1", re.sub(r"\{(\w+):str\}", "T1", path))
        response = await street.client.request(method, url, json={}, headers={"x-csrftoken": street.csrf})
        refused.append((method, url, response.status_code))
    assert refused and all(status == 403 for _, _, status in refused), [r for r in refused if r[2] != 403]
