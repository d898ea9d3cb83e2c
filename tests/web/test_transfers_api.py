"""Stock transfers over real HTTP (issue 19): A's manager sends donated goods and a maker's handicrafts to north;
north's manager receives them; north's till sells them, the donor's impact at A counts that sale and the maker is
paid by it; a return at north takes its share back (of the donor's impact and north's report, as the ledger does);
cancelling, refusals and replays; a third shop sees nothing; the page in both languages."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from inventory.catalogue import add_category, add_item
from inventory.tables import Item, StockMovement, Transfer
from inventory.transfers import TransferError
from pos.sessions import open_session
from pos.tables import SaleLine
from pos.tills import add_till
from shop.ledger import FUND
from shop.shops import ShopKind, add_shop
from shop.staff import Role, create_staff
from shop.tables import LedgerEntry
from web.i18n import ERROR_MESSAGES, error_message


@pytest.fixture
async def district(shop, goods):
    north = await add_shop(code="north", name="北门店")
    await create_staff(shop_id=north.id, username="b-manager", password="b-manager-pw", role=Role.MANAGER,
                       display_name="北店长")
    b_cashier = await create_staff(shop_id=north.id, username="b-cashier", password="b-cashier-pw", role=Role.CASHIER)
    till = await add_till(shop_id=north.id, code="T1", name="北一号")
    await open_session(shop_id=north.id, till_id=till, staff_id=b_cashier.id, float_fen=0)
    south = await add_shop(code="south", name="南门店")
    await create_staff(shop_id=south.id, username="c-manager", password="c-manager-pw", role=Role.MANAGER)
    await add_shop(code="east-station", name="东社工站", kind=ShopKind.STATION, feeds="north")
    return SimpleNamespace(
        north_id=north.id,
        a=await shop.logged_in("manager", "manager-pw"),
        a_cashier=await shop.logged_in("cashier", "cashier-pw"),
        b=await shop.logged_in("b-manager", "b-manager-pw"),
        b_cashier=await shop.logged_in("b-cashier", "b-cashier-pw"),
        c=await shop.logged_in("c-manager", "c-manager-pw"),
    )


def transfer(lines, to="north", key=None):
    return {"to_shop": to, "idempotency_key": key or uuid.uuid4().hex,
            "lines": [{"barcode": code, "quantity": quantity} for code, quantity in lines]}


def sale(lines, cash):
    return {"till": "T1", "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": quantity} for code, quantity in lines]}


async def on_hand(shop_id: int, barcode: str) -> int | None:
    row = await Item.select(Item.on_hand).where((Item.shop == shop_id) & (Item.barcode == barcode)).first()
    return None if row is None else row["on_hand"]


async def test_donated_goods_sent_received_and_sold_at_the_other_shop_count_for_their_donor(district, goods):
    d = district
    # given a donor's three jackets taken in at A (the shop's own code), and A's consigned coasters
    donor = (await d.a.post("/api/donors", json={"name": "李先生"})).json()["id"]
    given = await d.a.post("/api/donations", json={
        "idempotency_key": uuid.uuid4().hex, "donor_id": donor,
        "items": [{"category": "clothes", "description": "男士夹克", "condition": "good", "price_fen": 3000,
                   "quantity": 3}]})
    assert given.status_code == 201, given.text
    jacket = given.json()["label_codes"][0]
    # when A's manager sends two jackets and four coasters to north
    sent = await d.a.post("/api/transfers", json=transfer([(jacket, 2), (goods.coasters, 4)]))
    assert sent.status_code == 201, sent.text
    number = sent.json()["number"]
    assert (number, sent.json()["status"], sent.json()["to_shop"]) == ("DB-000001", "sent", "north")
    # then they left A and are nowhere yet; north sees it coming, A sees it sent
    assert (await on_hand(goods.shop_id, jacket), await on_hand(goods.shop_id, goods.coasters)) == (1, 8)
    assert await on_hand(d.north_id, jacket) is None
    coming = (await d.b.get("/api/transfers", params={"status": "sent"})).json()
    assert [(t["number"], t["from_shop"]) for t in coming] == [(number, "test")]
    assert [t["number"] for t in (await d.a.get("/api/transfers")).json()] == [number]
    # when north's manager receives it
    received = await d.b.post(f"/api/transfers/{number}/receive")
    assert received.status_code == 200, received.text
    assert (received.json()["status"], received.json()["closed_by"]) == ("received", "北店长")
    assert [line["received_barcode"] for line in received.json()["lines"]] == [jacket, goods.coasters]
    assert (await on_hand(d.north_id, jacket), await on_hand(d.north_id, goods.coasters)) == (2, 4)
    kinds = await StockMovement.select(StockMovement.shop, StockMovement.kind, StockMovement.quantity).where(
        StockMovement.ref == number).order_by(StockMovement.id)
    assert [(m["shop"], m["kind"], m["quantity"]) for m in kinds] == [
        (goods.shop_id, "transfer-out", -2), (goods.shop_id, "transfer-out", -4),
        (d.north_id, "transfer-in", 2), (d.north_id, "transfer-in", 4)]
    # then north's till scans a jacket at its price, and sells one and two coasters
    scanned = await d.b_cashier.get(f"/api/till/items/{jacket}")
    assert scanned.status_code == 200, scanned.text
    assert (scanned.json()["name"], scanned.json()["price_fen"], scanned.json()["on_hand"]) == ("男士夹克", 3000, 2)
    sold = await d.b_cashier.post("/api/sales", json=sale([(jacket, 1), (goods.coasters, 2)], cash=4000))
    assert sold.status_code == 201, sold.text
    # and the coasters' sale at north is the maker's, as at A
    lines = await SaleLine.select(SaleLine.barcode, SaleLine.maker_id).order_by(SaleLine.id)
    assert {line["barcode"]: line["maker_id"] for line in lines}[goods.coasters] == goods.maker_id
    # and A sells the jacket it kept
    assert (await d.a_cashier.post("/api/sales", json=sale([(jacket, 1)], cash=3000))).status_code == 201
    # then the donor's impact, read at A, counts both jackets sold, at A and at north
    impact = (await d.a.get(f"/api/donors/{donor}")).json()["impact"]
    assert (impact["pieces_given"], impact["pieces_sold"]) == (3, 2)
    fund_of_one = (await d.a.get(f"/api/sales/{sold.json()['number']}")).status_code  # north's sale is not A's
    assert fund_of_one == 404
    assert impact["fund_fen"] > 0 and impact["fund_fen"] % 2 == 0  # two equal jackets, split alike
    # and a second receive is refused
    again = await d.b.post(f"/api/transfers/{number}/receive")
    assert (again.status_code, again.json()["code"]) == (409, "transfer-not-in-transit")


async def test_a_transfer_cancelled_in_transit_goes_back_and_cannot_be_received(district, goods):
    d = district
    number = (await d.a.post("/api/transfers", json=transfer([(goods.noodles, 10)]))).json()["number"]
    assert await on_hand(goods.shop_id, goods.noodles) == 30
    refused = await d.b.post(f"/api/transfers/{number}/cancel")
    assert (refused.status_code, refused.json()["code"]) == (403, "not-the-sending-shop")
    cancelled = await d.a.post(f"/api/transfers/{number}/cancel")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert await on_hand(goods.shop_id, goods.noodles) == 40
    late = await d.b.post(f"/api/transfers/{number}/receive")
    assert (late.status_code, late.json()["code"]) == (409, "transfer-not-in-transit")
    assert [t["status"] for t in (await d.b.get("/api/transfers", params={"status": "cancelled"})).json()] == [
        "cancelled"]


async def test_refusals_are_problems_and_change_nothing(district, goods):
    d = district
    cases = [
        (transfer([(goods.book, 4)]), 409, "not-enough-on-hand"),
        (transfer([(goods.book, 1)], to="east-station"), 409, "transfer-to-station"),
        (transfer([(goods.book, 1)], to="test"), 400, "transfer-to-same-shop"),
        (transfer([(goods.book, 1)], to="nowhere"), 404, "unknown-shop"),
        (transfer([]), 400, "no-transfer-lines"),
        (transfer([(goods.book, -1)]), 400, "bad-quantity"),
        (transfer([("12345", 1)]), 400, "malformed-barcode"),
        (transfer([(goods.book, 1)], key="short"), 400, "bad-idempotency-key"),
        ({"to_shop": "north", "lines": [{"barcode": goods.book}], "idempotency_key": uuid.uuid4().hex,
          "price": 1}, 400, "malformed-request"),
    ]
    for body, status, code in cases:
        response = await d.a.post("/api/transfers", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await Transfer.count() == 0 and await on_hand(goods.shop_id, goods.book) == 3
    bad = await d.a.get("/api/transfers", params={"status": "lost"})
    assert (bad.status_code, bad.json()["code"]) == (400, "bad-transfer-status")
    # a cashier may not send
    assert (await d.a_cashier.post("/api/transfers", json=transfer([(goods.book, 1)]))).status_code == 403


async def test_the_same_key_sends_once_and_another_request_with_it_is_refused(district, goods):
    d = district
    body = transfer([(goods.noodles, 5)], key="transfer-once-1")
    first = await d.a.post("/api/transfers", json=body)
    replay = await d.a.post("/api/transfers", json=body)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert (replay.json()["number"], replay.json()["replayed"]) == (first.json()["number"], True)
    other = await d.a.post("/api/transfers", json={**body, "lines": [{"barcode": goods.noodles, "quantity": 6}]})
    assert (other.status_code, other.json()["code"]) == (409, "transfer-key-reused")
    assert await on_hand(goods.shop_id, goods.noodles) == 35 and await Transfer.count() == 1


async def test_the_sender_cannot_receive_and_a_third_shop_sees_and_touches_nothing(district, goods):
    d = district
    number = (await d.a.post("/api/transfers", json=transfer([(goods.book, 1)]))).json()["number"]
    own = await d.a.post(f"/api/transfers/{number}/receive")
    assert (own.status_code, own.json()["code"]) == (403, "not-the-receiving-shop")
    assert (await d.c.get("/api/transfers")).json() == []
    for action in ("receive", "cancel"):
        response = await d.c.post(f"/api/transfers/{number}/{action}")
        assert (response.status_code, response.json()["code"]) == (404, "unknown-transfer")
    page = await d.c.get("/manager/transfers")
    assert page.status_code == 200 and number not in page.text
    assert (await d.b.post(f"/api/transfers/{number}/receive")).status_code == 200


async def test_the_page_sends_receives_and_prints_labels_for_new_codes_in_both_languages(district, goods):
    d = district
    # given north already uses the coat's in-store code for goods of its own
    food = await add_category(shop_id=d.north_id, code="food", name="食品", source="purchased")
    await add_item(shop_id=d.north_id, barcode=goods.coat, name="北店自己的货", category_id=food, price_fen=100)
    # A's page: a send form offering the other shops (not a station, not itself)
    page = await d.a.get("/manager/transfers")
    assert page.status_code == 200 and 'id="send-transfer"' in page.text and "调拨" in page.text
    assert 'value="north"' in page.text and 'value="east-station"' not in page.text and 'value="test"' not in page.text
    key = page.text.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {"to_shop": "north", "lines": f"{goods.coat}\n{goods.book} 2", "idempotency_key": key}
    sent = await d.a.post("/manager/transfers", data=form, follow_redirects=False)
    assert sent.status_code in (302, 303), sent.text
    replayed = await d.a.post("/manager/transfers", data=form, follow_redirects=False)  # a double tap
    assert replayed.status_code in (302, 303) and await Transfer.count() == 1
    bad = await d.a.post("/manager/transfers", data={**form, "lines": f"{goods.book} two",
                                                     "idempotency_key": uuid.uuid4().hex})
    assert bad.status_code == 200 and 'class="message error"' in bad.text and await Transfer.count() == 1
    listed = await d.a.get("/manager/transfers")
    assert 'action="/manager/transfers/DB-000001/cancel"' in listed.text
    assert 'action="/manager/transfers/DB-000001/receive"' not in listed.text
    # north's page offers to receive it; receiving by the form
    coming = await d.b.get("/manager/transfers")
    assert 'action="/manager/transfers/DB-000001/receive"' in coming.text
    assert 'action="/manager/transfers/DB-000001/cancel"' not in coming.text
    taken = await d.b.post("/manager/transfers/DB-000001/receive", follow_redirects=False)
    assert taken.status_code in (302, 303)
    lines = {line["barcode"]: line for line in (await d.b.get("/api/transfers")).json()[0]["lines"]}
    assert (lines[goods.book]["received_barcode"], lines[goods.book]["new_code"]) == (goods.book, False)
    coat = lines[goods.coat]["received_barcode"]
    assert lines[goods.coat]["new_code"] and coat != goods.coat and await on_hand(d.north_id, coat) == 1
    # the coat's new code needs a label: north prints it from the page, on its label printer
    received = await d.b.get("/manager/transfers")
    assert f"新条码 {coat}" in received.text and 'action="/manager/transfers/DB-000001/labels"' in received.text
    printed = await d.b.post("/manager/transfers/DB-000001/labels")
    assert printed.status_code == 200 and "1 张标签" in printed.text
    jobs = (await d.b.get("/api/printing/jobs")).json()
    assert [job["ref"] for job in jobs] == ["DB-000001"]
    # in English
    await d.b.get("/lang/en")
    english = await d.b.get("/manager/transfers")
    assert "Transfers" in english.text and "new code" in english.text and "1 label(s)" not in english.text


def test_every_transfer_error_has_a_sentence_in_both_languages():
    for code in TransferError:
        assert code.value in ERROR_MESSAGES
        zh, en = error_message("zh_CN", code.value, {}), error_message("en", code.value, {})
        assert zh and en and zh != en, code


async def test_goods_sent_sold_and_partly_returned_at_the_other_shop_count_net_for_their_donor_and_its_report(
        district, goods):
    d = district
    # given a donor's three jackets taken in at A, two of them sent to north and received there
    donor = (await d.a.post("/api/donors", json={"name": "王女士"})).json()["id"]
    given = await d.a.post("/api/donations", json={
        "idempotency_key": uuid.uuid4().hex, "donor_id": donor,
        "items": [{"category": "clothes", "description": "女士风衣", "condition": "like-new", "price_fen": 4500,
                   "quantity": 3}]})
    assert given.status_code == 201, given.text
    coat = given.json()["label_codes"][0]
    number = (await d.a.post("/api/transfers", json=transfer([(coat, 2)]))).json()["number"]
    assert (await d.b.post(f"/api/transfers/{number}/receive")).status_code == 200
    # when north's till sells both, and one is brought back to north the same day
    sold = await d.b_cashier.post("/api/sales", json=sale([(coat, 2)], cash=9000))
    assert sold.status_code == 201, sold.text
    line = (await d.b.get(f"/api/returns/sales/{sold.json()['number']}")).json()["lines"][0]
    back = await d.b_cashier.post("/api/returns", json={
        "sale": sold.json()["number"], "till": "T1", "idempotency_key": uuid.uuid4().hex,
        "lines": [{"line": line["id"], "quantity": 1}]})
    assert back.status_code == 201, back.text
    # then the ledger says what north raised for the fund, net: the sale's credit less the return's debit
    north_fund = -sum(row["amount"] for row in await LedgerEntry.select(LedgerEntry.amount).where(
        (LedgerEntry.account == FUND) & (LedgerEntry.txn.shop == d.north_id)))
    sale_fund = -sum(row["amount"] for row in await LedgerEntry.select(LedgerEntry.amount).where(
        (LedgerEntry.account == FUND) & (LedgerEntry.txn.ref == sold.json()["number"])))
    assert 0 < north_fund < sale_fund
    # and the donor's impact, read at A, counts one coat sold and that net share of the fund
    impact = (await d.a.get(f"/api/donors/{donor}")).json()["impact"]
    assert (impact["pieces_given"], impact["pieces_sold"], impact["fund_fen"]) == (3, 1, north_fund)
    # and north's report of the day: two coats sold, one refunded, one coat's price net and the same fund share
    figures = (await d.b.get("/api/reports/figures", params={"period": "day"})).json()["totals"]
    assert (figures["pieces"], figures["gross_fen"], figures["refunds"], figures["refund_fen"]) == (2, 9000, 1, 4500)
    assert (figures["net_fen"], figures["fund_fen"]) == (4500, north_fund)
    assert (await on_hand(d.north_id, coat), await on_hand(goods.shop_id, coat)) == (1, 1)
    # and A's report counts none of it (nothing sold at A)
    a_figures = (await d.a.get("/api/reports/figures", params={"period": "day"})).json()["totals"]
    assert a_figures["pieces"] == 0 and a_figures["net_fen"] == 0
