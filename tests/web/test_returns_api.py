"""The till's session, returns and voids through real HTTP: open, X report, close with the Z report printed;
a return started from the receipt's number; a void that needs a manager."""

import uuid

from inventory.tables import Category
from pos.tables import SaleReturn
from printing.layout import yuan
from printing.queue import recent_jobs
from shop import ledger
from tests.pos.members import member_with_points
from tests.printing.escpos_decode import Barcode, Drawer, decode
from tests.web.conftest import all_printed


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


async def spooled(till, pattern: str, count: int) -> list[bytes]:
    """The bytes of the till printer's spool files matching `pattern`, once every due job printed: `count` of them."""
    if len(files := await till.printed(pattern)) < count:
        raise AssertionError(f"{count} print files {pattern} were not written")
    return [f.read_bytes() for f in files]


def kicks(data: bytes) -> int:
    return sum(isinstance(event, Drawer) for event in decode(data).events)


async def test_a_split_tender_return_prints_its_refund_slip_and_the_x_and_z_show_refunds_by_tender(cashier, goods):
    # given a member's sale: a coat ¥35.00 and noodles ¥12.50, 30 points and ¥20.00 cash (food refuses points)
    await Category.update({Category.accepts_points: False}).where(Category.code == "food")
    member = await member_with_points(goods, 30)
    sold = await cashier.post("/api/sales", json={**sale_body([(goods.coat, 1), (goods.noodles, 1)], 2000),
                                                  "points": {"points": 30, "member": member.number}})
    assert sold.status_code == 201, sold.text
    sale = sold.json()
    (receipt,) = await spooled(cashier, f"*{sale['number']}*", 1)
    assert kicks(receipt) == 1  # cash was tendered: the drawer opens
    # when the coat comes back
    found = (await cashier.get(f"/api/returns/sales/{sale['number']}")).json()
    coat = next(line for line in found["lines"] if line["name"] != "红烧牛肉面 5连包")
    response = await cashier.post("/api/returns", json={
        "till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex,
        "lines": [{"line": coat["id"], "quantity": 1}]})
    # then it is refunded to both tenders, and its refund slip prints on the till's printer
    assert response.status_code == 201, response.text
    back = response.json()
    cash = back["cash_fen"]
    points = next(r for r in back["refunds"] if r["kind"] == "points")
    assert cash > 0 and points["points"] > 0 and cash + points["amount_fen"] <= back["total_fen"] == 3500
    (slip,) = await spooled(cashier, f"*{back['number']}*", 1)
    printout = decode(slip)
    assert printout.texts[1].strip() == "退货单"
    assert any(t.startswith("退货单号") and t.endswith(back["number"]) for t in printout.texts)
    assert any(t.startswith("原销售单号") and t.endswith(sale["number"]) for t in printout.texts)
    assert any(t.startswith("收银台") and t.endswith("T1 一号收银台") for t in printout.texts)
    assert any(t.startswith("退现金") and t.endswith(yuan(cash)) for t in printout.texts)
    assert any(t.startswith(f"退还积分（{points['points']} 分）") and t.endswith(yuan(points["amount_fen"]))
               for t in printout.texts)
    assert any(t.startswith("储户号") and t.endswith(member.number) for t in printout.texts)
    assert [e.data for e in printout.events if isinstance(e, Barcode)] == ["{B" + back["number"]]
    assert kicks(slip) == 1  # cash went out of the drawer
    # and the X report shows the refunds by tender, the expected cash net of the cash refund
    x = await cashier.post("/api/tills/T1/session/x-report")
    assert x.status_code == 201, x.text
    report = x.json()
    assert (report["cash_refunds_fen"], report["points_refunded_pts"], report["points_refunded_fen"]) == (
        cash, points["points"], points["amount_fen"])
    assert report["expected_cash_fen"] == 1750 - cash
    (x_paper,) = await spooled(cashier, f"*{report['session']['number']}*", 1)
    texts = decode(x_paper).texts
    assert any(t.startswith("现金退款") and t.endswith(yuan(cash)) for t in texts)
    assert any(t.startswith(f"退还积分（{points['points']} 分）") and t.endswith(yuan(points["amount_fen"]))
               for t in texts)
    assert kicks(x_paper) == 0  # an X report moves no cash
    # and the Z report too, and its count opens the drawer
    z = await cashier.post("/api/tills/T1/session/close", json={"counted_fen": 1750 - cash})
    assert z.status_code == 201, z.text
    assert (z.json()["over_short_fen"], z.json()["points_refunded_fen"]) == (0, points["amount_fen"])
    z_paper = (await spooled(cashier, f"*{report['session']['number']}*", 2))[-1]
    texts = decode(z_paper).texts
    assert any(t.startswith("现金退款") and t.endswith(yuan(cash)) for t in texts)
    assert any(t.startswith(f"退还积分（{points['points']} 分）") for t in texts)
    assert kicks(z_paper) == 1


async def test_points_move_no_cash_so_the_drawer_stays_shut_and_a_reprint_says_so_and_never_opens_it(cashier, goods):
    # given a coat paid with 35 points alone
    member = await member_with_points(goods, 35)
    sold = await cashier.post("/api/sales", json={**sale_body([(goods.coat, 1)], 0),
                                                  "points": {"points": 35, "member": member.number}})
    assert sold.status_code == 201, sold.text
    (receipt,) = await spooled(cashier, f"*{sold.json()['number']}*", 1)
    assert kicks(receipt) == 0
    # when it comes back
    found = (await cashier.get(f"/api/returns/sales/{sold.json()['number']}")).json()
    back = await cashier.post("/api/returns", json={
        "till": "T1", "sale": sold.json()["number"], "idempotency_key": uuid.uuid4().hex,
        "lines": [{"line": found["lines"][0]["id"], "quantity": 1}]})
    assert back.status_code == 201, back.text
    assert (back.json()["cash_fen"], back.json()["points"]) == (0, 35)
    number = back.json()["number"]
    # then its slip prints without a drawer kick
    (slip,) = await spooled(cashier, f"*{number}*", 1)
    assert kicks(slip) == 0 and decode(slip).texts[1].strip() == "退货单"
    # and the slip previews as a copy, and prints again marked 重打, the drawer shut
    preview = await cashier.get(f"/api/returns/{number}/slip")
    assert preview.status_code == 200 and preview.json()[0].strip() == "** 重打 **"
    assert (await cashier.get("/api/returns/R99999999/slip")).status_code == 404
    again = await cashier.post(f"/api/returns/{number}/reprint")
    assert again.status_code == 202, again.text
    copy = (await spooled(cashier, f"*{number}*", 2))[-1]
    assert decode(copy).texts[0].strip() == "** 重打 **" and kicks(copy) == 0


async def test_a_cash_receipt_reprinted_says_so_and_never_opens_the_drawer(cashier, goods):
    # given a cash sale: its receipt opened the drawer
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.book, 1)], 2000))).json()
    (first,) = await spooled(cashier, f"*{sale['number']}*", 1)
    assert kicks(first) == 1
    # when the till prints it again
    again = await cashier.post(f"/api/sales/{sale['number']}/reprint")
    # then the copy says 重打 at its top and the drawer stays shut
    assert again.status_code == 202, again.text
    copy = (await spooled(cashier, f"*{sale['number']}*", 2))[-1]
    assert decode(copy).texts[0].strip() == "** 重打 **"
    assert decode(copy).texts[2:] == decode(first).texts
    assert kicks(copy) == 0
    # and a manager's "print again" from the queue never opens it either
    await cashier.login("manager", "manager-pw")
    job = again.json()["id"] - 1  # the original receipt's job
    assert (await cashier.post(f"/api/printing/jobs/{job}/reprint")).status_code == 202
    third = (await spooled(cashier, f"*{sale['number']}*", 3))[-1]
    assert kicks(third) == 0


async def test_a_void_prints_a_void_refund_slip(browser, goods):
    # given a manager at the till and a cash sale of this session
    await browser.login("manager", "manager-pw")
    sale = (await browser.post("/api/sales", json=sale_body([(goods.book, 2)], 3000))).json()
    # when it is voided
    voided = await browser.post("/api/returns/void", json={"till": "T1", "sale": sale["number"],
                                                           "idempotency_key": uuid.uuid4().hex})
    # then its slip says 作废, and the ¥24.00 handed back opens the drawer
    assert voided.status_code == 201, voided.text
    (slip,) = await spooled(browser, f"*{voided.json()['number']}*", 1)
    texts = decode(slip).texts
    assert texts[1].strip() == "退货单（作废）"
    assert any(t.startswith("退现金") and t.endswith("￥24.00") for t in texts)
    assert kicks(slip) == 1


async def test_print_again_from_the_queue_makes_a_marked_copy_of_a_receipt_or_a_refund_slip(cashier, goods):
    # given a cash sale, the noodles of it returned: a receipt and a refund slip that each opened the drawer
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.noodles, 2)], 3000))).json()
    found = (await cashier.get(f"/api/returns/sales/{sale['number']}")).json()
    back = (await cashier.post("/api/returns", json={
        "till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex,
        "lines": [{"line": found["lines"][0]["id"], "quantity": 1}]})).json()
    receipt_job = (await recent_jobs(shop_id=goods.shop_id, ref=sale["number"]))[0]
    slip_job = (await recent_jobs(shop_id=goods.shop_id, ref=back["number"]))[0]
    assert (receipt_job.document, slip_job.document) == ("receipt", "refund slip")
    # when each has printed and is printed again from the queue (pos/paper.py: Paper.reprint_job)
    paper = cashier.app.state.shopfront.paper
    for job in (receipt_job, slip_job):
        await all_printed(cashier.app, goods.shop_id, job.ref)
        again = await paper.reprint_job(shop_id=goods.shop_id, job_id=job.id)
        assert again.job_id != job.id and not again.already_waiting
    assert await paper.reprint_job(shop_id=goods.shop_id, job_id=999999) is None
    # then each copy says 重打 at its top, reads as the original below it, and leaves the drawer shut
    for ref in (sale["number"], back["number"]):
        first, copy = await spooled(cashier, f"*{ref}*", 2)
        assert kicks(first) == 1 and kicks(copy) == 0
        assert decode(copy).texts[0].strip() == "** 重打 **" and decode(copy).texts[2:] == decode(first).texts


async def test_a_cash_refund_past_the_limit_needs_a_managers_pin_and_nothing_is_written_without_it(cashier, goods):
    from shop.staff import set_pin

    # given a cash sale of ten packs of noodles (¥125.00), past the shop's ¥100.00 cash refund limit
    await set_pin(username="manager", pin="13579")
    sale = (await cashier.post("/api/sales", json=sale_body([(goods.noodles, 10)], 12500))).json()
    line = (await cashier.get(f"/api/returns/sales/{sale['number']}")).json()["lines"][0]
    body = {"till": "T1", "sale": sale["number"], "idempotency_key": uuid.uuid4().hex,
            "lines": [{"line": line["id"], "quantity": 9}]}
    # when the cashier takes nine back (¥112.50 in cash) alone, then with a wrong PIN
    alone = await cashier.post("/api/returns", json=body)
    wrong = await cashier.post("/api/returns", json={**body, "manager_pin": "00000"})
    # then both are refused with a sentence, and nothing is written
    assert alone.status_code == 403 and alone.json()["code"] == "refund-needs-manager"
    assert alone.json()["detail"] == "现金退款 ¥112.50 超过了 ¥100.00：请输入店长的 PIN，或请店长登录。"
    assert wrong.status_code == 403 and wrong.json()["code"] == "bad-pin"
    assert await SaleReturn.count() == 0
    # when the manager types their PIN (the same key: nothing was written under it), it goes through, approved
    allowed = await cashier.post("/api/returns", json={**body, "manager_pin": "13579"})
    assert allowed.status_code == 201 and allowed.json()["cash_fen"] == 11250
    assert (await SaleReturn.select(SaleReturn.approved_by).first())["approved_by"] == goods.manager_id
    # and a refund within the limit needs no one
    small = await cashier.post("/api/returns", json={**body, "idempotency_key": uuid.uuid4().hex,
                                                     "lines": [{"line": line["id"], "quantity": 1}]})
    assert small.status_code == 201
