"""Bad input is a 4xx with a sentence in the person's language (Chinese by default), and changes nothing.

Ids past what the databases hold, days outside the shop's calendar, JSON nested too deep, a form field that is
not UTF-8, empty payout forms, NUL and control characters, numbers with a fraction where whole ones are meant,
and text longer than its field: each is refused whole, on both databases (never cut, never a 500).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from donations.tables import Donor, Maker, MakerPayout
from lovebank.tables import Member, PointsGift
from inventory.tables import Item, StockMovement
from shop.tables import LedgerTxn

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TABLES = (Donor, Maker, MakerPayout, Member, PointsGift, Item, StockMovement, LedgerTxn)
BEYOND_POSTGRES = 2**31  # one past PostgreSQL's INTEGER
BEYOND_SQLITE = 2**63  # one past SQLite's INTEGER


async def counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in TABLES}


def refused(response, status: int = 400, code: str | None = None) -> dict:
    """A problem whose detail is a Chinese sentence (not the server-error one); its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    problem = response.json()
    assert CHINESE.search(problem["detail"]), problem
    assert problem["code"] != "server-error", problem
    if code is not None:
        assert problem["code"] == code, problem
    return problem


@pytest.fixture
async def member_id(manager):
    response = await manager.post("/api/lovebank/members", json={"name": "李大爷"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize("row_id", [BEYOND_POSTGRES, BEYOND_SQLITE, 2**70, 0, -1])
async def test_an_id_no_row_can_have_is_a_malformed_request(manager, goods, member_id, row_id):
    # given the shop's rows
    before = await counts()
    # when a path names an id past what a database holds (or below 1)
    for method, url in [("GET", f"/api/donors/{row_id}"), ("GET", f"/api/makers/{row_id}/statement"),
                        ("GET", f"/api/lovebank/members/{row_id}"), ("POST", f"/api/lovebank/members/{row_id}/erase"),
                        ("POST", f"/api/printers/{row_id}/test-page"), ("POST", f"/api/parked/{row_id}/resume"),
                        ("POST", f"/api/printing/jobs/{row_id}/reprint"), ("GET", f"/api/stocktakes/{row_id}")]:
        response = await manager.client.request(method, url, headers={"x-csrftoken": manager.csrf})
        # then it is a malformed request, said in Chinese
        refused(response, code="malformed-request")
    # and so is a body naming one
    refused(await manager.post("/api/lovebank/donations", json={"from_member_id": member_id, "points": 1,
                                                              "to_member_id": row_id}), code="malformed-request")
    refused(await manager.post("/api/payout-runs", json={"payouts": [{"maker_id": row_id, "amount_fen": 100}]}),
            code="malformed-request")
    # and nothing changed
    assert await counts() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
async def test_a_day_outside_the_shop_calendar_is_refused_with_the_days_it_can_be(manager, goods, member_id, day):
    # when reports, statements and the fund are asked for a day outside the shop's calendar
    for url in [f"/api/reports/figures?period=month&day={day}", f"/api/reports/figures?period=week&day={day}",
                f"/api/reports/figures?period=custom&day=2026-01-01&last={day}", f"/api/reports/sales?day={day}",
                f"/api/reports/overrides?day={day}", f"/api/reports/journal.csv?day={day}",
                f"/api/reports/charts/daily.svg?day={day}", f"/api/fund?period=week&day={day}",
                f"/api/makers/{goods.maker_id}/statement?start={day}",
                f"/api/makers/{goods.maker_id}/statement?end={day}",
                f"/api/lovebank/members/{member_id}/statement?start={day}",
                f"/api/lovebank/members/{member_id}/statement/preview?end={day}"]:
        # then each is a 400 saying which days it can be
        problem = refused(await manager.get(url), code="bad-day")
        assert "2000-01-01" in problem["detail"] and "2100-12-31" in problem["detail"], (url, problem)


async def test_the_reports_page_says_what_is_wrong_with_a_day(manager, goods):
    # when the reports page is asked for year 1, then it shows this month and says why
    page = await manager.get("/manager/reports?period=month&day=0001-01-01")
    assert page.status_code == 200
    assert "2000-01-01" in page.text and "2100-12-31" in page.text


async def test_json_nested_ten_thousand_deep_is_a_malformed_request(manager, goods):
    before = await counts()
    for body in ("[" * 10_000 + "]" * 10_000, '{"name": ' + "[" * 10_000 + "]" * 10_000 + "}"):
        response = await manager.client.post("/api/makers", content=body.encode(),
                                             headers={"x-csrftoken": manager.csrf, "content-type": "application/json"})
        refused(response, code="malformed-request")
    assert await counts() == before


async def test_a_body_that_is_not_json_is_a_malformed_request(manager, goods):
    before = await counts()
    response = await manager.client.post("/api/makers", content=b'{"name": ',
                                         headers={"x-csrftoken": manager.csrf, "content-type": "application/json"})
    refused(response, code="malformed-request")
    assert response.status_code == 400 and await counts() == before


def upload(field: bytes, part_headers: bytes = b"") -> bytes:
    return (b'--XyZ\r\nContent-Disposition: form-data; name="note"\r\n' + part_headers + b"\r\n" + field + b"\r\n"
            b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="goods.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nbarcode,name,category,price\r\n,\xe6\x96\xb0\xe4\xb9\xa6,books,12.00\r\n"
            b"--XyZ--\r\n")


@pytest.mark.parametrize("body", [upload(b"\xff\xfe\xfa"),
                                  upload(b"abc", b"Content-Type: text/plain; charset=nonsense\r\n")],
                         ids=["not-utf8", "unknown-charset"])
async def test_a_catalogue_upload_with_a_field_that_is_not_utf8_is_refused(manager, goods, body):
    # given the catalogue
    before = await counts()
    # when the upload's text field is not UTF-8 (or names a charset no one knows)
    response = await manager.client.post("/api/catalogue/imports", content=body, headers={
        "x-csrftoken": manager.csrf, "content-type": "multipart/form-data; boundary=XyZ"})
    # then it is refused, and nothing is imported
    refused(response, code="malformed-request")
    assert await counts() == before


async def test_empty_payout_forms_say_what_is_missing(manager, goods):
    # given a maker owed nothing yet, and the payout forms
    before = await counts()
    for url in ("/manager/makers/payouts", f"/intake/makers/{goods.maker_id}/payouts"):
        for data in ({"_csrf_token": manager.csrf}, {"_csrf_token": manager.csrf, "amount": "", "note": "",
                                                     "method": ""}):
            # when a form comes with nothing in it
            page = await manager.client.post(url, data=data)
            # then the page says a payout is at least ¥0.01, and nothing was paid
            assert page.status_code == 200, page.text
            assert "结算金额至少为 ¥0.01" in page.text, url
    assert await counts() == before


async def test_a_payout_run_naming_a_maker_no_row_can_be_is_refused(manager, goods):
    before = await counts()
    page = await manager.client.post("/manager/makers/payouts", data={
        "_csrf_token": manager.csrf, "pay": str(BEYOND_SQLITE), f"amount-{BEYOND_SQLITE}": "1.00"})
    assert page.status_code == 200, page.text
    assert "没有这位手工艺人" in page.text
    assert await counts() == before


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb"], ids=["nul", "bell", "escape", "delete"])
async def test_nul_and_control_characters_are_refused_in_bodies_queries_and_paths(manager, goods, member_id, text):
    before = await counts()
    # bodies: a maker's, a donor's, a member's name; a stock correction's reason
    for url, body in [("/api/makers", {"name": text}), ("/api/donors", {"name": text}),
                      ("/api/lovebank/members", {"name": text}),
                      (f"/api/catalogue/items/{goods.book}/adjustments", {"quantity": 1, "reason": text})]:
        refused(await manager.post(url, json=body), code="malformed-request")
    # queries and paths
    for url in ("/api/till/search?q=", "/api/catalogue/items?q=", "/api/donors?q=", "/api/lovebank/members?q=",
                "/api/catalogue/items/", "/api/till/items/", "/api/till/members/"):
        refused(await manager.get(url + quote(text)), code="malformed-request")
    refused(await manager.get(f"/api/labels/{quote(text)}/png"), code="malformed-request")
    # a form: the fund's disbursement reason
    page = await manager.client.post("/manager/fund/disbursements", data={
        "_csrf_token": manager.csrf, "amount": "1.00", "reason": text})
    refused(page, code="malformed-request")
    # and nothing changed
    assert await counts() == before


async def test_a_number_with_a_fraction_is_not_a_whole_number(manager, goods):
    before = await counts()
    for url, body in [(f"/api/catalogue/items/{goods.book}/adjustments", {"quantity": 1.0, "reason": "数错了"}),
                      (f"/api/catalogue/items/{goods.book}/price", {"price_fen": 1500.0, "reason": "调价"}),
                      ("/api/sales/quote", {"lines": [{"barcode": goods.book, "quantity": 2.0}]}),
                      ("/api/sales/quote", {"lines": [{"barcode": goods.book, "quantity": 1e0}]})]:
        problem = refused(await manager.post(url, json=body), code="malformed-request")
        assert "int" in problem["detail"], problem
    assert await counts() == before
    # while a whole number still goes through
    response = await manager.post("/api/sales/quote", json={"lines": [{"barcode": goods.book, "quantity": 2}]})
    assert response.status_code == 200, response.text


async def test_text_longer_than_its_field_is_refused_never_cut(manager, goods):
    before = await counts()
    # past what any field holds: refused at the door
    refused(await manager.post(f"/api/makers/{goods.maker_id}/payouts",
                               json={"amount_fen": 100, "method": "cash", "note": "备" * 100_000}),
            code="malformed-request")
    # past the payout note's 200 characters, and the write-off note's 150: refused by the rule
    refused(await manager.post(f"/api/makers/{goods.maker_id}/payouts",
                               json={"amount_fen": 100, "method": "cash", "note": "备" * 201}), code="bad-note")
    refused(await manager.post(f"/api/catalogue/items/{goods.noodles}/write-offs",
                               json={"quantity": 1, "reason": "damaged", "note": "破" * 151}), code="bad-note")
    assert await counts() == before


async def test_the_sentence_is_in_english_for_an_english_reader(manager, goods):
    manager.client.cookies.set("lang", "en")
    problem = refused_en(await manager.get("/api/reports/sales?day=0001-01-01"))
    assert problem["detail"].startswith("0001-01-01 is outside the shop's books"), problem


def refused_en(response) -> dict:
    assert response.status_code == 400, response.text
    problem = response.json()
    assert not CHINESE.search(problem["detail"]), problem
    return problem
