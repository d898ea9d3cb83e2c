"""The till's session, returns and voids through real HTTP: open, X report, close with the Z report printed;
a return started from the receipt's number; a void that needs a manager."""

import uuid

from pos.tables import SaleReturn
from shop import ledger
from tests.printing.escpos_decode import decode


def sale_body(lines, cash, till="T1"):
    return {"till": till, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": cash,
            "lines": [{"barcode": code, "quantity": qty} for code, qty in lines]}


async def test_the_till_closes_with_a_count_prints_its_z_report_and_refuses_sales_until_opened(cashier, goods):
    # given an open till that sold ¥24.00 (its float in the test shop is ¥0)
    state = (await cashier.get("/api/tills/T1/session")).json()
    assert state["is_open"] and state["session"]["float_fen"] == 0
    assert (await cashier.post("/api/sales", json=sale_body([(goods.book, 2)], 3000))).status_code == 201
    x = await cashier.get("/api/tills/T1/session/x-report")
    assert x.status_code == 200 and x.json()["kind"] == "X" and x.json()["expected_cash_fen"] == 2400
    assert any("2400" in line.replace(".", "").replace(",", "") for line in x.json()["printed"])
    # when the drawer is counted at ¥23.50
    closed = await cashier.post("/api/tills/T1/session/close", json={"counted_fen": 2350})
    # then the Z report says ¥0.50 short, and it printed
    assert closed.status_code == 201, closed.text
    z = closed.json()
    assert (z["kind"], z["expected_cash_fen"], z["counted_fen"], z["over_short_fen"]) == ("Z", 2400, 2350, -50)
    assert z["sales_count"] == 1 and z["fund_fen"] + z["maker_fen"] + z["running_fen"] == z["net_fen"] == 2400
    printed = await cashier.printed(f"*{z['session']['number']}*")
    assert printed, "the Z report was not printed"
    text = "\n".join(line.text for line in decode(printed[0].read_bytes()).lines)
    assert "Z" in text and "-￥0.50" in text and "￥23.50" in text
    # and the till refuses a sale, in Chinese, until it is opened again
    refused = await cashier.post("/api/sales", json=sale_body([(goods.book, 1)], 1200))
    assert refused.status_code == 409 and refused.json()["code"] == "till-closed"
    assert "备用金" in refused.json()["detail"] or "开" in refused.json()["detail"]
    assert not (await cashier.get("/api/tills/T1/session")).json()["is_open"]
    opened = await cashier.post("/api/tills/T1/session", json={"float_fen": 20000})
    assert opened.status_code == 201 and opened.json()["is_open"] and opened.json()["float_fen"] == 20000
    again = await cashier.post("/api/tills/T1/session", json={"float_fen": 20000})
    assert again.status_code == 409 and again.json()["code"] == "till-already-open"
    assert (await cashier.post("/api/tills/T1/session/close", json={"counted_fen": -5})).json()["code"] == \
        "bad-cash-count"
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 20000
    # and a manager sees the till's sessions, newest first, each with its count
    assert (await cashier.get("/api/tills/T1/sessions")).status_code == 403
    await cashier.login("manager", "manager-pw")
    sessions = (await cashier.get("/api/tills/T1/sessions")).json()
    assert [(s["is_open"], s["over_short_fen"]) for s in sessions] == [(True, None), (False, -50)]


async def test_a_return_from_the_receipts_number_refunds_cash_once(cashier, goods):
    # given a sale of three packs of noodles
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.noodles, 3)], 4000))).json()
    # when the receipt's barcode is scanned: the sale with what is left to take back
    found = await cashier.get(f"/api/returns/sales/{sale['number']}")
    assert found.status_code == 200
    line = found.json()["lines"][0]
    assert (line["name"], line["returnable"], found.json()["tenders"][0]["kind"]) == ("红烧牛肉面 5连包", 3, "cash")
    body = {"till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex,
            "lines": [{"line": line["id"], "quantity": 2}], "reason": "买多了"}
    first = await cashier.post("/api/returns", json=body)
    again = await cashier.post("/api/returns", json=body)
    # then ¥25.00 is handed back in cash, once
    assert first.status_code == 201, first.text
    assert (first.json()["cash_fen"], first.json()["total_fen"]) == (2500, 2500)
    assert again.status_code == 200 and again.json()["replayed"] and again.json()["number"] == first.json()["number"]
    assert await SaleReturn.count() == 1
    left = (await cashier.get(f"/api/returns/sales/{sale['number']}")).json()
    assert (left["lines"][0]["returned"], left["lines"][0]["returnable"], left["returned_fen"]) == (2, 1, 2500)
    # and more than is left is refused with a sentence
    more = await cashier.post("/api/returns", json={**body, "idempotency_key": uuid.uuid4().hex,
                                                    "lines": [{"line": line["id"], "quantity": 2}]})
    assert more.status_code == 409 and more.json()["code"] == "more-than-sold"
    assert "红烧牛肉面" in more.json()["detail"] and "1" in more.json()["detail"]
    unknown = await cashier.get("/api/returns/sales/S99999999")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-sale"


async def test_a_void_needs_a_manager(browser, goods):
    # given a cashier's sale
    await browser.login("cashier", "cashier-pw")
    sale = (await browser.post("/api/sales", json=sale_body([(goods.coat, 1)], 5000))).json()
    body = {"till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex}
    # when the cashier alone voids it, it is refused
    refused = await browser.post("/api/returns/void", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "void-needs-manager"
    assert await SaleReturn.count() == 0
    # when a manager logs in at the till, the void is made and the manager recorded
    await browser.login("manager", "manager-pw")
    voided = await browser.post("/api/returns/void", json=body)
    assert voided.status_code == 201, voided.text
    assert voided.json()["voided"] and voided.json()["cash_fen"] == 3500
    row = await SaleReturn.select().first()
    assert row["approved_by"] == goods.manager_id and row["reason"] == "void"


async def test_a_cashier_voids_with_a_managers_pin_and_a_wrong_pin_changes_nothing(cashier, goods):
    from shop.staff import set_pin

    await set_pin(username="manager", pin="2468")
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.noodles, 2)], 2500))).json()
    body = {"till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex}
    wrong = await cashier.post("/api/returns/void", json={**body, "manager_pin": "1111"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "bad-pin"
    assert await SaleReturn.count() == 0
    voided = await cashier.post("/api/returns/void", json={**body, "manager_pin": "2468"})
    assert voided.status_code == 201 and voided.json()["cash_fen"] == 2500
    row = await SaleReturn.select().first()
    assert (row["approved_by"], row["cashier"]) == (goods.manager_id, goods.cashier_id)
