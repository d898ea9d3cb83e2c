"""Offline sales the server refused, through real HTTP: the till reports each (201 kept, 200 reported before, 413 too
large), a manager sees it on the offline page and in /api/offline/refused with the reason in their language and
settles it with a note; and a renumbered sale's receipt prints the number the customer's paper shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pos.offline_refusals import MAX_REPORT_BYTES
from pos.tables import OfflineRefusal, Sale
from shop.tables import LedgerTxn
from tests.printing.escpos_decode import decode
from tests.web.test_offline_api import body


async def refused_sale(cashier, goods, *, key="refused-sale-key-1", number="T1-0000022"):
    """A sale made "next year" by a till whose clock was wrong, sent, refused: the sale and the server's problem."""
    sale = body([(goods.noodles, 2, 1250)], number=number, key=key, cash=3000,
                made_at=datetime.now(UTC) + timedelta(days=300))
    refused = await cashier.post("/api/till/offline-sales", json=sale)
    assert refused.status_code == 400 and refused.json()["code"] == "bad-made-at"
    problem = refused.json()
    return sale, {"code": problem["code"], "detail": problem["detail"], "params": problem["params"]}


async def test_a_refused_sale_reported_from_two_tabs_is_kept_once_and_a_manager_settles_it_with_a_note(shop, goods):
    one, two = await shop.logged_in("cashier", "cashier-pw"), await shop.logged_in("cashier", "cashier-pw")
    # given a sale the server refused
    sale, refusal = await refused_sale(one, goods)
    before = (await Sale.count(), await LedgerTxn.count())
    # when the till reports it, from two tabs at once, twice each
    answers = await asyncio.gather(*(tab.post("/api/till/offline-refusals", json=sale | refusal)
                                     for tab in (one, two, one, two)))
    # then it is kept once: one 201, the others the same answer, 200
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1 and await OfflineRefusal.count() == 1
    kept = next(a.json() for a in answers if a.status_code == 201)
    assert (kept["status"], kept["offline_number"], kept["total_fen"], kept["replayed"]) == (
        "open", "T1-0000022", 2500, False)
    # and a cashier may neither list nor settle it
    assert (await one.get("/api/offline/refused")).status_code == 403
    assert (await one.post(f"/api/offline/refused/{kept['id']}/settle", json={"note": "x"})).status_code == 403
    # when a manager looks: on the page and in the list, the reason in Chinese, the total, the till, the time
    manager = await shop.logged_in("manager", "manager-pw")
    page = await manager.get("/manager/offline")
    assert page.status_code == 200
    assert "被服务器拒收的离线销售" in page.text and "T1-0000022" in page.text and "¥25.00" in page.text
    assert "不会改动账目" in page.text  # nothing in the books changes: said on the page
    (listed,) = (await manager.get("/api/offline/refused")).json()
    assert (listed["id"], listed["till"], listed["code"], listed["total_fen"], listed["cash_given_fen"]) == (
        kept["id"], "T1", "bad-made-at", 2500, 3000)
    assert "时钟" in listed["detail"] and listed["made_at"] == sale["made_at"] and listed["cashier"] == "小张"
    assert listed["lines"] == [{"barcode": goods.noodles, "quantity": 2, "unit_price_fen": 1250}]
    # and in English for a manager who reads English
    manager.client.cookies.set("lang", "en")
    (english,) = (await manager.get("/api/offline/refused")).json()
    assert "clock" in english["detail"]
    manager.client.cookies.set("lang", "zh_CN")
    # when settled with no note / then refused in Chinese, as a problem, and it stays
    blank = await manager.post(f"/api/offline/refused/{kept['id']}/settle", json={"note": "  "})
    assert blank.status_code == 400 and blank.headers["content-type"].startswith("application/problem+json")
    assert blank.json()["code"] == "refusal-note" and "处理" in blank.json()["detail"]
    assert (await manager.post(f"/api/offline/refused/{kept['id']}/settle", json={})).status_code == 400
    # when settled with one / then off the list, who and when kept, nothing in the books
    done = await manager.post(f"/api/offline/refused/{kept['id']}/settle", json={"note": "顾客回店，已重新销售"})
    assert done.status_code == 201, done.text
    assert (done.json()["status"], done.json()["decided_by"], done.json()["note"]) == ("settled", "陈姐",
                                                                                      "顾客回店，已重新销售")
    assert done.json()["decided_at"] is not None
    assert (await manager.get("/api/offline/refused")).json() == []
    assert "T1-0000022" not in (await manager.get("/manager/offline")).text
    assert (await Sale.count(), await LedgerTxn.count()) == before
    # and settled once; a report of it again still answers it, settled
    again = await manager.post(f"/api/offline/refused/{kept['id']}/settle", json={"note": "再来"})
    assert again.status_code == 409 and again.json()["code"] == "not-to-settle"
    assert (await manager.post("/api/offline/refused/999999/settle", json={"note": "x"})).status_code == 404
    replay = await one.post("/api/till/offline-refusals", json=sale | refusal)
    assert replay.status_code == 200 and replay.json()["status"] == "settled" and await OfflineRefusal.count() == 1


async def test_a_report_too_large_not_json_or_without_its_token_is_refused_as_a_problem(cashier, goods):
    sale, refusal = await refused_sale(cashier, goods)
    large = await cashier.post("/api/till/offline-refusals", json=sale | refusal | {"pad": "x" * MAX_REPORT_BYTES})
    assert large.status_code == 413 and large.headers["content-type"].startswith("application/problem+json")
    assert large.json()["code"] == "refusal-too-large" and large.json()["detail"]
    bad = await cashier.client.post("/api/till/offline-refusals", content=b"{not json",
                                    headers={"x-csrftoken": cashier.csrf, "content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad-refusal"
    no_code = await cashier.post("/api/till/offline-refusals", json=sale)
    assert no_code.status_code == 400 and no_code.json()["code"] == "bad-refusal"
    forged = await cashier.client.post("/api/till/offline-refusals", json=sale | refusal)
    assert forged.status_code == 403
    assert await OfflineRefusal.count() == 0
    # and a sale malformed every way the server refuses is still reported, whole
    odd = {"till": "T9", "offline_number": 7, "made_at": "yesterday", "idempotency_key": "no", "lines": "?",
           "cash_given_fen": -5, "code": "malformed-request", "detail": "请求格式不对", "params": {"reason": "lines"}}
    kept = await cashier.post("/api/till/offline-refusals", json=odd)
    assert kept.status_code == 201, kept.text
    assert (kept.json()["till"], kept.json()["made_at"], kept.json()["total_fen"], kept.json()["lines"]) == (
        "T9", "yesterday", None, [])
    assert (await cashier.post("/api/till/offline-refusals", json=odd)).status_code == 200


async def test_a_renumbered_sale_prints_the_number_on_the_customers_paper_and_the_manager_sees_it(shop, goods):
    cashier = await shop.logged_in("cashier", "cashier-pw")
    # given T1-0000001 reached the server from one browser, and another browser's sale printed T1-0000001
    assert (await cashier.post("/api/till/offline-sales", json=body([(goods.book, 1, 1200)]))).status_code == 201
    theirs = body([(goods.noodles, 1, 1250)], key="renumbered-key-0001")
    taken = await cashier.post("/api/till/offline-sales", json=theirs)
    assert taken.status_code == 409 and taken.json()["code"] == "offline-number-taken"
    # when the till renumbers it and sends it again with the number it printed
    sold = await cashier.post("/api/till/offline-sales",
                              json=theirs | {"offline_number": "T1-0000002", "printed_number": "T1-0000001"})
    # then it is sold, a difference for a manager, and its receipt says both numbers
    assert sold.status_code == 201, sold.text
    assert sold.json()["settle"] == ["renumbered"] and sold.json()["offline_number"] == "T1-0000002"
    (paper,) = await cashier.printed(f"*{sold.json()['number']}*")
    lines = [line.text for line in decode(paper.read_bytes()).lines]
    assert any("离线单号" in line and "T1-0000002" in line for line in lines), lines
    assert any("小票原号" in line and "T1-0000001" in line for line in lines), lines
    # and so does a copy of it
    assert (await cashier.post(f"/api/sales/{sold.json()['number']}/reprint")).status_code == 202
    copy = decode((await cashier.printed(f"*{sold.json()['number']}*"))[1].read_bytes())
    assert any("小票原号" in line.text and "T1-0000001" in line.text for line in copy.lines)
    # and the till is told the highest number the server has for it
    assert (await cashier.get("/api/till/tills/T1/offline")).json()["last_number"] == "T1-0000002"
    # and the manager sees it, with the number the customer's paper shows
    manager = await shop.logged_in("manager", "manager-pw")
    (listed,) = (await manager.get("/api/offline/to-settle")).json()
    assert (listed["offline_number"], listed["printed_number"], listed["settle"]) == (
        "T1-0000002", "T1-0000001", ["renumbered"])
    assert "重新编号" in listed["detail"]
    page = (await manager.get("/manager/offline")).text
    assert "小票原号 T1-0000001" in page and "T1-0000002" in page


async def test_a_report_without_the_refusals_parameters_names_the_sales_own_time_not_a_placeholder(shop, goods):
    # given a refused sale reported by a till that kept no parameters of the refusal (only its code)
    cashier = await shop.logged_in("cashier", "cashier-pw")
    sale, refusal = await refused_sale(cashier, goods, key="refused-no-params-1", number="T1-0000031")
    reported = await cashier.post("/api/till/offline-refusals", json=sale | {"code": refusal["code"]})
    assert reported.status_code == 201, reported.text
    # when a manager reads the list / then the reason names the time the sale said it was made
    manager = await shop.logged_in("manager", "manager-pw")
    (listed,) = (await manager.get("/api/offline/refused")).json()
    assert "{" not in listed["detail"] and sale["made_at"] in listed["detail"], listed["detail"]
