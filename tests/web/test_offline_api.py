"""Offline sales through real HTTP: the till sends its journal when the server is back (sold 201, the same again 200,
held 202), the receipt prints marked 离线销售 with the time of the sale, a malformed request is a 4xx that changes
nothing, and a manager settles what was held or differed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from inventory.catalogue import add_item
from pos.errors import OfflineError
from pos.offline import OFFLINE_SETTLEMENT
from pos.tables import OfflineSale, Sale
from shop import ledger
from shop.database import run
from tests.printing.escpos_decode import decode
from web.i18n import error_message

UNKNOWN = "6901234500028"


def body(lines, *, number="T1-0000001", made_at=None, key=None, cash=None, till="T1", **extra):
    charged = [{"barcode": code, "quantity": quantity, "unit_price_fen": price} for code, quantity, price in lines]
    total = sum(quantity * price for _, quantity, price in lines)
    return {"till": till, "offline_number": number, "made_at": (made_at or datetime.now(UTC)).isoformat(),
            "idempotency_key": key or uuid.uuid4().hex, "lines": charged,
            "cash_given_fen": total if cash is None else cash, **extra}


async def counts():
    return await Sale.count(), await OfflineSale.count()


async def test_an_offline_sale_is_sold_then_the_same_again_and_its_receipt_says_offline_with_its_time(
        cashier, goods, settings):
    # given a sale the till made offline since it opened (its time sent in the shop's zone, +08:00)
    made_at = datetime.now(UTC).astimezone(settings.zone)
    sent = body([(goods.noodles, 2, 1250), (goods.book, 1, 1000)], made_at=made_at, cash=5000)
    # when it arrives, and again
    first = await cashier.post("/api/till/offline-sales", json=sent)
    again = await cashier.post("/api/till/offline-sales", json=sent)
    # then it is sold at the prices charged, the book's difference to settle; the same again is the same sale
    assert first.status_code == 201, first.text
    sold = first.json()
    assert (sold["status"], sold["offline_number"], sold["total_fen"], sold["change_fen"]) == (
        "sold", "T1-0000001", 3500, 1500)
    assert sold["settle"] == ["offline-price"] and sold["number"].startswith("S")
    assert again.status_code == 200 and again.json() | {"replayed": False} == sold | {"replayed": False}
    assert again.json()["replayed"] and await counts() == (1, 1)
    # and its receipt printed once, marked 离线销售 with the time it was made
    files = await cashier.printed(f"*{sold['number']}*")
    assert len(files) == 1
    text = [line.text for line in decode(files[0].read_bytes()).lines]
    when = made_at.strftime("%Y-%m-%d %H:%M")
    assert any("离线销售" in line and when in line for line in text), text
    assert any("时间" in line and when in line for line in text)
    assert any("离线单号" in line and "T1-0000001" in line for line in text), text  # as on the browser's print
    # and a copy of it, asked for again, says so too
    assert (await cashier.post(f"/api/sales/{sold['number']}/reprint")).status_code == 202
    files = await cashier.printed(f"*{sold['number']}*")
    copy = decode(files[1].read_bytes())
    assert copy.texts[0].strip() == "** 重打 **" and any("离线销售" in line.text and when in line.text
                                                         for line in copy.lines)
    assert any("离线单号" in line.text and "T1-0000001" in line.text for line in copy.lines)
    # and the till knows what arrived
    state = await cashier.get("/api/till/tills/T1/offline")
    assert state.status_code == 200 and state.json() == {"received": 1, "held": 0, "to_settle": 1,
                                                       "last_number": "T1-0000001"}


async def test_the_same_sale_sent_from_two_tabs_at_once_is_one_sale_and_two_sales_are_two(shop, goods):
    # given two tabs of the till, logged in, with the same journal
    one, two = await shop.logged_in("cashier", "cashier-pw"), await shop.logged_in("cashier", "cashier-pw")
    first = body([(goods.noodles, 1, 1250)], number="T1-0000007", key="two-tabs-key-1")
    second = body([(goods.book, 1, 1200)], number="T1-0000008", key="two-tabs-key-2")
    # when both send it at once, three times, with the other sale among them
    answers = await asyncio.gather(*(tab.post("/api/till/offline-sales", json=sent)
                                     for tab in (one, two, one) for sent in (first, second)))
    # then each sale is written once; the other answers are its replays
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201, 201]
    numbers = {a.json()["offline_number"]: a.json()["number"] for a in answers if a.status_code == 201}
    assert all(a.json()["number"] == numbers[a.json()["offline_number"]] for a in answers)
    assert await counts() == (2, 2)


async def test_a_sale_of_an_unknown_code_is_held_then_settled_by_a_manager(shop, goods):
    cashier = await shop.logged_in("cashier", "cashier-pw")
    # given a sale made offline of goods the shop does not know
    sent = body([(UNKNOWN, 2, 800)], number="T1-0000009", cash=2000)
    # when it arrives / then it is held, said in Chinese, kept; sent again it answers the same
    held = await cashier.post("/api/till/offline-sales", json=sent)
    assert held.status_code == 202, held.text
    assert held.json() | {"replayed": None} == {"status": "held", "offline_number": "T1-0000009",
                                                "reason": "unknown-barcode", "replayed": None,
                                                "detail": held.json()["detail"]}
    assert UNKNOWN in held.json()["detail"] and "不会丢失" in held.json()["detail"]
    again = await cashier.post("/api/till/offline-sales", json=sent)
    assert again.status_code == 202 and again.json()["replayed"] and await counts() == (0, 1)
    assert (await cashier.get("/api/till/tills/T1/offline")).json() == {"received": 1, "held": 1, "to_settle": 1,
                                                                       "last_number": "T1-0000009"}
    # and a cashier may not settle it
    assert (await cashier.get("/api/offline/to-settle")).status_code == 403
    # when a manager looks, it is on the page and in the list
    manager = await shop.logged_in("manager", "manager-pw")
    page = await manager.get("/manager/offline")
    assert page.status_code == 200 and "T1-0000009" in page.text and "记为销售" in page.text
    assert "/manager/offline" in (await manager.get("/manager")).text
    (listed,) = (await manager.get("/api/offline/to-settle")).json()
    assert (listed["status"], listed["total_fen"], listed["lines"]) == (
        "held", 1600, [{"barcode": UNKNOWN, "quantity": 2, "unit_price_fen": 800}])
    # when it is settled while the code is still unknown, it is refused in Chinese, and nothing changes
    refused = await manager.post(f"/api/offline/held/{listed['id']}/settle")
    assert refused.status_code == 409 and refused.json()["code"] == "still-unknown"
    assert "商品目录" in refused.json()["detail"] and await counts() == (0, 1)
    # when the item is in the catalogue, the manager makes it a sale
    food = (await run(Sale._meta.db, "SELECT id FROM category WHERE code = 'food'"))[0]["id"]
    await add_item(shop_id=goods.shop_id, barcode=UNKNOWN, name="绿豆 1kg", category_id=food, price_fen=800,
                   quantity=5)
    settled = await manager.post(f"/api/offline/held/{listed['id']}/settle")
    assert settled.status_code == 201, settled.text
    assert settled.json()["status"] == "settled" and settled.json()["number"].startswith("S")
    assert (await manager.get("/api/offline/to-settle")).json() == [] and await counts() == (1, 1)
    # and the till's answer for it is now the sale
    assert (await cashier.post("/api/till/offline-sales", json=sent)).json()["number"] == settled.json()["number"]


async def test_a_held_sale_written_off_needs_a_reason_and_goes_to_the_books(manager, goods):
    # given a held offline sale (a manager may use the till too)
    held = await manager.post("/api/till/offline-sales", json=body([(UNKNOWN, 1, 800)], number="T1-0000010"))
    (listed,) = (await manager.get("/api/offline/to-settle")).json()
    # when it is written off without a reason / then it is refused, in Chinese
    refused = await manager.post(f"/api/offline/held/{listed['id']}/write-off", json={"reason": " "})
    assert refused.status_code == 400 and refused.json()["code"] == "write-off-reason"
    assert "原因" in refused.json()["detail"]
    # when with one / then its cash is in the books, from the drawer of its open session
    done = await manager.post(f"/api/offline/held/{listed['id']}/write-off", json={"reason": "条码无法识别"})
    assert held.status_code == 202 and done.status_code == 201 and done.json()["status"] == "written-off"
    assert await ledger.balance(OFFLINE_SETTLEMENT) == -800
    assert await ledger.balance(ledger.till_cash(goods.till_id)) == 800
    again = await manager.post(f"/api/offline/held/{listed['id']}/write-off", json={"reason": "再来一次"})
    assert again.status_code == 409 and again.json()["code"] == "not-to-settle"
    assert (await manager.post("/api/offline/held/999999/settle")).status_code == 404


async def test_the_x_report_says_how_many_offline_sales_arrived(cashier, goods):
    await cashier.post("/api/till/offline-sales", json=body([(goods.noodles, 1, 1250)], number="T1-0000011"))
    await cashier.post("/api/till/offline-sales", json=body([(UNKNOWN, 1, 500)], number="T1-0000012"))
    report = await cashier.get("/api/tills/T1/session/x-report")
    assert report.status_code == 200
    printed = "\n".join(report.json()["printed"])
    assert "已收到的离线销售" in printed and "待店长处理的离线销售" in printed
    line = next(line for line in report.json()["printed"] if "已收到的离线销售" in line)
    assert line.split()[-1] == "2" and report.json()["sales_count"] == 1
    assert (report.json()["offline_count"], report.json()["offline_held"]) == (2, 1)
    assert not any("尚未上传" in line for line in report.json()["printed"])
    # when the till's browser says it still holds three sales made offline, the X report says so too
    still = await cashier.post("/api/tills/T1/session/x-report?unsent=3")
    assert still.status_code == 201
    line = next(line for line in still.json()["printed"] if "本收银台尚未上传的离线销售" in line)
    assert line.split()[-1] == "3"
    files = await cashier.printed("*")
    printed = [decode(f.read_bytes()) for f in files]
    assert any("本收银台尚未上传的离线销售" in l.text and l.text.split()[-1] == "3" for d in printed for l in d.lines)
    # and a count that is not one is refused
    for bad in ("-1", "abc", "100001"):
        assert (await cashier.post(f"/api/tills/T1/session/x-report?unsent={bad}")).status_code == 400


@pytest.mark.parametrize("change, status, code", [
    (dict(lines=[("6901234500011", 1, -1)]), 400, "bad-charged-price"),
    (dict(lines=[("6901234500011", 1, 10**12)]), 400, "bad-charged-price"),
    (dict(lines=[("6901234500011", -2, 1250)]), 400, "bad-quantity"),
    (dict(lines=[("6901234500011", 1, 1250)], cash=-5), 400, "bad-amount"),
    (dict(made_at=datetime.now(UTC) + timedelta(minutes=30)), 400, "bad-made-at"),
    (dict(made_at=datetime.now(UTC) - timedelta(days=60)), 400, "bad-made-at"),
    (dict(made_at=datetime.now()), 400, "bad-made-at"),  # no offset
    (dict(till="T9"), 404, "unknown-till"),
    (dict(number="T1-12"), 400, "bad-offline-number"),
    (dict(key="no"), 400, "bad-idempotency-key"),
    (dict(points=10), 400, "malformed-request"),  # points are never taken offline
    (dict(lines=[("6901234500011", 1.5, 1250)]), 400, "malformed-request"),
])
async def test_a_malformed_offline_sale_is_a_4xx_that_changes_nothing(cashier, goods, change, status, code):
    request = dict(lines=[(goods.noodles, 1, 1250)]) | change
    response = await cashier.post("/api/till/offline-sales", json=body(request.pop("lines"), **request))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code and response.json()["detail"]
    assert await counts() == (0, 0)


async def test_a_body_that_is_not_json_or_has_no_csrf_token_is_refused(cashier, goods):
    bad = await cashier.client.post("/api/till/offline-sales", content=b"{not json",
                                    headers={"x-csrftoken": cashier.csrf, "content-type": "application/json"})
    assert bad.status_code == 400
    forged = await cashier.client.post("/api/till/offline-sales", json=body([(goods.noodles, 1, 1250)]))
    assert forged.status_code == 403
    assert await counts() == (0, 0)


def test_every_offline_refusal_has_a_sentence_in_both_languages():
    for code in [*OfflineError, "offline-held-unknown-barcode", "offline-held-session-closed",
                 "offline-held-no-session"]:
        zh, en = error_message("zh_CN", str(code), {}), error_message("en", str(code), {})
        assert zh != en and zh != error_message("zh_CN", "server-error", {}), code


async def test_a_sale_sold_offline_at_another_price_is_listed_until_a_manager_has_checked_it(manager, goods):
    sold = await manager.post("/api/till/offline-sales", json=body([(goods.noodles, 1, 1000)], number="T1-0000013"))
    assert sold.status_code == 201 and sold.json()["settle"] == ["offline-price"]
    page = await manager.get("/manager/offline")
    assert "T1-0000013" in page.text and "已售出，有差异" in page.text and "按离线时收取的价格售出" in page.text
    (listed,) = (await manager.get("/api/offline/to-settle")).json()
    assert (listed["status"], listed["settle"], listed["sale"]) == ("sold", ["offline-price"], sold.json()["number"])
    checked = await manager.post(f"/api/offline/sold/{listed['id']}/checked")
    assert checked.status_code == 201 and checked.json()["status"] == "checked"
    assert (await manager.get("/api/offline/to-settle")).json() == []
    assert (await manager.get("/api/till/tills/T1/offline")).json() == {"received": 1, "held": 0, "to_settle": 0,
                                                                        "last_number": "T1-0000013"}
    assert (await manager.post(f"/api/offline/sold/{listed['id']}/checked")).status_code == 409
