"""Every page, as each role that reaches it, on the shop's screens: 1024×768 (older till monitors) and 1366×768.
No page is wider than the window (a wide table scrolls inside its own `.table-scroll`), the manager's header
stays on one line at 1366, no table column is squeezed to one character, and /favicon.ico answers. The screen of
a page that fails a check goes to the test's tmp folder, to look at. One browser, one login per role, pages in sequence."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from tests.cli import run_cli
from tests.e2e.conftest import ROOT
from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
SIZES = ((1024, 768), (1366, 768))
NOODLES = food_code(FOOD[0][0])
# The pages of each role; a (list page, link pattern) pair is the first page that list links to.
PAGES = {
    "cashier": ["/till"],  # and the receipt of the sale made below
    "intake": ["/intake", "/intake/donations", ("/intake/donations", r"/intake/donations/D\d+$"),
               ("/intake/donations", r"/intake/donors/\d+$"), "/intake/makers",
               ("/intake/makers", r"/intake/makers/\d+$")],
    "coordinator": ["/lovebank", "/lovebank/approvals", ("/lovebank?q=王阿姨", r"/lovebank/members/\d+$"),
                    "/lovebank/offers", "/wishes"],
    "manager": ["/manager", "/manager/reports", "/manager/fund", "/manager/makers", "/manager/catalogue",
                ("/manager/catalogue?q=面", r"/manager/catalogue/items/\d+$"), "/manager/catalogue/categories",
                "/manager/catalogue/import", "/manager/shelf", "/manager/stocktakes", "/manager/transfers",
                "/manager/printing", "/manager/printing/documents", "/manager/printers", "/manager/security",
                "/manager/offline"],
    "admin": ["/manager", "/manager/staff"],
    "street": ["/district"],
}
MEASURE = """() => {
  const header = document.querySelector("header.bar");
  const tops = header ? [...header.querySelectorAll(".brand, nav > *")].map((e) => e.getBoundingClientRect().top) : [0];
  const squeezed = [...document.querySelectorAll("main th")].filter((th) => {  // a heading of one character a line
    const style = getComputedStyle(th);
    const text = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return th.textContent.trim().length > 1 && th.offsetParent && text < 1.5 * parseFloat(style.fontSize);
  }).map((th) => th.textContent.trim());
  return { wide: document.documentElement.scrollWidth, inner: window.innerWidth,
           lines: Math.max(...tops) - Math.min(...tops), squeezed };
}"""


@pytest.fixture(scope="module")
def street(live_shop):
    """The district's user, as `aixin create-user` adds one (the demo has none, and the staff page gives that role
    to no one)."""
    folder = live_shop["print"].parent
    env = {**os.environ, "AIXIN_CONFIG": str(ROOT / "config.toml"),
           "AIXIN_DATABASE_URL": f"sqlite:///{folder}/shop.sqlite", "AIXIN_SERVER_DATA_DIR": str(folder / "var")}
    done = run_cli(["create-user", "street", "--role", "district", "--password-stdin"], env, "street-password\n")
    assert done.returncode == 0, done.stderr
    return live_shop


def log_in(page, url, username):
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "street-password" if username == "street" else "aixin-demo")
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login"))


def first_link(page, url, list_page, pattern) -> str:
    page.goto(url + list_page)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map((a) => a.getAttribute('href'))")
    found = [h for h in hrefs if re.search(pattern, h.split("?")[0])]
    assert found, f"{list_page} links to no page like {pattern}"
    return found[0]


def test_every_page_fits_both_screens_and_the_header_stays_one_line(chromium, street, tmp_path):
    url = street["url"]
    expect.set_options(timeout=15_000)
    assert chromium.new_context().request.get(url + "/favicon.ico").headers["content-type"] == "image/svg+xml"
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    problems = []

    def settled(page) -> None:
        """Loaded, and no request of the page's scripts in flight for 100 ms (Playwright's "networkidle" waits
        500 ms after the last one, a page: half of this test's time)."""
        quiet_since = time.monotonic()
        while inflight or time.monotonic() - quiet_since < 0.1:
            if inflight:
                quiet_since = time.monotonic()
            page.wait_for_timeout(20)

    def check(page, role, path):
        page.goto(url + path)
        settled(page)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            seen = page.evaluate(MEASURE)
            before = len(problems)
            if seen["wide"] > seen["inner"]:
                problems.append(f"{role} {path} at {width}: {seen['wide']} px wide")
            if seen["squeezed"]:
                problems.append(f"{role} {path} at {width}: columns squeezed: {seen['squeezed']}")
            if width == 1366 and seen["lines"] > 8:
                problems.append(f"{role} {path} at 1366: the header wraps")
            if len(problems) > before:  # the screen as it was, to look at
                name = f"{role}{path}".replace("/", "_")
                page.screenshot(path=tmp_path / f"{name}-{width}.jpeg", quality=70)
        page.set_viewport_size({"width": 1366, "height": 768})

    page = context.new_page()
    inflight: set = set()
    page.on("request", lambda request: inflight.add(request))
    for ended in ("requestfinished", "requestfailed"):
        page.on(ended, lambda request: inflight.discard(request))
    check(page, "visitor", "/login")
    for role, paths in PAGES.items():
        context.clear_cookies()
        log_in(page, url, role)
        if role == "cashier":  # a sale, for its receipt page
            expect(page.locator("#till[data-ready=true]")).to_have_count(1)
            page.keyboard.type(NOODLES)
            page.keyboard.press("Enter")
            expect(page.locator(f"#lines tr[data-barcode='{NOODLES}']")).to_have_count(1)
            page.keyboard.press("Enter")
            page.keyboard.type("20")
            page.keyboard.press("Enter")
            expect(page.locator("#last-number")).not_to_be_empty()
            paths = [*paths, f"/sales/{page.locator('#last-number').inner_text()}/receipt"]
        if role == "manager":  # a stock take, for its page
            page.goto(url + "/manager/stocktakes")
            page.check("input[name=scope][value=category]")
            page.select_option("select[name=category]", "books")
            page.click("#open-count button[type=submit]")
            expect(page).to_have_url(re.compile(r"/manager/stocktakes/\d+$"))
            paths = [*paths, page.url.removeprefix(url)]
        for path in paths:
            check(page, role, first_link(page, url, *path) if isinstance(path, tuple) else path)
    context.close()
    assert not problems, "\n".join(problems)
