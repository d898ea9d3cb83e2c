"""A manager imports a catalogue CSV in a real browser: a bad line is listed and nothing is imported;
the corrected file imports with its progress shown, and its items are then in the catalogue."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ROWS = 2000


def log_in(page, shop, username):
    page.goto(shop["url"] + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "aixin-demo")
    page.click("button[type=submit]")


def catalogue_csv(bad_line: int | None) -> bytes:
    lines = ["名称,类别,价格,数量,条码"]
    for n in range(1, ROWS + 1):
        price = "-3" if n + 1 == bad_line else f"{n % 50 + 1}.50"
        lines.append(f"导入测试商品{n},books,{price},1,")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_bad_line_is_listed_then_the_corrected_file_imports_with_its_progress(page, live_shop, tmp_path):
    log_in(page, live_shop, "manager")
    page.goto(live_shop["url"] + "/manager/catalogue")
    page.click("a[href='/manager/catalogue/import']")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(catalogue_csv(bad_line=1234))
    page.set_input_files("#file", str(bad))
    page.click("#import-button")
    expect(page.locator("#problems-section")).to_be_visible()
    rows = page.locator("#problems tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text("1234")
    expect(page.locator("#message")).to_contain_text("什么都没有导入")
    found = page.request.get(live_shop["url"] + "/api/catalogue/items?q=导入测试商品").json()
    assert found == []

    good = tmp_path / "good.csv"
    good.write_bytes(catalogue_csv(bad_line=None))
    page.set_input_files("#file", str(good))
    page.click("#import-button")
    expect(page.locator("#progress-section")).to_be_visible()
    expect(page.locator("#summary")).to_be_visible(timeout=60_000)
    expect(page.locator("#summary [data-count=created]")).to_have_text(f"{ROWS:,}")
    expect(page.locator("#labels-needed")).to_contain_text(f"{ROWS:,}")
    expect(page.locator("#problems-section")).to_be_hidden()
    expect(page.locator("#progress-text")).to_contain_text(f"{ROWS:,} / {ROWS:,}")
    found = page.request.get(live_shop["url"] + "/api/catalogue/items?q=导入测试商品1999").json()
    assert [item["name"] for item in found] == ["导入测试商品1999"]
