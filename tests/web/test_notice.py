"""The fund's public notice over HTTP (web/notice.py), on both engines: anyone reads it when [notice] public is true
(no one but staff when false), the page and the JSON are the notice of pos/notice.py, the till printout is real
ESC/POS decoded, nothing personal is anywhere in them, and a bad month is a 400 problem in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from pos.notice import month_notice
from shop.settings import NoticeSettings
from tests.pos.test_notice import PERSONAL, notice_month
from tests.printing.escpos_decode import decode
from tests.web.conftest import Till, client_of, running
from web.app import create_app


def personal_in(text: str) -> list[str]:
    return [word for word in PERSONAL if word in text]


async def test_anyone_reads_the_notice_and_it_is_the_months_figures_with_nothing_personal(shop, goods, settings):
    # given: a month of sales, returns, points, a disbursement, a wish and a donation; a visitor not logged in
    month = await notice_month(goods, settings)
    visitor = await shop.browser()
    expected = await month_notice(shop_id=goods.shop_id, month=month, zone=settings.zone)
    # when
    got = await visitor.get(f"/api/notice?month={month.isoformat()[:7]}")
    page = await visitor.get("/notice")
    printable = await visitor.get(f"/notice/print?month={month.isoformat()[:7]}&shop={settings.shop.code}")
    english = await visitor.get("/notice?lang=en")
    district = await visitor.get("/api/notice/district")
    district_page = await visitor.get("/notice/district")
    # then: the JSON is the read model's notice
    assert got.status_code == 200, got.text
    assert got.json() == json.loads(msgspec.json.encode(expected))
    assert got.json()["month_figures"]["agrees"] is True
    assert district.status_code == 200 and district.json()["month_figures"] == got.json()["month_figures"]
    # the page, in Chinese by default, says the figures agree with the ledger and shows its figure
    assert page.status_code == 200 and printable.status_code == 200 and district_page.status_code == 200
    f = expected.month_figures
    ledger = page.text.split('id="notice-ledger">')[1].split("<")[0]
    assert ledger == f"¥{f.balance_end_fen // 100}.{f.balance_end_fen % 100:02d}"
    assert "以上数字与本店账本一致。" in page.text and "社区慈善基金公示" in page.text
    assert "冬衣 H-2026-017" in page.text and "H-2026-018" in page.text  # the reason as typed; households by reference
    assert "These figures agree with the shop&#39;s ledger." in english.text
    assert 'href="/notice?month=' in (await (await shop.logged_in("manager", "manager-pw")).get("/manager/fund")).text
    # and nothing personal anywhere: no donor, member, maker, staff name or phone, no wish text, no place of service
    for response in (got, page, printable, english, district, district_page):
        assert personal_in(response.text) == [], response.url


async def test_the_manager_prints_the_short_notice_on_the_till_printer(shop, goods, settings):
    # given
    month = await notice_month(goods, settings)
    manager = await shop.logged_in("manager", "manager-pw")
    # when
    job = await manager.post(f"/api/notice/print?month={month.isoformat()[:7]}")
    # then: the printout, decoded, is the month's figures in Chinese, with nothing personal
    assert job.status_code == 202, job.text
    (printed,) = await manager.printed("*fund_notice-*")
    text = "\n".join(decode(printed.read_bytes()).texts)
    notice = await month_notice(shop_id=goods.shop_id, month=month, zone=settings.zone)
    f = notice.month_figures
    assert "社区慈善基金公示" in text and month.isoformat()[:7] in text and "与账本一致" in text
    assert f"￥{f.money_in_fen // 100}.{f.money_in_fen % 100:02d}" in text
    assert f"服务发放（4.5 小时）" in text
    assert personal_in(text) == [] and "H-2026" not in text  # totals only on paper
    # and a visitor may not print it
    visitor = await shop.browser()
    await visitor.get("/login")
    assert (await visitor.post("/api/notice/print")).status_code == 401


async def test_a_bad_month_is_a_400_problem_in_chinese(shop, goods):
    visitor = await shop.browser()
    for url in ("/api/notice?month=2026-13", "/notice?month=abc", "/notice/print?month=1999-12",
                "/api/notice/district?month=2026/12"):
        response = await visitor.get(url)
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "bad-month" and "不是有效的月份" in problem["detail"], problem
    unknown = await visitor.get("/api/notice?shop=NOPE")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-shop"


@pytest.fixture
async def private_shop(db, settings, goods):
    """The shop with [notice] public = false."""
    closed = msgspec.structs.replace(settings, notice=NoticeSettings(public=False))
    async with running(create_app(closed, engine=db)) as app, client_of(app) as client:
        yield Till(app, client, Path(settings.printer.path))


async def test_a_notice_that_is_not_public_is_for_staff_alone(private_shop):
    # given: a visitor not logged in
    visitor = private_shop
    # when / then: the API answers 401, a page the login page
    for url in ("/api/notice", "/api/notice/district"):
        response = await visitor.get(url)
        assert response.status_code == 401 and response.json()["code"] == "not-logged-in", url
    for url in ("/notice", "/notice/print", "/notice/district", "/notice/district/print"):
        response = await visitor.get(url, follow_redirects=False)
        assert response.status_code in (302, 303) and response.headers["location"].startswith("/login"), url
    # and once logged in, staff read it, with their menu
    assert (await visitor.login("cashier", "cashier-pw")).status_code in (302, 303)
    page = await visitor.get("/notice")
    assert page.status_code == 200 and 'action="/login/out"' in page.text
    assert (await visitor.get("/api/notice")).status_code == 200
