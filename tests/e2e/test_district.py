"""The street office's user in a real browser: they log in, land on the district's page, pick a period, see both
shops' rows and the chart drawn on the server, and download the table as CSV."""

import csv
import io
import os
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.cli import run_cli
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def district(live_shop):
    """The demo shop, a second shop added as `aixin shop add` adds it, and the district's user."""
    folder = live_shop["print"].parent
    env = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
           "AIXIN_DATABASE_URL": f"sqlite:///{folder}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(folder / "var")}
    for args, stdin in ((["shop", "add", "north", "--name", "北门店"], ""),
                        (["create-user", "street", "--role", "district", "--password-stdin"], "street-password\n")):
        done = run_cli(args, env, stdin)  # in this process (tests/cli.py), as `aixin …` would run
        assert done.returncode == 0, done.stderr
    return live_shop


def test_the_district_user_lands_on_the_district_page_picks_a_month_and_downloads_the_csv(page, district):
    page.goto(district["url"] + "/login")
    page.fill("input[name=username]", "street")
    page.fill("input[name=password]", "street-password")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/district/?$"))
    expect(page.locator("h1")).to_have_text("街道汇总")
    # when: from the first day of the month it shows (the shop's own month) to the 10th
    first = date.fromisoformat(page.input_value("#day"))
    page.select_option("#period", "custom")
    page.fill("#last", first.replace(day=10).isoformat())
    page.click("#picker button[type=submit]")
    # then: those days, a row for each shop (the demo shop and north) and the total, and the chart of both
    expect(page.locator("#period-shown")).to_have_text(f"{first.isoformat()} – {first.replace(day=10).isoformat()}")
    expect(page.locator("#figures tbody tr")).to_have_count(2)
    expect(page.locator("#figures tbody tr[data-key=demo]")).to_be_visible()
    expect(page.locator("#figures tbody tr[data-key=north]")).to_contain_text("北门店")
    chart = page.locator("#shops-chart svg")
    expect(chart).to_be_visible()
    assert "各门店净销售额与基金提成" in chart.inner_html()
    expect(page.locator("#lovebank tbody tr")).to_have_count(2)
    # and the table downloads as CSV with a BOM: a line per shop and the total
    with page.expect_download() as download:
        page.click("#csv-figures")
    content = open(download.value.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["demo", "north", "合计"]
    net = page.locator("#figures tfoot td[data-figure=net_fen]").get_attribute("data-fen")
    assert rows[-1][7] == f"{int(net) // 100}.{int(net) % 100:02d}"
