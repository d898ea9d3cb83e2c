"""The reports over HTTP: figures as JSON, CSV with a BOM that parses, the ledger journal, charts whose numbers
are the table's, the fund and its disbursements, the makers' payout run, and the pages."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shop.money import format_yuan
from tests.pos.test_reports import sell_at

SHANGHAI = ZoneInfo("Asia/Shanghai")
SVG = "{http://www.w3.org/2000/svg}"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


async def three_days_of_sales(goods, settings):
    await sell_at(goods, settings, at=local(2026, 12, 1, 10), lines=[("clothes", "donated", 3500, 1, 0, 70, 0),
                                                            ("food", "purchased", 1250, 2, 100, 5, 0)])
    await sell_at(goods, settings, at=local(2026, 12, 3, 23, 59), lines=[("crafts", "handicraft", 500, 3, 0, 10, 80)],
                   points_fen=500, points=5)
    await sell_at(goods, settings, at=local(2026, 12, 4, 0, 1), lines=[("books", "donated", 1200, 1, 0, 50, 0)])


def chart_values(svg: str) -> list[list[str]]:
    """The values pygal printed for each series, in order: a <desc class="value"> per point (pygal draws
    each series' group again in overlays; the first one with values is the plot)."""
    root = ElementTree.fromstring(svg)
    series: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "series" in classes:
            name = next(c for c in classes if c.startswith("serie-"))
            values = [d.text for d in group.iter(f"{SVG}desc") if d.get("class") == "value"]
            if values and name not in series:
                series[name] = values
    return [series[name] for name in sorted(series, key=lambda n: int(n.split("-")[1]))]


async def test_the_figures_as_json(manager, goods, settings):
    await three_days_of_sales(goods, settings)
    response = await manager.get("/api/reports/figures?period=week&day=2026-12-02&by=source")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {"kind": "week", "first": "2026-11-30", "last": "2026-12-06"}
    assert {row["key"]: row["net_fen"] for row in body["rows"]} == {"donated": 4700, "purchased": 2400, "handicraft": 1500}
    assert body["totals"]["net_fen"] == 8600 and body["totals"]["discount_fen"] == 100
    assert body["totals"]["fund_points_fen"] == 50  # a third of the crafts sale (¥5.00 of ¥15.00) was paid in points: ¥0.50 of its fund share ¥1.50
    bad = await manager.get("/api/reports/figures?period=fortnight")
    assert bad.status_code == 400 and bad.json()["code"] == "bad-period"
    assert (await manager.get("/api/reports/figures?by=colour")).json()["code"] == "bad-dimension"


async def test_the_report_as_csv_has_a_bom_and_parses(manager, goods, settings):
    await three_days_of_sales(goods, settings)
    response = await manager.get("/api/reports/figures.csv?period=month&day=2026-12-01&by=category")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="report-category-2026-12-01_2026-12-31.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "类别" and len(rows[0]) == 13 and rows[0][3].endswith("(¥)")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["衣物"][6] == "35.00"  # net, in yuan
    assert by_name["食品"][4] == "1.00"  # discounts
    assert by_name["合计"][6] == "86.00"
    assert len(rows) == 1 + 4 + 1


async def test_the_ledger_journal_streams_every_entry_of_the_period(manager, goods, settings):
    await three_days_of_sales(goods, settings)
    today = datetime.now(SHANGHAI).date()
    response = await manager.get(f"/api/reports/journal.csv?period=day&day={today.isoformat()}")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, entries = rows[0], rows[1:]
    assert len(header) == 10
    # the ledger transactions were written today (a sale back-dated with commit_sale(now=…) posts them now):
    # 3 sales, 1 points issue (to the fund, whose points one sale spends)
    assert len({row[0] for row in entries}) == 4
    cny = [row for row in entries if row[6] == "CNY"]
    debits = sum(int(row[7].replace(".", "")) for row in cny if row[7])
    credits = sum(int(row[8].replace(".", "")) for row in cny if row[8])
    assert debits == credits == 8600
    pts = [row for row in entries if row[6] == "PTS"]
    assert sum(int(row[7] or 0) for row in pts) == sum(int(row[8] or 0) for row in pts) == 10
    yesterday = today - timedelta(days=1)
    empty = await manager.get(f"/api/reports/journal.csv?period=day&day={yesterday.isoformat()}")
    assert len(list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))) == 1


async def test_the_daily_chart_shows_the_numbers_of_the_daily_table(manager, goods, settings):
    await three_days_of_sales(goods, settings)
    table = (await manager.get("/api/reports/figures?period=week&day=2026-12-01&by=day")).json()
    svg = await manager.get("/api/reports/charts/daily.svg?period=week&day=2026-12-01")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    net, fund = chart_values(svg.text)
    assert net == [format_yuan(row["net_fen"]) for row in table["rows"]]
    assert fund == [format_yuan(row["fund_fen"]) for row in table["rows"]]
    assert net[:5] == ["¥0.00", "¥59.00", "¥0.00", "¥15.00", "¥12.00"]  # from Monday 30 November


async def test_the_reports_page_shows_the_table_and_charts_with_the_same_numbers(manager, goods, settings):
    await three_days_of_sales(goods, settings)
    page = await manager.get("/manager/reports?period=week&day=2026-12-01&by=category")
    assert page.status_code == 200
    html = page.text
    daily_svg = re.search(r'<figure class="chart" id="daily-chart">(.*?)</figure>', html, re.S).group(1)
    breakdown_svg = re.search(r'<figure class="chart" id="breakdown-chart">(.*?)</figure>', html, re.S).group(1)
    daily_table = re.search(r'<table class="report" id="daily">(.*?)</table>', html, re.S).group(1)
    net_cells = re.findall(r'data-figure="net_fen" data-fen="(-?\d+)"', daily_table)
    fund_cells = re.findall(r'data-figure="fund_fen" data-fen="(-?\d+)"', daily_table)
    assert chart_values(daily_svg) == [[format_yuan(int(v)) for v in net_cells], [format_yuan(int(v)) for v in fund_cells]]
    figures = re.search(r'<table class="report" id="figures">(.*?)</tfoot>', html, re.S).group(1)
    body = figures.split("<tbody>")[1].split("</tbody>")[0]
    table_net = re.findall(r'data-figure="net_fen" data-fen="(-?\d+)"', body)
    table_fund = re.findall(r'data-figure="fund_fen" data-fen="(-?\d+)"', body)
    assert chart_values(breakdown_svg) == [[format_yuan(int(v)) for v in table_net],
                                           [format_yuan(int(v)) for v in table_fund]]
    assert "衣物" in breakdown_svg and "/api/reports/journal.csv?period=week" in html


async def test_the_fund_over_http(manager, goods, settings):
    await sell_at(goods, settings, at=datetime.now(UTC), lines=[("clothes", "donated", 1000, 1, 0, 70, 0)])
    fund = (await manager.get("/api/fund")).json()
    assert fund["balance"] == {"cash_fen": 700, "points": 0}
    too_much = await manager.post("/api/fund/disbursements", json={"amount_fen": 800, "reason": "慰问"})
    assert too_much.status_code == 409 and too_much.json()["code"] == "disbursement-too-large"
    assert "¥8.00" in too_much.json()["detail"] and "¥7.00" in too_much.json()["detail"]
    paid = await manager.post("/api/fund/disbursements", json={"amount_fen": 500, "reason": "慰问困难户", "method": "transfer"})
    assert paid.status_code == 201 and paid.json()["cash_fen"] == 200
    page = await manager.get("/manager/fund")
    assert page.status_code == 200 and "慰问困难户" in page.text and "¥2.00" in page.text
    form = await manager.client.post("/manager/fund/disbursements", data={
        "amount": "3", "method": "cash", "reason": "多了", "_csrf_token": manager.csrf})
    assert form.status_code == 200 and "¥3.00" in form.text and "¥2.00" in form.text  # refused, with the sentence


async def test_a_cashier_sees_no_reports(cashier):
    assert (await cashier.get("/api/reports/figures")).status_code == 403
    assert (await cashier.get("/api/fund")).status_code == 403


async def test_a_payout_run_pays_several_makers_or_nobody(manager, goods, settings):
    from donations.makers import owed_to, register_maker
    other = await register_maker(shop_id=goods.shop_id, name="李师傅")
    # given: ¥4.00 owed to 王阿姨 (a sale of her coasters) and nothing to 李师傅
    await sell_at(goods, settings, at=datetime.now(UTC), lines=[("crafts", "handicraft", 500, 1, 0, 10, 80)])
    owed = {m["name"]: m["owed_fen"] for m in (await manager.get("/api/reports/makers")).json()}
    assert owed == {"王阿姨": 400, "李师傅": 0}
    # when one line of the run is too much, nobody is paid
    refused = await manager.post("/api/payout-runs/", json={"payouts": [
        {"maker_id": goods.maker_id, "amount_fen": 400}, {"maker_id": other, "amount_fen": 1}]})
    assert refused.status_code == 409 and refused.json()["code"] == "payout-too-large"
    assert await owed_to(goods.maker_id) == 400
    # then a good run pays
    run = await manager.post("/api/payout-runs/", json={"payouts": [{"maker_id": goods.maker_id, "amount_fen": 300}],
                                                        "method": "transfer"})
    assert run.status_code == 201 and len(run.json()["payouts"]) == 1
    assert await owed_to(goods.maker_id) == 100
    page = await manager.get("/manager/makers")
    assert page.status_code == 200 and "王阿姨" in page.text and 'value="1.00"' in page.text
    form = await manager.client.post("/manager/makers/payouts", data={
        "pay": [str(goods.maker_id)], f"amount-{goods.maker_id}": "1.00", "method": "cash",
        "_csrf_token": manager.csrf}, follow_redirects=False)
    assert form.status_code in (302, 303) and await owed_to(goods.maker_id) == 0
