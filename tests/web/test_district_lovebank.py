"""One love bank for the district (issue 19), through real HTTP on both databases.

Shop A (the test shop of `goods`), shop B ("north") with its own till, and a station S ("sunny": no tills, service is
recorded there) share one database. A member registered at A earns points for service recorded and approved at S,
spends them at B's till, and gives points to the community fund at A and at B: every shop finds them, their
passbook shows each entry with where it happened, and each shop's fund keeps its own points. verify() holds, and sees
a fund's points or a passbook entry moved to another shop behind the rules' back.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from inventory.catalogue import add_category, add_item
from lovebank.passbook import fund_points, points_of
from pos.sessions import open_session
from pos.tills import add_till
from pos.verify import verify
from shop import ledger
from shop.database import run
from shop.shops import ShopKind, add_shop
from shop.staff import Role, create_staff, set_pin
from tests.tampering import triggers_off

B_NAME, S_NAME = "北门店", "阳光社工站"
PRICE_AT_B = 990  # 9 points (¥9.00) and ¥0.90 in cash
PHONE = "13900002468"


class Place:
    """A shop or station of the district, and who works there."""

    def __init__(self, shop_id: int, name: str) -> None:
        self.id, self.name = shop_id, name


@pytest.fixture
async def district(shop, goods, settings):
    north = await add_shop(code="north", name=B_NAME, address="北街 1 号")
    sunny = await add_shop(code="sunny", name=S_NAME, kind=ShopKind.STATION, feeds=settings.shop.code)
    await create_staff(shop_id=north.id, username="b-manager", password="b-manager-pw", role=Role.MANAGER,
                       display_name="北店长")
    b_cashier = await create_staff(shop_id=north.id, username="b-cashier", password="b-cashier-pw",
                                   role=Role.CASHIER, display_name="北收银")
    for n in (1, 2):
        await create_staff(shop_id=sunny.id, username=f"s-coord{n}", password=f"s-coord{n}-pw",
                           role=Role.COORDINATOR, display_name=f"站点协调员{n}")
    till = await add_till(shop_id=north.id, code="T1", name="北一号")
    await open_session(shop_id=north.id, till_id=till, staff_id=b_cashier.id, float_fen=0)
    clothes = await add_category(shop_id=north.id, code="clothes", name="衣物", source="purchased")
    await add_item(shop_id=north.id, barcode="6900000000991", name="北店毛巾", category_id=clothes,
                   price_fen=PRICE_AT_B, quantity=5)
    d = {"a": Place(goods.shop_id, settings.shop.name), "b": Place(north.id, B_NAME), "s": Place(sunny.id, S_NAME),
         "a_manager": await shop.logged_in("manager", "manager-pw"),
         "b_manager": await shop.logged_in("b-manager", "b-manager-pw"),
         "b_cashier": await shop.logged_in("b-cashier", "b-cashier-pw"),
         "s1": await shop.logged_in("s-coord1", "s-coord1-pw"), "s2": await shop.logged_in("s-coord2", "s-coord2-pw")}
    return d


async def _member_who_served_at_the_station_and_spent_at_b(d) -> dict:
    # registered at A
    opened = await d["a_manager"].post("/api/lovebank/members", json={"name": "区会员王阿姨", "phone": PHONE})
    assert opened.status_code == 201, opened.text
    member = opened.json()
    assert member["opened_where"] == d["a"].name
    # service recorded at the station S by one coordinator, approved there by another: 2 h of elder care, 20 points
    recorded = await d["s1"].post("/api/lovebank/service", json={
        "member_id": member["id"], "served_on": datetime.now(UTC).date().isoformat(), "start_time": "09:00",
        "place": "阳光社区", "content": "陪独居老人", "service_type": "elder-care", "half_hours": 4, "witness": "李站长"})
    assert recorded.status_code == 201, recorded.text
    approved = await d["s2"].post(f"/api/lovebank/service/{recorded.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["points"], approved.json()["where"]) == (20, S_NAME)
    # spent at B's till: 9 points and ¥0.90 in cash for a towel of ¥9.90
    sold = await d["b_cashier"].post("/api/sales", json={
        "till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 100,
        "lines": [{"barcode": "6900000000991", "quantity": 1}], "points": {"points": 9, "member": member["number"]}})
    assert sold.status_code == 201, sold.text
    assert (sold.json()["points"], sold.json()["points_left"]) == (9, 11)
    member["sale"] = sold.json()["number"]
    return member


async def test_a_member_of_a_earns_at_the_station_spends_at_b_and_every_passbook_shows_where(district):
    d = district
    member = await _member_who_served_at_the_station_and_spent_at_b(d)
    assert await points_of(member["id"]) == 11  # one account: the district's

    # B's coordinator finds them by number, card, name and their phone's last four digits, with their points
    for q in (member["number"], member["card_code"], "王阿姨", PHONE[-4:]):
        found = (await d["b_manager"].get("/api/lovebank/members", params={"q": q})).json()
        assert [(m["id"], m["points"], m["opened_where"]) for m in found] == [(member["id"], 11, d["a"].name)], q
    assert (await d["b_cashier"].get(f"/api/till/members/{member['number']}")).json()["points"] == 11
    # and a member number is one in the district: a member opened at B gets another
    other = (await d["b_manager"].post("/api/lovebank/members", json={"name": "北店会员"})).json()
    assert other["number"] != member["number"] and other["opened_where"] == B_NAME

    # the passbook at A, at B and at the station: the service (where: S) and the spend (where: B), with balances
    for reader in ("a_manager", "b_manager", "s1"):
        statement = (await d[reader].get(f"/api/lovebank/members/{member['id']}/statement")).json()
        assert [(line["kind"], line["points"], line["balance"], line["where"]) for line in statement["lines"]] == [
            ("service", 20, 20, S_NAME), ("sale", -9, 11, B_NAME)], reader
        service = (await d[reader].get(f"/api/lovebank/members/{member['id']}/service")).json()
        assert [(s["content"], s["where"], s["status"]) for s in service] == [("陪独居老人", S_NAME, "approved")]
        page = await d[reader].get(f"/lovebank/members/{member['id']}")
        assert page.status_code == 200 and S_NAME in page.text and B_NAME in page.text and member["sale"] in page.text
    # the printed statement names where each entry happened, when it is not the shop printing it
    # (a description wraps in its column: read without the spaces and line breaks)
    printed = "".join("".join((await d["a_manager"].get(
        f"/api/lovebank/members/{member['id']}/statement/preview")).json()).split())
    assert f"·{S_NAME}" in printed and f"·{B_NAME}" in printed, printed
    at_b = "".join("".join((await d["b_manager"].get(
        f"/api/lovebank/members/{member['id']}/statement/preview")).json()).split())
    assert f"·{S_NAME}" in at_b and f"·{B_NAME}" not in at_b, at_b

    # a service recorded at the station is decided there: B cannot approve, reject nor correct it
    record = service[0]["id"]
    refused = await d["b_manager"].post(f"/api/lovebank/service/{record}/reverse", json={"reason": "不是本店的"})
    assert refused.status_code == 404, refused.text
    # the account's own life stays with A, which opened it
    closed = await d["b_manager"].post(f"/api/lovebank/members/{member['id']}/close", json={"give_rest_to_fund": True})
    assert (closed.status_code, closed.json()["code"]) == (403, "member-of-another-shop"), closed.text
    assert d["a"].name in closed.json()["detail"]
    assert await points_of(member["id"]) == 11


async def test_points_given_to_the_fund_at_a_and_at_b_stay_in_each_shops_fund(district):
    d = district
    member = await _member_who_served_at_the_station_and_spent_at_b(d)
    # given: the member gives 3 points to the fund at A, 4 at B
    for who, points in (("a_manager", 3), ("b_manager", 4)):
        given = await d[who].post("/api/lovebank/donations", json={"from_member_id": member["id"], "points": points})
        assert given.status_code == 201, given.text
        assert given.json()["where"] == (d["a"].name if who == "a_manager" else B_NAME)
    # then each shop's fund holds its own, in its own ledger account
    assert (await fund_points(d["a"].id), await fund_points(d["b"].id), await fund_points(d["s"].id)) == (3, 4, 0)
    assert -await ledger.balance(ledger.fund_points(d["b"].id), ledger.Currency.PTS) == 4
    assert (await d["a_manager"].get("/api/lovebank/fund")).json() == {"points": 3}
    assert (await d["b_manager"].get("/api/lovebank/fund")).json() == {"points": 4}
    assert (await d["b_cashier"].get("/api/till/fund-points")).json()["points"] == 4
    assert (await d["b_manager"].get("/api/fund/")).json()["balance"]["points"] == 4
    assert await points_of(member["id"]) == 11 - 7
    # B's manager spends B's fund for a household at B's till: never more than B's fund holds, A's untouched
    await set_pin(username="b-manager", pin="1357")
    for points, status in ((5, 409), (4, 201)):
        spent = await d["b_cashier"].post("/api/sales", json={
            "till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 600, "manager_pin": "1357",
            "lines": [{"barcode": "6900000000991", "quantity": 1}],
            "points": {"points": points, "household_ref": "H-2026-019"}})
        assert spent.status_code == status, spent.text
    assert (await fund_points(d["a"].id), await fund_points(d["b"].id)) == (3, 0)
    # the passbook shows both gifts where they were given
    statement = (await d["s1"].get(f"/api/lovebank/members/{member['id']}/statement")).json()
    assert [(line["kind"], line["points"], line["where"]) for line in statement["lines"][2:]] == [
        ("points-gift", -3, d["a"].name), ("points-gift", -4, B_NAME)]
    # and the books hold, district-wide and per shop
    assert await verify() == []


async def test_verify_sees_a_funds_points_or_a_passbook_entry_moved_to_another_shop(district, db):
    d = district
    member = await _member_who_served_at_the_station_and_spent_at_b(d)
    given = await d["a_manager"].post("/api/lovebank/donations", json={"from_member_id": member["id"], "points": 5})
    assert given.status_code == 201, given.text
    gift = given.json()
    txn = (await run(db, "SELECT ledger_txn FROM points_gift WHERE id = $1", gift["id"]))[0]["ledger_txn"]
    a_fund, b_fund = ledger.fund_points(d["a"].id), ledger.fund_points(d["b"].id)
    assert await verify() == []

    # when the gift's credit is moved from A's fund to B's behind the rules' back
    async with triggers_off(db, "ledger_entry"):
        await run(db, "UPDATE ledger_entry SET account = $1 WHERE txn = $2 AND account = $3", b_fund, txn, a_fund)
    try:
        problems = "\n".join(await verify())
        assert "a shop's fund points moved by another shop's transaction" in problems
        assert f"points gift to the fund not in the fund of the shop where it was given: {gift['id']}" in problems
    finally:
        async with triggers_off(db, "ledger_entry"):
            await run(db, "UPDATE ledger_entry SET account = $1 WHERE txn = $2 AND account = $3", a_fund, txn, b_fund)

    # when the station's service is made to look recorded at B
    record = (await run(db, "SELECT id FROM service_record WHERE member = $1", member["id"]))[0]["id"]
    async with triggers_off(db, "service_record"):
        await run(db, "UPDATE service_record SET shop = $1 WHERE id = $2", d["b"].id, record)
    try:
        problems = "\n".join(await verify())
        assert f"service or points gift whose ledger transaction is another shop's: service {record}" in problems
    finally:
        async with triggers_off(db, "service_record"):
            await run(db, "UPDATE service_record SET shop = $1 WHERE id = $2", d["s"].id, record)

    # when points are posted to the one fund account of before each shop had its own
    async with triggers_off(db, "ledger_entry"):
        await run(db, "UPDATE ledger_entry SET account = $1 WHERE txn = $2 AND account = $3",
                  ledger.FUND_POINTS_SHARED, txn, a_fund)
    try:
        problems = "\n".join(await verify())
        assert "points in the fund account of before each shop had its own: -5" in problems
    finally:
        async with triggers_off(db, "ledger_entry"):
            await run(db, "UPDATE ledger_entry SET account = $1 WHERE txn = $2 AND account = $3", a_fund, txn,
                      ledger.FUND_POINTS_SHARED)
    assert await verify() == []
