"""A manager looks at a week's figures day by day in a real browser: the picker, the table, the chart drawn on the
server, and the CSV download."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_manager_picks_a_week_by_day_sees_the_chart_and_downloads_the_csv(page, live_shop):
    page.goto(live_shop["url"] + "/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")
    page.click("nav >> text=报表")
    expect(page).to_have_url(re.compile(r"/manager/reports$"))
    expect(page.locator("h1")).to_have_text("报表")
    # when: a week, day by day
    page.select_option("#period", "week")
    page.fill("#day", "2026-12-02")
    page.select_option("#by", "day")
    page.click("#picker button[type=submit]")
    # then: Monday 30 November to Sunday 6 December, a row a day and the chart of those seven days
    expect(page.locator("#period-shown")).to_have_text("2026-11-30 – 2026-12-06")
    expect(page.locator("#figures tbody tr")).to_have_count(7)
    expect(page.locator("#figures tbody tr").first).to_have_attribute("data-key", "2026-11-30")
    chart = page.locator("#daily-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("g.serie-0 g.bar").first).to_be_attached()
    assert chart.locator("g.serie-0 desc.value").count() >= 7
    assert "每日销售额与基金提成" in chart.inner_html()
    # and the table downloads as CSV for the accountant, with a BOM, a row a day and the total
    with page.expect_download() as download:
        page.click("#csv-figures")
    content = open(download.value.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [f"2026-11-{d}" for d in (30,)] + [f"2026-12-0{d}" for d in range(1, 7)] + ["合计"]
    # the fund's page is one click away
    page.click("nav >> text=基金")
    expect(page.locator("#fund-cash")).to_have_text("¥0.00")
