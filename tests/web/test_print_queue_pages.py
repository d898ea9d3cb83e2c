"""The print queue through real HTTP, on SQLite and PostgreSQL: the queue page's filters and pages, "print again"
that never makes a second job while the document still waits to print, and the till's own list of receipts and
refund slips that did not print, with its one button."""

import asyncio
import re
import uuid
from datetime import UTC, datetime

from pos.tills import add_till
from printing.queue import enqueue
from printing.tables import PrintJob
from tests.printing.escpos_decode import decode


def sale_body(goods, till="T1"):
    return {"till": till, "idempotency_key": uuid.uuid4().hex, "cash_given_fen": 1200,
            "lines": [{"barcode": goods.book, "quantity": 1}]}


async def paused(shop):
    """The shop's print worker stopped: every job stays as the test leaves it until `print_now(shop)` prints them."""
    await shop.app.state.shopfront.printing.stop()


async def print_now(shop) -> int:
    return await shop.app.state.shopfront.printing.print_due()


async def jobs_of(ref: str) -> list[dict]:
    return await PrintJob.select(PrintJob.id, PrintJob.document, PrintJob.till, PrintJob.status, PrintJob.data).where(
        PrintJob.ref == ref).order_by(PrintJob.id)


async def set_job(job_id: int, status: str, *, attempts: int = 1, error: str = "") -> None:
    await PrintJob.update({PrintJob.status: status, PrintJob.attempts: attempts, PrintJob.last_error: error}).where(
        PrintJob.id == job_id)


async def a_return(cashier, goods, number: str) -> str:
    line = (await cashier.get(f"/api/returns/sales/{number}")).json()["lines"][0]
    back = await cashier.post("/api/returns", json={"till": "T1", "sale": number, "idempotency_key": uuid.uuid4().hex,
                                                    "lines": [{"line": line["id"], "quantity": 1}]})
    assert back.status_code == 201, back.text
    return back.json()["number"]


async def test_print_again_while_the_document_waits_to_print_makes_no_second_job(shop, goods):
    # given a printer that has not taken anything yet: a sale's receipt, a return's slip and an X report wait
    await paused(shop)
    cashier = await shop.logged_in("cashier", "cashier-pw")
    manager = await shop.logged_in("manager", "manager-pw")
    number = (await cashier.post("/api/sales", json=sale_body(goods))).json()["number"]
    slip_number = await a_return(cashier, goods, number)
    x = await cashier.post("/api/tills/T1/session/x-report")
    assert x.status_code == 201
    (receipt,) = await jobs_of(number)
    (slip,) = await jobs_of(slip_number)
    # then each records the till it was made at
    assert (receipt["till"], slip["till"], (await jobs_of(x.json()["session"]["number"]))[0]["till"]) == (
        "T1", "T1", "T1")

    # when "print again" is pressed at the till, by the API, and on the queue page
    at_till = await cashier.post(f"/api/sales/{number}/reprint")
    by_api = await manager.post(f"/api/printing/jobs/{receipt['id']}/reprint")
    slip_again = await cashier.post(f"/api/returns/{slip_number}/reprint")
    on_page = await manager.client.post(f"/manager/printing/{receipt['id']}/reprint", follow_redirects=False,
                                        data={"_csrf_token": manager.csrf, "status": "waiting", "till": "T1"})
    # then each answers with the job already waiting, and makes no second one
    for answer, job in ((at_till, receipt), (by_api, receipt), (slip_again, slip)):
        assert answer.status_code == 200, answer.text
        assert (answer.json()["id"], answer.json()["already_waiting"]) == (job["id"], True)
    assert len(await jobs_of(number)) == 1 and len(await jobs_of(slip_number)) == 1
    assert on_page.status_code in (302, 303)
    assert on_page.headers["location"] == (
        f"/manager/printing?status=waiting&till=T1&reprinted={receipt['id']}&already_waiting=true")
    page = await manager.get(on_page.headers["location"])
    assert page.status_code == 200 and f"任务 {receipt['id']} 已在等待打印" in page.text

    # when the receipt has printed and "print again" is pressed at the till and by the manager at the same moment
    await set_job(receipt["id"], "printed")
    both = await asyncio.gather(cashier.post(f"/api/sales/{number}/reprint"),
                                manager.post(f"/api/printing/jobs/{receipt['id']}/reprint"))
    # then one copy (重打) is queued, and the other press finds it waiting
    assert sorted((answer.status_code, answer.json()["already_waiting"]) for answer in both) == [
        (200, True), (202, False)]
    original, copy = await jobs_of(number)
    assert both[0].json()["id"] == both[1].json()["id"] == copy["id"] and copy["till"] == "T1"
    assert decode(bytes(copy["data"])).texts[0].strip() == "** 重打 **"


async def test_the_queue_page_filters_by_status_till_and_day_and_pages_back_50_at_a_time(shop, goods):
    # given 60 receipts of T1 printed on 1 December (shop time), and on 2 December one failed at T2, one waiting
    await paused(shop)
    await add_till(shop_id=goods.shop_id, code="T2", name="二号收银台")
    manager = await shop.logged_in("manager", "manager-pw")
    first_day = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    printed = []
    for n in range(60):
        printed.append(job_id := await enqueue(shop_id=goods.shop_id, printer="receipt", document="receipt",
                                               ref=f"S{n:08d}", data=b"x", till="T1", now=first_day))
        await set_job(job_id, "printed")
    next_day = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 December in Shanghai
    failed = await enqueue(shop_id=goods.shop_id, printer="receipt", document="receipt", ref="S00000100", data=b"x",
                           till="T2", now=next_day)
    await set_job(failed, "failed", error="interrupted while printing")
    waiting = await enqueue(shop_id=goods.shop_id, printer="label", document="label", ref="D-1", data=b"x",
                            now=next_day)

    def rows(page) -> list[int]:
        return [int(found) for found in re.findall(r'data-job="(\d+)"', page.text)]

    # when the page is opened: the newest 50, each with its till, and a link to older ones
    page = await manager.get("/manager/printing")
    assert page.status_code == 200
    assert rows(page) == [waiting, failed, *printed[:-49:-1]]
    assert "interrupted while printing" in page.text and ">T2<" in page.text
    older = re.search(r'href="/manager/printing\?([^"]+)" id="older"', page.text).group(1).replace("&amp;", "&")
    assert older == f"status=all&before_id={printed[-48]}"
    last = await manager.get(f"/manager/printing?{older}")
    assert rows(last) == printed[11::-1] and 'id="older"' not in last.text and 'id="newest"' in last.text
    # and the filters: failed, a till, a day in the shop's time, together
    assert rows(await manager.get("/manager/printing?status=failed")) == [failed]
    assert rows(await manager.get("/manager/printing?status=waiting")) == [waiting]
    assert rows(await manager.get("/manager/printing?till=t2")) == [failed]
    assert rows(await manager.get("/manager/printing?day=2026-12-02")) == [waiting, failed]
    assert len(rows(await manager.get("/manager/printing?day=2026-12-01&till=T1&status=printed"))) == 50
    none = await manager.get("/manager/printing?day=2026-12-03")
    assert rows(none) == [] and "没有符合" in none.text
    # and the JSON API takes the same filters
    jobs = await manager.get("/api/printing/jobs", params={"status": "failed", "till": "T2", "day": "2026-12-02"})
    assert [(j["id"], j["till"], j["status"]) for j in jobs.json()] == [(failed, "T2", "failed")]
    assert [j["id"] for j in (await manager.get(f"/api/printing/jobs?before_id={printed[2]}")).json()] == printed[1::-1]
    assert [j["id"] for j in (await manager.get("/api/printing/jobs?printer=label")).json()] == [waiting]


async def test_malformed_filters_are_refused_with_a_sentence_in_the_persons_language(shop, goods):
    manager = await shop.logged_in("manager", "manager-pw")
    for query, code in (("status=nope", "malformed-request"), ("status=", "malformed-request"),
                        ("before_id=0", "malformed-request"), ("before_id=abc", "malformed-request"),
                        ("before_id=99999999999", "malformed-request"), ("reprinted=x", "malformed-request"),
                        ("day=2026-13-40", "bad-day"), ("day=1999-12-31", "bad-day"), ("day=yesterday", "bad-day"),
                        ("till=Z9", "unknown-till"), ("till=%00", "malformed-request")):
        refused = await manager.get(f"/manager/printing?{query}")
        expected = 404 if code == "unknown-till" else 400  # a till that does not exist, as on every route
        assert refused.status_code == expected, (query, refused.status_code, refused.text[:200])
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == code, query
        assert re.search(r"[\u4e00-\u9fff]", refused.json()["detail"]), refused.json()["detail"]
    for query in ("status=nope", "day=x", "before_id=-1"):
        assert (await manager.get(f"/api/printing/jobs?{query}")).status_code == 400, query
    assert (await manager.get("/api/printing/jobs?till=Z9")).json()["code"] == "unknown-till"
    # in English for a person who chose English
    manager.client.cookies.set("lang", "en")
    english = (await manager.get("/manager/printing?day=2026-02-30")).json()["detail"]
    assert english.startswith("2026-02-30 is outside the shop's books")


async def test_the_till_lists_what_did_not_print_and_one_button_prints_each_again_once(shop, goods):
    # given at T1: a receipt whose job failed, one tried and waiting again, a refund slip that failed, a receipt
    # still waiting its first turn; and a receipt of T2 that failed
    await paused(shop)
    cashier = await shop.logged_in("cashier", "cashier-pw")
    sales = [(await cashier.post("/api/sales", json=sale_body(goods))).json()["number"] for _ in range(3)]
    slip_number = await a_return(cashier, goods, sales[0])
    failed, tried, fresh = [(await jobs_of(number))[0]["id"] for number in sales]
    slip = (await jobs_of(slip_number))[0]["id"]
    await set_job(failed, "failed", error="interrupted while printing: reprint it if it did not come out")
    await set_job(tried, "queued", attempts=3, error="paper out")
    await set_job(slip, "failed", error="cover open")
    other = await enqueue(shop_id=goods.shop_id, printer="receipt", document="receipt", ref="S99999999", data=b"x",
                          till="T2")
    await set_job(other, "failed", error="cover open")

    async def listed() -> list[tuple[str, str, str, str]]:
        answer = await cashier.get("/api/till/tills/T1/unprinted")
        assert answer.status_code == 200, answer.text
        return [(d["document"], d["number"], d["status"], d["error"]) for d in answer.json()]

    # then the till lists them, newest first, with the printer's words
    assert await listed() == [("refund slip", slip_number, "failed", "cover open"),
                              ("receipt", sales[1], "queued", "paper out"),
                              ("receipt", sales[0], "failed", "interrupted while printing: reprint it if it did not "
                                                             "come out")]
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d", (await cashier.get("/api/till/tills/t1/unprinted")).json()[0]["time"])
    # and the till's page has the list and its button
    till_page = await cashier.get("/till")
    assert 'id="unprinted"' in till_page.text and 'id="print-unprinted"' in till_page.text

    # when the volunteer presses "print them again"
    pressed = await cashier.post("/api/till/tills/T1/unprinted/reprint")
    # then the failed ones are queued again as copies (重打), the one still waiting is not queued twice
    assert pressed.status_code == 202, pressed.text
    assert pressed.json()["already_waiting"] == [tried]
    assert len(pressed.json()["queued"]) == 2
    receipt_copy, slip_copy = (await jobs_of(sales[0]))[-1], (await jobs_of(slip_number))[-1]
    assert sorted(pressed.json()["queued"]) == [receipt_copy["id"], slip_copy["id"]]
    for copy in (receipt_copy, slip_copy):
        assert copy["till"] == "T1" and decode(bytes(copy["data"])).texts[0].strip() == "** 重打 **"
    # and they stay listed, waiting, until they print; pressing again makes nothing new
    assert [(number, status) for _, number, status, _ in await listed()] == [
        (slip_number, "queued"), (sales[1], "queued"), (sales[0], "queued")]
    again = (await cashier.post("/api/till/tills/T1/unprinted/reprint")).json()
    assert again["queued"] == [] and sorted(again["already_waiting"]) == sorted([tried, *pressed.json()["queued"]])
    assert [len(await jobs_of(n)) for n in (*sales, slip_number)] == [2, 1, 1, 2]

    # when the printer takes them, the list is empty
    assert await print_now(shop) == 4  # the two copies, the one tried before, the one waiting its first turn
    assert await listed() == []
    assert (await cashier.get("/api/till/tills/Z9/unprinted")).status_code == 404
