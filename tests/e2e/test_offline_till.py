"""The till keeps selling when the server is gone (issue 18), in a real Chromium against a real `aixin serve --tls`.

The till is reached as https://shop.test:PORT, an origin the browser does not treat as local (shop.test is mapped to
127.0.0.1 by --host-resolver-rules), over the shop's own certificate, which this browser trusts by its public key
(--ignore-certificate-errors-spki-list, honoured with a user-data dir): a secure context, so the service worker runs.
The server process is really stopped and started again on the same database and port; the browser's profile is a
folder, so its IndexedDB and service worker survive closing and reopening it."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from inventory.barcodes import check_digit
from tests.cli import run_cli
from tests.e2e.conftest import CHROMIUM, ROOT
from web.demo import FOOD, food_code

pytestmark = pytest.mark.e2e
CODES = [food_code(row[0]) for row in FOOD[:4]]  # noodles ¥12.50, rice ¥39.90, oil ¥45.90, milk ¥42.00
PRICES = [row[2] for row in FOOD[:4]]
UNKNOWN = "2999999" + "00001"  # an in-store code the shop has never issued: only this browser's copy knows it
UNKNOWN += str(check_digit(UNKNOWN))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Shop:
    """A demo shop in a folder, served over HTTPS as shop.test; start() and stop() the real server process."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, _free_port()
        config = folder / "config.toml"
        config.write_text(f"""
[server]
port = {self.port}
data_dir = "{folder / 'var'}"
tls = true
tls_names = ["shop.test"]
[database]
url = "sqlite:///{folder / 'shop.sqlite'}"
[printer]
kind = "file"
path = "{folder / 'print'}"
[labels]
path = "{folder / 'labels'}"
""", encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AIXIN_")} | {"AIXIN_CONFIG": str(config)}
        self.url = f"https://shop.test:{self.port}"
        self.server: subprocess.Popen | None = None
        made = run_cli(["demo"], self.env)  # in this process (tests/cli.py), as `aixin demo` would run
        assert made.returncode == 0, made.stderr

    def start(self) -> None:
        self.log = (self.folder / "server.log").open("ab")
        self.server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], env=self.env, cwd=ROOT,
                                       stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the shop did not start:\n" + (self.folder / "server.log").read_text())
                time.sleep(0.1)

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=15)
        self.server = None
        self.log.close()

    def spki(self) -> str:
        """The server certificate's public key hash, as Chromium's --ignore-certificate-errors-spki-list takes it."""
        cert = x509.load_pem_x509_certificate((self.folder / "var" / "tls" / "server.crt").read_bytes())
        der = cert.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def sales(self) -> int:
        with sqlite3.connect(self.folder / "shop.sqlite") as db:
            return db.execute("SELECT count(*) FROM sale").fetchone()[0]

    def refusals(self) -> list[tuple[str, str, str]]:
        """The refused offline sales the tills reported: their number, the refusal's code, open or settled."""
        with sqlite3.connect(self.folder / "shop.sqlite") as db:
            return list(db.execute("SELECT offline_number, code, status FROM offline_refusal ORDER BY id"))

    def printed_number(self, number: str) -> str | None:
        with sqlite3.connect(self.folder / "shop.sqlite") as db:
            return db.execute("SELECT printed_number FROM offline_sale WHERE offline_number = ?", (number,)).fetchone()[0]

    def offline_numbers(self) -> list[str]:
        """The offline sales that reached the server (sold or held), in the order they arrived."""
        with sqlite3.connect(self.folder / "shop.sqlite") as db:
            return [row[0] for row in db.execute("SELECT offline_number FROM offline_sale ORDER BY id")]


@pytest.fixture
def shop(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no browser at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    shop = Shop(tmp_path)
    shop.start()
    yield shop
    if shop.server:
        shop.stop()


def browser(playwright, shop: Shop, profile: Path):
    expect.set_options(timeout=20_000)
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, locale="zh-CN", args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
            "--host-resolver-rules=MAP shop.test 127.0.0.1", f"--ignore-certificate-errors-spki-list={shop.spki()}"])
    context.add_init_script("window.aixinHeartbeatMs = 500")  # the till finds the server back within 0.5 s, not 5
    return context


def ready(page) -> None:
    expect(page.locator("#till[data-ready=true]")).to_have_count(1)


def waiting(page, count: int) -> None:
    expect(page.locator("#offline-banner")).to_have_attribute("data-waiting", str(count))


def sell(page, code: str, number: int) -> None:
    """A scanner's digits and Enter, Enter for exact cash, Enter to complete: kept in the journal as T1-000000n."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#lines tr")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#cash")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text(f"离线销售 T1-{number:07d}")
    expect(page.locator("#lines tr")).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()


def test_twenty_sales_made_with_the_server_stopped_reach_it_once_each(shop, tmp_path):
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "profile"
    before = shop.sales()
    with sync_playwright() as playwright:
        # given the till loaded over HTTPS as shop.test, its service worker in control, the catalogue in IndexedDB
        context = browser(playwright, shop, profile)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(shop.url + "/login")
        assert page.evaluate("window.isSecureContext")
        page.fill("input[name=username]", "cashier")
        page.fill("input[name=password]", "aixin-demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/till$"))
        ready(page)
        expect(page.locator("#till[data-service-worker=controls]")).to_have_count(1)
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        expect(page.locator("#till[data-catalogue-version]")).to_have_count(1)
        assert page.evaluate("AixinTillStore.itemCount()") >= len(CODES)
        expect(page.locator("#session-bar")).to_be_visible()

        # when the server is really stopped, and ten sales are made with the scanner and Enter
        shop.stop()
        for n in range(1, 11):
            sell(page, CODES[n % 4], n)
            waiting(page, n)
        # then the banner says offline and how many wait; points are refused with a sentence; the Z refuses
        expect(page.locator("#offline-banner")).to_contain_text("离线")
        expect(page.locator("#offline-banner")).to_contain_text("10 笔")
        page.keyboard.type(CODES[0])
        page.keyboard.press("Enter")
        expect(page.locator("#lines tr")).to_have_count(1)
        page.keyboard.press("F2")
        expect(page.locator("#message")).to_contain_text("积分支付需要服务器")
        page.locator("#lines .remove").click()
        page.click("#close-till")
        expect(page.locator("#message")).to_contain_text("还有 10 笔离线销售没有送达服务器")
        expect(page.locator("#close-dialog")).not_to_be_visible()
        # and logging out warns (dismissed: the cashier stays)
        said = []
        page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
        page.click("form[action='/login/out'] button")
        expect(page.locator("#till[data-ready=true]")).to_have_count(1)
        assert said and "还有 10 笔离线销售没有送达服务器" in said[0], said
        assert page.url.endswith("/till")
        # and the customer can have the browser's print of the last one, marked 离线销售 with its time
        page.click("#print-offline")
        page.emulate_media(media="print")
        page.evaluate("document.body.classList.add('printing-offline')")
        receipt = page.locator("#offline-receipt")
        expect(receipt).to_be_visible()
        expect(receipt).to_contain_text("离线销售")
        expect(receipt).to_contain_text("T1-0000010")
        expect(receipt).to_contain_text(time.strftime("%Y-%m-%d"))
        page.evaluate("document.body.classList.remove('printing-offline')")
        page.emulate_media(media="screen")

        # when the page is reloaded mid-way: it comes back from the service worker, the journal kept
        page.reload()
        ready(page)
        waiting(page, 10)
        expect(page.locator("#offline-banner")).to_contain_text("离线")
        # and an item only this browser's copy knows (the server will hold that sale), then nine more sales
        page.evaluate("""code => AixinTillStore.putItems([{barcode: code, name: "只在本机的商品", price_fen: 500,
            list_price_fen: 500, markdown_percent: 0, category: "food", category_name: "食品", accepts_points: true,
            expires_on: null, maker: "", on_hand: 1}])""", UNKNOWN)
        sell(page, UNKNOWN, 11)
        for n in range(12, 21):
            sell(page, CODES[n % 4], n)
        waiting(page, 20)
        context.close()

        # when the browser is closed and opened again on the same profile, the server still stopped
        context = browser(playwright, shop, profile)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(shop.url + "/till")
        ready(page)
        waiting(page, 20)
        sell(page, CODES[1], 21)
        waiting(page, 21)
        journal = page.evaluate("AixinTillStore.waiting()")
        assert [sale["offline_number"] for sale in journal] == [f"T1-{n:07d}" for n in range(1, 22)]
        # and one the server will refuse (malformed: made "next year", a till clock far ahead), written as till.js does
        page.evaluate("""code => AixinTillStore.recordSale({till: "T1", idempotency_key: crypto.randomUUID(),
            made_at: (new Date().getFullYear() + 1) + "-01-01T10:00:00.000+08:00", cash_given_fen: 1250,
            lines: [{barcode: code, quantity: 1, unit_price_fen: 1250}],
            shown: {names: ["红烧牛肉面 5连包"], total_fen: 1250, change_fen: 0}})""", CODES[0])
        other = context.new_page()  # a second tab on the till: two tabs, one sender at a time
        other.goto(shop.url + "/till")
        ready(other)

        # when the server starts again on the same database and port
        shop.start()
        # then the banner counts down to none; the held sale is kept and shown to settle
        waiting(page, 0)
        waiting(other, 0)
        expect(page.locator("#offline-banner")).to_be_hidden()
        held = page.locator("#offline-settle-list li[data-status=held]")
        expect(held).to_have_count(1)
        expect(held).to_have_attribute("data-number", "T1-0000011")
        refused = page.locator("#offline-settle-list li[data-status=refused]")
        expect(refused).to_have_count(1)
        expect(refused).to_have_attribute("data-number", "T1-0000022")
        expect(refused).to_contain_text("服务器拒收")
        # and reported for a manager (kept on the till's list all the same)
        expect(refused).to_have_attribute("data-reported", "true")
        expect(refused).to_contain_text("店长")
        assert shop.refusals() == [("T1-0000022", "bad-made-at", "open")]
        assert page.evaluate("AixinTillStore.waiting()") == []
        expect(page.locator("#offline-counts")).to_contain_text("21 笔已送达服务器（暂存 1 笔")  # sold or held
        assert shop.sales() == before + 20
        assert shop.offline_numbers() == [f"T1-{n:07d}" for n in range(1, 22)]  # oldest first, the held one in turn
        out = page.evaluate("""async () => (await fetch("/api/till/tills/T1/offline")).json()""")
        assert out["received"] == 21 and out["held"] == 1, out  # sold or held

        # when the whole journal is sent again, three times, from both tabs at once
        replay = """async (journal) => {
            const csrf = /csrftoken=([^;]+)/.exec(document.cookie)[1];  // a tab that sent nothing has the old page's
            const send = (sale) => fetch("/api/till/offline-sales", {method: "POST", credentials: "same-origin",
                headers: {"content-type": "application/json", "x-csrftoken": csrf},
                body: JSON.stringify({till: sale.till, offline_number: sale.offline_number, made_at: sale.made_at,
                    idempotency_key: sale.idempotency_key, lines: sale.lines, cash_given_fen: sale.cash_given_fen})})
                .then((r) => r.status);
            return Promise.all([0, 1, 2].flatMap(() => journal.map(send)));
        }"""
        # and the other tab, whose page came from the cache with the closed browser's token, sells online: its token
        # is renewed and the sale goes through (one online sale, counted apart from the offline ones)
        other.bring_to_front()
        other.locator("#scan").focus()
        other.keyboard.type(CODES[2])
        other.keyboard.press("Enter")
        expect(other.locator("#lines tr")).to_have_count(1)
        other.keyboard.press("Enter")
        expect(other.locator("#cash")).to_be_focused()
        other.keyboard.press("Enter")
        expect(other.locator("#message")).to_contain_text("收款完成")
        assert shop.sales() == before + 21
        for tab in (page, other):  # both started before either is awaited
            tab.evaluate("journal => { window.replayed = (" + replay + ")(journal); }", journal)
        statuses = page.evaluate("window.replayed") + other.evaluate("window.replayed")
        # then each is answered as the replay it is: still the 20 sales of the journal (and the one sold online)
        assert sorted(set(statuses)) == [200, 202], statuses
        assert statuses.count(202) == 6
        assert shop.sales() == before + 21
        out = page.evaluate("""async () => (await fetch("/api/till/tills/T1/offline")).json()""")
        assert out["received"] == 21 and out["held"] == 1, out

        # when a manager changes a price and a new item comes in at the intake desk
        version = page.evaluate("AixinTillStore.catalogue()")["version"]  # as the two tabs left it
        manager_browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--host-resolver-rules=MAP shop.test 127.0.0.1"])
        manager = manager_browser.new_context(ignore_https_errors=True, locale="zh-CN").new_page()
        manager.goto(shop.url + "/login")
        manager.fill("input[name=username]", "manager")
        manager.fill("input[name=password]", "aixin-demo")
        manager.click("button[type=submit]")
        expect(manager).to_have_url(re.compile(r"/manager$"))
        new_code = manager.evaluate("""async (rice) => {
            const csrf = /csrftoken=([^;]+)/.exec(document.cookie)[1];
            const post = (url, body) => fetch(url, {method: "POST", credentials: "same-origin",
                body: JSON.stringify(body), headers: {"content-type": "application/json", "x-csrftoken": csrf}})
                .then((r) => r.json());
            await post("/api/catalogue/items/" + rice + "/price", {price_fen: 3500, reason: "降价"});
            const given = await post("/api/donations", {idempotency_key: crypto.randomUUID(), print_labels: true,
                items: [{category: "books", description: "新捐的《红楼梦》", condition: "good", price_fen: 600}]});
            return given.label_codes[0];
        }""", CODES[1])
        manager_browser.close()
        # then the till's copy takes the increment when it next looks (here: a reload), not the whole list again
        asked = []
        context.on("request", lambda request: "/api/till/catalogue" in request.url and asked.append(request.url))
        page.reload()
        ready(page)
        expect(page.locator("#till")).to_have_attribute("data-catalogue-version", re.compile(rf"^(?!{version}$)\d+$"))
        assert asked and all(f"since={version}&" in url for url in asked), asked
        assert page.evaluate("code => AixinTillStore.item(code)", CODES[1])["price_fen"] == 3500
        assert page.evaluate("code => AixinTillStore.item(code)", new_code)["name"] == "新捐的《红楼梦》"

        # when this browser's counter is lost (its site data wiped, say; the server stopped first, so the till
        # cannot count past the server's numbers again) and an offline sale is T1-0000001 again
        shop.stop()
        page.evaluate("""() => new Promise((resolve, reject) => {
            const opened = indexedDB.open("aixin-till");
            opened.onsuccess = () => {
                const tx = opened.result.transaction("meta", "readwrite");
                tx.objectStore("meta").put({key: "counter:T1", value: 0});
                tx.oncomplete = resolve; tx.onerror = reject;
            };
        })""")
        page.locator("#scan").focus()
        sell(page, CODES[3], 1)
        shop.start()
        # then it arrives once, under this till's next number the server has not seen, the number on its paper kept
        waiting(page, 0)
        numbers = shop.offline_numbers()
        # (T1-0000001 … 21 arrived before; 22 was the refused one, reported, so its number is taken too)
        assert len(numbers) == len(set(numbers)) == 22 and numbers[-1] == "T1-0000023", numbers
        assert shop.printed_number("T1-0000023") == "T1-0000001"
        assert shop.sales() == before + 22
        # and when the counter is lost again while the server answers, the till counts on past the server's numbers
        page.evaluate("""() => new Promise((resolve, reject) => {
            const opened = indexedDB.open("aixin-till");
            opened.onsuccess = () => {
                const tx = opened.result.transaction("meta", "readwrite");
                tx.objectStore("meta").put({key: "counter:T1", value: 0});
                tx.oncomplete = resolve; tx.onerror = reject;
            };
        })""")
        page.reload()
        ready(page)
        deadline = time.monotonic() + 20
        while page.evaluate("AixinTillStore.meta('counter:T1')") < 23 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert page.evaluate("AixinTillStore.meta('counter:T1')") == 23
        context.close()


def test_over_plain_http_on_the_lan_the_till_says_offline_selling_needs_https(live_shop):
    """A till PC reaching the server by its name over http:// is no secure context: no service worker (so no page
    when the server is gone), and the till says so; it sells as before while the server answers."""
    from playwright.sync_api import sync_playwright

    port = live_shop["url"].rsplit(":", 1)[1]
    with sync_playwright() as playwright:
        lan = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--host-resolver-rules=MAP shop.test 127.0.0.1"])
        page = lan.new_context(locale="zh-CN").new_page()
        page.goto(f"http://shop.test:{port}/login")
        page.fill("input[name=username]", "cashier")
        page.fill("input[name=password]", "aixin-demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/till$"))
        ready(page)
        assert not page.evaluate("window.isSecureContext")
        expect(page.locator("#offline-banner")).to_contain_text("离线收银需要 HTTPS")
        assert page.evaluate("'serviceWorker' in navigator") is False
        # and it still sells (its keys made without crypto.randomUUID, which only a secure context has)
        page.keyboard.type(CODES[0])
        page.keyboard.press("Enter")
        expect(page.locator("#lines tr")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.locator("#cash")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("收款完成")
        lan.close()


def test_a_server_that_hangs_is_offline_after_the_time_limit_and_the_sale_is_made_once(shop, tmp_path):
    """Not refused but hanging (the PC frozen, a Wi-Fi that drops packets): the scan gives up after 3 s and reads the
    browser's copy, the sale after 10 s goes to the journal. The server, woken, still has the abandoned request and
    may sell it: the journal's copy under the same key is then the same sale, never a second."""
    import signal

    from playwright.sync_api import sync_playwright

    before = shop.sales()
    with sync_playwright() as playwright:
        # given the till loaded, its catalogue in the browser
        context = browser(playwright, shop, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(shop.url + "/login")
        page.fill("input[name=username]", "cashier")
        page.fill("input[name=password]", "aixin-demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/till$"))
        ready(page)
        expect(page.locator("#till[data-catalogue-version]")).to_have_count(1)
        # when the server hangs (stopped by a signal: its socket open, nothing answered)
        os.kill(shop.server.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            sell(page, CODES[0], 1)
            waited = time.monotonic() - started
            # then the sale was kept in the browser within the time limits, not left waiting on the server
            waiting(page, 1)
            assert waited < 20, waited
            expect(page.locator("#offline-banner")).to_contain_text("离线")
        finally:
            os.kill(shop.server.pid, signal.SIGCONT)
        # when the server wakes: the journal goes, and the sale is on the server once (the abandoned request may
        # have sold it first: the same key makes the journal's copy the same sale)
        waiting(page, 0)
        assert shop.sales() == before + 1
        assert page.evaluate("AixinTillStore.waiting()") == []
        context.close()


def test_a_till_offline_past_midnight_sells_at_the_new_days_markdown_and_the_server_agrees(shop, tmp_path):
    """The copy's prices are of the day it was synced; offline the next day, the till prices each ageing item for the
    shop's today from the day it came in and the rotation's steps (till_store.js priceOn), as the server does
    (inventory/rotation.py): the sale arrives at the price the server expects, with no "offline price" to settle.
    The copy is made yesterday's by giving the store a page of yesterday, as the feed gave it then."""
    import random
    from datetime import UTC, date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from playwright.sync_api import sync_playwright

    from inventory.rotation import Rotation, Step, marked_down

    zone = ZoneInfo("Asia/Shanghai")  # the demo shop's
    today = datetime.now(zone).date()
    yesterday = today - timedelta(days=1)
    # given the demo's children's down coat (¥35.00, donated) came in at noon 28 shop days ago: 4 weeks today, so
    # 30% off from this midnight, full price yesterday
    came_in = datetime.combine(today - timedelta(days=28), datetime.min.time(), tzinfo=zone) + timedelta(hours=12)
    with sqlite3.connect(shop.folder / "shop.sqlite") as db:
        code = db.execute("SELECT barcode FROM item WHERE name = '儿童羽绒服'").fetchone()[0]
        db.execute("UPDATE item SET created_at = ? WHERE barcode = ?", (str(came_in.astimezone(UTC)), code))
    with sync_playwright() as playwright:
        context = browser(playwright, shop, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(shop.url + "/login")
        page.fill("input[name=username]", "cashier")
        page.fill("input[name=password]", "aixin-demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/till$"))
        ready(page)
        expect(page.locator("#till[data-catalogue-version]")).to_have_count(1)
        kept = page.evaluate("code => AixinTillStore.item(code)", code)
        assert (kept["price_fen"], kept["markdown_percent"], kept["came_in_day"]) == (
            2450, 30, (today - timedelta(days=28)).isoformat())
        catalogue = page.evaluate("AixinTillStore.catalogue()")
        assert catalogue["day"] == today.isoformat()
        assert catalogue["rotation"] == {"steps": [{"weeks": 4, "percent": 30}, {"weeks": 8, "percent": 50}],
                                         "remove_after_weeks": 12, "zone": "Asia/Shanghai"}

        # and the browser's sums agree with the server's for every age, price, rotation and day
        chosen = random.Random(20261207)
        rotations = [((Step(4, 30), Step(8, 50)), 12), ((Step(1, 10), Step(2, 25), Step(6, 99)), 3), ((), 0),
                     ((Step(0, 5), Step(3, 100)), 52)]
        cases = []
        for n in range(2000):
            steps, remove = rotations[n % len(rotations)]
            day = date(2026, 1, 1) + timedelta(days=chosen.randrange(0, 3 * 366))
            age = chosen.choice([0, 6, 7, 13, 14, 20, 21, 27, 28, 41, 42, 55, 56, 83, 84, 364, 365])
            came = day - timedelta(days=age + chosen.choice([0, 0, 1, -1]))
            cases.append({"item": {"came_in_day": came.isoformat(),
                                   "list_price_fen": chosen.choice([0, 1, 99, 101, 999, 3500, 9_999_999, 10_000_000,
                                                                    chosen.randrange(0, 10_000_001)]),
                                   "price_fen": -1, "markdown_percent": -1},
                          "rotation": {"steps": [{"weeks": s.weeks, "percent": s.percent} for s in steps],
                                       "remove_after_weeks": remove, "zone": "Asia/Shanghai"},
                          "day": day.isoformat()})
        browser_says = page.evaluate("""cases => cases.map(({item, rotation, day}) => {
            const priced = AixinTillStore.priceOn(item, rotation, day);
            return [priced.price_fen, priced.markdown_percent, priced.removal_due];
        })""", cases)
        for case, said in zip(cases, browser_says):
            rule = Rotation(steps=tuple(Step(**s) for s in case["rotation"]["steps"]),
                            remove_after_weeks=case["rotation"]["remove_after_weeks"], sources=frozenset({"donated"}),
                            zone=zone)
            came, day = date.fromisoformat(case["item"]["came_in_day"]), date.fromisoformat(case["day"])
            percent = rule.markdown_on(came_in_day=came, day=day)
            assert said == [marked_down(case["item"]["list_price_fen"], percent), percent,
                            rule.removal_due_on(came_in_day=came, day=day)], case
        # and on the shop's date of any instant, in zones whose clocks change too (an instant either side of midnight)
        instants = []
        for name in ("Asia/Shanghai", "America/Santiago", "Europe/London", "America/Havana", "Asia/Kathmandu"):
            rule = Rotation(steps=(), remove_after_weeks=0, sources=frozenset(), zone=ZoneInfo(name))
            for day in (date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 9, 6), date(2026, 10, 25),
                        date(2026, 11, 1), today):
                start_ms = int(rule.day_start(day).timestamp() * 1000)
                instants += [(name, ms, rule.day_of(datetime.fromtimestamp(ms / 1000, UTC)).isoformat())
                             for ms in (start_ms - 1, start_ms, start_ms + 43_200_000)]
        assert page.evaluate("""instants => instants.map(([zone, ms]) => AixinTillStore.shopDay(zone, new Date(ms)))""",
                             instants) == [day for _, _, day in instants]

        # when the server is gone and the copy is yesterday's: a page for yesterday, with yesterday's price
        shop.stop()
        made_yesterdays = page.evaluate("""async ([code, yesterday]) => {
            const item = await AixinTillStore.item(code), done = await AixinTillStore.catalogue();
            await AixinTillStore.syncCatalogue(async () => ({version: done.version, day: yesterday, next_after: null,
                removed: [], full: false, rotation: done.rotation,
                items: [{...item, price_fen: item.list_price_fen, markdown_percent: 0}]}));
            return [await AixinTillStore.catalogue(), await AixinTillStore.item(code)];
        }""", [code, yesterday.isoformat()])
        assert made_yesterdays[0]["day"] == yesterday.isoformat() and made_yesterdays[1]["price_fen"] == 3500
        # and the coat is scanned
        page.locator("#scan").focus()
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        # then it is today's price: 30% off, said as marked down from ¥35.00
        expect(page.locator("#lines tr")).to_have_count(1)
        expect(page.locator("#lines tr")).to_contain_text("24.50")
        expect(page.locator("#message")).to_contain_text("24.50")
        # when it is sold for exact cash
        page.keyboard.press("Enter")
        expect(page.locator("#cash")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#message")).to_contain_text("离线销售 T1-0000001")
        (sale,) = page.evaluate("AixinTillStore.waiting()")
        assert sale["lines"] == [{"barcode": code, "quantity": 1, "unit_price_fen": 2450}]
        # and the server is back
        shop.start()
        waiting(page, 0)
        # then the sale is on it at that price, as the server's rule has it, with nothing for a manager to settle
        with sqlite3.connect(shop.folder / "shop.sqlite") as db:
            status, sale_id = db.execute("SELECT status, sale FROM offline_sale WHERE offline_number = 'T1-0000001'"
                                         ).fetchone()
            line = db.execute("SELECT unit_price_fen, markdown_percent FROM sale_line WHERE sale = ?",
                              (sale_id,)).fetchall()
            overrides = db.execute("SELECT kind, reason FROM override WHERE sale = ?", (sale_id,)).fetchall()
        assert (status, line, overrides) == ("sold", [(2450, 30)], [])
        expect(page.locator("#offline-settle")).to_be_hidden()
        context.close()


def test_a_sale_the_server_refuses_is_shown_on_the_till_and_settled_on_the_managers_page(shop, tmp_path):
    """A sale made offline by a till whose clock was a year ahead: the server refuses it (bad-made-at); the till keeps
    it on its list and reports it; a manager finds it on /manager/offline and settles it with a note of what was done,
    and nothing in the books changes."""
    from playwright.sync_api import sync_playwright

    before = shop.sales()
    with sync_playwright() as playwright:
        # given the till loaded, and in its journal a sale made "next year" (written as till.js writes one)
        context = browser(playwright, shop, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(shop.url + "/login")
        page.fill("input[name=username]", "cashier")
        page.fill("input[name=password]", "aixin-demo")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/till$"))
        ready(page)
        page.evaluate("""code => AixinTillStore.recordSale({till: "T1", idempotency_key: crypto.randomUUID(),
            made_at: (new Date().getFullYear() + 1) + "-01-01T10:00:00.000+08:00", cash_given_fen: 3000,
            lines: [{barcode: code, quantity: 2, unit_price_fen: 1250}],
            shown: {names: ["红烧牛肉面 5连包"], total_fen: 2500, change_fen: 500}})""", CODES[0])
        # when the till sends its journal (here: on loading the page again)
        page.reload()
        ready(page)
        # then it is refused, kept on the till's list, and reported for a manager, once
        waiting(page, 0)
        refused = page.locator("#offline-settle-list li[data-status=refused]")
        expect(refused).to_have_count(1)
        expect(refused).to_have_attribute("data-number", "T1-0000001")
        expect(refused).to_have_attribute("data-reported", "true")
        expect(refused).to_contain_text("服务器拒收")
        expect(refused).to_contain_text("店长")
        assert shop.refusals() == [("T1-0000001", "bad-made-at", "open")]
        page.reload()  # reloaded, it is not reported again
        ready(page)
        expect(page.locator("#offline-settle-list li[data-status=refused][data-reported=true]")).to_have_count(1)
        assert shop.refusals() == [("T1-0000001", "bad-made-at", "open")]

        # when a manager opens the offline page
        manager = context.new_page()
        context.clear_cookies()  # the cashier's session goes; the manager logs in on this browser
        manager.goto(shop.url + "/login")
        manager.fill("input[name=username]", "manager")
        manager.fill("input[name=password]", "aixin-demo")
        manager.click("button[type=submit]")
        expect(manager).to_have_url(re.compile(r"/manager$"))
        manager.goto(shop.url + "/manager/offline")
        # then the refused sale is there: its number, till, why (its clock), what was charged
        row = manager.locator("#refused tr.offline-refused")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("T1-0000001")
        expect(row).to_contain_text("T1")
        expect(row).to_contain_text("时钟")
        expect(row).to_contain_text("¥25.00")
        expect(manager.locator("#offline")).to_contain_text("不会改动账目")
        # when settled with no note / then it is refused with the reason, and stays
        row.locator("button.settle-refused").click()
        expect(manager.locator("#message.error")).to_contain_text("处理")
        expect(row).to_have_count(1)
        # when with a note of what was done / then it leaves the list, settled, and no sale was written
        row.locator("input.note").fill("顾客回店，已在一号台重新销售")
        row.locator("button.settle-refused").click()
        expect(manager.locator("#message.ok")).to_contain_text("已完成")
        expect(manager.locator("#refused tr.offline-refused")).to_have_count(0)
        assert shop.refusals() == [("T1-0000001", "bad-made-at", "settled")]
        assert shop.sales() == before
        context.close()
